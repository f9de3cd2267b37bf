package web

import (
	"cmp"
	"html/template"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/i18n"
)

// The inbox table's rows are written here in Go rather than by a template: at 50 rows, the
// template engine's reflection and per-value escaping cost 16 µs a row, most of an inbox page's
// time (BenchmarkInboxTemplate, BenchmarkInboxRows). Every value taken from a case goes through
// htmlWriter.text, the escaping html/template applies in text and quoted attributes;
// TestCaseRowsEscape and the browser's XSS test check it.

const isoTime = "2006-01-02T15:04:05Z07:00"

// caseRowsHTML renders cases as the inbox table's rows, labels in the user's language;
// categories are named by their labels (slug → label), else by their slugs.
func caseRowsHTML(l *i18n.Localizer, categories map[string]string, cases []*haven.Case, now time.Time) template.HTML {
	var w htmlWriter
	w.Grow(len(cases) * 800)
	selectLabel, purged, knownBad := l.T("inbox.select"), l.T("case.purged"), l.T("intel.known_bad")
	clocks := newSLAWords(l)
	for _, c := range cases {
		href := "/cases/" + url.PathEscape(c.Number)
		w.raw("\n<tr")
		if c.Priority == haven.P1 {
			w.raw(` class="p1"`)
		}
		w.raw(` data-href="`).text(href).raw("\">\n")
		w.raw(`<td><input type="checkbox" name="case" value="`).text(c.Number).raw(`" form="bulk" aria-label="`).
			text(selectLabel).raw(" ").text(c.Number).raw("\"></td>\n")
		w.raw(`<td><a href="`).text(href).raw(`">`).text(c.Number).raw("</a></td>\n")
		if c.PurgedAt != nil {
			w.raw(`<td dir="auto"><span class="muted">`).text(purged).raw("</span></td>\n")
		} else {
			w.raw(`<td dir="auto">`).text(c.Title)
			if slices.Contains(c.Tags, haven.TagKnownBad) {
				w.raw(` <strong class="badge known-bad">`).text(knownBad).raw("</strong>")
			}
			w.raw("</td>\n")
		}
		w.raw(`<td dir="auto">`).text(c.RequesterName).raw("</td>\n")
		p, s := string(c.Priority), string(c.Status)
		w.raw(`<td><span class="badge badge-`).text(strings.ToLower(p)).raw(`">`).text(p).raw("</span></td>\n")
		w.raw(`<td><span class="badge status-`).text(s).raw(`">`).text(l.T("status." + s)).raw("</span></td>\n")
		w.raw("<td>")
		for i, cat := range c.Categories {
			if i > 0 {
				w.raw(", ")
			}
			w.text(cmp.Or(categories[cat], cat))
		}
		w.raw("</td>\n<td>").text(c.Assignee).raw("</td>\n<td>").text(c.Language).raw("</td>\n")
		w.raw(`<td><time datetime="`).raw(c.CreatedAt.Format(isoTime)).raw(`">`).text(l.Ago(now.Sub(c.CreatedAt))).raw("</time></td>\n<td>")
		clocks.write(&w, c, now)
		w.raw("</td>\n</tr>")
	}
	return template.HTML(w.String()) //nolint:gosec // every value from a case is written by text
}

// sortable are the inbox's columns (by index) whose header links to a sort.
var sortable = map[int]haven.CaseSort{4: haven.SortPriority, 9: haven.SortCreated, 10: haven.SortDue}

// caseHeadHTML renders the inbox table's header: the select-all box (shown by haven.js), the
// column names, and on the sortable ones a link to that order. Every order reads its column
// ascending (P1 first, youngest first, soonest due first) unless reversed; the active column is
// marked with aria-sort, and its link reverses it.
func caseHeadHTML(l *i18n.Localizer, sort haven.CaseSort, reverse bool, here string) template.HTML {
	var w htmlWriter
	w.raw(`<thead><tr>` + "\n" + `<th scope="col"><span class="visually-hidden">`).text(l.T("inbox.select")).
		raw(`</span><input type="checkbox" id="all" hidden aria-label="`).text(l.T("inbox.select_all")).raw(`"></th>`)
	for i, col := range []string{"number", "title", "requester", "priority", "status", "category", "assignee", "language", "age", "sla"} {
		by, ok := sortable[i+1]
		active := ok && by == sort
		w.raw(`<th scope="col"`)
		if active {
			w.raw(` aria-sort="`).raw(map[bool]string{false: "ascending", true: "descending"}[reverse]).raw(`"`)
		}
		w.raw(">")
		if ok {
			w.raw(`<a href="`).text(sortLink(here, by, active && !reverse)).raw(`">`).text(l.T("col." + col)).raw("</a>")
		} else {
			w.text(l.T("col." + col))
		}
		w.raw("</th>")
	}
	w.raw("\n</tr></thead>")
	return template.HTML(w.String()) //nolint:gosec // every value is written by text
}

