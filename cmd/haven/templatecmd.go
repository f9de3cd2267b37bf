package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"go.yaml.in/yaml/v3"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/library"
)

// TemplateCmd groups the template commands.
type TemplateCmd struct {
	Import TemplateImportCmd `cmd:"" help:"Add or update templates from a YAML file or a directory of them (by name; prints what changed)."`
	Export TemplateExportCmd `cmd:"" help:"Print a template as YAML (the format import reads)."`
	List   TemplateListCmd   `cmd:"" help:"List the templates."`
}

// templateFile is the YAML format: a list of templates (docs/templates.md).
type templateFile struct {
	Templates []templateYAML `yaml:"templates"`
}

type templateYAML struct {
	Name       string                 `yaml:"name"`
	Kind       string                 `yaml:"kind"`
	Categories []string               `yaml:"categories,omitempty"`
	Variants   map[string]variantYAML `yaml:"variants"`
}

type variantYAML struct {
	Subject string `yaml:"subject"`
	Body    string `yaml:"body"`
}

// maxTemplateFile bounds one file: templates are text, a megabyte is hundreds of them.
const maxTemplateFile = 1 << 20

// TemplateImportCmd imports templates.
type TemplateImportCmd struct {
	DBFlags
	Path    string `arg:"" optional:"" help:"A .yaml file, or a directory of them." type:"path"`
	Starter bool   `name:"starter" help:"Import the starter library's templates shipped with Haven instead of PATH."`
}

// Run imports every template of the files, in one transaction: a bad file changes nothing.
func (c *TemplateImportCmd) Run(e *env) error {
	return importFiles(e, &c.DBFlags, c.inputs, func(a *app, ins []haven.TemplateInput) (map[string]string, error) {
		return a.svc.ImportTemplatesAsSystem(e.ctx, ins)
	})
}

// importFiles reads and checks every input before opening the database, saves them (one
// transaction, in save) and prints what changed: "added NAME", "updated NAME", "unchanged NAME".
func importFiles[T any](e *env, db *DBFlags, read func() ([]T, error), save func(*app, []T) (map[string]string, error)) (err error) {
	ins, err := read()
	if err != nil {
		return err
	}
	a, err := db.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	done, err := save(a, ins)
	if err != nil {
		return err
	}
	printDone(e, done)
	return nil
}

// inputs reads PATH, or the starter library's templates.
func (c *TemplateImportCmd) inputs() ([]haven.TemplateInput, error) {
	if c.Starter {
		return starterInputs(library.Templates, parseTemplates)
	}
	if c.Path == "" {
		return nil, haven.Errorf(haven.EINVALID, "name a file or a directory, or pass --starter")
	}
	return readYAMLInputs(c.Path, parseTemplates)
}

// starterInputs parses the embedded files listed by list; an error names the file.
func starterInputs[T any](list func() ([]string, error), parse func([]byte) ([]T, error)) ([]T, error) {
	var out []T
	_, err := starterFiles(list, func(name string, raw []byte) error {
		got, err := parse(raw)
		if err != nil {
			return haven.Errorf(haven.EINVALID, "%s: %s", name, haven.ErrorMessage(err))
		}
		out = append(out, got...)
		return nil
	})
	return out, err
}

// readYAMLInputs parses path (a file, or the .yaml and .yml files of a directory, sorted); an
// error names the file.
func readYAMLInputs[T any](path string, parse func([]byte) ([]T, error)) ([]T, error) {
	files, err := yamlFiles(path)
	if err != nil {
		return nil, err
	}
	var out []T
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, haven.Errorf(haven.EINVALID, "%v", err)
		}
		got, err := parse(raw)
		if err != nil {
			return nil, haven.Errorf(haven.EINVALID, "%s: %s", f, haven.ErrorMessage(err))
		}
		out = append(out, got...)
	}
	return out, nil
}

// yamlFiles is path itself, or the .yaml and .yml files of the directory path, sorted.
func yamlFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, haven.Errorf(haven.EINVALID, "%v", err)
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	var files []string
	for _, pattern := range []string{"*.yaml", "*.yml"} {
		m, _ := filepath.Glob(filepath.Join(path, pattern))
		files = append(files, m...)
	}
	sort.Strings(files)
	return files, nil
}

