package sqldb

import (
	"context"
	"time"
)

// ServerTime is the database server's clock, for `haven doctor` to compare instances' clocks
// against the one reference they share. SQLite runs inside this process: it answers false.
func (db *DB) ServerTime(ctx context.Context) (time.Time, bool, error) {
	if db.Dialect != Postgres {
		return time.Time{}, false, nil
	}
	var us int64
	err := db.read.QueryRowContext(ctx, `SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::bigint`).Scan(&us)
	if err != nil {
		return time.Time{}, true, mapError("server time", err)
	}
	return fromMicros(us), true, nil
}