// sortLink is here sorted by by, reversed or not, from its first page.
func sortLink(here string, by haven.CaseSort, reverse bool) string {
	u := withQuery(here, "sort", string(by))
	if reverse {
		return withQuery(u, "reverse", "true")
	}
	return withQuery(u, "reverse", "")
}

// slaWords writes a case's most urgent running SLA clock as the inbox shows it: its target and
// the time left or overdue, in words and as a class (sla ok, sla soon, sla over, sla paused), so
// that colour is never the only sign. The words of a page repeat ("2 hours left"), so each
// phrase is made once.
type slaWords struct {
	l    *i18n.Localizer
	said map[string]string
	// left and over are "{{.Time}} left" and "overdue by {{.Time}}" cut where the time goes:
	// a message with data costs a template run, and each row has its own time.
	left, over [2]string
}

func newSLAWords(l *i18n.Localizer) slaWords {
	cut := func(id string) [2]string {
		before, after, _ := strings.Cut(l.T(id, "Time", "\x00"), "\x00")
		return [2]string{before, after}
	}
	return slaWords{l: l, said: map[string]string{}, left: cut("sla.left"), over: cut("sla.overdue_by")}
}

func (s slaWords) write(w *htmlWriter, c *haven.Case, now time.Time) {
	target, due := c.NextDue()
	if !c.Status.IsOpen() || due == nil {
		return
	}
	if c.Status == haven.StatusWaitingRequester {
		w.raw(`<span class="sla paused">`).text(s.phrase("paused", "", 0)).raw("</span>")
		return
	}
	left := due.Sub(now)
	kind := "ok"
	switch {
	case left <= 0:
		kind = "over"
	case left < haven.BreachingWindow:
		kind = "soon"
	}
	w.raw(`<span class="sla `).raw(kind).raw(`"><time datetime="`).raw(due.Format(isoTime)).raw(`">`).
		text(s.phrase(kind, target, left)).raw("</time></span>")
}

// phrase is "First response: 2 hours left", "Resolution: overdue by 35 minutes" or "Paused".
func (s slaWords) phrase(kind, target string, left time.Duration) string {
	span := ""
	if kind != "paused" {
		span = s.l.Ago(left.Truncate(time.Minute))
	}
	key := kind + "|" + target + "|" + span
	if p, ok := s.said[key]; ok {
		return p
	}
	var p string
	switch kind {
	case "paused":
		p = s.l.T("inbox.sla_paused")
	case "over":
		p = s.l.T("sla."+target) + ": " + s.over[0] + span + s.over[1]
	case "soon":
		p = s.l.T("sla."+target) + ": " + s.left[0] + span + s.left[1] + " · " + s.l.T("sla.soon")
	default:
		p = s.l.T("sla."+target) + ": " + s.left[0] + span + s.left[1]
	}
	s.said[key] = p
	return p
}

// htmlWriter builds HTML: raw writes markup, text writes a value escaped.
type htmlWriter struct{ strings.Builder }

func (w *htmlWriter) raw(s string) *htmlWriter {
	w.WriteString(s)
	return w
}

// text writes s escaped for HTML text and quoted attribute values, as html/template does there:
// & < > " ' become character references and NUL becomes U+FFFD.
func (w *htmlWriter) text(s string) *htmlWriter {
	last := 0
	for i := 0; i < len(s); i++ {
		var ref string
		switch s[i] {
		case '&':
			ref = "&amp;"
		case '<':
			ref = "&lt;"
		case '>':
			ref = "&gt;"
		case '"':
			ref = "&#34;"
		case '\'':
			ref = "&#39;"
		case 0:
			ref = "\uFFFD"
		default:
			continue
		}
		w.WriteString(s[last:i])
		w.WriteString(ref)
		last = i + 1
	}
	w.WriteString(s[last:])
	return w
}

// esc is s escaped as htmlWriter.text writes it.
func esc(s string) string {
	var w htmlWriter
	w.text(s)
	return w.String()
}
