package web

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/i18n"
)

// caseHistory is what the case page shows of the case's history beyond the raw timeline: the
// request that opened it, each event's changes worded for the reader, why a reply failed, and
// the timeline's filter.
type caseHistory struct {
	Request *caseRequest
	// Changes are the fields each event changed (by event id), in the reader's language.
	Changes map[int64][]fieldChange
	// Failures are the reasons replies were not delivered, by message id.
	Failures map[int64]string
	// Show is the timeline's filter (all, messages, notes, events); Shows the choices.
	Show  string
	Shows []string
	// LastEvent is the newest event the page shows: a reply or note posted from it warns when
	// the case changed since.
	LastEvent int64
	// ReplySubject is the composer's subject: the case's title after the reply prefix of the
	// case's language.
	ReplySubject string
	// EditErrors: the edit panel opens only for errors of its own fields.
	EditErrors bool
	// Since are the events others added after the page a reply or note came from (by id).
	Since map[int64]bool
	// Presence are the others on the case's page as it loads (presence.js keeps it current).
	Presence []haven.Presence
	// Refused names the form whose submission was refused: it stays on the page, with what was
	// typed, even when the reader may no longer use it.
	Refused string
}

// caseRequest is what the person asked for: the first inbound message, else the report that
// opened the case.
type caseRequest struct {
	Message *haven.Message
	Report  *haven.Report
}

// fieldChange is one field an event changed. Shown is false for a field whose values are not in
// the audit trail (the title and summary are free text: only their change is recorded).
type fieldChange struct {
	Field, From, To string
	Shown           bool
}

var timelineShows = []string{"all", "messages", "notes", "events"}

// editFields are the fields of the case header's edit panel.
var editFields = []string{"title", "priority", "tlp", "categories", "tags", "team", "assignee", "language"}

// history fills the page's history from the loaded timeline and filters it as asked.
func history(r *http.Request, v *view, d *caseData, categories map[string]string, caseLang *i18n.Localizer) {
	h := &d.caseHistory
	h.Shows, h.Show = timelineShows, r.URL.Query().Get("show")
	if !slices.Contains(timelineShows, h.Show) {
		h.Show = "all"
	}
	h.Changes, h.Failures = map[int64][]fieldChange{}, map[int64]string{}
	for _, e := range d.Timeline {
		h.LastEvent = max(h.LastEvent, e.Event.ID)
		if e.Message != nil && e.Message.Direction == haven.Inbound && h.Request == nil {
			h.Request = &caseRequest{Message: e.Message}
		}
		if e.Event.Action == "message.failed" {
			if reason, ok := e.Event.Detail["reason"].(string); ok {
				h.Failures[parseID(e.Event.ObjectID)] = reason
			}
		}
		if cs := eventChanges(v, categories, e.Event); len(cs) > 0 {
			h.Changes[e.Event.ID] = cs
		}
	}
	if h.Request == nil && len(d.Reports) > 0 {
		h.Request = &caseRequest{Report: d.Reports[0]}
	}
	h.ReplySubject = replySubject(caseLang, d.Case)
	d.Timeline = slices.DeleteFunc(d.Timeline, func(e *haven.TimelineEntry) bool { return !kept(h.Show, e) })
}

// kept reports whether the filter keeps a timeline entry.
func kept(show string, e *haven.TimelineEntry) bool {
	switch show {
	case "messages":
		return e.Message != nil
	case "notes":
		return e.Note != nil
	case "events":
		return e.Message == nil && e.Note == nil
	}
	return true
}

func parseID(s string) int64 {
	var id int64
	_, _ = fmt.Sscan(s, &id)
	return id
}

// replySubject is "Re: title" with the prefix of the case's language (the requester reads it),
// once: a title that already starts with a reply prefix keeps it.
func replySubject(caseLang *i18n.Localizer, c *haven.Case) string {
	prefix := caseLang.T("case.reply_prefix")
	if strings.HasPrefix(strings.ToLower(c.Title), strings.ToLower(prefix)) || strings.HasPrefix(strings.ToLower(c.Title), "re:") {
		return c.Title
	}
	return prefix + " " + c.Title
}

// eventChanges words the fields a case.updated or case.transitioned event changed.
func eventChanges(v *view, categories map[string]string, e *haven.Event) []fieldChange {
	switch e.Action {
	case "case.transitioned":
		out := []fieldChange{{Field: v.L.T("col.status"), Shown: true,
			From: fieldValue(v, categories, "status", e.Data["from"]), To: fieldValue(v, categories, "status", e.Data["to"])}}
		if o, _ := e.Data["outcome"].(string); o != "" {
			out = append(out, fieldChange{Field: v.L.T("case.outcome"), Shown: true, From: "—", To: v.L.T("outcome." + o)})
		}
		return out
	case "case.updated":
		return updatedFields(v, categories, e)
	}
	return nil
}

// updatedFields words a case.updated event's fields in a stable order: codes from the event's
// data, free text (tags, region…) from its detail when the reader has it.
func updatedFields(v *view, categories map[string]string, e *haven.Event) []fieldChange {
	fields := make([]string, 0, len(e.Data))
	for f := range e.Data {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	var out []fieldChange
	for _, f := range fields {
		change, ok := e.Data[f].(map[string]any)
		if !ok {
			change, ok = e.Detail[f].(map[string]any)
		}
		c := fieldChange{Field: fieldName(v, f), Shown: ok && !unshownFields[f]}
		if c.Shown {
			c.From, c.To = fieldValue(v, categories, f, change["from"]), fieldValue(v, categories, f, change["to"])
		}
		out = append(out, c)
	}
	return out
}

// unshownFields are named without their values: free text never in the trail (title, summary)
// and the consent record (several answers at once).
var unshownFields = map[string]bool{"title": true, "summary": true, "consent": true}

// fieldName is a case field's label in the reader's language.
func fieldName(v *view, f string) string {
	if id := "field." + f; v.L.Has(id) {
		return v.L.T(id)
	}
	return f
}

// fieldValue words one value of a field: codes through the catalog, categories by their labels,
// languages by name, nothing as a dash.
func fieldValue(v *view, categories map[string]string, f string, value any) string {
	switch x := value.(type) {
	case nil:
		return "—"
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = fieldValue(v, categories, f, p)
		}
		return cmp.Or(strings.Join(parts, ", "), "—")
	case string:
		return wordValue(v, categories, f, x)
	}
	return fmt.Sprint(value)
}

func wordValue(v *view, categories map[string]string, f, x string) string {
	switch {
	case x == "":
		return "—"
	case f == "priority" || f == "status" || f == "outcome":
		return v.L.T(f + "." + x)
	case f == "categories":
		return cmp.Or(categories[x], x)
	case f == "team":
		return cmp.Or(categories[teamKey+x], x)
	case f == "language":
		return v.L.LanguageName(x)
	case strings.HasSuffix(f, "_due"):
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return v.L.DateTime(t)
		}
	}
	return x
}

// deliveryState names where an outbound message is (msgstatus.<state>): queued, retrying,
// sent, failed, or only recorded — by phone, or as an email with no relay to send it.
func deliveryState(m *haven.Message) string {
	if m.Status == "recorded" && m.Channel == "email" {
		return "recorded_no_relay"
	}
	return m.Status
}
