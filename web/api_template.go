package web

import (
	"net/http"

	"github.com/haven-helpline/haven"
)

// listTemplates answers the templates: ?kind=, ?category= and ?language= (those with a variant
// in it first); ?retired=true includes retired ones.
func (s *Server) listTemplates(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := haven.TemplateFilter{Kind: haven.TemplateKind(q.Get("kind")), Category: q.Get("category"),
		Language: q.Get("language"), Retired: q.Get("retired") == "true"}
	ts, err := s.svc.Templates.Templates(r.Context(), f)
	return replyList(w, ts, err)
}

func (s *Server) createTemplate(w http.ResponseWriter, r *http.Request) error {
	var in haven.TemplateInput
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	t, err := s.svc.Templates.CreateTemplate(r.Context(), in)
	return created(w, t, err)
}

func (s *Server) getTemplate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "template")
	if err != nil {
		return err
	}
	t, err := s.svc.Templates.Template(r.Context(), id)
	return reply(w, t, err)
}

// updateTemplate makes the body the template's next version (all fields, as on create).
func (s *Server) updateTemplate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "template")
	if err != nil {
		return err
	}
	var in haven.TemplateInput
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	t, err := s.svc.Templates.UpdateTemplate(r.Context(), id, in)
	return reply(w, t, err)
}

func (s *Server) retireTemplate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "template")
	if err != nil {
		return err
	}
	if err := s.svc.Templates.RetireTemplate(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) templateVersions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "template")
	if err != nil {
		return err
	}
	vs, err := s.svc.Templates.TemplateVersions(r.Context(), id)
	return replyList(w, vs, err)
}

type renderRequest struct {
	Template int64  `json:"template"`
	Platform string `json:"platform"`
}

// renderTemplate fills a template in for the case: {"subject","body","language","fallback",…}.
func (s *Server) renderTemplate(w http.ResponseWriter, r *http.Request) error {
	var in renderRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	out, err := s.svc.Templates.RenderTemplate(r.Context(), r.PathValue("number"), in.Template, in.Platform)
	return reply(w, out, err)
}
