package main

import (
	"os"

	"github.com/haven-helpline/haven"
)

// ExportCmd writes a case's indicators for partners.
type ExportCmd struct {
	DBFlags
	Format string `arg:"" enum:"stix,misp" help:"stix (a STIX 2.1 bundle) or misp (a MISP event in the MISP core format)."`
	Case   string `name:"case" required:"" placeholder:"NUMBER" help:"The case to export (e.g. HV-2026-000123)."`
	TLPMax string `name:"tlp-max" default:"amber" enum:"clear,green,amber,amber+strict" help:"Leave out everything marked above this TLP."`
}

// Run prints the document on standard output. It holds the indicators judged malicious or
// suspicious, their techniques and the case's actors and campaigns: never the requester, the
// case's texts or the handlers' comments.
func (c *ExportCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	x, err := a.svc.ExportAsSystem(e.ctx, haven.ExportRequest{Cases: []string{c.Case}, Format: c.Format, TLPMax: haven.TLP(c.TLPMax)})
	if err != nil {
		return err
	}
	if _, err := e.stdout.Write(append(x.Body, '\n')); err != nil {
		return err
	}
	e.fprintf(e.stderr, "%d indicators exported, %d left out for their TLP\n", x.Indicators, x.Withheld)
	return nil
}

// ImportCmd takes in a partner's feed.
type ImportCmd struct {
	DBFlags
	File   string `arg:"" type:"existingfile" help:"A STIX 2.1 bundle or a MISP event (JSON)."`
	Source string `name:"source" required:"" placeholder:"NAME" help:"The partner it comes from (e.g. CiviCERT)."`
}

// Run stores the feed's indicators; cases that sighted a malicious one are flagged.
func (c *ImportCmd) Run(e *env) (err error) {
	fi, err := os.Stat(c.File)
	if err != nil {
		return err
	}
	if fi.Size() > haven.MaxImport {
		return haven.Errorf(haven.EINVALID, "%s is larger than %d MB", c.File, haven.MaxImport>>20)
	}
	body, err := os.ReadFile(c.File)
	if err != nil {
		return err
	}
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	res, err := a.svc.ImportAsSystem(e.ctx, c.Source, body)
	if err != nil {
		return err
	}
	e.printf("%s feed from %s: %d indicators taken in, %d entries skipped, %d cases flagged\n",
		res.Format, res.Source, res.Indicators, res.Skipped, res.Flagged)
	return nil
}
