package sqldb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// CountLoginAttempt counts one sign-in attempt from addr in the fixed window starting at window
// and returns the attempts counted in that window so far, this one included. Counting in the
// database shares the limit between the instances using it; one UPSERT answers, and the windows
// before this one are deleted as attempts come (sign-ins are rare: a range delete on the primary
// key costs little). The address is stored hashed: the count needs no more.
func (db *DB) CountLoginAttempt(ctx context.Context, addr string, window time.Time) (int, error) {
	sum := sha256.Sum256([]byte("haven login attempts\x00" + addr))
	key, start := hex.EncodeToString(sum[:16]), window.Unix()
	if _, err := db.write.ExecContext(ctx, `DELETE FROM login_attempts WHERE window_start < $1`, start); err != nil {
		return 0, mapError("forget login attempts", err)
	}
	var n int
	err := db.write.QueryRowContext(ctx, `INSERT INTO login_attempts (window_start, addr_hash, attempts)
		VALUES ($1, $2, 1)
		ON CONFLICT (window_start, addr_hash) DO UPDATE SET attempts = login_attempts.attempts + 1
		RETURNING attempts`, start, key).Scan(&n)
	if err != nil {
		return 0, mapError("count login attempt", err)
	}
	return n, nil
}
