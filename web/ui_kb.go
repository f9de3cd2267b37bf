package web

import (
	"html/template"
	"net/http"
	"slices"
	"strings"

	"github.com/haven-helpline/haven"
)

// kbData is the knowledge-base page: a search with its results, or one article (rendered, with
// the decisions citing it), or the editor of leads and admins.
type kbData struct {
	Query     string
	Articles  []*haven.Article
	Article   *haven.Article
	Variants  []kbVariant
	Citations []*haven.CaseCitation
	History   []*haven.Article
	Editing   bool
	Languages []string
}

// kbVariant is an article in one language, its HTML already sanitised by package markdown.
type kbVariant struct {
	Lang, Title string
	HTML        template.HTML
}

func (s *Server) kbRoutes() {
	for _, p := range []struct {
		pattern string
		h       uiFunc
	}{
		{"GET /kb", s.kbPage},
		{"GET /kb/new", s.kbNewPage},
		{"POST /kb/new", s.kbCreate},
		{"GET /kb/{slug}", s.kbArticlePage},
		{"POST /kb/{slug}", s.kbSave},
	} {
		s.mux.Handle(p.pattern, s.page(false, p.h))
	}
}

func (s *Server) kbPage(w http.ResponseWriter, r *http.Request, v *view) error {
	flashFrom(r, v)
	d := &kbData{Query: strings.TrimSpace(r.URL.Query().Get("q")), Editing: v.User.CanWriteTemplates()}
	var err error
	if d.Articles, err = s.svc.Articles.Articles(r.Context(), haven.ArticleFilter{Text: d.Query, Drafts: d.Editing}); err != nil {
		return err
	}
	return s.renderKB(w, r, v, d, v.L.T("kb.title"), http.StatusOK)
}

func (s *Server) kbNewPage(w http.ResponseWriter, r *http.Request, v *view) error {
	if !v.User.CanWriteTemplates() {
		return haven.Errorf(haven.EFORBIDDEN, "only leads and admins can write the knowledge base")
	}
	return s.renderKB(w, r, v, &kbData{Editing: true, Languages: languageTags(v)}, v.L.T("kb.new"), http.StatusOK)
}

func (s *Server) kbArticlePage(w http.ResponseWriter, r *http.Request, v *view) error {
	flashFrom(r, v)
	d, err := s.loadArticle(r, v)
	if err != nil {
		return err
	}
	return s.renderKB(w, r, v, d, d.Variants[0].Title, http.StatusOK)
}

func (s *Server) loadArticle(r *http.Request, v *view) (*kbData, error) {
	ctx, slug := r.Context(), r.PathValue("slug")
	a, err := s.svc.Articles.Article(ctx, slug)
	if err != nil {
		return nil, err
	}
	d := &kbData{Article: a, Editing: v.User.CanWriteTemplates(), Languages: languageTags(v)}
	d.Variants = articleVariants(a, v.L.Tag())
	if d.Citations, err = s.svc.Articles.ArticleCitations(ctx, slug); err != nil {
		return nil, err
	}
	d.History, err = s.svc.Articles.ArticleVersions(ctx, slug)
	return d, err
}

// articleVariants orders an article's languages: the reader's first, then the others by tag.
func articleVariants(a *haven.Article, lang string) []kbVariant {
	var out []kbVariant
	for _, l := range sortedLangs(a.Variants, lang) {
		av := a.Variants[l]
		out = append(out, kbVariant{Lang: l, Title: av.Title, HTML: template.HTML(av.HTML)}) // sanitised by package markdown
	}
	return out
}

func sortedLangs(m map[string]haven.ArticleVariant, first string) []string {
	var out []string
	for _, l := range append([]string{first}, "en", "fr", "ar", "es", "pt", "ru") {
		if _, ok := m[l]; ok && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	for l := range m {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// articleInput reads the editor: a variant for every language given a title or a body.
func articleInput(r *http.Request, slug string, languages []string) haven.ArticleInput {
	f := r.PostForm
	in := haven.ArticleInput{Slug: slug, State: haven.ArticleState(f.Get("state")), Categories: splitList(f.Get("categories")),
		Variants: map[string]haven.ArticleVariant{}}
	for _, l := range languages {
		title, body := strings.TrimSpace(f.Get("title-"+l)), f.Get("body-"+l)
		if title != "" || strings.TrimSpace(body) != "" {
			in.Variants[l] = haven.ArticleVariant{Title: title, Body: body}
		}
	}
	return in
}

func (s *Server) kbCreate(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	a, err := s.svc.Articles.CreateArticle(r.Context(), articleInput(r, r.PostForm.Get("slug"), languageTags(v)))
	if err == nil {
		return redirect(w, r, "/kb/"+a.Slug, "saved")
	}
	return s.kbRefused(w, r, v, &kbData{Editing: true, Languages: languageTags(v)}, err, v.L.T("kb.new"))
}

func (s *Server) kbSave(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	slug := r.PathValue("slug")
	_, err := s.svc.Articles.UpdateArticle(r.Context(), slug, articleInput(r, slug, languageTags(v)))
	if err == nil {
		return redirect(w, r, "/kb/"+slug, "saved")
	}
	d, lerr := s.loadArticle(r, v)
	if lerr != nil {
		return lerr
	}
	return s.kbRefused(w, r, v, d, err, slug)
}

// kbRefused shows the editor again with what was typed and each refusal beside its field.
func (s *Server) kbRefused(w http.ResponseWriter, r *http.Request, v *view, d *kbData, err error, title string) error {
	if code := haven.ErrorCode(err); code != haven.EINVALID && code != haven.ECONFLICT {
		return err
	}
	v.Form, v.Errors, v.Alert = r.PostForm, map[string]string{}, v.L.T("form.invalid")
	if he, ok := err.(*haven.Error); ok {
		for k, m := range he.Fields {
			v.Errors[strings.ReplaceAll(k, ".", "-")] = fieldMessage(v.L, m)
		}
	}
	return s.renderKB(w, r, v, d, title, http.StatusUnprocessableEntity)
}

func (s *Server) renderKB(w http.ResponseWriter, r *http.Request, v *view, d *kbData, title string, status int) error {
	v.Nav, v.Title, v.Data = "kb", title, d
	return s.render(w, r, status, "kb", v)
}
