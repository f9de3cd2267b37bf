package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/haven-helpline/haven"
)

func (s *Server) createCase(w http.ResponseWriter, r *http.Request) error {
	var in haven.CaseCreate
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	c, err := s.svc.Cases.CreateCase(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/cases/"+url.PathEscape(c.Number))
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) getCase(w http.ResponseWriter, r *http.Request) error {
	c, err := s.svc.Cases.Case(r.Context(), r.PathValue("number"))
	return reply(w, c, err)
}

func (s *Server) listCases(w http.ResponseWriter, r *http.Request) error {
	f, err := caseFilter(r.URL)
	if err != nil {
		return err
	}
	return s.writeCases(w, r, f)
}

// search is the list with a required full-text query.
func (s *Server) search(w http.ResponseWriter, r *http.Request) error {
	f, err := caseFilter(r.URL)
	if err != nil {
		return err
	}
	if strings.TrimSpace(f.Text) == "" {
		return &haven.Error{Code: haven.EINVALID, Message: "a search needs a query",
			Fields: map[string]string{"q": "required"}}
	}
	return s.writeCases(w, r, f)
}

func (s *Server) writeCases(w http.ResponseWriter, r *http.Request, f haven.CaseFilter) error {
	page, err := s.svc.Cases.Cases(r.Context(), f)
	if err != nil {
		return err
	}
	if page.Items == nil {
		page.Items = []*haven.Case{}
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) updateCase(w http.ResponseWriter, r *http.Request) error {
	var up haven.CaseUpdate
	if err := s.decode(w, r, &up); err != nil {
		return err
	}
	c, err := s.svc.Cases.UpdateCase(r.Context(), r.PathValue("number"), up)
	return reply(w, c, err)
}

type assignRequest struct {
	Assignee string `json:"assignee"`
}

func (s *Server) assignCase(w http.ResponseWriter, r *http.Request) error {
	var in assignRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	c, err := s.svc.Cases.AssignCase(r.Context(), r.PathValue("number"), strings.TrimSpace(in.Assignee))
	return reply(w, c, err)
}

func (s *Server) transitionCase(w http.ResponseWriter, r *http.Request) error {
	var t haven.Transition
	if err := s.decode(w, r, &t); err != nil {
		return err
	}
	c, err := s.svc.Cases.TransitionCase(r.Context(), r.PathValue("number"), t)
	return reply(w, c, err)
}

func (s *Server) timeline(w http.ResponseWriter, r *http.Request) error {
	entries, err := s.svc.Cases.Timeline(r.Context(), r.PathValue("number"))
	return replyList(w, entries, err)
}

// reply answers 200 with v, or returns err.
func reply(w http.ResponseWriter, v any, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// created answers 201 with v, or returns err.
func created(w http.ResponseWriter, v any, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// replyList answers 200 with {"items": xs}, or returns err.
func replyList[T any](w http.ResponseWriter, xs []T, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list(xs))
	return nil
}
