package playbook

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/haven-helpline/haven"
)

// Parse reads and validates one playbook. Every problem is reported in one *haven.Error with
// code EINVALID; see the package documentation for the format and the rules.
func Parse(data []byte) (*Playbook, error) {
	if len(data) > MaxSize {
		return nil, fileError(0, "the file is %d bytes, more than the %d allowed", len(data), MaxSize)
	}
	root, err := document(data)
	if err != nil {
		return nil, err
	}
	ps := &problems{}
	if !guard(root, ps) {
		return nil, ps.err()
	}
	d := decoder{lines: map[string]int{}, ps: ps}
	p := d.playbook(root)
	if !ps.fatal {
		validate(p, d.lines, ps)
	}
	if err := ps.err(); err != nil {
		return nil, err
	}
	return p, nil
}

// document parses data into a node tree. Decoding into yaml.Node keeps aliases as references
// (nothing is expanded), so a YAML bomb costs no more than its own size here; guard refuses it
// next. A second document is refused rather than silently ignored.
func document(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fileError(0, "the file is empty")
		}
		return nil, syntaxError(err)
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, syntaxError(err)
		}
		return nil, fileError(next.Line, "the file holds more than one YAML document (a line \"---\"?)")
	}
	if len(doc.Content) != 1 {
		return nil, fileError(doc.Line, "the file holds no playbook")
	}
	return doc.Content[0], nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError turns the YAML library's message ("yaml: line 3: …") into a problem on that line.
func syntaxError(err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return fileError(line, "%s", m[2])
	}
	return fileError(0, "%s", strings.TrimPrefix(msg, "yaml: "))
}

// ReadFile parses the playbook in the named file, reading no more than MaxSize+1 bytes of it.
// Problems with the content are EINVALID errors whose message begins with the file's name.
func ReadFile(name string) (*Playbook, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, haven.Internal("playbook.ReadFile", err)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, haven.Internal("playbook.ReadFile", err)
	}
	p, err := Parse(data)
	if e := haven.AsError(err); e != nil && e.Code == haven.EINVALID {
		e.Message = filepath.Base(name) + ": " + e.Message
	}
	return p, err
}

// Files returns the paths of the .yaml and .yml files directly in dir, sorted, so that a
// directory of playbooks is loaded in the same order everywhere.
func Files(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, haven.Internal("playbook.Files", err)
	}
	var files []string
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.Type().IsRegular() && (ext == ".yaml" || ext == ".yml") {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	return files, nil // os.ReadDir sorts by name
}
