package web

import (
	"html/template"
	"strconv"
	"time"

	"github.com/haven-helpline/haven"
)

// escalationRows writes a case's escalations as the case page lists them: platform, kind, state,
// age and the platform's reference, each linking to its own page. Written in Go, like the inbox
// rows (ui_rows.go): a case may carry many, and html/template's per-action escaping made them
// the costliest part of the page.
func escalationRows(v *view, c *haven.Case, es []*haven.Escalation) template.HTML {
	var w htmlWriter
	w.raw(`<ul class="escalations">`)
	for _, e := range es {
		escalationRow(&w, v, c, e)
	}
	w.raw(`</ul>`)
	return template.HTML(w.String()) //nolint:gosec // every value escaped by text
}

func escalationRow(w *htmlWriter, v *view, c *haven.Case, e *haven.Escalation) {
	l, id := v.L, strconv.FormatInt(e.ID, 10)
	w.raw(`<li id="esc-`).raw(id).raw(`"><a href="/cases/`).text(c.Number).raw(`/escalations/`).raw(id).raw(`" dir="auto">`)
	w.text(e.PlatformName).raw(` · `).text(l.T("esckind." + e.Kind)).raw(`</a> `)
	w.raw(`<span class="badge escstate-`).text(string(e.State)).raw(`">`).text(l.T("escstate." + string(e.State))).raw(`</span>`)
	if e.Overdue {
		w.raw(` <strong class="badge overdue">`).text(l.T("esc.overdue")).raw(`</strong>`)
	}
	if e.SentAt != nil {
		w.raw(` · `).text(l.T("esc.sent_on")).raw(" ")
		timeTag(w, *e.SentAt, l.Date(*e.SentAt))
		if e.State.IsOpen() {
			w.raw(` (`).text(l.Ago(time.Since(*e.SentAt))).raw(`)`)
		}
	} else {
		w.raw(` · `).text(l.T("esc.drafted_on")).raw(" ")
		timeTag(w, e.CreatedAt, l.Date(e.CreatedAt))
	}
	if e.Reference != "" {
		w.raw(` · <bdi>`).text(e.Reference).raw(`</bdi>`)
	}
	w.raw(`</li>`)
}

func timeTag(w *htmlWriter, t time.Time, shown string) {
	w.raw(`<time datetime="`).raw(t.Format(time.RFC3339)).raw(`">`).text(shown).raw(`</time>`)
}
