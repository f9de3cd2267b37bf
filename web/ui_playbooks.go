package web

import (
	"net/http"
	"sort"
	"strings"

	"github.com/haven-helpline/haven"
)

// playbooksData is the playbooks page: the list, or one playbook's YAML (an editor for leads and
// admins, with the problems of a refused save listed by line).
type playbooksData struct {
	Playbooks []*haven.Playbook
	Playbook  *haven.Playbook
	Editing   bool
	Source    string
	Problems  []string
}

func (s *Server) playbookRoutes() {
	for _, p := range []struct {
		pattern string
		h       uiFunc
	}{
		{"GET /playbooks", s.playbooksPage},
		{"GET /playbooks/new", s.playbookNewPage},
		{"GET /playbooks/{name}", s.playbookPage},
		{"POST /playbooks", s.playbookSave},
	} {
		s.mux.Handle(p.pattern, s.page(false, p.h))
	}
}

func (s *Server) playbooksPage(w http.ResponseWriter, r *http.Request, v *view) error {
	flashFrom(r, v)
	d := &playbooksData{Editing: v.User.CanWriteTemplates()}
	var err error
	if d.Playbooks, err = s.svc.Playbooks.Playbooks(r.Context()); err != nil {
		return err
	}
	return s.renderPlaybooks(w, r, v, d, v.L.T("playbooks.title"), http.StatusOK)
}

func (s *Server) playbookNewPage(w http.ResponseWriter, r *http.Request, v *view) error {
	if !v.User.CanWriteTemplates() {
		return haven.Errorf(haven.EFORBIDDEN, "only leads and admins can write playbooks")
	}
	return s.renderPlaybooks(w, r, v, &playbooksData{Editing: true}, v.L.T("playbooks.new"), http.StatusOK)
}

func (s *Server) playbookPage(w http.ResponseWriter, r *http.Request, v *view) error {
	flashFrom(r, v)
	p, err := s.svc.Playbooks.Playbook(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	d := &playbooksData{Playbook: p, Source: p.Source, Editing: v.User.CanWriteTemplates()}
	return s.renderPlaybooks(w, r, v, d, titleIn(p.Title, v.L.Tag(), p.Name), http.StatusOK)
}

// playbookSave saves the YAML of the editor; a refusal shows the text again with each problem
// and its line.
func (s *Server) playbookSave(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	source := strings.ReplaceAll(r.PostForm.Get("yaml"), "\r\n", "\n")
	p, _, err := s.svc.Playbooks.SavePlaybook(r.Context(), source)
	if err == nil {
		return redirect(w, r, "/playbooks/"+p.Name, "saved")
	}
	if haven.ErrorCode(err) != haven.EINVALID && haven.ErrorCode(err) != haven.ECONFLICT {
		return err
	}
	d := &playbooksData{Editing: true, Source: source, Problems: problemsOf(err)}
	v.Alert = v.L.T("form.invalid")
	return s.renderPlaybooks(w, r, v, d, v.L.T("playbooks.new"), http.StatusUnprocessableEntity)
}

// problemsOf lists an error's field messages (each names its line), else its message.
func problemsOf(err error) []string {
	he, ok := err.(*haven.Error)
	if !ok || len(he.Fields) == 0 {
		return []string{haven.ErrorMessage(err)}
	}
	out := make([]string, 0, len(he.Fields))
	for _, m := range he.Fields {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

func (s *Server) renderPlaybooks(w http.ResponseWriter, r *http.Request, v *view, d *playbooksData, title string, status int) error {
	v.Nav, v.Title, v.Data = "playbooks", title, d
	return s.render(w, r, status, "playbooks", v)
}
