package service

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/markdown"
	"github.com/haven-helpline/haven/textnorm"
)

var _ haven.ArticleService = (*Service)(nil)

// Articles lists the knowledge base; drafts only for those who write it.
func (s *Service) Articles(ctx context.Context, f haven.ArticleFilter) ([]*haven.Article, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	f.Drafts = f.Drafts && u.CanWriteTemplates()
	var out []*haven.Article
	err = s.store.View(ctx, func(tx haven.Tx) (err error) {
		out, err = tx.FindArticles(ctx, f)
		return err
	})
	return out, err
}

// Article reads an article with each variant rendered to safe HTML. A draft answers like an
// unknown article to those who may not read drafts.
func (s *Service) Article(ctx context.Context, slug string) (*haven.Article, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	var a *haven.Article
	err = s.store.View(ctx, func(tx haven.Tx) (err error) {
		a, err = readableArticle(ctx, tx, u, slug)
		return err
	})
	if err != nil {
		return nil, err
	}
	return a, s.renderArticle(a)
}

// readableArticle reads an article u may read.
func readableArticle(ctx context.Context, tx haven.Tx, u *haven.User, slug string) (*haven.Article, error) {
	a, err := tx.ArticleBySlug(ctx, slug)
	if err == nil && a.State != haven.ArticlePublished && !u.CanWriteTemplates() {
		return nil, haven.Errorf(haven.ENOTFOUND, "article %s not found", slug)
	}
	return a, err
}

func (s *Service) renderArticle(a *haven.Article) error {
	for l, v := range a.Variants {
		html, err := s.md.HTML(v.Body)
		if err != nil {
			return err
		}
		v.HTML = html
		a.Variants[l] = v
	}
	return nil
}

// ArticleVersions lists an article's versions, newest first, with who made each.
func (s *Service) ArticleVersions(ctx context.Context, slug string) ([]*haven.Article, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	var out []*haven.Article
	err = s.store.View(ctx, func(tx haven.Tx) error {
		a, err := readableArticle(ctx, tx, u, slug)
		if err != nil {
			return err
		}
		out, err = tx.ArticleVersions(ctx, a.ID)
		return err
	})
	return out, err
}

// CreateArticle adds an article (leads and admins).
func (s *Service) CreateArticle(ctx context.Context, in haven.ArticleInput) (*haven.Article, error) {
	u, err := templateEditor(ctx)
	if err != nil {
		return nil, err
	}
	search, err := s.checkArticle(&in)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	a := &haven.Article{Slug: in.Slug, State: in.State, Categories: nonNilStrings(in.Categories), Variants: in.Variants, CreatedAt: now, UpdatedAt: now}
	err = s.store.Update(ctx, func(tx haven.Tx) error { return insertArticle(ctx, tx, u, a, search, now) })
	return a, err
}

// insertArticle saves a new article and records it (u nil: the console).
func insertArticle(ctx context.Context, tx haven.Tx, u *haven.User, a *haven.Article, search string, now time.Time) error {
	if err := tx.InsertArticle(ctx, a, search, userID(u)); err != nil {
		return err
	}
	return record(ctx, tx, now, u, "article.created", "article", a.Slug, 0, map[string]any{"version": 1, "state": a.State})
}

// saveArticleVersion saves a's next version and records it (u nil: the console).
func saveArticleVersion(ctx context.Context, tx haven.Tx, u *haven.User, a *haven.Article, search string, now time.Time) error {
	if err := tx.UpdateArticle(ctx, a, search, userID(u)); err != nil {
		return err
	}
	return record(ctx, tx, now, u, "article.updated", "article", a.Slug, 0, map[string]any{"version": a.Version, "state": a.State})
}

