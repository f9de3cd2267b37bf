package web

import (
	"net/http"
	"strconv"

	"haven"
)

func (s *Server) alertRoutes() {
	for _, p := range []struct {
		pattern string
		h       uiFunc
	}{
		{"POST /cases/{number}/alerts", s.caseAlertRaise},
		{"POST /cases/{number}/alerts/{id}/acknowledge", s.caseAlertMove},
		{"POST /cases/{number}/alerts/{id}/resolve", s.caseAlertMove},
	} {
		s.mux.Handle(p.pattern, s.page(false, p.h))
	}
}

// caseAlertRaise pages on-call about the case by hand ("page on-call").
func (s *Server) caseAlertRaise(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	_, err := s.svc.Alerts.CreateAlert(r.Context(), haven.AlertCreate{Case: r.PathValue("number"), Message: r.PostForm.Get("message")})
	return s.afterCaseForm(w, r, v, err, "paged")
}

// caseAlertMove acknowledges or resolves the case's alert.
func (s *Server) caseAlertMove(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return haven.Errorf(haven.ENOTFOUND, "no such alert")
	}
	a, err := s.svc.Alerts.Alert(r.Context(), id)
	if err != nil {
		return err
	}
	if a.CaseNumber != r.PathValue("number") {
		return haven.Errorf(haven.ENOTFOUND, "no such alert")
	}
	if r.Pattern == "POST /cases/{number}/alerts/{id}/acknowledge" {
		_, err = s.svc.Alerts.AcknowledgeAlert(r.Context(), id)
	} else {
		_, err = s.svc.Alerts.ResolveAlert(r.Context(), id)
	}
	return s.afterCaseForm(w, r, v, err, "alert_moved")
}
