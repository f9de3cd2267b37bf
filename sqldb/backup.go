package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/haven-helpline/haven"
)

// BackupFacts describe one snapshot of the database: what a backup's manifest records and what
// its verification compares. They are read from the snapshot itself, so they say exactly what was
// saved, not what the live database held a moment later.
type BackupFacts struct {
	SchemaVersion int
	MasterKeyID   string // which master key opens the snapshot (an identifier, never the key)
	Cases         int64
	Messages      int64
	Attachments   int64
	AuditEvents   int64  // the chain's length (audit_head.last_seq)
	AuditHead     string // the chain's last link
	// Blobs are the encrypted files the snapshot's attachments need. Shredded ones (erased or
	// purged: no file key) are left out: without their key they are noise.
	Blobs []string
}

// querier is what reading the facts needs: a pool, a connection or a transaction.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// readFacts reads the facts in q; run it inside one snapshot so they agree with each other.
func readFacts(ctx context.Context, q querier) (*BackupFacts, error) {
	f := &BackupFacts{}
	counts := []struct {
		dst   *int64
		query string
	}{
		{&f.Cases, `SELECT COUNT(*) FROM cases`},
		{&f.Messages, `SELECT COUNT(*) FROM messages`},
		{&f.Attachments, `SELECT COUNT(*) FROM attachments`},
	}
	for _, c := range counts {
		if err := q.QueryRowContext(ctx, c.query).Scan(c.dst); err != nil {
			return nil, mapError("backup counts", err)
		}
	}
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&f.SchemaVersion); err != nil {
		return nil, mapError("backup schema version", err)
	}
	if err := q.QueryRowContext(ctx, `SELECT last_seq, last_hash FROM audit_head WHERE id = 1`).Scan(&f.AuditEvents, &f.AuditHead); err != nil {
		return nil, mapError("backup audit head", err)
	}
	// A database never unlocked has no key yet: its facts name none.
	err := q.QueryRowContext(ctx, `SELECT master_id FROM keyring_state WHERE id = 1`).Scan(&f.MasterKeyID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, mapError("backup master key id", err)
	}
	f.Blobs, err = readBlobs(ctx, q)
	return f, err
}

func readBlobs(ctx context.Context, q querier) ([]string, error) {
	return queryStrings(ctx, q, "backup files", `SELECT DISTINCT blob_id FROM attachments
		WHERE blob_id <> '' AND file_key IS NOT NULL ORDER BY blob_id`)
}

// queryStrings reads a one-column result of text.
func queryStrings(ctx context.Context, q querier, what, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapError(what, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, mapError(what, err)
		}
		out = append(out, v)
	}
	return out, mapError(what, rows.Err())
}

// VacuumInto writes a consistent copy of a SQLite database to dest (which must not exist) while
// the database stays in use: VACUUM INTO reads inside one read transaction, so writers go on and
// the copy is the database as of the moment that transaction began.
func (db *DB) VacuumInto(ctx context.Context, dest string) error {
	if db.Dialect != SQLite {
		return haven.Errorf(haven.EINVALID, "VACUUM INTO is for SQLite; back PostgreSQL up with pg_dump")
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return haven.Internal("vacuum into", err)
	}
	defer func() { _ = conn.Close() }() // back to this process's pool, syncing as before
	// VACUUM INTO syncs its copy as the connection syncs the database. The copy is scratch, read
	// back into the backup file at once (which is synced): syncing hundreds of megabytes would
	// only hold up the server's own commits behind a flood of writes to the disk.
	err = withoutSync(ctx, conn, func() error {
		_, err := conn.ExecContext(ctx, `VACUUM INTO $1`, dest)
		return err
	})
	return haven.Internal("vacuum into", err)
}