// UpdateArticle makes the input the article's next version; every version is kept.
func (s *Service) UpdateArticle(ctx context.Context, slug string, in haven.ArticleInput) (*haven.Article, error) {
	u, err := templateEditor(ctx)
	if err != nil {
		return nil, err
	}
	in.Slug = slug // the slug names the article; it does not change
	search, err := s.checkArticle(&in)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var a *haven.Article
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		cur, err := tx.ArticleBySlug(ctx, slug)
		if err != nil {
			return err
		}
		a = &haven.Article{ID: cur.ID, Slug: slug, State: in.State, Categories: nonNilStrings(in.Categories), Variants: in.Variants,
			Version: cur.Version + 1, CreatedAt: cur.CreatedAt, UpdatedAt: now}
		return saveArticleVersion(ctx, tx, u, a, search, now)
	})
	return a, err
}

// ImportArticlesAsSystem creates or updates articles by slug, as the console's operator, in one
// transaction: an article whose state, categories, titles and bodies are the same is left as it
// is, so importing a library twice makes no new versions.
func (s *Service) ImportArticlesAsSystem(ctx context.Context, ins []haven.ArticleInput) (map[string]string, error) {
	out := map[string]string{}
	now := s.clock.Now()
	err := s.store.Update(ctx, func(tx haven.Tx) error {
		for _, in := range ins {
			what, err := s.importArticle(ctx, tx, in, now)
			if err != nil {
				return &haven.Error{Code: haven.ErrorCode(err), Message: "article " + in.Slug + ": " + haven.ErrorMessage(err), Err: err}
			}
			out[in.Slug] = what
		}
		return nil
	})
	return out, err
}

func (s *Service) importArticle(ctx context.Context, tx haven.Tx, in haven.ArticleInput, now time.Time) (string, error) {
	search, err := s.checkArticle(&in)
	if err != nil {
		return "", err
	}
	a := &haven.Article{Slug: in.Slug, State: in.State, Categories: nonNilStrings(in.Categories), Variants: in.Variants, CreatedAt: now, UpdatedAt: now}
	cur, err := tx.ArticleBySlug(ctx, in.Slug)
	switch {
	case haven.ErrorCode(err) == haven.ENOTFOUND:
		return "added", insertArticle(ctx, tx, nil, a, search, now)
	case err != nil:
		return "", err
	case sameArticle(cur, a):
		return "unchanged", nil
	}
	a.ID, a.Version, a.CreatedAt = cur.ID, cur.Version+1, cur.CreatedAt
	return "updated", saveArticleVersion(ctx, tx, nil, a, search, now)
}

// sameArticle reports whether two versions say the same: state, categories, titles and bodies.
func sameArticle(a, b *haven.Article) bool {
	if a.State != b.State || !slices.Equal(a.Categories, b.Categories) || len(a.Variants) != len(b.Variants) {
		return false
	}
	for lang, v := range a.Variants {
		if w, ok := b.Variants[lang]; !ok || v.Title != w.Title || v.Body != w.Body {
			return false
		}
	}
	return true
}

// checkArticle validates the input and its Markdown (scripts, scriptable links: refused with
// their line) and returns the article's normalised search text.
func (s *Service) checkArticle(in *haven.ArticleInput) (string, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return "", err
	}
	v := haven.Validation{}
	var words []string
	for lang, av := range in.Variants {
		if err := markdown.Validate(av.Body); err != nil {
			v.Add("variants."+lang+".body", fieldOf(err, "body"))
		}
		words = append(words, av.Title, s.md.Text(av.Body))
	}
	return textnorm.Normalize(strings.Join(words, " ")), v.Err()
}

// fieldOf is an error's message for field, else its message.
func fieldOf(err error, field string) string {
	if he, ok := err.(*haven.Error); ok && he.Fields[field] != "" {
		return he.Fields[field]
	}
	return haven.ErrorMessage(err)
}

// ArticleCitations lists the decisions citing an article, on cases the reader may see.
func (s *Service) ArticleCitations(ctx context.Context, slug string) ([]*haven.CaseCitation, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	var out []*haven.CaseCitation
	err = s.store.View(ctx, func(tx haven.Tx) error {
		a, err := readableArticle(ctx, tx, u, slug)
		if err != nil {
			return err
		}
		out, err = tx.ArticleCitations(ctx, a.ID, s.viewer(u))
		return err
	})
	return out, err
}

