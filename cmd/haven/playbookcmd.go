package main

import (
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/library"
	"github.com/haven-helpline/haven/playbook"
)

// PlaybookCmd groups the playbook commands.
type PlaybookCmd struct {
	Import PlaybookImportCmd `cmd:"" help:"Add or update playbooks from YAML files (by name; prints what changed; one transaction)."`
	Export PlaybookExportCmd `cmd:"" help:"Print a playbook's YAML."`
	List   PlaybookListCmd   `cmd:"" help:"List the playbooks."`
}

// PlaybookImportCmd imports playbooks.
type PlaybookImportCmd struct {
	DBFlags
	Path    string `arg:"" optional:"" help:"A .yaml file, or a directory of them." type:"path"`
	Starter bool   `name:"starter" help:"Import the starter library shipped with Haven (docs/playbooks.md) instead of PATH."`
}

// Run reads every file first (a bad file changes nothing), then saves them in one transaction.
func (c *PlaybookImportCmd) Run(e *env) error {
	read := func() ([]string, error) { return playbookSources(c.Path, c.Starter) }
	return importFiles(e, &c.DBFlags, read, func(a *app, sources []string) (map[string]string, error) {
		return a.svc.ImportPlaybooksAsSystem(e.ctx, sources)
	})
}

// printDone prints "added NAME" lines, by name.
func printDone(e *env, done map[string]string) {
	names := make([]string, 0, len(done))
	for n := range done {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		e.printf("%s %s\n", done[n], n)
	}
}

// playbookSources reads the playbooks of path (a file or directory) or of the starter library,
// each checked by the parser first so that an error names its file.
func playbookSources(path string, starter bool) ([]string, error) {
	if starter {
		return starterFiles(library.Playbooks, checkPlaybook)
	}
	if path == "" {
		return nil, haven.Errorf(haven.EINVALID, "name a file or a directory, or pass --starter")
	}
	files := []string{path}
	if st, err := os.Stat(path); err != nil {
		return nil, haven.Errorf(haven.EINVALID, "%v", err)
	} else if st.IsDir() {
		if files, err = playbook.Files(path); err != nil {
			return nil, haven.Errorf(haven.EINVALID, "%v", err)
		}
	}
	var out []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, haven.Errorf(haven.EINVALID, "%v", err)
		}
		if err := checkPlaybook(f, raw); err != nil {
			return nil, err
		}
		out = append(out, string(raw))
	}
	return out, nil
}

func checkPlaybook(name string, raw []byte) error {
	if _, err := playbook.Parse(raw); err != nil {
		return haven.Errorf(haven.EINVALID, "%s: %s", name, fieldErrors(err))
	}
	return nil
}

// starterFiles reads the embedded files listed by list, checking each.
func starterFiles(list func() ([]string, error), check func(string, []byte) error) ([]string, error) {
	paths, err := list()
	if err != nil {
		return nil, haven.Internal("starter library", err)
	}
	var out []string
	for _, p := range paths {
		raw, err := library.Files.ReadFile(p)
		if err != nil {
			return nil, haven.Internal("starter library", err)
		}
		if err := check(p, raw); err != nil {
			return nil, err
		}
		out = append(out, string(raw))
	}
	return out, nil
}

// PlaybookExportCmd prints one playbook.
type PlaybookExportCmd struct {
	DBFlags
	Name string `arg:"" help:"The playbook's name."`
}

// Run prints the playbook's current YAML as it was saved.
func (c *PlaybookExportCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	var p *haven.Playbook
	if err := a.db.View(e.ctx, func(tx haven.Tx) (err error) { p, err = tx.PlaybookByName(e.ctx, c.Name); return err }); err != nil {
		return err
	}
	e.printf("%s", p.Source)
	if !strings.HasSuffix(p.Source, "\n") {
		e.println()
	}
	return nil
}

// PlaybookListCmd lists playbooks.
type PlaybookListCmd struct{ DBFlags }

// Run prints one playbook a line.
func (c *PlaybookListCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	var ps []*haven.Playbook
	if err := a.db.View(e.ctx, func(tx haven.Tx) (err error) { ps, err = tx.Playbooks(e.ctx); return err }); err != nil {
		return err
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	e.fprintln(w, "NAME\tVERSION\tAUTO\tCATEGORIES\tTITLE")
	for _, p := range ps {
		e.fprintf(w, "%s\t%d\t%v\t%s\t%s\n", p.Name, p.Version, p.Auto, strings.Join(p.Categories, ","), p.Title["en"])
	}
	return w.Flush()
}
