package sqldb

import (
	"context"
	"io/fs"
	"strings"
)

// WriteOldBlindTerms puts SQLite's stored blind terms and index back as they were before
// migration 0047 (behind "zz"), as a database upgraded from an older version holds them.
func (db *DB) WriteOldBlindTerms(ctx context.Context) error {
	return db.rewriteSearch(ctx, `UPDATE search_parts SET body = replace(body, '`+sqliteTermMarker+`', 'zz');
		INSERT INTO case_search (case_search) VALUES ('delete-all');`, searchRebuildVersion)
}

// RerunTermMarkerMigration applies migration 0047 again, with its rebuild.
func (db *DB) RerunTermMarkerMigration(ctx context.Context) error {
	body, err := fs.ReadFile(migrationFS, "migrations/sqlite/0047_blind_term_marker.sql")
	if err != nil {
		return err
	}
	return db.rewriteSearch(ctx, string(body), termMarkerVersion)
}

func (db *DB) rewriteSearch(ctx context.Context, stmts string, version int) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }() // after Commit it does nothing
	if _, err := tx.ExecContext(ctx, stmts); err != nil {
		return err
	}
	if err := rebuildSearch(ctx, tx, db.Dialect, version); err != nil {
		return err
	}
	if err := reindexBlindTerms(ctx, tx, db.Dialect, version); err != nil {
		return err
	}
	return tx.Commit()
}

// SearchIndexBytes merges SQLite's full-text index into one segment, so that sizes compare, and
// returns the bytes of its data.
func (db *DB) SearchIndexBytes(ctx context.Context) (size int64, err error) {
	if _, err := db.write.ExecContext(ctx, `INSERT INTO case_search (case_search) VALUES ('optimize')`); err != nil {
		return 0, err
	}
	err = db.write.QueryRowContext(ctx, `SELECT SUM(LENGTH(block)) FROM case_search_data`).Scan(&size)
	return size, err
}

// SearchPartTerms returns the terms of every stored search part.
func (db *DB) SearchPartTerms(ctx context.Context) ([]string, error) {
	rows, err := db.write.QueryContext(ctx, `SELECT body FROM search_parts`)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }() // read to the end below
	var terms []string
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		terms = append(terms, strings.Fields(body)...)
	}
	return terms, rows.Err()
}
