// Package library is Haven's starter library: playbooks (procedures that become tasks on a case,
// with decision branches) and the reply, escalation and note templates they name, each in
// English, French and Arabic.
//
// The files are YAML, one playbook per file under playbooks/ and one or more templates per file
// under templates/; README.md describes the format and the sources they draw on. A helpline loads
// them with `haven playbook import library/playbooks` and `haven template import library/templates`,
// or a program reads them from Files.
//
// The package only carries the files: it parses nothing and imports nothing of Haven, so the
// playbook and template parsers stay the one authority on the format.
package library

import (
	"embed"
	"io/fs"
	"sort"
)

// Files holds playbooks/*.yaml, templates/*.yaml and articles/*.yaml as they were at build time. An embed.FS is
// read-only and its contents are fixed by the compiler, so this package-level value is immutable
// and safe to share between goroutines.
//
//go:embed playbooks/*.yaml templates/*.yaml articles/*.yaml
var Files embed.FS

// Playbooks returns the paths of the embedded playbook files ("playbooks/….yaml"), sorted.
func Playbooks() ([]string, error) { return glob("playbooks/*.yaml") }

// Templates returns the paths of the embedded template files ("templates/….yaml"), sorted.
func Templates() ([]string, error) { return glob("templates/*.yaml") }

// Articles returns the paths of the embedded knowledge-base article files ("articles/….yaml"), sorted.
func Articles() ([]string, error) { return glob("articles/*.yaml") }

func glob(pattern string) ([]string, error) {
	paths, err := fs.Glob(Files, pattern)
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	return paths, nil
}
