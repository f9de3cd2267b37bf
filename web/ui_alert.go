package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/haven-helpline/haven"
)

func (s *Server) alertRoutes() {
	for _, p := range []struct {
		pattern string
		h       uiFunc
	}{
		{"POST /cases/{number}/alerts", s.caseAlertRaise},
		{"POST /cases/{number}/alerts/{id}/acknowledge", s.caseAlertMove},
		{"POST /cases/{number}/alerts/{id}/resolve", s.caseAlertMove},
		{"POST /cases/{number}/alerts/{id}/reassign", s.caseAlertMove},
	} {
		s.mux.Handle(p.pattern, s.page(false, p.h))
	}
	// The acknowledge link of a page works from a phone without signing in: the token is the
	// paged user's own single-use credential. GET only asks (mail scanners fetch links); POST acts.
	s.mux.Handle("GET /ack/{token}", s.page(true, s.ackPage))
	s.mux.Handle("POST /ack/{token}", s.page(true, s.ackSubmit))
}

type ackData struct {
	Token        string
	Done, Failed bool
}

func (s *Server) ackPage(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Title, v.Data = v.L.T("ack.title"), &ackData{Token: r.PathValue("token")}
	return s.render(w, r, http.StatusOK, "ack", v)
}

func (s *Server) ackSubmit(w http.ResponseWriter, r *http.Request, v *view) error {
	_, err := s.svc.PageChannels.AcknowledgeByLink(r.Context(), r.PathValue("token"))
	d := &ackData{Done: err == nil, Failed: err != nil}
	status := http.StatusOK
	if err != nil {
		if code := haven.ErrorCode(err); code != haven.ENOTFOUND && code != haven.ECONFLICT {
			return err
		}
		status = http.StatusGone
	}
	v.Title, v.Data = v.L.T("ack.title"), d
	return s.render(w, r, status, "ack", v)
}

// caseAlertRaise pages on-call about the case by hand ("page on-call").
func (s *Server) caseAlertRaise(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	_, err := s.svc.Alerts.CreateAlert(r.Context(), haven.AlertCreate{Case: r.PathValue("number"), Message: r.PostForm.Get("message")})
	return s.afterCaseForm(w, r, v, err, "paged")
}

// caseAlertMove acknowledges, resolves or reassigns the case's alert.
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
	switch r.Pattern {
	case "POST /cases/{number}/alerts/{id}/acknowledge":
		_, err = s.svc.Alerts.AcknowledgeAlert(r.Context(), id)
	case "POST /cases/{number}/alerts/{id}/reassign":
		_, err = s.svc.Alerts.ReassignAlert(r.Context(), id, r.FormValue("user"))
	default:
		_, err = s.svc.Alerts.ResolveAlert(r.Context(), id)
	}
	return s.afterCaseForm(w, r, v, err, "alert_moved")
}

// slaSpan writes a number of minutes left (or overdue) as the reader's words ("3 hours").
func slaSpan(v *view, minutes int) string {
	if minutes < 0 {
		minutes = -minutes
	}
	return v.L.Ago(time.Duration(minutes) * time.Minute)
}
