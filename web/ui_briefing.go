package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/i18n"
	"github.com/haven-helpline/haven/report"
)

// briefingView is what the executive report's template gets.
type briefingView struct {
	L        *i18n.Localizer
	B        *haven.Briefing
	Key      []keyFigure
	Trends   []string
	Sections []briefingSection
}

type keyFigure struct{ Label, Value, Change, Class string }

type briefingSection struct {
	Title string
	SVG   template.HTML
	Rows  []briefingRow
}

type briefingRow struct{ Label, New, Closed, Open, First, Resolution string }

// WriteBriefing writes an executive report in the reader's language: a self-contained HTML page
// (inline SVG charts and CSS, nothing fetched from anywhere), or every table as CSV or as JSON.
func WriteBriefing(w io.Writer, cat *i18n.Catalog, lang, format string, b *haven.Briefing) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(b)
	case "csv":
		return briefingCSV(w, b)
	case "", "html":
		return briefingHTML(w, cat.Localizer(lang), b)
	}
	return haven.Errorf(haven.EINVALID, "format: html, csv or json")
}

func briefingHTML(w io.Writer, l *i18n.Localizer, b *haven.Briefing) error {
	t, err := template.New("briefing.html").Funcs(templateFuncs()).ParseFS(templateFS, "templates/standalone/briefing.html")
	if err != nil {
		return haven.Internal("briefing template", err)
	}
	v := &briefingView{L: l, B: b, Key: keyFigures(l, b), Trends: trendWords(l, b.Trends)}
	rtl := l.Dir() == "rtl"
	for _, s := range []struct {
		st   *haven.CaseStats
		draw func(report.Chart) string
	}{{b.ByMonth, report.Lines}, {b.ByCategory, report.Bars}, {b.ByCountry, report.Bars}, {b.ByPriority, report.Bars}} {
		v.Sections = append(v.Sections, briefingSectionOf(l, s.st, s.draw, rtl))
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		return haven.Internal("briefing", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// keyFigures are the headline numbers with their change against the previous period.
func keyFigures(l *i18n.Localizer, b *haven.Briefing) []keyFigure {
	figure := func(label string, now, before int) keyFigure {
		k := keyFigure{Label: l.T(label), Value: l.N(int64(now))}
		if before > 0 {
			change := math.Round(float64(now-before) / float64(before) * 100)
			k.Change = l.T("brief.change", "Change", fmt.Sprintf("%+.0f", change), "Before", l.N(int64(before)))
			k.Class = map[bool]string{true: "up", false: "down"}[change > 0]
		}
		return k
	}
	return []keyFigure{figure("dash.new", b.Current.New, b.Previous.New), figure("dash.closed", b.Current.Closed, b.Previous.Closed),
		figure("dash.open", b.Current.Open, b.Previous.Open)}
}

// trendWords says each notable trend in the reader's language, generated from the numbers.
func trendWords(l *i18n.Localizer, ts []haven.Trend) []string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		id := "brief.trend_up"
		if t.Change < 0 {
			id = "brief.trend_down"
		}
		out = append(out, l.T(id, "What", l.T("dashby."+t.Dimension), "Key", t.Key, "After", l.N(int64(t.After)),
			"Before", l.N(int64(t.Before)), "Percent", strconv.FormatFloat(math.Abs(t.Change), 'f', 0, 64)))
	}
	return out
}

func briefingSectionOf(l *i18n.Localizer, st *haven.CaseStats, draw func(report.Chart) string, rtl bool) briefingSection {
	s := briefingSection{Title: l.T("dashby." + st.By)}
	newS, closedS := report.Series{Name: l.T("dash.new")}, report.Series{Name: l.T("dash.closed")}
	var labels []string
	for _, r := range st.Rows {
		label := briefingLabel(l, st.By, r.Key)
		labels = append(labels, label)
		newS.Values, closedS.Values = append(newS.Values, float64(r.New)), append(closedS.Values, float64(r.Closed))
		s.Rows = append(s.Rows, briefingRow{Label: label, New: l.N(int64(r.New)), Closed: l.N(int64(r.Closed)), Open: l.N(int64(r.Open)),
			First: hoursText(r.MedianFirstResponseHours), Resolution: hoursText(r.MedianResolutionHours)})
	}
	s.SVG = template.HTML(draw(report.Chart{Title: s.Title, Description: l.T("dash.chart_desc", "By", s.Title), Labels: labels, //nolint:gosec // report escapes every text it writes
		Series: []report.Series{newS, closedS}, RTL: rtl}))
	return s
}

func briefingLabel(l *i18n.Localizer, by, key string) string {
	switch {
	case key == "":
		return l.T("dash.none")
	case by == "priority":
		return l.T("priority." + key)
	}
	return key
}

// briefingCSV writes every table of the report, each after a line naming it.
func briefingCSV(w io.Writer, b *haven.Briefing) error {
	cw := csv.NewWriter(w)
	n := strconv.Itoa
	for _, st := range []*haven.CaseStats{b.ByMonth, b.ByCategory, b.ByCountry, b.ByPriority} {
		_ = cw.Write([]string{"table", st.By, st.From, st.To})
		_ = cw.Write(caseStatsColumns)
		for _, r := range append(st.Rows, st.Total) {
			_ = cw.Write([]string{csvSafe(r.Key), n(r.New), n(r.Closed), n(r.Open), floatCell(r.MedianFirstResponseHours),
				floatCell(r.P90FirstResponseHours), floatCell(r.MedianResolutionHours), floatCell(r.P90ResolutionHours)})
		}
	}
	_ = cw.Write([]string{"table", "trends"})
	_ = cw.Write([]string{"dimension", "key", "before", "after", "change_percent"})
	for _, t := range b.Trends {
		_ = cw.Write([]string{t.Dimension, csvSafe(t.Key), n(t.Before), n(t.After), strconv.FormatFloat(t.Change, 'f', 0, 64)})
	}
	cw.Flush()
	return cw.Error()
}
