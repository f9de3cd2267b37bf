package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/haven-helpline/haven"
)

const tokenColumns = `k.id, k.user_id, u.username, k.name, k.token_hash, k.read_only, k.created_at, k.last_used, k.revoked`

func scanAPIToken(row rowScanner) (*haven.APIToken, error) {
	var t haven.APIToken
	var created int64
	var used sql.NullInt64
	if err := row.Scan(&t.ID, &t.UserID, &t.Username, &t.Name, &t.TokenHash, &t.ReadOnly, &created, &used, &t.Revoked); err != nil {
		return nil, err
	}
	t.CreatedAt, t.LastUsed = fromMicros(created), timePtr(used)
	return &t, nil
}

// APITokenByID reads a token by its id.
func (tx *Tx) APITokenByID(ctx context.Context, id int64) (*haven.APIToken, error) {
	t, err := scanAPIToken(tx.queryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens k JOIN users u ON u.id = k.user_id
		WHERE k.id = $1`, id))
	return t, notFound(err, fmt.Sprintf("token %d", id))
}

// UserAPITokens lists a user's tokens, revoked ones included, newest first.
func (tx *Tx) UserAPITokens(ctx context.Context, userID int64) ([]*haven.APIToken, error) {
	return queryAll(ctx, tx, "user tokens", `SELECT `+tokenColumns+` FROM api_tokens k JOIN users u ON u.id = k.user_id
		WHERE k.user_id = $1 ORDER BY k.id DESC`, scanAPIToken, userID)
}

// RevokeAPIToken marks a token revoked. The row stays: events refer to it.
func (tx *Tx) RevokeAPIToken(ctx context.Context, id int64) error {
	res, err := tx.exec(ctx, "revoke token", `UPDATE api_tokens SET revoked = $1 WHERE id = $2`, true, id)
	if err != nil {
		return err
	}
	return expectOne(res, fmt.Sprintf("token %d", id))
}

// RevokeUserAPITokens revokes every token of a user not revoked yet and returns how many.
func (tx *Tx) RevokeUserAPITokens(ctx context.Context, userID int64) (int, error) {
	res, err := tx.exec(ctx, "revoke user tokens", `UPDATE api_tokens SET revoked = $1 WHERE user_id = $2 AND revoked = $3`,
		true, userID, false)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), mapError("revoke user tokens", err)
}

// TouchAPIToken records when a token was last used.
func (tx *Tx) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	_, err := tx.exec(ctx, "touch token", `UPDATE api_tokens SET last_used = $1 WHERE id = $2`, micros(at), id)
	return err
}

// DeleteUserSessions ends every session of a user.
func (tx *Tx) DeleteUserSessions(ctx context.Context, userID int64) (int, error) {
	res, err := tx.exec(ctx, "delete user sessions", `DELETE FROM sessions WHERE user_id = $1`, userID)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), mapError("delete user sessions", err)
}

func scanLoginFailures(row rowScanner, username string) (*haven.LoginFailures, error) {
	f := &haven.LoginFailures{Username: username}
	var first, locked int64
	if err := row.Scan(&f.Failures, &first, &locked); err != nil {
		return nil, err
	}
	f.FirstAt = fromMicros(first)
	if locked != 0 {
		f.LockedUntil = fromMicros(locked)
	}
	return f, nil
}

// LoginFailures reads the failure count of username; an unknown one has a zero count.
func (tx *Tx) LoginFailures(ctx context.Context, username string) (*haven.LoginFailures, error) {
	f, err := scanLoginFailures(tx.queryRow(ctx, `SELECT failures, first_at, locked_until FROM login_failures
		WHERE username = $1`, username), username)
	if errors.Is(err, sql.ErrNoRows) {
		return &haven.LoginFailures{Username: username}, nil
	}
	return f, mapError("login failures", err)
}

// AddLoginFailure counts one failure in a single statement, so concurrent failures on several
// instances all count. Rows whose window and lock-out are both over are purged first.
func (tx *Tx) AddLoginFailure(ctx context.Context, username string, at, windowStart time.Time) (*haven.LoginFailures, error) {
	if _, err := tx.exec(ctx, "purge login failures", `DELETE FROM login_failures WHERE first_at < $1 AND locked_until < $2`,
		micros(windowStart), micros(at)); err != nil {
		return nil, err
	}
	f, err := scanLoginFailures(tx.queryRow(ctx, `INSERT INTO login_failures (username, failures, first_at, locked_until)
		VALUES ($1, 1, $2, 0)
		ON CONFLICT (username) DO UPDATE SET
			failures = CASE WHEN login_failures.first_at < $3 THEN 1 ELSE login_failures.failures + 1 END,
			first_at = CASE WHEN login_failures.first_at < $3 THEN EXCLUDED.first_at ELSE login_failures.first_at END
		RETURNING failures, first_at, locked_until`, username, micros(at), micros(windowStart)), username)
	return f, mapError("add login failure", err)
}

// LockLogin locks username until until and clears its count.
func (tx *Tx) LockLogin(ctx context.Context, username string, until time.Time) error {
	_, err := tx.exec(ctx, "lock login", `UPDATE login_failures SET failures = 0, locked_until = $1 WHERE username = $2`,
		micros(until), username)
	return err
}

// ClearLoginFailures forgets username's failures.
func (tx *Tx) ClearLoginFailures(ctx context.Context, username string) error {
	_, err := tx.exec(ctx, "clear login failures", `DELETE FROM login_failures WHERE username = $1`, username)
	return err
}
