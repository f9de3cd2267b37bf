package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/haven-helpline/haven"
)

// TwoFactor reads a user's second-factor state, decrypting its secrets.
func (tx *Tx) TwoFactor(ctx context.Context, userID int64) (*haven.TwoFactor, error) {
	tf := &haven.TwoFactor{UserID: userID}
	var sealed []byte
	var enabled sql.NullInt64
	err := tx.queryRow(ctx, `SELECT totp_secret, totp_pending, totp_key, totp_last_step, totp_enabled_at
		FROM users WHERE id = $1`, userID).Scan(&tf.Secret, &tf.Pending, &sealed, &tf.LastStep, &enabled)
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("user %d", userID))
	}
	tf.EnabledAt = timePtr(enabled)
	k, err := tx.openRecordKey(sealed)
	if err != nil {
		return nil, err
	}
	return tf, k.openAll(map[string]*string{"user:totp_secret": &tf.Secret, "user:totp_pending": &tf.Pending})
}

// PutTwoFactor writes a user's second-factor state, its secrets under a new data key.
func (tx *Tx) PutTwoFactor(ctx context.Context, tf *haven.TwoFactor) error {
	k, err := tx.newRecordKey()
	if err != nil {
		return err
	}
	secret, pending := tf.Secret, tf.Pending
	if err := k.sealAll(map[string]*string{"user:totp_secret": &secret, "user:totp_pending": &pending}); err != nil {
		return err
	}
	var key []byte
	if secret != "" || pending != "" {
		key = k.sealed
	}
	res, err := tx.exec(ctx, "put two-factor", `UPDATE users SET totp_secret = $2, totp_pending = $3, totp_key = $4,
		totp_last_step = $5, totp_enabled_at = $6 WHERE id = $1`, tf.UserID, secret, pending, key, tf.LastStep, nullMicros(tf.EnabledAt))
	if err != nil {
		return err
	}
	return expectOne(res, "user")
}

// ReplaceRecoveryCodes sets a user's recovery codes (hashes), dropping the old ones.
func (tx *Tx) ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes []string) error {
	if _, err := tx.exec(ctx, "drop recovery codes", `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := tx.exec(ctx, "add recovery code", `INSERT INTO recovery_codes (user_id, hash) VALUES ($1, $2)`, userID, h); err != nil {
			return err
		}
	}
	return nil
}

// RecoveryCodes lists a user's unused recovery code hashes.
func (tx *Tx) RecoveryCodes(ctx context.Context, userID int64) ([]string, error) {
	return queryAll(ctx, tx, "recovery codes", `SELECT hash FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL ORDER BY hash`,
		func(row rowScanner) (string, error) {
			var h string
			return h, row.Scan(&h)
		}, userID)
}

// UseRecoveryCode marks a code used; a code already used (or unknown) is ENOTFOUND.
func (tx *Tx) UseRecoveryCode(ctx context.Context, userID int64, hash string, at time.Time) error {
	res, err := tx.exec(ctx, "use recovery code", `UPDATE recovery_codes SET used_at = $3
		WHERE user_id = $1 AND hash = $2 AND used_at IS NULL`, userID, hash, micros(at))
	if err != nil {
		return err
	}
	return expectOne(res, "recovery code")
}

// InsertLoginChallenge stores a challenge (its token's hash).
func (tx *Tx) InsertLoginChallenge(ctx context.Context, c *haven.LoginChallenge) error {
	_, err := tx.exec(ctx, "insert login challenge", `INSERT INTO login_challenges (token_hash, user_id, expires_at)
		VALUES ($1, $2, $3)`, c.TokenHash, c.UserID, micros(c.ExpiresAt))
	return err
}

// TakeLoginChallenge reads and deletes a challenge (and forgets expired ones on the way).
func (tx *Tx) TakeLoginChallenge(ctx context.Context, hash string) (*haven.LoginChallenge, error) {
	c := &haven.LoginChallenge{TokenHash: hash}
	var exp int64
	err := tx.queryRow(ctx, `DELETE FROM login_challenges WHERE token_hash = $1 RETURNING user_id, expires_at`, hash).Scan(&c.UserID, &exp)
	if err != nil {
		return nil, notFound(err, "sign-in challenge")
	}
	c.ExpiresAt = fromMicros(exp)
	_, err = tx.exec(ctx, "forget old challenges", `DELETE FROM login_challenges WHERE expires_at < $1`, exp-int64(24*time.Hour/time.Microsecond))
	return c, err
}

// Setting reads an instance setting; "" when unset.
func (tx *Tx) Setting(ctx context.Context, name string) (string, error) {
	return referenceRead(tx, "setting\x00"+name, func() (string, error) { return tx.setting(ctx, name) },
		func(s string) string { return s })
}

func (tx *Tx) setting(ctx context.Context, name string) (string, error) {
	var v string
	err := tx.queryRowBeside(ctx, []string{"settings"}, `SELECT value FROM settings WHERE name = $1`, name).Scan(&v)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return v, mapError("read setting", err)
}

// PutSetting writes an instance setting.
func (tx *Tx) PutSetting(ctx context.Context, name, value string, at time.Time) error {
	_, err := tx.exec(ctx, "put setting", `INSERT INTO settings (name, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, name, value, micros(at))
	return err
}
