package web

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/haven-helpline/haven"
)

// auditData is the audit page: the filter as asked, one page of events (newest first), and the
// links to the next page and to the export of everything the filter matches.
type auditData struct {
	Filter url.Values
	Events []*haven.Event
	Next   string
	Export string
}

// auditPage lets auditors and admins browse and filter the audit trail (the service decides who
// may; reading it is itself recorded). A filter that cannot be read is shown beside its field.
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, v *view) error {
	d := &auditData{Filter: r.URL.Query()}
	v.Nav, v.Title, v.Data = "audit", v.L.T("audit.title"), d
	f, err := eventFilter(r.URL)
	if err == nil {
		if f.Limit == 0 {
			f.Limit = 50
		}
		var page *haven.EventPage
		if page, err = s.svc.Audit.AuditEvents(r.Context(), f); err == nil {
			d.Events = page.Items
			if page.Next != "" {
				d.Next = withQuery(r.URL.String(), "cursor", page.Next)
			}
			q := r.URL.Query()
			q.Del("cursor")
			d.Export = "/audit/export?" + q.Encode()
			return s.render(w, r, http.StatusOK, "audit", v)
		}
	}
	he, ok := err.(*haven.Error)
	if !ok || haven.ErrorCode(err) != haven.EINVALID {
		return err
	}
	v.Errors = map[string]string{}
	for k, m := range he.Fields {
		v.Errors[k] = fieldMessage(v.L, m)
	}
	if len(v.Errors) == 0 {
		v.Errors["case"] = v.L.T("form.check_field")
	}
	return s.render(w, r, http.StatusUnprocessableEntity, "audit", v)
}

// auditExport downloads every event the filter matches, as the API's export does.
func (s *Server) auditExport(w http.ResponseWriter, r *http.Request, _ *view) error {
	return s.exportAudit(w, r)
}

// auditDataText shows an event's data (codes, ids and field names only) as compact JSON.
func auditDataText(data map[string]any) string {
	if len(data) == 0 {
		return ""
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return ""
	}
	return string(raw)
}
