package sqldb

import (
	"context"
	"errors"
)

// WithoutSearchIndex runs fn, a bulk load (haven bench), without PostgreSQL's GIN index of
// search documents, and builds the index again afterwards: built in one sorted pass it costs a
// fraction of keeping it up to date a document at a time (half of the load's time in the
// database before). Searches during fn read no index. On SQLite it just runs fn. The index is
// the one migration 0001 creates; an index left missing by an interrupted load is built too.
func (db *DB) WithoutSearchIndex(ctx context.Context, fn func() error) error {
	if db.Dialect != Postgres {
		return fn()
	}
	if _, err := db.write.ExecContext(ctx, `DROP INDEX IF EXISTS case_search_tsv`); err != nil {
		return mapError("drop search index", err)
	}
	loadErr := fn()
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return errors.Join(loadErr, mapError("build search index", err))
	}
	defer func() { _ = conn.Close() }() // back to the pool
	if _, err := conn.ExecContext(ctx, `SET maintenance_work_mem = '1GB'`); err != nil {
		return errors.Join(loadErr, mapError("build search index", err))
	}
	_, err = conn.ExecContext(ctx, `CREATE INDEX IF NOT EXISTS case_search_tsv ON case_search USING GIN (tsv)`)
	if err == nil {
		_, err = conn.ExecContext(ctx, `RESET maintenance_work_mem`)
	}
	return errors.Join(loadErr, mapError("build search index", err))
}
