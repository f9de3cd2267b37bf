package sqldb

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/textnorm"
)

const articleColumns = `a.id, a.slug, a.state, a.categories, a.variants, a.version, a.created_at, a.updated_at,
	COALESCE(u.username, '') FROM articles a LEFT JOIN users u ON u.id = a.updated_by`

func scanArticle(row rowScanner) (*haven.Article, error) {
	var a haven.Article
	var cats, variants string
	var created, updated int64
	if err := row.Scan(&a.ID, &a.Slug, &a.State, &cats, &variants, &a.Version, &created, &updated, &a.UpdatedBy); err != nil {
		return nil, err
	}
	a.Categories, a.Variants = fromJSON[[]string](cats), fromJSON[map[string]haven.ArticleVariant](variants)
	a.CreatedAt, a.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &a, nil
}

// InsertArticle stores a new article as its version 1; search is its normalised text.
func (tx *Tx) InsertArticle(ctx context.Context, a *haven.Article, search string, by int64) error {
	a.Version = 1
	id, err := tx.insertID(ctx, "insert article", `INSERT INTO articles (slug, state, categories, variants, version, search,
		created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, 1, $5, $6, $6, $7) RETURNING id`,
		a.Slug, a.State, toJSON(a.Categories), toJSON(a.Variants), search, micros(a.CreatedAt), nullID(by))
	if haven.ErrorCode(err) == haven.ECONFLICT {
		return &haven.Error{Code: haven.ECONFLICT, Message: "an article " + a.Slug + " exists", Fields: map[string]string{"slug": "taken"}, Err: err}
	}
	if err != nil {
		return err
	}
	a.ID = id
	if err := tx.writeArticleWords(ctx, id, search); err != nil {
		return err
	}
	return tx.insertArticleVersion(ctx, a, by)
}

// writeArticleWords replaces an article's entries in the word index.
func (tx *Tx) writeArticleWords(ctx context.Context, id int64, search string) error {
	if _, err := tx.exec(ctx, "clear article words", `DELETE FROM article_words WHERE article_id = $1`, id); err != nil {
		return err
	}
	words := strings.Fields(search)
	slices.Sort(words)
	words = slices.Compact(words)
	for len(words) > 0 {
		n := min(len(words), 200)
		q := &queryBuilder{}
		rows := make([]string, n)
		for i, w := range words[:n] {
			rows[i] = "(" + q.arg(w) + ", " + q.arg(id) + ")"
		}
		if _, err := tx.exec(ctx, "article words", `INSERT INTO article_words (word, article_id) VALUES `+strings.Join(rows, ", "), q.args...); err != nil {
			return err
		}
		words = words[n:]
	}
	return nil
}

func (tx *Tx) insertArticleVersion(ctx context.Context, a *haven.Article, by int64) error {
	_, err := tx.exec(ctx, "article version", `INSERT INTO article_versions (article_id, version, state, categories, variants,
		created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		a.ID, a.Version, a.State, toJSON(a.Categories), toJSON(a.Variants), micros(a.UpdatedAt), nullID(by))
	return err
}

// UpdateArticle makes a the article's current version and keeps it in the history.
func (tx *Tx) UpdateArticle(ctx context.Context, a *haven.Article, search string, by int64) error {
	res, err := tx.exec(ctx, "update article", `UPDATE articles SET state = $1, categories = $2, variants = $3, version = $4,
		search = $5, updated_at = $6, updated_by = $7 WHERE id = $8 AND version = $4 - 1`,
		a.State, toJSON(a.Categories), toJSON(a.Variants), a.Version, search, micros(a.UpdatedAt), nullID(by), a.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return haven.Errorf(haven.ECONFLICT, "article %s was changed by someone else; reload and try again", a.Slug)
	}
	if err := tx.writeArticleWords(ctx, a.ID, search); err != nil {
		return err
	}
	return tx.insertArticleVersion(ctx, a, by)
}

// ArticleBySlug reads an article's current version.
func (tx *Tx) ArticleBySlug(ctx context.Context, slug string) (*haven.Article, error) {
	a, err := scanArticle(tx.queryRow(ctx, `SELECT `+articleColumns+` WHERE a.slug = $1`, slug))
	return a, notFound(err, "article "+slug)
}

// ArticleVersion reads one version of an article.
func (tx *Tx) ArticleVersion(ctx context.Context, id int64, version int) (*haven.Article, error) {
	vs, err := tx.articleVersions(ctx, `v.article_id = $1 AND v.version = $2`, id, version)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, haven.Errorf(haven.ENOTFOUND, "article %d has no version %d", id, version)
	}
	return vs[0], nil
}

// ArticleVersions lists an article's versions, newest first.
func (tx *Tx) ArticleVersions(ctx context.Context, id int64) ([]*haven.Article, error) {
	return tx.articleVersions(ctx, `v.article_id = $1 ORDER BY v.version DESC`, id)
}

func (tx *Tx) articleVersions(ctx context.Context, where string, args ...any) ([]*haven.Article, error) {
	return queryAll(ctx, tx, "article versions", `SELECT a.id, a.slug, v.state, v.categories, v.variants, v.version,
		a.created_at, v.created_at, COALESCE(u.username, '') FROM article_versions v JOIN articles a ON a.id = v.article_id
		LEFT JOIN users u ON u.id = v.created_by WHERE `+where, scanArticle, args...)
}

// FindArticles lists articles by slug that have, for every word of f.Text, a word starting with it
// (an index range per word: article_words).
func (tx *Tx) FindArticles(ctx context.Context, f haven.ArticleFilter) ([]*haven.Article, error) {
	q := &queryBuilder{}
	if !f.Drafts {
		q.add("a.state = 'published'")
	}
	if f.After != "" {
		q.add("a.slug > " + q.arg(f.After))
	}
	if f.Category != "" {
		q.add("a.categories LIKE " + q.arg("%"+escapeLike(`"`+f.Category)+"%") + " ESCAPE '\\'")
	}
	for _, term := range textnorm.PrefixQuery(f.Text) {
		// Every word starting with term sorts between term and term followed by U+FFFF.
		q.add("a.id IN (SELECT article_id FROM article_words WHERE word >= " + q.arg(term) + " AND word < " + q.arg(term+"\uffff") + ")")
	}
	limit := f.Limit
	if limit <= 0 || limit > haven.MaxLimit {
		limit = haven.DefaultLimit
	}
	return queryAll(ctx, tx, "find articles", `SELECT `+articleColumns+q.whereSQL()+` ORDER BY a.slug LIMIT `+q.arg(limit),
		scanArticle, q.args...)
}

