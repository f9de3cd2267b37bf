package sqldb

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/haven-helpline/haven"
)

//go:embed migrations
var migrationFS embed.FS

// Migration is one embedded schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the embedded migrations of a dialect in order.
func Migrations(d Dialect) ([]Migration, error) {
	dir := path.Join("migrations", string(d))
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, haven.Internal("read migrations", err)
	}
	var out []Migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, haven.Errorf(haven.EINTERNAL, "bad migration name %s", e.Name())
		}
		body, err := fs.ReadFile(migrationFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, haven.Internal("read migration", err)
		}
		out = append(out, Migration{Version: v, Name: e.Name(), SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at BIGINT NOT NULL
)`

// SchemaVersion returns the applied and the latest known schema versions.
func (db *DB) SchemaVersion(ctx context.Context) (applied, latest int, err error) {
	ms, err := Migrations(db.Dialect)
	if err != nil {
		return 0, 0, err
	}
	if len(ms) > 0 {
		latest = ms[len(ms)-1].Version
	}
	if _, err := db.write.ExecContext(ctx, createMigrationsTable); err != nil {
		return 0, 0, mapError("schema_migrations", err)
	}
	var count int
	row := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0), COUNT(*) FROM schema_migrations`)
	if err := row.Scan(&applied, &count); err != nil {
		return 0, 0, mapError("schema version", err)
	}
	if count != applied { // versions run from 1 without a gap: a database missing one would skip it
		missing, err := db.missingMigration(ctx)
		if err != nil {
			return 0, 0, err
		}
		return 0, 0, haven.Errorf(haven.ECONFLICT, "the database schema is at version %d but migration %d was never applied "+
			"(migrations from a branch applied out of order?): restore a backup taken before, or apply migration %d by hand", applied, missing, missing)
	}
	return applied, latest, nil
}

// missingMigration returns the lowest version below the highest applied that was not applied.
func (db *DB) missingMigration(ctx context.Context) (int, error) {
	var missing int
	err := db.read.QueryRowContext(ctx, `SELECT MIN(v) FROM (SELECT version + 1 AS v FROM schema_migrations
		UNION SELECT 1) gaps WHERE v NOT IN (SELECT version FROM schema_migrations)`).Scan(&missing)
	if err != nil {
		return 0, mapError("schema version", err)
	}
	return missing, nil
}

// CheckSchema returns an error when the schema is behind (or ahead of) this binary.
func (db *DB) CheckSchema(ctx context.Context) error {
	applied, latest, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if applied < latest {
		return haven.Errorf(haven.ECONFLICT, "the database schema is at version %d but this haven needs %d: run `haven migrate`", applied, latest)
	}
	if applied > latest {
		return haven.Errorf(haven.ECONFLICT, "the database schema (version %d) is newer than this haven (version %d): upgrade haven", applied, latest)
	}
	return nil
}

// Migrate applies every pending migration, each in its own transaction, and returns how many ran.
// On PostgreSQL an advisory lock keeps two instances from migrating at once.
func (db *DB) Migrate(ctx context.Context, now func() int64) (int, error) {
	applied, _, err := db.SchemaVersion(ctx)
	if err != nil {
		return 0, err
	}
	ms, err := Migrations(db.Dialect)
	if err != nil {
		return 0, err
	}
	ran := 0
	for _, m := range ms {
		if m.Version <= applied {
			continue
		}
		if err := db.apply(ctx, m, now()); err != nil {
			return ran, err
		}
		ran++
	}
	return ran, nil
}

func (db *DB) apply(ctx context.Context, m Migration, at int64) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return haven.Internal("begin migration", err)
	}
	defer func() { _ = tx.Rollback() }() // after Commit it does nothing; after a failure the failure is reported
	if db.Dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(72007001)`); err != nil {
			return haven.Internal("migration lock", err)
		}
		var done int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&done); err != nil || done > 0 {
			return err // another instance applied it while we waited
		}
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return haven.Internal(fmt.Sprintf("migration %s", m.Name), err)
	}
	if err := rebuildSearch(ctx, tx, db.Dialect, m.Version); err != nil { // derived data some migrations drop
		return err
	}
	if err := reindexBlindTerms(ctx, tx, db.Dialect, m.Version); err != nil { // blindterm.go
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
		m.Version, m.Name, at); err != nil {
		return haven.Internal("record migration", err)
	}
	return tx.Commit()
}