// withoutSync runs fn on conn with PRAGMA synchronous off, then puts the level back.
func withoutSync(ctx context.Context, conn *sql.Conn, fn func() error) error {
	var level int
	if err := conn.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&level); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA synchronous = OFF`); err != nil {
		return err
	}
	err := fn()
	// The level is SQLite's own integer (0–3), not input: a pragma takes no bound parameter.
	_, rerr := conn.ExecContext(ctx, `PRAGMA synchronous = `+strconv.Itoa(level))
	return errors.Join(err, rerr)
}

// InspectSQLite checks a SQLite file that no one else uses (a snapshot, an extracted backup) with
// PRAGMA integrity_check, or with the cheaper quick_check (no index-to-table comparison) when
// quick, and reads its facts. It opens the file read-only and changes nothing.
func InspectSQLite(ctx context.Context, path string, quick bool) (*BackupFacts, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, haven.Internal("inspect database", err)
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?mode=ro&_pragma=query_only(1)"
	conn, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, haven.Internal("open snapshot", err)
	}
	defer func() { _ = conn.Close() }() // read-only: nothing to lose on close
	conn.SetMaxOpenConns(1)
	if err := integrityCheck(ctx, conn, quick); err != nil {
		return nil, err
	}
	return readFacts(ctx, conn)
}

// integrityCheck runs PRAGMA integrity_check (or quick_check) and reports its findings (at most
// 10) as one error.
func integrityCheck(ctx context.Context, q querier, quick bool) error {
	pragma := `PRAGMA integrity_check(10)`
	if quick {
		pragma = `PRAGMA quick_check(10)`
	}
	rows, err := q.QueryContext(ctx, pragma)
	if err != nil {
		return &haven.Error{Code: haven.ECONFLICT, Message: "the database is not readable SQLite: " + err.Error(), Err: err}
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return mapError("integrity check", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return &haven.Error{Code: haven.ECONFLICT, Message: "integrity check failed: " + err.Error(), Err: err}
	}
	if len(problems) > 0 {
		return haven.Errorf(haven.ECONFLICT, "integrity check failed: %s", strings.Join(problems, "; "))
	}
	return nil
}

// ExportSnapshot opens a PostgreSQL snapshot (a repeatable-read transaction), reads the facts in
// it, and calls fn with its exported id while it stays open: `pg_dump --snapshot=ID` then dumps
// exactly the data the facts describe, however much is written meanwhile.
func (db *DB) ExportSnapshot(ctx context.Context, fn func(snapshot string, f *BackupFacts) error) error {
	if db.Dialect != Postgres {
		return haven.Errorf(haven.EINVALID, "exported snapshots are for PostgreSQL; back SQLite up with VACUUM INTO")
	}
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return haven.Internal("begin snapshot", err)
	}
	defer func() { _ = tx.Rollback() }() // read-only: ending it is all that is needed
	var id string
	if err := tx.QueryRowContext(ctx, `SELECT pg_export_snapshot()`).Scan(&id); err != nil {
		return mapError("export snapshot", err)
	}
	facts, err := readFacts(ctx, tx)
	if err != nil {
		return err
	}
	return fn(id, facts)
}

// Tables lists up to limit tables, views and sequences of a database outside the system schemas
// (PostgreSQL) or of the file (SQLite): a restore refuses a database that has any.
func (db *DB) Tables(ctx context.Context, limit int) ([]string, error) {
	query := `SELECT table_schema || '.' || table_name FROM information_schema.tables
		WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1 LIMIT $1`
	if db.Dialect == SQLite {
		query = `SELECT name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY 1 LIMIT $1`
	}
	return queryStrings(ctx, db.read, "list tables", query, limit)
}

// Facts reads the facts of a live database (after a restore into PostgreSQL, for instance), in
// one read-only transaction.
func (db *DB) Facts(ctx context.Context) (*BackupFacts, error) {
	opts := &sql.TxOptions{ReadOnly: db.Dialect == Postgres}
	if db.Dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return nil, haven.Internal("begin", err)
	}
	defer func() { _ = tx.Rollback() }() // read-only
	return readFacts(ctx, tx)
}
