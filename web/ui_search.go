package web

import (
	"net/http"
	"strings"

	"github.com/haven-helpline/haven"
)

type searchData struct {
	Query  string
	Status string // the status filter, kept selected
	Cases  []*haven.Case
	Next   string
	Count  int
	Over   bool
}

// searchPage runs a full-text search with the list's filters; matched words are highlighted.
func (s *Server) searchPage(w http.ResponseWriter, r *http.Request, v *view) error {
	d := &searchData{Query: strings.TrimSpace(r.URL.Query().Get("q")), Status: r.URL.Query().Get("status")}
	v.Nav, v.Title, v.Data = "search", v.L.T("search.title"), d
	if d.Query == "" {
		return s.render(w, r, http.StatusOK, "search", v)
	}
	f, err := filterFromURL(r.URL, haven.CaseFilter{})
	if err == nil {
		err = s.runSearch(r, d, f)
	}
	if haven.ErrorCode(err) == haven.EINVALID {
		v.Errors = map[string]string{"q": v.L.T("search.none")}
		return s.render(w, r, http.StatusOK, "search", v)
	}
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "search", v)
}

func (s *Server) runSearch(r *http.Request, d *searchData, f haven.CaseFilter) error {
	page, err := s.svc.Cases.Cases(r.Context(), f)
	if err != nil {
		return err
	}
	d.Cases = page.Items
	if page.Next != "" {
		d.Next = withQuery(r.URL.RequestURI(), "cursor", page.Next)
	}
	f.Cursor = ""
	counts, err := s.svc.Cases.CountCases(r.Context(), map[string]haven.CaseFilter{"q": f})
	d.Count, d.Over = min(counts["q"], haven.CountCap), counts["q"] > haven.CountCap
	return err
}

type newCaseData struct {
	Teams []teamChoice
}

func (s *Server) newCasePage(w http.ResponseWriter, r *http.Request, v *view) error {
	teams, err := s.teamChoices(r, v)
	if err != nil {
		return err
	}
	v.Nav, v.Title, v.Data = "inbox", v.L.T("case.new"), newCaseData{Teams: teams}
	return s.render(w, r, http.StatusOK, "newcase", v)
}

// newCaseSubmit opens a case typed in by a handler (a phone call, a walk-in).
func (s *Server) newCaseSubmit(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	f := r.PostForm
	in := haven.CaseCreate{Title: f.Get("title"), Summary: f.Get("summary"), Priority: haven.Priority(f.Get("priority")),
		Language: f.Get("language"), Team: f.Get("team"), Channel: "phone", Tags: splitList(f.Get("tags"))}
	if name, contact := strings.TrimSpace(f.Get("requester")), strings.TrimSpace(f.Get("email")); name != "" || contact != "" {
		in.Requester = &haven.RequesterInput{Pseudonym: name, Email: contact}
	}
	c, err := s.svc.Cases.CreateCase(r.Context(), in)
	if haven.ErrorCode(err) == haven.EINVALID {
		teams, _ := s.teamChoices(r, v)
		v.Form, v.Errors, v.Alert, v.Path = f, fieldErrors(v, err), v.L.T("form.invalid"), "/cases/new"
		v.Nav, v.Title, v.Data = "inbox", v.L.T("case.new"), newCaseData{Teams: teams}
		return s.render(w, r, http.StatusUnprocessableEntity, "newcase", v)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/cases/"+c.Number, "saved")
}

// fieldErrors are a validation error's per-field messages, keyed by form field name.
func fieldErrors(v *view, err error) map[string]string {
	out := map[string]string{}
	if he, ok := err.(*haven.Error); ok {
		for k, m := range he.Fields {
			out[strings.TrimPrefix(k, "requester.")] = fieldMessage(v.L, m)
		}
	}
	return out
}
