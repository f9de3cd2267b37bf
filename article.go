package haven

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// ArticleState says whether an article can be read by everyone and cited (published) or is being
// written (draft).
type ArticleState string

// Article states.
const (
	ArticleDraft     ArticleState = "draft"
	ArticlePublished ArticleState = "published"
)

// Article is a policy or a guide of the helpline's knowledge base: Markdown, one variant per
// language, versioned (every save is a new version, kept, with who made it). It is know-how, not
// personal data: every signed-in user reads published articles; leads and admins write them and
// read drafts. Decisions cite an exact version, so later edits never rewrite why a past decision
// was taken.
type Article struct {
	ID         int64                     `json:"id"`
	Slug       string                    `json:"slug"`
	State      ArticleState              `json:"state"`
	Categories []string                  `json:"categories"`
	Variants   map[string]ArticleVariant `json:"variants"`
	Version    int                       `json:"version"`
	UpdatedBy  string                    `json:"updated_by,omitempty"`
	CreatedAt  time.Time                 `json:"created_at"`
	UpdatedAt  time.Time                 `json:"updated_at"`
}

// ArticleVariant is an article in one language: a title and a Markdown body (rendered and
// sanitised by package markdown; HTML is filled in on reads).
type ArticleVariant struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	HTML  string `json:"html,omitempty"`
}

// ArticleInput creates an article or, through UpdateArticle, makes its next version.
type ArticleInput struct {
	Slug       string                    `json:"slug"`
	State      ArticleState              `json:"state"`
	Categories []string                  `json:"categories"`
	Variants   map[string]ArticleVariant `json:"variants"`
}

var articleSlugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,99}$`)

// Normalize trims the input and applies defaults.
func (in *ArticleInput) Normalize() {
	in.Slug = strings.TrimSpace(in.Slug)
	in.Categories = NormalizeTags(in.Categories)
	if in.State == "" {
		in.State = ArticleDraft
	}
	for l, v := range in.Variants {
		in.Variants[l] = ArticleVariant{Title: strings.TrimSpace(v.Title), Body: strings.ReplaceAll(v.Body, "\r\n", "\n")}
	}
}

// Validate checks the input; the Markdown itself is checked by package markdown in the service.
func (in *ArticleInput) Validate() error {
	v := Validation{}
	v.Check(articleSlugRE.MatchString(in.Slug), "slug", "lower-case letters, digits and -, at most 100")
	v.Check(in.State == ArticleDraft || in.State == ArticlePublished, "state", "draft or published")
	v.Check(len(in.Variants) > 0, "variants", "at least one language")
	for lang, av := range in.Variants {
		field := "variants." + lang
		if lang == "" || !validLanguage(lang) {
			v.Add(field, "not a language tag")
			continue
		}
		v.Check(av.Title != "" && utf8.ValidString(av.Title) && len(av.Title) <= MaxTitle, field+".title", "required, at most 300 bytes")
		v.Check(strings.TrimSpace(av.Body) != "", field+".body", "required")
	}
	return v.Err()
}

// Citation points at the exact version of an article a decision relied on.
type Citation struct {
	Article string `json:"article"` // slug
	Version int    `json:"version"`
	Title   string `json:"title,omitempty"` // in the reader's language, on reads
}

// CaseCitation is a decision on a case that cited an article version, as an article's page lists
// them (only cases the reader may see).
type CaseCitation struct {
	CaseNumber string    `json:"case_number"`
	Version    int       `json:"version"`
	Status     Status    `json:"status"`
	Outcome    Outcome   `json:"outcome,omitempty"`
	CitedAt    time.Time `json:"cited_at"`
	CitedBy    string    `json:"cited_by,omitempty"`
}

// ArticleFilter selects articles; zero values do not filter.
type ArticleFilter struct {
	Text     string // words, normalised like case search (Arabic included); prefixes match
	Category string
	Drafts   bool   // include drafts (leads and admins)
	After    string // only slugs after this one: the next page of a listing by slug
	Limit    int
}

// ArticleService manages the knowledge base and the citations of decisions.
type ArticleService interface {
	Articles(ctx context.Context, f ArticleFilter) ([]*Article, error)
	Article(ctx context.Context, slug string) (*Article, error)
	ArticleVersions(ctx context.Context, slug string) ([]*Article, error)
	CreateArticle(ctx context.Context, in ArticleInput) (*Article, error)
	UpdateArticle(ctx context.Context, slug string, in ArticleInput) (*Article, error)
	// ArticleCitations lists the decisions citing the article, on cases the reader may see.
	ArticleCitations(ctx context.Context, slug string) ([]*CaseCitation, error)
	// CaseCitations lists the article versions a case's decisions cited.
	CaseCitations(ctx context.Context, number string) ([]*Citation, error)
	// CitationRules are the outcomes whose closing must cite an article; SetCitationRules
	// replaces them (admins).
	CitationRules(ctx context.Context) ([]Outcome, error)
	SetCitationRules(ctx context.Context, outcomes []Outcome) error
}

// ArticleStore keeps articles, their versions and the citations of decisions.
type ArticleStore interface {
	InsertArticle(ctx context.Context, a *Article, search string, by int64) error
	// UpdateArticle stores a as its next version (a.Version is the new number).
	UpdateArticle(ctx context.Context, a *Article, search string, by int64) error
	ArticleBySlug(ctx context.Context, slug string) (*Article, error)
	ArticleVersion(ctx context.Context, id int64, version int) (*Article, error)
	ArticleVersions(ctx context.Context, id int64) ([]*Article, error)
	// FindArticles matches f.Text's normalised words as prefixes of the stored search text.
	FindArticles(ctx context.Context, f ArticleFilter) ([]*Article, error)
	InsertCitation(ctx context.Context, caseID, articleID int64, version int, outcome Outcome, at time.Time, by int64) error
	CaseCitations(ctx context.Context, caseID int64) ([]*Citation, error)
	// ArticleCitations lists the citations of an article on cases v may see.
	ArticleCitations(ctx context.Context, articleID int64, v Viewer) ([]*CaseCitation, error)
	CitationRules(ctx context.Context) ([]Outcome, error)
	SetCitationRules(ctx context.Context, outcomes []Outcome) error
}
