package web

import (
	"net/http"

	"github.com/haven-helpline/haven"
)

// listCategories answers the taxonomy; ?retired=true includes retired categories.
func (s *Server) listCategories(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.svc.Categories.Categories(r.Context(), r.URL.Query().Get("retired") == "true")
	return replyList(w, cs, err)
}

func (s *Server) createCategory(w http.ResponseWriter, r *http.Request) error {
	var in haven.CategoryInput
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	c, err := s.svc.Categories.CreateCategory(r.Context(), in)
	return created(w, c, err)
}

// updateCategory relabels, renames ({"slug": NEW}: cases follow) or retires a category. The
// slug names sub-categories with "/", written %2F in the path.
func (s *Server) updateCategory(w http.ResponseWriter, r *http.Request) error {
	var up haven.CategoryUpdate
	if err := s.decode(w, r, &up); err != nil {
		return err
	}
	c, err := s.svc.Categories.UpdateCategory(r.Context(), r.PathValue("slug"), up)
	return reply(w, c, err)
}

// listPlatforms answers the platforms; ?retired=true includes retired ones.
func (s *Server) listPlatforms(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.svc.Platforms.Platforms(r.Context(), r.URL.Query().Get("retired") == "true")
	return replyList(w, ps, err)
}

func (s *Server) createPlatform(w http.ResponseWriter, r *http.Request) error {
	var in haven.PlatformInput
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	p, err := s.svc.Platforms.CreatePlatform(r.Context(), in)
	return created(w, p, err)
}

func (s *Server) getPlatform(w http.ResponseWriter, r *http.Request) error {
	p, err := s.svc.Platforms.Platform(r.Context(), r.PathValue("slug"))
	return reply(w, p, err)
}

func (s *Server) updatePlatform(w http.ResponseWriter, r *http.Request) error {
	var up haven.PlatformUpdate
	if err := s.decode(w, r, &up); err != nil {
		return err
	}
	p, err := s.svc.Platforms.UpdatePlatform(r.Context(), r.PathValue("slug"), up)
	return reply(w, p, err)
}
