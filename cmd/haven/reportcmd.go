package main

import (
	"bytes"
	"os"
	"path/filepath"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/i18n"
	"github.com/haven-helpline/haven/web"
)

// ReportCmd writes reports: the executive report of a period (the default), and the public
// statistics.
type ReportCmd struct {
	Brief  ReportBriefCmd  `cmd:"" default:"withargs" help:"The executive report of a period: key figures against the period before, charts, top categories and countries, trends in words (HTML, CSV or JSON)."`
	Public ReportPublicCmd `cmd:"" help:"The public statistics of a year (consented cases only, small counts suppressed): statistics.json and statistics.html."`
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

// ReportPublicCmd writes the public statistics of a year as JSON and as a static HTML page.
type ReportPublicCmd struct {
	DBFlags
	Year  int    `name:"year" required:"" help:"The year (its consented cases, by category and country, and by month)."`
	K     int    `name:"k" default:"10" help:"Counts below k are shown as <k, and enough others hidden that none can be worked out from the totals."`
	Round int    `name:"round" default:"5" help:"Round published counts to this base (1: no rounding)."`
	Lang  string `name:"lang" default:"en" help:"The page's language: en, fr, es, pt, ru or ar."`
	Out   string `name:"out" required:"" type:"path" placeholder:"DIR" help:"Directory to write statistics.json and statistics.html into (created if missing)."`
}

// Run counts the consented cases, suppresses the small counts and writes both files.
func (c *ReportPublicCmd) Run(e *env) (err error) {
	set := haven.PublicSettings{K: c.K, Round: c.Round}
	if err := set.Validate(); err != nil {
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
	counts, err := a.svc.PublicCounts(e.ctx, c.Year)
	if err != nil {
		return err
	}
	pub, err := web.Publish(counts, set.K, set.Round)
	if err != nil {
		return err
	}
	var js, page bytes.Buffer
	if err := web.WritePublicJSON(&js, pub); err != nil {
		return err
	}
	if err := web.WritePublicHTML(&page, cat.Localizer(c.Lang), pub); err != nil {
		return err
	}
	if err := os.MkdirAll(c.Out, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(c.Out, "statistics.json"), js.Bytes(), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(c.Out, "statistics.html"), page.Bytes(), 0o644) //nolint:gosec // published on purpose
}
