package web

import (
	"net/http"
	"strconv"

	"github.com/haven-helpline/haven"
)

// listArticles answers the knowledge base: ?q= (words, prefixes), ?category=, ?drafts=true (for
// those who write it), ?limit=.
func (s *Server) listArticles(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := haven.ArticleFilter{Text: q.Get("q"), Category: q.Get("category"), Drafts: q.Get("drafts") == "true"}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > haven.MaxLimit {
			return &haven.Error{Code: haven.EINVALID, Message: "bad limit", Fields: map[string]string{"limit": "1 to 500"}}
		}
		f.Limit = n
	}
	as, err := s.svc.Articles.Articles(r.Context(), f)
	return replyList(w, as, err)
}

func (s *Server) createArticle(w http.ResponseWriter, r *http.Request) error {
	var in haven.ArticleInput
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	a, err := s.svc.Articles.CreateArticle(r.Context(), in)
	return created(w, a, err)
}

func (s *Server) getArticle(w http.ResponseWriter, r *http.Request) error {
	a, err := s.svc.Articles.Article(r.Context(), r.PathValue("slug"))
	return reply(w, a, err)
}

// updateArticle makes the body the article's next version (all fields, as on create).
func (s *Server) updateArticle(w http.ResponseWriter, r *http.Request) error {
	var in haven.ArticleInput
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	a, err := s.svc.Articles.UpdateArticle(r.Context(), r.PathValue("slug"), in)
	return reply(w, a, err)
}

func (s *Server) articleVersions(w http.ResponseWriter, r *http.Request) error {
	vs, err := s.svc.Articles.ArticleVersions(r.Context(), r.PathValue("slug"))
	return replyList(w, vs, err)
}

func (s *Server) articleCitations(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.svc.Articles.ArticleCitations(r.Context(), r.PathValue("slug"))
	return replyList(w, cs, err)
}

func (s *Server) caseCitations(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.svc.Articles.CaseCitations(r.Context(), r.PathValue("number"))
	return replyList(w, cs, err)
}

type citationRules struct {
	Outcomes []haven.Outcome `json:"outcomes"`
}

func (s *Server) getCitationRules(w http.ResponseWriter, r *http.Request) error {
	os, err := s.svc.Articles.CitationRules(r.Context())
	if os == nil {
		os = []haven.Outcome{}
	}
	return reply(w, citationRules{Outcomes: os}, err)
}

func (s *Server) setCitationRules(w http.ResponseWriter, r *http.Request) error {
	var in citationRules
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if err := s.svc.Articles.SetCitationRules(r.Context(), in.Outcomes); err != nil {
		return err
	}
	return reply(w, in, nil)
}
