package sqldb

import (
	"context"
	"database/sql"
	"maps"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
)

const categoryColumns = `slug, name, COALESCE(parent, ''), labels, retired_at, emergency FROM categories`

func scanCategory(row rowScanner) (*haven.Category, error) {
	var c haven.Category
	var labels string
	var retired sql.NullInt64
	if err := row.Scan(&c.Slug, &c.Name, &c.Parent, &labels, &retired, &c.Emergency); err != nil {
		return nil, err
	}
	c.Labels, c.RetiredAt = fromJSON[map[string]string](labels), timePtr(retired)
	return &c, nil
}

// Categories lists the taxonomy by slug (parents before their children).
func (tx *Tx) Categories(ctx context.Context) ([]*haven.Category, error) {
	return queryAll(ctx, tx, "categories", `SELECT `+categoryColumns+` ORDER BY slug`, scanCategory)
}

// CategoryBySlug reads one taxonomy entry.
func (tx *Tx) CategoryBySlug(ctx context.Context, slug string) (*haven.Category, error) {
	return referenceRead(tx, "category\x00"+slug, func() (*haven.Category, error) {
		c, err := scanCategory(tx.queryRowBeside(ctx, []string{"categories"}, `SELECT `+categoryColumns+` WHERE slug = $1`, slug))
		return c, notFound(err, "category "+slug)
	}, cloneCategory)
}

func cloneCategory(c *haven.Category) *haven.Category {
	out := *c
	out.Labels = maps.Clone(c.Labels)
	if c.RetiredAt != nil {
		at := *c.RetiredAt
		out.RetiredAt = &at
	}
	return &out
}

// InsertCategory adds a category under its parent.
func (tx *Tx) InsertCategory(ctx context.Context, c *haven.Category) error {
	_, err := tx.exec(ctx, "insert category", `INSERT INTO categories (slug, name, parent, labels, retired_at, emergency)
		VALUES ($1, $2, $3, $4, $5, $6)`, c.Slug, c.Name, nullString(c.Parent), toJSON(c.Labels), nullMicros(c.RetiredAt), c.Emergency)
	if haven.ErrorCode(err) == haven.ECONFLICT {
		return &haven.Error{Code: haven.ECONFLICT, Message: "a category " + c.Slug + " exists", Fields: map[string]string{"slug": "taken"}, Err: err}
	}
	return err
}

// SetCategoryLabels replaces a category's labels (and its name, the English one).
func (tx *Tx) SetCategoryLabels(ctx context.Context, slug string, labels map[string]string) error {
	name := labels["en"]
	if name == "" {
		name = slug
	}
	res, err := tx.exec(ctx, "category labels", `UPDATE categories SET labels = $1, name = $2 WHERE slug = $3`, toJSON(labels), name, slug)
	if err != nil {
		return err
	}
	return expectOne(res, "category "+slug)
}

// SetCategoryEmergency marks a category as an emergency one, or not.
func (tx *Tx) SetCategoryEmergency(ctx context.Context, slug string, emergency bool) error {
	res, err := tx.exec(ctx, "category emergency", `UPDATE categories SET emergency = $1 WHERE slug = $2`, emergency, slug)
	if err != nil {
		return err
	}
	return expectOne(res, "category "+slug)
}

// AnyEmergencyCategory reports whether one of the slugs is an emergency category.
func (tx *Tx) AnyEmergencyCategory(ctx context.Context, slugs []string) (bool, error) {
	return referenceRead(tx, "emergency\x00"+strings.Join(slugs, "\x00"), func() (bool, error) {
		return tx.anyEmergencyCategory(ctx, slugs)
	}, func(b bool) bool { return b })
}

func (tx *Tx) anyEmergencyCategory(ctx context.Context, slugs []string) (bool, error) {
	q := &queryBuilder{}
	ph := make([]string, len(slugs))
	for i, s := range slugs {
		ph[i] = q.arg(s)
	}
	var some bool
	err := tx.queryRowBeside(ctx, []string{"categories"}, `SELECT EXISTS (SELECT 1 FROM categories WHERE emergency = TRUE AND slug IN (`+
		strings.Join(ph, ", ")+`))`, q.args...).Scan(&some)
	return some, mapError("emergency categories", err)
}

// SetCategoryRetired retires a category (nil: brings it back).
func (tx *Tx) SetCategoryRetired(ctx context.Context, slug string, at *time.Time) error {
	res, err := tx.exec(ctx, "retire category", `UPDATE categories SET retired_at = $1 WHERE slug = $2`, nullMicros(at), slug)
	if err != nil {
		return err
	}
	return expectOne(res, "category "+slug)
}

