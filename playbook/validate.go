package playbook

import (
	"regexp"
	"strings"
)

var (
	slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	// refRE matches category, template and article names, which may have a '/' (a subcategory).
	refRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9/-]{0,99}$`)
	langRE = regexp.MustCompile(`^[a-z]{2,3}(-([A-Z]{2}|[0-9]{3}))?$`)
)

const (
	slugRule = "a slug: lowercase letters, digits and '-', starting with a letter or digit, at most 63 characters"
	refRule  = "lowercase letters, digits, '-' and '/', starting with a letter or digit, at most 100 characters"
	langRule = "a language tag: 2 or 3 lowercase letters, optionally a region (fr, pt-BR, es-419)"
)

// Validate checks a playbook built or changed in code against the rules Parse applies to a
// file. Problems name the line of the step or answer when Line is set.
func Validate(p *Playbook) error {
	if p == nil {
		return fileError(0, "there is no playbook")
	}
	lines := map[string]int{}
	for i, s := range p.Steps {
		path := index("steps", i)
		lines[path] = s.Line
		for j, a := range s.Answers {
			lines[index(path+".answers", j)] = a.Line
		}
	}
	ps := &problems{}
	validate(p, lines, ps)
	return ps.err()
}

// validator applies the rules about content to a playbook whose shape is right; lines maps
// the path of each value to its line.
type validator struct {
	p     *Playbook
	lines map[string]int
	ps    *problems
	langs []string       // the well-formed entries of p.Languages, each once
	index map[string]int // step id → position of its first definition
}

func validate(p *Playbook, lines map[string]int, ps *problems) {
	v := &validator{p: p, lines: lines, ps: ps, index: stepIndex(p)}
	v.header()
	if len(p.Steps) > MaxSteps {
		return // reported by header; checking thousands of steps would only cost time
	}
	for i := range p.Steps {
		v.step(i)
	}
	v.graph()
}

func (v *validator) add(path, format string, args ...any) {
	v.ps.add(path, v.line(path), format, args...)
}

// line finds the line of path, or of its nearest ancestor that has one.
func (v *validator) line(path string) int {
	for {
		if l := v.lines[path]; l > 0 || path == "" {
			return l
		}
		path = path[:max(strings.LastIndexByte(path, '.'), strings.LastIndexByte(path, '['), 0)]
	}
}

// unique reports entries of list given more than once.
func (v *validator) unique(path, what string, list []string) {
	seen := make(map[string]bool, len(list))
	for i, s := range list {
		if seen[s] {
			v.add(index(path, i), "%s: %q is listed twice", what, short(s))
		}
		seen[s] = true
	}
}

// stepIndex maps each step id to the position of its first definition.
func stepIndex(p *Playbook) map[string]int {
	index := make(map[string]int, len(p.Steps))
	for i := range p.Steps {
		if _, dup := index[p.Steps[i].ID]; !dup {
			index[p.Steps[i].ID] = i
		}
	}
	return index
}
