package web

import (
	"encoding/json"
	"net/http"

	"github.com/haven-helpline/haven"
)

// listAudit answers one page of the audit trail (auditors and admins).
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	f, err := eventFilter(r.URL)
	if err != nil {
		return err
	}
	page, err := s.svc.Audit.AuditEvents(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// exportAudit streams every matching event as JSON lines, newest first, as a download. The first
// page is read before anything is written, so a refusal is still a proper JSON error.
func (s *Server) exportAudit(w http.ResponseWriter, r *http.Request) error {
	f, err := eventFilter(r.URL)
	if err != nil {
		return err
	}
	f.Limit = haven.MaxLimit
	page, err := s.svc.Audit.AuditEvents(r.Context(), f)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Content-Disposition", `attachment; filename="haven-audit.jsonl"`)
	enc := json.NewEncoder(w)
	for {
		for _, e := range page.Items {
			if err := enc.Encode(e); err != nil {
				return nil // the client went away; nothing more can be said to it
			}
		}
		if page.Next == "" {
			return nil
		}
		f.Cursor = page.Next
		if page, err = s.svc.Audit.AuditEvents(r.Context(), f); err != nil {
			s.log.Error("audit export interrupted", "err", err)
			return nil
		}
	}
}
