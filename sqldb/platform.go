package sqldb

import (
	"context"
	"database/sql"

	"github.com/haven-helpline/haven"
)

const platformColumns = `SELECT slug, name, kind, channels, targets, data_key, retired_at FROM platforms`

// scanPlatform reads platformColumns and opens the sealed channels.
func (tx *Tx) scanPlatform(row rowScanner) (*haven.Platform, error) {
	var p haven.Platform
	var retired sql.NullInt64
	var channels, targets string
	var sealed []byte
	if err := row.Scan(&p.Slug, &p.Name, &p.Kind, &channels, &targets, &sealed, &retired); err != nil {
		return nil, err
	}
	p.RetiredAt = timePtr(retired)
	if err := tx.openColumns(sealed, map[string]*string{"platform:channels": &channels}); err != nil {
		return nil, err
	}
	p.Channels = fromJSON[[]haven.PlatformChannel](channels)
	if p.Channels == nil {
		p.Channels = []haven.PlatformChannel{}
	}
	p.Targets = fromJSON[map[string]int](targets)
	if p.Targets == nil {
		p.Targets = map[string]int{}
	}
	return &p, nil
}

// Platforms lists the platforms by name.
func (tx *Tx) Platforms(ctx context.Context) ([]*haven.Platform, error) {
	return queryAll(ctx, tx, "platforms", platformColumns+` ORDER BY name`, tx.scanPlatform)
}

// PlatformBySlug reads one platform.
func (tx *Tx) PlatformBySlug(ctx context.Context, slug string) (*haven.Platform, error) {
	p, err := tx.scanPlatform(tx.queryRow(ctx, platformColumns+` WHERE slug = $1`, slug))
	return p, notFound(err, "platform "+slug)
}

// sealedChannels encrypts a platform's channels (partner addresses, notes naming contacts).
func (tx *Tx) sealedChannels(p *haven.Platform) (string, []byte, error) {
	k, err := tx.newRecordKey()
	if err != nil {
		return "", nil, err
	}
	channels := toJSON(nonNil(p.Channels))
	if err := k.sealAll(map[string]*string{"platform:channels": &channels}); err != nil {
		return "", nil, err
	}
	return channels, []byte(k.sealed), nil
}

// InsertPlatform adds a platform.
func (tx *Tx) InsertPlatform(ctx context.Context, p *haven.Platform) error {
	channels, key, err := tx.sealedChannels(p)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, "insert platform", `INSERT INTO platforms (slug, name, kind, channels, targets, data_key)
		VALUES ($1, $2, $3, $4, $5, $6)`, p.Slug, p.Name, p.Kind, channels, toJSON(p.Targets), key)
	if haven.ErrorCode(err) == haven.ECONFLICT {
		return &haven.Error{Code: haven.ECONFLICT, Message: "a platform " + p.Slug + " exists", Fields: map[string]string{"slug": "taken"}, Err: err}
	}
	return err
}

// UpdatePlatform writes a platform's name, kind, channels, targets and retirement.
func (tx *Tx) UpdatePlatform(ctx context.Context, p *haven.Platform) error {
	channels, key, err := tx.sealedChannels(p)
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, "update platform", `UPDATE platforms SET name = $1, kind = $2, retired_at = $3,
		channels = $4, targets = $5, data_key = $6 WHERE slug = $7`,
		p.Name, p.Kind, nullMicros(p.RetiredAt), channels, toJSON(p.Targets), key, p.Slug)
	if err != nil {
		return err
	}
	return expectOne(res, "platform "+p.Slug)
}
