package web

import (
	"net/http"
	"strings"

	"haven"
)

// taxonomyData is the admins' page for categories and platforms.
type taxonomyData struct {
	Categories []*haven.Category
	Platforms  []*haven.Platform
	Kinds      []string
}

func (s *Server) taxonomyRoutes() {
	for _, p := range []struct {
		pattern string
		h       uiFunc
	}{
		{"GET /admin/taxonomy", s.taxonomyPage},
		{"POST /admin/categories", s.categoryAdd},
		{"POST /admin/categories/edit", s.categoryEdit},
		{"POST /admin/platforms", s.platformAdd},
		{"POST /admin/platforms/edit", s.platformEdit},
	} {
		s.mux.Handle(p.pattern, s.page(false, p.h))
	}
}

// taxonomyPage lists categories (with their labels) and platforms, retired ones included, with
// the forms that change them; the services refuse non-admins whatever the page shows.
func (s *Server) taxonomyPage(w http.ResponseWriter, r *http.Request, v *view) error {
	flashFrom(r, v)
	return s.renderTaxonomy(w, r, v, http.StatusOK)
}

func (s *Server) renderTaxonomy(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	if !v.User.IsAdmin() {
		return haven.Errorf(haven.EFORBIDDEN, "only admins administer the taxonomy")
	}
	d := &taxonomyData{Kinds: haven.PlatformKinds()}
	var err error
	if d.Categories, err = s.svc.Categories.Categories(r.Context(), true); err != nil {
		return err
	}
	if d.Platforms, err = s.svc.Platforms.Platforms(r.Context(), true); err != nil {
		return err
	}
	v.Nav, v.Title, v.Data = "admin", v.L.T("taxonomy.title"), d
	return s.render(w, r, status, "taxonomy", v)
}

// afterTaxonomy goes back to the page, or shows it again with the refusal beside its form.
func (s *Server) afterTaxonomy(w http.ResponseWriter, r *http.Request, v *view, err error, prefix string) error {
	if err == nil {
		return redirect(w, r, "/admin/taxonomy", "saved")
	}
	if code := haven.ErrorCode(err); code != haven.EINVALID && code != haven.ECONFLICT && code != haven.ENOTFOUND {
		return err
	}
	v.Form, v.Errors, v.Alert = r.PostForm, map[string]string{}, v.L.T("form.invalid")
	if he, ok := err.(*haven.Error); ok {
		v.Errors[prefix] = fieldMessage(v.L, he.Message)
		for k, m := range he.Fields {
			v.Errors[prefix] = fieldMessage(v.L, k+": "+m)
		}
	}
	return s.renderTaxonomy(w, r, v, http.StatusUnprocessableEntity)
}

// labelsOf reads "label-<lang>" fields.
func labelsOf(r *http.Request, v *view) map[string]string {
	out := map[string]string{}
	for _, l := range languageTags(v) {
		if x := strings.TrimSpace(r.PostForm.Get("label-" + l)); x != "" {
			out[l] = x
		}
	}
	return out
}

func (s *Server) categoryAdd(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	_, err := s.svc.Categories.CreateCategory(r.Context(), haven.CategoryInput{Slug: r.PostForm.Get("slug"), Labels: labelsOf(r, v)})
	return s.afterTaxonomy(w, r, v, err, "category")
}

// categoryEdit renames, retires or brings back a category.
func (s *Server) categoryEdit(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	up := haven.CategoryUpdate{}
	if to := strings.TrimSpace(r.PostForm.Get("rename")); to != "" {
		up.Slug = &to
	}
	if x := r.PostForm.Get("retired"); x != "" {
		retired := x == "true"
		up.Retired = &retired
	}
	_, err := s.svc.Categories.UpdateCategory(r.Context(), r.PostForm.Get("slug"), up)
	return s.afterTaxonomy(w, r, v, err, "category")
}

func (s *Server) platformAdd(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	in := haven.PlatformInput{Slug: r.PostForm.Get("slug"), Name: r.PostForm.Get("name"), Kind: r.PostForm.Get("kind")}
	_, err := s.svc.Platforms.CreatePlatform(r.Context(), in)
	return s.afterTaxonomy(w, r, v, err, "platform")
}

// platformEdit retires or brings back a platform.
func (s *Server) platformEdit(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	retired := r.PostForm.Get("retired") == "true"
	_, err := s.svc.Platforms.UpdatePlatform(r.Context(), r.PostForm.Get("slug"), haven.PlatformUpdate{Retired: &retired})
	return s.afterTaxonomy(w, r, v, err, "platform")
}
