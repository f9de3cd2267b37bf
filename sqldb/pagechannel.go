package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/haven-helpline/haven"
)

const pageChannelColumns = `SELECT id, user_id, kind, address, secret, quiet_start, quiet_end, time_zone, verified_at,
	code_hash, code_expires, created_at, data_key FROM page_channels`

func pageChannelFields(c *haven.PageChannel) map[string]*string {
	return map[string]*string{"page_channel:address": &c.Address, "page_channel:secret": &c.Secret}
}

func (tx *Tx) scanPageChannel(row rowScanner) (*haven.PageChannel, error) {
	var c haven.PageChannel
	var verified, expires sql.NullInt64
	var created int64
	var sealed []byte
	err := row.Scan(&c.ID, &c.UserID, &c.Kind, &c.Address, &c.Secret, &c.QuietStart, &c.QuietEnd, &c.TimeZone, &verified,
		&c.CodeHash, &expires, &created, &sealed)
	if err != nil {
		return nil, err
	}
	c.VerifiedAt, c.CodeExpires, c.CreatedAt = timePtr(verified), timePtr(expires), fromMicros(created)
	return &c, tx.openColumns(sealed, pageChannelFields(&c))
}

// UserPageChannels lists a user's channels, oldest first.
func (tx *Tx) UserPageChannels(ctx context.Context, userID int64) ([]*haven.PageChannel, error) {
	return queryAll(ctx, tx, "page channels", pageChannelColumns+` WHERE user_id = $1 ORDER BY id`, tx.scanPageChannel, userID)
}

// PageChannelByID reads one channel.
func (tx *Tx) PageChannelByID(ctx context.Context, id int64) (*haven.PageChannel, error) {
	c, err := tx.scanPageChannel(tx.queryRow(ctx, pageChannelColumns+` WHERE id = $1`, id))
	return c, notFound(err, fmt.Sprintf("channel %d", id))
}

// InsertPageChannel stores a channel with its address and secret sealed.
func (tx *Tx) InsertPageChannel(ctx context.Context, c *haven.PageChannel) error {
	k, err := tx.newRecordKey()
	if err != nil {
		return err
	}
	enc := *c
	if err := k.sealAll(pageChannelFields(&enc)); err != nil {
		return err
	}
	c.ID, err = tx.insertID(ctx, "insert page channel", `INSERT INTO page_channels (user_id, kind, address, secret, quiet_start,
		quiet_end, time_zone, verified_at, code_hash, code_expires, created_at, data_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`, c.UserID, c.Kind, enc.Address, enc.Secret,
		c.QuietStart, c.QuietEnd, c.TimeZone, nullMicros(c.VerifiedAt), c.CodeHash, nullMicros(c.CodeExpires), micros(c.CreatedAt),
		[]byte(k.sealed))
	return err
}

// UpdatePageChannel records a channel's verification.
func (tx *Tx) UpdatePageChannel(ctx context.Context, c *haven.PageChannel) error {
	res, err := tx.exec(ctx, "update page channel", `UPDATE page_channels SET verified_at = $2, code_hash = $3, code_expires = $4
		WHERE id = $1`, c.ID, nullMicros(c.VerifiedAt), c.CodeHash, nullMicros(c.CodeExpires))
	if err != nil {
		return err
	}
	return expectOne(res, fmt.Sprintf("channel %d", c.ID))
}

// DeletePageChannel removes a channel and its pending deliveries.
func (tx *Tx) DeletePageChannel(ctx context.Context, id int64) error {
	if _, err := tx.exec(ctx, "delete page deliveries", `DELETE FROM page_deliveries WHERE channel_id = $1`, id); err != nil {
		return err
	}
	res, err := tx.exec(ctx, "delete page channel", `DELETE FROM page_channels WHERE id = $1`, id)
	if err != nil {
		return err
	}
	return expectOne(res, fmt.Sprintf("channel %d", id))
}

// InsertPageDelivery stores a message to send; a test's code is sealed (it is in d.Text).
func (tx *Tx) InsertPageDelivery(ctx context.Context, d *haven.PageDelivery, userID int64, at time.Time) error {
	k, err := tx.newRecordKey()
	if err != nil {
		return err
	}
	code := d.Text
	if err := k.sealAll(map[string]*string{"page_delivery:code": &code}); err != nil {
		return err
	}
	d.ID, err = tx.insertID(ctx, "insert page delivery", `INSERT INTO page_deliveries (alert_id, channel_id, user_id, kind, code,
		created_at, data_key) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, nullID(d.AlertID), d.ChannelID, userID, d.Kind,
		code, micros(at), []byte(k.sealed))
	return err
}

// PageDeliveryByID reads a delivery (its test code back in Text) and the user it is for.
func (tx *Tx) PageDeliveryByID(ctx context.Context, id int64) (*haven.PageDelivery, int64, error) {
	var d haven.PageDelivery
	var userID int64
	var sealed []byte
	err := tx.queryRow(ctx, `SELECT id, COALESCE(alert_id, 0), channel_id, user_id, kind, code, data_key FROM page_deliveries
		WHERE id = $1`, id).Scan(&d.ID, &d.AlertID, &d.ChannelID, &userID, &d.Kind, &d.Text, &sealed)
	if err != nil {
		return nil, 0, notFound(err, fmt.Sprintf("delivery %d", id))
	}
	return &d, userID, tx.openColumns(sealed, map[string]*string{"page_delivery:code": &d.Text})
}

// InsertAckLink stores an acknowledge link's token hash.
func (tx *Tx) InsertAckLink(ctx context.Context, hash string, alertID, userID int64, expires time.Time) error {
	_, err := tx.exec(ctx, "insert ack link", `INSERT INTO ack_links (hash, alert_id, user_id, expires_at) VALUES ($1, $2, $3, $4)`,
		hash, alertID, userID, micros(expires))
	return err
}

// UseAckLink marks a live link used, once.
func (tx *Tx) UseAckLink(ctx context.Context, hash string, at time.Time) (alertID, userID int64, err error) {
	err = tx.queryRow(ctx, `UPDATE ack_links SET used_at = $2 WHERE hash = $1 AND used_at IS NULL AND expires_at > $2
		RETURNING alert_id, user_id`, hash, micros(at)).Scan(&alertID, &userID)
	return alertID, userID, notFound(err, "acknowledge link")
}