// CaseCitations lists the article versions a case's decisions cited, titled in the case's language.
func (s *Service) CaseCitations(ctx context.Context, number string) ([]*haven.Citation, error) {
	return readCase(ctx, s, number, func(tx haven.Tx, c *haven.Case) ([]*haven.Citation, error) {
		cs, err := tx.CaseCitations(ctx, c.ID)
		for _, ci := range cs {
			if a, err := tx.ArticleBySlug(ctx, ci.Article); err == nil {
				if v, err := tx.ArticleVersion(ctx, a.ID, ci.Version); err == nil {
					ci.Title = articleTitle(v, c.Language)
				}
			}
		}
		return cs, err
	})
}

// articleTitle is an article's title in lang (the templates' chain of languages).
func articleTitle(a *haven.Article, lang string) string {
	titles := make(map[string]string, len(a.Variants))
	for l, v := range a.Variants {
		titles[l] = v.Title
	}
	return inLanguage(titles, lang)
}

// CitationRules lists the outcomes whose decision must cite an article.
func (s *Service) CitationRules(ctx context.Context) ([]haven.Outcome, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	var out []haven.Outcome
	err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		out, err = tx.CitationRules(ctx)
		return err
	})
	return out, err
}

// SetCitationRules replaces the outcomes whose decision must cite an article (admins).
func (s *Service) SetCitationRules(ctx context.Context, outcomes []haven.Outcome) error {
	u, err := admin(ctx)
	if err != nil {
		return err
	}
	for _, o := range outcomes {
		if !o.Valid() {
			return &haven.Error{Code: haven.EINVALID, Message: "unknown outcome", Fields: map[string]string{"outcomes": "unknown outcome " + string(o)}}
		}
	}
	now := s.clock.Now()
	return s.store.Update(ctx, func(tx haven.Tx) error {
		if err := tx.SetCitationRules(ctx, outcomes); err != nil {
			return err
		}
		return record(ctx, tx, now, u, "settings.citation_rules", "settings", "citation_rules", 0, map[string]any{"outcomes": outcomes})
	})
}

// checkCitations resolves a decision's citations: each names a published version of an article;
// an outcome the rules name needs at least one. It returns the article ids, in order.
func checkCitations(ctx context.Context, tx haven.Tx, t haven.Transition) ([]int64, error) {
	if t.Outcome != "" && len(t.Citations) == 0 {
		rules, err := tx.CitationRules(ctx)
		if err != nil {
			return nil, err
		}
		if slices.Contains(rules, t.Outcome) {
			return nil, &haven.Error{Code: haven.EINVALID, Message: "this outcome must cite the policy it applies",
				Fields: map[string]string{"citations": "cite at least one published article for " + string(t.Outcome)}}
		}
	}
	ids := make([]int64, 0, len(t.Citations))
	for _, ci := range t.Citations {
		a, err := tx.ArticleBySlug(ctx, ci.Article)
		if err == nil {
			var v *haven.Article
			if v, err = tx.ArticleVersion(ctx, a.ID, ci.Version); err == nil && v.State != haven.ArticlePublished {
				err = haven.Errorf(haven.EINVALID, "a draft")
			}
		}
		if err != nil {
			return nil, &haven.Error{Code: haven.EINVALID, Message: "a citation names no published article version",
				Fields: map[string]string{"citations": ci.Article + " version " + itoa(int64(ci.Version)) + " is not a published article version"}}
		}
		ids = append(ids, a.ID)
	}
	return ids, nil
}

// recordCitations stores a decision's citations on the case.
func recordCitations(ctx context.Context, tx haven.Tx, u *haven.User, c *haven.Case, t haven.Transition, ids []int64, now time.Time) error {
	for i, id := range ids {
		if err := tx.InsertCitation(ctx, c.ID, id, t.Citations[i].Version, c.Outcome, now, userID(u)); err != nil {
			return err
		}
	}
	return nil
}
