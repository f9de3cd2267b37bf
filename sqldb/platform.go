package sqldb

import (
	"context"
	"database/sql"

	"haven"
)

func scanPlatform(row rowScanner) (*haven.Platform, error) {
	var p haven.Platform
	var retired sql.NullInt64
	err := row.Scan(&p.Slug, &p.Name, &p.Kind, &retired)
	p.RetiredAt = timePtr(retired)
	return &p, err
}

// Platforms lists the platforms by name.
func (tx *Tx) Platforms(ctx context.Context) ([]*haven.Platform, error) {
	return queryAll(ctx, tx, "platforms", `SELECT slug, name, kind, retired_at FROM platforms ORDER BY name`, scanPlatform)
}

// PlatformBySlug reads one platform.
func (tx *Tx) PlatformBySlug(ctx context.Context, slug string) (*haven.Platform, error) {
	p, err := scanPlatform(tx.queryRow(ctx, `SELECT slug, name, kind, retired_at FROM platforms WHERE slug = $1`, slug))
	return p, notFound(err, "platform "+slug)
}

// InsertPlatform adds a platform.
func (tx *Tx) InsertPlatform(ctx context.Context, p *haven.Platform) error {
	_, err := tx.exec(ctx, "insert platform", `INSERT INTO platforms (slug, name, kind) VALUES ($1, $2, $3)`, p.Slug, p.Name, p.Kind)
	if haven.ErrorCode(err) == haven.ECONFLICT {
		return &haven.Error{Code: haven.ECONFLICT, Message: "a platform " + p.Slug + " exists", Fields: map[string]string{"slug": "taken"}, Err: err}
	}
	return err
}

// UpdatePlatform writes a platform's name, kind and retirement.
func (tx *Tx) UpdatePlatform(ctx context.Context, p *haven.Platform) error {
	res, err := tx.exec(ctx, "update platform", `UPDATE platforms SET name = $1, kind = $2, retired_at = $3 WHERE slug = $4`,
		p.Name, p.Kind, nullMicros(p.RetiredAt), p.Slug)
	if err != nil {
		return err
	}
	return expectOne(res, "platform "+p.Slug)
}