// InsertCitation records that a decision on a case cited an article version.
func (tx *Tx) InsertCitation(ctx context.Context, caseID, articleID int64, version int, outcome haven.Outcome, at time.Time, by int64) error {
	_, err := tx.exec(ctx, "insert citation", `INSERT INTO case_citations (case_id, article_id, version, outcome, cited_at, cited_by)
		VALUES ($1, $2, $3, $4, $5, $6)`, caseID, articleID, version, outcome, micros(at), nullID(by))
	return err
}

// CaseCitations lists the article versions a case's decisions cited, oldest first.
func (tx *Tx) CaseCitations(ctx context.Context, caseID int64) ([]*haven.Citation, error) {
	return queryAll(ctx, tx, "case citations", `SELECT a.slug, c.version FROM case_citations c JOIN articles a ON a.id = c.article_id
		WHERE c.case_id = $1 ORDER BY c.id`, func(row rowScanner) (*haven.Citation, error) {
		var c haven.Citation
		return &c, row.Scan(&c.Article, &c.Version)
	}, caseID)
}

// ArticleCitations lists the decisions citing an article, on the cases v may see, newest first.
func (tx *Tx) ArticleCitations(ctx context.Context, articleID int64, v haven.Viewer) ([]*haven.CaseCitation, error) {
	q := &queryBuilder{}
	q.add("x.article_id = " + q.arg(articleID))
	q.add(visibility(q, v))
	return queryAll(ctx, tx, "article citations", `SELECT c.number, x.version, c.status, x.outcome, x.cited_at, COALESCE(u.username, '')
		FROM case_citations x JOIN cases c ON c.id = x.case_id LEFT JOIN users u ON u.id = x.cited_by`+q.whereSQL()+
		` ORDER BY x.id DESC LIMIT 200`, func(row rowScanner) (*haven.CaseCitation, error) {
		var c haven.CaseCitation
		var at int64
		err := row.Scan(&c.CaseNumber, &c.Version, &c.Status, &c.Outcome, &at, &c.CitedBy)
		c.CitedAt = fromMicros(at)
		return &c, err
	}, q.args...)
}

// CitationRules lists the outcomes whose decision must cite an article.
func (tx *Tx) CitationRules(ctx context.Context) ([]haven.Outcome, error) {
	return queryAll(ctx, tx, "citation rules", `SELECT outcome FROM citation_rules ORDER BY outcome`, func(row rowScanner) (haven.Outcome, error) {
		var o haven.Outcome
		return o, row.Scan(&o)
	})
}

// SetCitationRules replaces the outcomes whose decision must cite an article.
func (tx *Tx) SetCitationRules(ctx context.Context, outcomes []haven.Outcome) error {
	if _, err := tx.exec(ctx, "clear citation rules", `DELETE FROM citation_rules`); err != nil {
		return err
	}
	for _, o := range outcomes {
		if _, err := tx.exec(ctx, "citation rule", `INSERT INTO citation_rules (outcome) VALUES ($1)`, o); err != nil {
			return err
		}
	}
	return nil
}