// parseTemplates reads the YAML format strictly: unknown keys, aliases and oversized files are
// refused, and each template is validated (placeholders included) with its name in the error.
func parseTemplates(raw []byte) ([]haven.TemplateInput, error) {
	var f templateFile
	if err := decodeYAMLFile(raw, "template", &f); err != nil {
		return nil, err
	}
	out := make([]haven.TemplateInput, 0, len(f.Templates))
	for _, t := range f.Templates {
		in := t.input()
		in.Normalize()
		if err := in.Validate(); err != nil {
			return nil, haven.Errorf(haven.EINVALID, "template %q: %s", t.Name, fieldErrors(err))
		}
		out = append(out, in)
	}
	return out, nil
}

// decodeYAMLFile reads one file of kind strictly into v: files over 1 MB, YAML aliases and
// unknown keys are refused.
func decodeYAMLFile(raw []byte, kind string, v any) error {
	if len(raw) > maxTemplateFile {
		return haven.Errorf(haven.EINVALID, "the file is over 1 MB")
	}
	if bytes.Contains(raw, []byte("*")) && yamlHasAlias(raw) {
		return haven.Errorf(haven.EINVALID, "YAML aliases are not allowed in %s files", kind)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return haven.Errorf(haven.EINVALID, "%v", err)
	}
	return nil
}

// yamlHasAlias reports whether the document uses an alias (a node that repeats another): template
// files need none, and refusing them keeps a "billion laughs" file from expanding.
func yamlHasAlias(raw []byte) bool {
	var n yaml.Node
	if yaml.Unmarshal(raw, &n) != nil {
		return false // the decoder reports the syntax error itself
	}
	var walk func(*yaml.Node, int) bool
	walk = func(n *yaml.Node, depth int) bool {
		if n.Kind == yaml.AliasNode || depth > 32 {
			return true
		}
		return slices.ContainsFunc(n.Content, func(c *yaml.Node) bool { return walk(c, depth+1) })
	}
	return walk(&n, 0)
}

// fieldErrors lists a validation error's fields: "variants.ar.body: line 1, column 7: …".
func fieldErrors(err error) string {
	he, ok := err.(*haven.Error)
	if !ok || len(he.Fields) == 0 {
		return haven.ErrorMessage(err)
	}
	var parts []string
	for k, v := range he.Fields {
		parts = append(parts, k+": "+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

func (t templateYAML) input() haven.TemplateInput {
	in := haven.TemplateInput{Name: t.Name, Kind: haven.TemplateKind(t.Kind), Categories: t.Categories,
		Variants: map[string]haven.TemplateVariant{}}
	for lang, v := range t.Variants {
		in.Variants[lang] = haven.TemplateVariant{Subject: v.Subject, Body: v.Body}
	}
	return in
}

// TemplateExportCmd prints one template.
type TemplateExportCmd struct {
	DBFlags
	Name string `arg:"" help:"The template's name."`
}

// Run prints the template as a one-template file.
func (c *TemplateExportCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	var t *haven.Template
	if err := a.db.View(e.ctx, func(tx haven.Tx) (err error) { t, err = tx.TemplateByName(e.ctx, c.Name); return err }); err != nil {
		return err
	}
	out, err := yaml.Marshal(templateFile{Templates: []templateYAML{fromTemplate(t)}})
	if err != nil {
		return haven.Internal("yaml", err)
	}
	e.printf("%s", out)
	return nil
}

func fromTemplate(t *haven.Template) templateYAML {
	y := templateYAML{Name: t.Name, Kind: string(t.Kind), Categories: t.Categories, Variants: map[string]variantYAML{}}
	for lang, v := range t.Variants {
		y.Variants[lang] = variantYAML{Subject: v.Subject, Body: v.Body}
	}
	return y
}

// TemplateListCmd lists templates.
type TemplateListCmd struct{ DBFlags }

// Run prints one template a line.
func (c *TemplateListCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	var ts []*haven.Template
	err = a.db.View(e.ctx, func(tx haven.Tx) (err error) {
		ts, err = tx.FindTemplates(e.ctx, haven.TemplateFilter{Retired: true})
		return err
	})
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	e.fprintln(w, "NAME\tKIND\tVERSION\tLANGUAGES\tCATEGORIES\tRETIRED")
	for _, t := range ts {
		e.fprintf(w, "%s\t%s\t%d\t%s\t%s\t%s\n", t.Name, t.Kind, t.Version, strings.Join(languagesOf(t), ","),
			strings.Join(t.Categories, ","), retiredMark(t))
	}
	return w.Flush()
}

func languagesOf(t *haven.Template) []string {
	out := make([]string, 0, len(t.Variants))
	for l := range t.Variants {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

func retiredMark(t *haven.Template) string {
	if t.RetiredAt == nil {
		return ""
	}
	return fmt.Sprint(t.RetiredAt.Format("2006-01-02"))
}
