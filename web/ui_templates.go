package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/haven-helpline/haven"
)

// templatesData is the templates page: the list, and one template with its history when one is
// open (or a new one being written).
type templatesData struct {
	Templates []*haven.Template
	Template  *haven.Template // nil on the list and the new form
	History   []*haven.Template
	Editing   bool // the form is shown (leads and admins: User.CanWriteTemplates)
	Kinds     []haven.TemplateKind
	Languages []string // one subject/body pair a language in the form
}

func (s *Server) templateRoutes() {
	for _, p := range []struct {
		pattern string
		h       uiFunc
	}{
		{"GET /templates", s.templatesPage},
		{"GET /templates/new", s.templateNewPage},
		{"POST /templates/new", s.templateCreate},
		{"GET /templates/{id}", s.templatePage},
		{"POST /templates/{id}", s.templateSave},
		{"POST /templates/{id}/retire", s.templateRetire},
	} {
		s.mux.Handle(p.pattern, s.page(false, p.h))
	}
}

func (s *Server) newTemplatesData(v *view) *templatesData {
	return &templatesData{Kinds: []haven.TemplateKind{haven.TemplateReply, haven.TemplateEscalation, haven.TemplateNote},
		Languages: languageTags(v), Editing: v.User.CanWriteTemplates()}
}

func (s *Server) templatesPage(w http.ResponseWriter, r *http.Request, v *view) error {
	flashFrom(r, v)
	d := s.newTemplatesData(v)
	var err error
	if d.Templates, err = s.svc.Templates.Templates(r.Context(), haven.TemplateFilter{Retired: true}); err != nil {
		return err
	}
	return s.renderTemplates(w, r, v, d, v.L.T("templates.title"), http.StatusOK)
}

func (s *Server) templateNewPage(w http.ResponseWriter, r *http.Request, v *view) error {
	d := s.newTemplatesData(v)
	if !d.Editing {
		return haven.Errorf(haven.EFORBIDDEN, "only leads and admins can write templates")
	}
	return s.renderTemplates(w, r, v, d, v.L.T("templates.new"), http.StatusOK)
}

func (s *Server) templatePage(w http.ResponseWriter, r *http.Request, v *view) error {
	flashFrom(r, v)
	d, err := s.loadTemplate(r, v)
	if err != nil {
		return err
	}
	return s.renderTemplates(w, r, v, d, d.Template.Name, http.StatusOK)
}

func (s *Server) loadTemplate(r *http.Request, v *view) (*templatesData, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, haven.Errorf(haven.ENOTFOUND, "no such template")
	}
	d := s.newTemplatesData(v)
	if d.Template, err = s.svc.Templates.Template(r.Context(), id); err != nil {
		return nil, err
	}
	d.History, err = s.svc.Templates.TemplateVersions(r.Context(), id)
	return d, err
}

// languageTags are the interface's languages, in which templates are written.
func languageTags(v *view) []string {
	out := make([]string, len(v.Languages))
	for i, l := range v.Languages {
		out[i] = l.Tag
	}
	return out
}

func (s *Server) renderTemplates(w http.ResponseWriter, r *http.Request, v *view, d *templatesData, title string, status int) error {
	v.Nav, v.Title, v.Data = "templates", title, d
	return s.render(w, r, status, "templates", v)
}

// templateInput reads the form: a variant for every language whose body was filled in.
func templateInput(r *http.Request, languages []string) haven.TemplateInput {
	f := r.PostForm
	in := haven.TemplateInput{Name: f.Get("name"), Kind: haven.TemplateKind(f.Get("kind")),
		Categories: splitList(f.Get("categories")), Variants: map[string]haven.TemplateVariant{}}
	for _, l := range languages {
		body := strings.ReplaceAll(f.Get("body-"+l), "\r\n", "\n")
		if strings.TrimSpace(body) != "" || strings.TrimSpace(f.Get("subject-"+l)) != "" {
			in.Variants[l] = haven.TemplateVariant{Subject: strings.TrimSpace(f.Get("subject-" + l)), Body: body}
		}
	}
	return in
}

func (s *Server) templateCreate(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	t, err := s.svc.Templates.CreateTemplate(r.Context(), templateInput(r, languageTags(v)))
	if err == nil {
		return redirect(w, r, "/templates/"+strconv.FormatInt(t.ID, 10), "saved")
	}
	return s.templateRefused(w, r, v, s.newTemplatesData(v), err, v.L.T("templates.new"))
}

func (s *Server) templateSave(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	d, err := s.loadTemplate(r, v)
	if err != nil {
		return err
	}
	_, err = s.svc.Templates.UpdateTemplate(r.Context(), d.Template.ID, templateInput(r, languageTags(v)))
	if err == nil {
		return redirect(w, r, "/templates/"+r.PathValue("id"), "saved")
	}
	return s.templateRefused(w, r, v, d, err, d.Template.Name)
}

// templateRefused shows the form again with what was typed and, beside each field, why it was
// refused, in the reader's language where Haven has the words.
func (s *Server) templateRefused(w http.ResponseWriter, r *http.Request, v *view, d *templatesData, err error, title string) error {
	code := haven.ErrorCode(err)
	if code != haven.EINVALID && code != haven.ECONFLICT {
		return err
	}
	v.Form, v.Errors = r.PostForm, map[string]string{}
	if he, ok := err.(*haven.Error); ok {
		for k, m := range he.Fields {
			v.Errors[strings.ReplaceAll(k, ".", "-")] = fieldMessage(v.L, m)
		}
	}
	v.Alert = v.L.T("form.invalid")
	return s.renderTemplates(w, r, v, d, title, http.StatusUnprocessableEntity)
}

func (s *Server) templateRetire(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return haven.Errorf(haven.ENOTFOUND, "no such template")
	}
	if err := s.svc.Templates.RetireTemplate(r.Context(), id); err != nil {
		return err
	}
	return redirect(w, r, "/templates", "saved")
}
