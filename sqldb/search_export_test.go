package sqldb

import (
	"context"
	"io/fs"
)

// RerunSearchMigration applies the SQLite migration that recreates the full-text index again,
// with its rebuild, as an upgrade from an older version does.
func (db *DB) RerunSearchMigration(ctx context.Context) error {
	body, err := fs.ReadFile(migrationFS, "migrations/sqlite/0043_search_prefixes.sql")
	if err != nil {
		return err
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }() // after Commit it does nothing
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if err := rebuildSearch(ctx, tx, db.Dialect, searchRebuildVersion); err != nil {
		return err
	}
	return tx.Commit()
}

// CatchUpSearch writes every pending search document into the index, as a text search has it
// done first (searchlater.go), for tests that read the index itself.
func (db *DB) CatchUpSearch(ctx context.Context) error { return db.catchUpSearch(ctx) }
