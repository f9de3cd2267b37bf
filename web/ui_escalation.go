package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/haven-helpline/haven"
)

func (s *Server) escalationRoutes() {
	for _, p := range []struct {
		pattern string
		h       uiFunc
	}{
		{"GET /cases/{number}/escalations/new", s.escalationNewPage},
		{"POST /cases/{number}/escalations", s.escalationAdd},
		{"GET /cases/{number}/escalations/{id}", s.escalationPage},
		{"POST /cases/{number}/escalations/{id}", s.escalationMove},
		{"GET /escalations", s.escalationsPage},
		{"GET /escalations/stats", s.escalationStatsPage},
		{"GET /escalations/stats.csv", s.escalationStatsCSV},
	} {
		s.mux.Handle(p.pattern, s.page(false, p.h))
	}
}

// escalationFormData is the page that drafts an escalation of a case.
type escalationFormData struct {
	Case      *haven.Case
	Platforms []*haven.Platform
	Templates []*haven.Template // escalation templates, those that suit the case first
}

func (s *Server) escalationNewPage(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.renderEscalationForm(w, r, v, http.StatusOK)
}

func (s *Server) renderEscalationForm(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	c, err := s.svc.Cases.Case(r.Context(), r.PathValue("number"))
	if err != nil {
		return err
	}
	d := &escalationFormData{Case: c}
	if d.Platforms, err = s.svc.Platforms.Platforms(r.Context(), false); err != nil {
		return err
	}
	ts, err := s.svc.Templates.Templates(r.Context(), haven.TemplateFilter{Kind: haven.TemplateEscalation, Language: c.Language})
	if err != nil {
		return err
	}
	for _, t := range ts {
		if suitsCase(t, c) {
			d.Templates = append([]*haven.Template{t}, d.Templates...)
		} else {
			d.Templates = append(d.Templates, t)
		}
	}
	v.Nav, v.Title, v.Data = "inbox", c.Number+" · "+v.L.T("esc.new"), d
	return s.render(w, r, status, "escalation_new", v)
}

func suitsCase(t *haven.Template, c *haven.Case) bool {
	for _, cat := range c.Categories {
		if t.Suits(cat) {
			return true
		}
	}
	return false
}

// escalationAdd drafts an escalation and shows it, with exactly what will leave the helpline.
func (s *Server) escalationAdd(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	f := r.PostForm
	in := haven.EscalationCreate{Platform: f.Get("platform"), Kind: f.Get("kind"), Channel: f.Get("channel"),
		Subject: f.Get("subject"), Body: f.Get("body"), Template: f.Get("template"), Reference: f.Get("reference")}
	if f.Get("no_personal_data") == "on" {
		no := false
		in.PersonalData = &no
	}
	if in.Template != "" && strings.TrimSpace(in.Body) != "" {
		in.Template = "" // the text typed wins over the template chosen
	}
	e, err := s.svc.Escalations.CreateEscalation(r.Context(), r.PathValue("number"), in)
	if err == nil {
		return redirect(w, r, escalationURL(e), "escalation_drafted")
	}
	if !refused(v, r, err) {
		return err
	}
	return s.renderEscalationForm(w, r, v, http.StatusUnprocessableEntity)
}

func escalationURL(e *haven.Escalation) string {
	return "/cases/" + e.CaseNumber + "/escalations/" + strconv.FormatInt(e.ID, 10)
}

// refused fills a refused form's state (formFailed) and reports true for a refusal about the
// form; any other error is shown as an error page instead.
func refused(v *view, r *http.Request, err error) bool {
	if code := haven.ErrorCode(err); code != haven.EINVALID && code != haven.ECONFLICT {
		return false
	}
	formFailed(v, r, err, nil)
	return true
}

// escalationPageData is one escalation: what it sends or sent, its correspondence, and the forms
// that send, answer, close or reopen it.
type escalationPageData struct {
	Case       *haven.Case
	Escalation *haven.Escalation
	Messages   []*haven.Message
}

func (s *Server) escalationPage(w http.ResponseWriter, r *http.Request, v *view) error {
	flashFrom(r, v)
	return s.renderEscalation(w, r, v, http.StatusOK)
}

func (s *Server) renderEscalation(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	e, err := s.caseEscalation(r)
	if err != nil {
		return err
	}
	d := &escalationPageData{Escalation: e}
	if d.Case, err = s.svc.Cases.Case(r.Context(), e.CaseNumber); err != nil {
		return err
	}
	msgs, err := s.svc.Messages.Messages(r.Context(), e.CaseNumber)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if m.EscalationID == e.ID {
			d.Messages = append(d.Messages, m)
		}
	}
	v.Nav, v.Title, v.Data = "inbox", d.Case.Number+" · "+e.PlatformName, d
	return s.render(w, r, status, "escalation", v)
}

// caseEscalation reads the escalation the path names, which must be of the case it names.
func (s *Server) caseEscalation(r *http.Request) (*haven.Escalation, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, haven.Errorf(haven.ENOTFOUND, "no such escalation")
	}
	e, err := s.svc.Escalations.Escalation(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(e.CaseNumber, r.PathValue("number")) {
		return nil, haven.Errorf(haven.ENOTFOUND, "no such escalation")
	}
	return e, nil
}

// escalationMove sends, answers, closes or reopens an escalation.
func (s *Server) escalationMove(w http.ResponseWriter, r *http.Request, v *view) error {
	e, err := s.caseEscalation(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	f := r.PostForm
	t := haven.EscalationTransition{To: haven.EscalationState(f.Get("to")), Reference: f.Get("reference"),
		Reason: f.Get("reason"), ConsentOverride: f.Get("consent_override") == "on"}
	if _, err = s.svc.Escalations.TransitionEscalation(r.Context(), e.ID, t); err == nil {
		return redirect(w, r, escalationURL(e), "escalation_moved")
	}
	if !refused(v, r, err) {
		return err
	}
	return s.renderEscalation(w, r, v, http.StatusUnprocessableEntity)
}