// RenameCategory renames from and its sub-categories to to: new rows first (parents before
// children), then every case, label and retention policy moves, then the old rows go.
func (tx *Tx) RenameCategory(ctx context.Context, from, to string) (int, error) {
	olds, err := queryAll(ctx, tx, "categories to rename", `SELECT `+categoryColumns+` WHERE slug = $1 OR slug LIKE $2 ESCAPE '\' ORDER BY slug`,
		scanCategory, from, escapeLike(from)+"/%")
	if err != nil {
		return 0, err
	}
	if len(olds) == 0 {
		return 0, haven.Errorf(haven.ENOTFOUND, "category %s not found", from)
	}
	moved := 0
	for _, c := range olds {
		n, err := tx.moveCategory(ctx, c, to+strings.TrimPrefix(c.Slug, from), from, to)
		if err != nil {
			return 0, err
		}
		moved += n
	}
	for i := len(olds) - 1; i >= 0; i-- { // children first
		if _, err := tx.exec(ctx, "drop old category", `DELETE FROM categories WHERE slug = $1`, olds[i].Slug); err != nil {
			return 0, err
		}
	}
	return moved, tx.reindexRestricted(ctx, to)
}

// reindexRestricted re-indexes the restricted cases of a category and its sub-categories: their
// members find them by their categories' words (ownText), which a rename changed.
func (tx *Tx) reindexRestricted(ctx context.Context, slug string) error {
	ids, err := queryAll(ctx, tx, "renamed category's cases", `SELECT DISTINCT case_id FROM case_labels
		WHERE kind = 'c' AND (label = $1 OR label LIKE $2 ESCAPE '\') ORDER BY case_id`, scanCaseID, slug, escapeLike(slug)+"/%")
	if err != nil {
		return err
	}
	for _, id := range ids {
		c, err := tx.CaseByID(ctx, id)
		if err != nil {
			return err
		}
		if !c.IsRestricted() {
			continue
		}
		if err := tx.IndexCase(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

func scanCaseID(row rowScanner) (int64, error) {
	var id int64
	err := row.Scan(&id)
	return id, err
}

// moveCategory creates c under its new slug and moves its cases, labels and retention policy.
func (tx *Tx) moveCategory(ctx context.Context, c *haven.Category, slug, from, to string) (int, error) {
	renamed := *c
	renamed.Slug, renamed.Parent = slug, haven.CategoryParent(slug) // the renamed one may move under another parent
	if err := tx.InsertCategory(ctx, &renamed); err != nil {
		return 0, err
	}
	if err := tx.markDays(ctx, `SELECT c.created_at / `+itoa(microsPerDay)+` AS d FROM cases c JOIN case_labels l ON l.case_id = c.id
		WHERE l.kind = 'c' AND l.label = $1 UNION SELECT c.closed_at / `+itoa(microsPerDay)+` FROM cases c
		JOIN case_labels l ON l.case_id = c.id WHERE l.kind = 'c' AND l.label = $1`, c.Slug); err != nil {
		return 0, err
	}
	clear(tx.written) // the cases' rows change here (case.go, noteWritten)
	n, err := tx.count(ctx, "move case categories", `UPDATE cases SET categories = REPLACE(categories, $1, $2), version = version + 1
		WHERE id IN (SELECT case_id FROM case_labels WHERE kind = 'c' AND label = $3)`, `"`+c.Slug+`"`, `"`+slug+`"`, c.Slug)
	if err != nil {
		return 0, err
	}
	for _, q := range []string{`UPDATE case_labels SET label = $1 WHERE kind = 'c' AND label = $2`,
		`UPDATE retention_policies SET category = $1 WHERE category = $2`} {
		if _, err := tx.exec(ctx, "move category", q, slug, c.Slug); err != nil {
			return 0, err
		}
	}
	if err := tx.moveLabelTerm(ctx, c.Slug, slug); err != nil { // SQLite's (labelterms.go)
		return 0, err
	}
	if tx.dialect == Postgres { // the documents' label terms (search.go)
		if _, err := tx.exec(ctx, "move category", `UPDATE case_search SET tsv = ts_delete(tsv, '~c' || $2::text)
			|| array_to_tsvector(ARRAY['~c' || $1::text])
			WHERE case_id IN (SELECT case_id FROM case_labels WHERE kind = 'c' AND label = $1)`, slug, c.Slug); err != nil {
			return 0, err
		}
	}
	return n, nil
}
