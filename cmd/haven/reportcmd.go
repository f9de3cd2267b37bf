package main

import (
	"bytes"
	"os"

	"haven"
	"haven/i18n"
	"haven/web"
)

// ReportCmd writes reports: the executive report of a period (the default), and the public
// statistics.
type ReportCmd struct {
	Brief ReportBriefCmd `cmd:"" default:"withargs" help:"The executive report of a period: key figures against the period before, charts, top categories and countries, trends in words (HTML, CSV or JSON)."`
}

// ReportBriefCmd writes the executive report.
type ReportBriefCmd struct {
	DBFlags
	From   string `name:"from" placeholder:"YYYY-MM-DD" help:"First day (default: a year before --to)."`
	To     string `name:"to" placeholder:"YYYY-MM-DD" help:"Last day, included (default: today)."`
	Lang   string `name:"lang" default:"en" help:"The report's language: en, fr, es, pt, ru or ar."`
	Format string `name:"format" default:"html" enum:"html,csv,json" help:"html (one self-contained file: inline charts and styles), csv (every table) or json."`
	Out    string `name:"out" placeholder:"FILE" help:"Write to FILE instead of standard output."`
}

// Run gathers the figures of every case (the console sees all) and writes the report.
func (c *ReportBriefCmd) Run(e *env) (err error) {
	q, err := haven.ParseCaseStatsQuery(c.From, c.To, "", "", "", "")
	if err != nil {
		return err
	}
	cat, err := i18n.Load()
	if err != nil {
		return err
	}
	if !slicesContainsTag(cat.Languages(), c.Lang) {
		return haven.Errorf(haven.EINVALID, "--lang: one of en, fr, es, pt, ru, ar")
	}
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	b, err := a.svc.BriefingAsSystem(e.ctx, q)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := web.WriteBriefing(&buf, cat, c.Lang, c.Format, b); err != nil {
		return err
	}
	if c.Out == "" {
		_, err = e.stdout.Write(buf.Bytes())
		return err
	}
	return os.WriteFile(c.Out, buf.Bytes(), 0o600)
}

func slicesContainsTag(langs []i18n.Language, tag string) bool {
	for _, l := range langs {
		if l.Tag == tag {
			return true
		}
	}
	return false
}
