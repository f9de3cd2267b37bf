package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/haven-helpline/haven"
)

const templateColumns = `t.id, t.name, t.kind, t.categories, t.variants, t.version, t.created_at, t.updated_at,
	COALESCE(u.username, ''), t.retired_at FROM templates t LEFT JOIN users u ON u.id = t.updated_by`

func scanTemplate(row rowScanner) (*haven.Template, error) {
	var t haven.Template
	var cats, variants string
	var created, updated int64
	var retired sql.NullInt64
	if err := row.Scan(&t.ID, &t.Name, &t.Kind, &cats, &variants, &t.Version, &created, &updated, &t.UpdatedBy, &retired); err != nil {
		return nil, err
	}
	t.Categories, t.Variants = fromJSON[[]string](cats), fromJSON[map[string]haven.TemplateVariant](variants)
	t.CreatedAt, t.UpdatedAt, t.RetiredAt = fromMicros(created), fromMicros(updated), timePtr(retired)
	return &t, nil
}

// InsertTemplate stores a new template as its version 1.
func (tx *Tx) InsertTemplate(ctx context.Context, t *haven.Template, by int64) error {
	t.Version = 1
	id, err := tx.insertID(ctx, "insert template", `INSERT INTO templates (name, kind, categories, variants, version,
		created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, 1, $5, $5, $6) RETURNING id`,
		t.Name, t.Kind, toJSON(t.Categories), toJSON(t.Variants), micros(t.CreatedAt), nullID(by))
	if haven.ErrorCode(err) == haven.ECONFLICT {
		return &haven.Error{Code: haven.ECONFLICT, Message: "a template named " + t.Name + " exists",
			Fields: map[string]string{"name": "taken"}, Err: err}
	}
	if err != nil {
		return err
	}
	t.ID = id
	return tx.insertTemplateVersion(ctx, t, by)
}

func (tx *Tx) insertTemplateVersion(ctx context.Context, t *haven.Template, by int64) error {
	_, err := tx.exec(ctx, "template version", `INSERT INTO template_versions (template_id, version, kind, categories,
		variants, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		t.ID, t.Version, t.Kind, toJSON(t.Categories), toJSON(t.Variants), micros(t.UpdatedAt), nullID(by))
	return err
}

// UpdateTemplate makes t the template's current version and records it in the history.
func (tx *Tx) UpdateTemplate(ctx context.Context, t *haven.Template, by int64) error {
	res, err := tx.exec(ctx, "update template", `UPDATE templates SET name = $1, kind = $2, categories = $3,
		variants = $4, version = $5, updated_at = $6, updated_by = $7 WHERE id = $8 AND version = $5 - 1`,
		t.Name, t.Kind, toJSON(t.Categories), toJSON(t.Variants), t.Version, micros(t.UpdatedAt), nullID(by), t.ID)
	if haven.ErrorCode(err) == haven.ECONFLICT {
		return &haven.Error{Code: haven.ECONFLICT, Message: "a template named " + t.Name + " exists",
			Fields: map[string]string{"name": "taken"}, Err: err}
	}
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return haven.Errorf(haven.ECONFLICT, "template %d was changed by someone else; reload and try again", t.ID)
	}
	return tx.insertTemplateVersion(ctx, t, by)
}

// TemplateByID reads a template's current version.
func (tx *Tx) TemplateByID(ctx context.Context, id int64) (*haven.Template, error) {
	t, err := scanTemplate(tx.queryRow(ctx, `SELECT `+templateColumns+` WHERE t.id = $1`, id))
	return t, notFound(err, fmt.Sprintf("template %d", id))
}

// TemplateByName reads a template by its name.
func (tx *Tx) TemplateByName(ctx context.Context, name string) (*haven.Template, error) {
	t, err := scanTemplate(tx.queryRow(ctx, `SELECT `+templateColumns+` WHERE t.name = $1`, name))
	return t, notFound(err, "template "+name)
}

// FindTemplates lists templates by name; with a language, those with a variant in it first, and
// with a category, only those that suit it (or suit every category: none named).
func (tx *Tx) FindTemplates(ctx context.Context, f haven.TemplateFilter) ([]*haven.Template, error) {
	q := &queryBuilder{}
	if !f.Retired {
		q.add("t.retired_at IS NULL")
	}
	if f.Kind != "" {
		q.add("t.kind = " + q.arg(f.Kind))
	}
	all, err := queryAll(ctx, tx, "find templates", `SELECT `+templateColumns+q.whereSQL()+` ORDER BY t.name`, scanTemplate, q.args...)
	if err != nil {
		return nil, err
	}
	out := slices.DeleteFunc(all, func(t *haven.Template) bool { return f.Category != "" && !t.Suits(f.Category) })
	if f.Language != "" {
		slices.SortStableFunc(out, func(a, b *haven.Template) int { return rank(b, f.Language) - rank(a, f.Language) })
	}
	return out, nil
}

func rank(t *haven.Template, lang string) int {
	if _, exact := t.TemplateLanguage(lang); exact {
		return 1
	}
	return 0
}

// TemplateVersions lists every version of a template, newest first.
func (tx *Tx) TemplateVersions(ctx context.Context, id int64) ([]*haven.Template, error) {
	return tx.templateVersions(ctx, `v.template_id = $1 ORDER BY v.version DESC`, id)
}

// TemplateVersion reads one version of a template.
func (tx *Tx) TemplateVersion(ctx context.Context, id int64, version int) (*haven.Template, error) {
	vs, err := tx.templateVersions(ctx, `v.template_id = $1 AND v.version = $2`, id, version)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, haven.Errorf(haven.ENOTFOUND, "template %d has no version %d", id, version)
	}
	return vs[0], nil
}

func (tx *Tx) templateVersions(ctx context.Context, where string, args ...any) ([]*haven.Template, error) {
	return queryAll(ctx, tx, "template versions", `SELECT t.id, t.name, v.kind, v.categories, v.variants, v.version,
		t.created_at, v.created_at, COALESCE(u.username, ''), t.retired_at FROM template_versions v
		JOIN templates t ON t.id = v.template_id LEFT JOIN users u ON u.id = v.created_by WHERE `+where, scanTemplate, args...)
}

// RetireTemplate hides a template from the composer (once: retiring again changes nothing); its
// versions stay, for the messages that name them.
func (tx *Tx) RetireTemplate(ctx context.Context, id int64, at time.Time) error {
	res, err := tx.exec(ctx, "retire template", `UPDATE templates SET retired_at = COALESCE(retired_at, $1) WHERE id = $2`, micros(at), id)
	if err != nil {
		return err
	}
	return expectOne(res, fmt.Sprintf("template %d", id))
}
