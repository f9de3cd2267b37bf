package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/sqldb"
)

// RestoreCmd restores a backup into an empty data directory and database.
type RestoreCmd struct {
	DBFlags
	pgTools
	backupInput
}

// Run checks that nothing would be overwritten, reads and checks the whole backup into a staging
// directory, and only then puts the attachments and the database in place.
func (c *RestoreCmd) Run(e *env) (err error) {
	ids, err := parseIdentities(c.AgeIdentity)
	if err != nil {
		return err
	}
	dsn, err := c.dsn()
	if err != nil {
		return err
	}
	if err := c.refuseOverwrite(e, dsn); err != nil {
		return err
	}
	if err := os.MkdirAll(c.Data, 0o700); err != nil {
		return haven.Internal("create data directory", err)
	}
	stage, err := os.MkdirTemp(c.Data, ".restore-")
	if err != nil {
		return haven.Internal("staging directory", err)
	}
	defer cleanup(&err, func() error { return os.RemoveAll(stage) })
	m, err := readBackupFile(c.File, ids, stagingHandler(stage, dialectOf(dsn), true))
	if err != nil {
		return err
	}
	if err := checkRestorable(m, dialectOf(dsn)); err != nil {
		return err
	}
	if err := c.place(e, dsn, stage, m); err != nil {
		return err
	}
	e.printf("restored %s into %s\n", c.File, c.Data)
	e.printManifest(m)
	e.printf("next: start Haven with master key %s (it is not in the backup), run `haven audit verify`, and re-apply the erasures made since %s (docs/operations.md)\n",
		m.MasterKeyID, m.CreatedAt.Format("2006-01-02 15:04 MST"))
	return nil
}

func dialectOf(dsn string) sqldb.Dialect {
	if sqldb.IsPostgresURL(dsn) {
		return sqldb.Postgres
	}
	return sqldb.SQLite
}

// refuseOverwrite names what already exists where the backup would go.
func (c *RestoreCmd) refuseOverwrite(e *env, dsn string) error {
	var found []string
	if dialectOf(dsn) == sqldb.SQLite {
		for _, p := range []string{dsn, dsn + "-wal", dsn + "-shm"} {
			if _, err := os.Lstat(p); err == nil {
				found = append(found, p)
			}
		}
	} else {
		tables, err := pgTables(e, dsn)
		if err != nil {
			return err
		}
		if len(tables) > 0 {
			found = append(found, fmt.Sprintf("the database already has tables (%s)", strings.Join(tables, ", ")))
		}
	}
	if f := firstFile(filepath.Join(c.Data, "files")); f != "" {
		found = append(found, f)
	}
	if len(found) > 0 {
		return haven.Errorf(haven.ECONFLICT, "refusing to restore over existing data: %s; restore into an empty data directory and an empty database", strings.Join(found, "; "))
	}
	return nil
}

// pgTables lists a few tables of a PostgreSQL database.
func pgTables(e *env, dsn string) (_ []string, err error) {
	db, err := sqldb.Open(e.ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer cleanup(&err, db.Close)
	return db.Tables(e.ctx, 5)
}

// firstFile returns the first stored attachment file under root ("" when there is none): the
// blob store's own tmp directory does not count.
func firstFile(root string) string {
	var found string
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error { // a missing root is empty
		switch {
		case err != nil:
			return nil
		case d.IsDir() && path == filepath.Join(root, "tmp"):
			return filepath.SkipDir
		case !d.IsDir():
			found = path
			return filepath.SkipAll
		}
		return nil
	})
	return found
}

// stagingHandler writes the database entry (of the expected dialect) and, when withFiles, the
// attachment files under stage, as DATA would hold them.
func stagingHandler(stage string, dialect sqldb.Dialect, withFiles bool) entryHandler {
	want := sqliteEntry
	if dialect == sqldb.Postgres {
		want = pgdumpEntry
	}
	return func(name string, size int64, r io.Reader) error {
		switch {
		case strings.HasPrefix(name, "database/") && name != want:
			return haven.Errorf(haven.EINVALID, "this is a backup of a %s database: restore it into one of the same kind",
				map[string]string{sqliteEntry: "SQLite", pgdumpEntry: "PostgreSQL"}[name])
		case strings.HasPrefix(name, "files/") && !withFiles:
			return nil
		}
		return writeStaged(filepath.Join(stage, filepath.FromSlash(name)), r)
	}
}

func writeStaged(path string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return haven.Internal("staging", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return haven.Internal("staging", err)
	}
	if _, err := io.Copy(f, r); err != nil {
		_ = f.Close() // the copy's failure is the one to report
		return damaged("cannot read "+filepath.Base(path), err)
	}
	return haven.Internal("staging", errors.Join(f.Sync(), f.Close()))
}

// readBackupFile opens a backup file and reads it through readArchive.
func readBackupFile(path string, ids []age.Identity, handle entryHandler) (*manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, haven.Errorf(haven.ENOTFOUND, "cannot open the backup: %v", err)
	}
	defer func() { _ = f.Close() }() // only read from
	return readArchive(f, ids, handle)
}

// checkRestorable refuses a backup of another dialect or of a schema newer than this binary.
func checkRestorable(m *manifest, dialect sqldb.Dialect) error {
	if m.Dialect != string(dialect) {
		return haven.Errorf(haven.EINVALID, "this is a backup of a %s database: restore it into one of the same kind", m.Dialect)
	}
	ms, err := sqldb.Migrations(dialect)
	if err != nil {
		return err
	}
	if latest := ms[len(ms)-1].Version; m.SchemaVersion > latest {
		return haven.Errorf(haven.ECONFLICT, "the backup's schema (version %d) is newer than this haven (version %d): restore with haven %s or newer", m.SchemaVersion, latest, m.HavenVersion)
	}
	return nil
}

// parseIdentities reads age identity files.
func parseIdentities(files []string) ([]age.Identity, error) {
	var out []age.Identity
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, haven.Errorf(haven.EINVALID, "cannot read --age-identity: %v", err)
		}
		ids, err := age.ParseIdentities(f)
		_ = f.Close() // only read from
		if err != nil {
			return nil, &haven.Error{Code: haven.EINVALID, Message: "bad age identity file", Fields: map[string]string{"age-identity": err.Error()}, Err: err}
		}
		out = append(out, ids...)
	}
	return out, nil
}

// place puts the staged attachments, then the database, where Haven looks for them. The database
// goes last: until it is there, nothing looks restored; if it fails, the files placed are removed
// so that the restore can be run again.
func (c *RestoreCmd) place(e *env, dsn, stage string, m *manifest) error {
	staged := filepath.Join(stage, filepath.FromSlash(sqliteEntry))
	if m.Dialect == string(sqldb.SQLite) {
		if err := checkFacts(e, staged, m); err != nil {
			return err
		}
	}
	placed, err := placeFiles(filepath.Join(stage, "files"), filepath.Join(c.Data, "files"))
	if err == nil {
		err = c.placeDatabase(e, dsn, stage, m)
	}
	if err != nil {
		for _, p := range placed {
			_ = os.Remove(p) // best effort: the error below says what failed
		}
	}
	return err
}

// checkFacts runs the integrity check on a staged SQLite database and compares it with the manifest.
func checkFacts(e *env, path string, m *manifest) error {
	facts, err := sqldb.InspectSQLite(e.ctx, path, false)
	if err != nil {
		return err
	}
	if diff := m.sameFacts(facts); diff != "" {
		return damaged(diff, nil)
	}
	return nil
}

func (c *RestoreCmd) placeDatabase(e *env, dsn, stage string, m *manifest) error {
	if m.Dialect == string(sqldb.SQLite) {
		return linkNew(filepath.Join(stage, filepath.FromSlash(sqliteEntry)), dsn)
	}
	pgRestore, err := c.tool("pg_restore")
	if err != nil {
		return err
	}
	return restorePostgres(e, pgRestore, dsn, filepath.Join(stage, filepath.FromSlash(pgdumpEntry)), m)
}

// restorePostgres loads a dump into an empty database in one transaction (a failure leaves it
// empty) and compares what it holds with the manifest.
func restorePostgres(e *env, pgRestore, dsn, dump string, m *manifest) (err error) {
	if err := runPG(e.ctx, pgRestore, dsn, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", dump); err != nil {
		return err
	}
	db, err := sqldb.Open(e.ctx, dsn)
	if err != nil {
		return err
	}
	defer cleanup(&err, db.Close)
	facts, err := db.Facts(e.ctx)
	if err != nil {
		return err
	}
	if diff := m.sameFacts(facts); diff != "" {
		return damaged(diff, nil)
	}
	return nil
}

// placeFiles moves every staged attachment file into the blob store, never replacing one, and
// returns the paths it created.
func placeFiles(from, to string) ([]string, error) {
	var placed []string
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == from {
			return nil // a backup without attachments
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		dest := filepath.Join(to, rel)
		if err := os.MkdirAll(filepath.Dir(dest), 0o700); err != nil {
			return err
		}
		if err := linkNew(path, dest); err != nil {
			return err
		}
		placed = append(placed, dest)
		return nil
	})
	if err != nil {
		return placed, haven.Internal("place attachment files", err)
	}
	return placed, nil
}

// linkNew gives src the name dest, failing if dest exists; across file systems it copies.
func linkNew(src, dest string) error {
	err := os.Link(src, dest)
	if err == nil || errors.Is(err, fs.ErrExist) {
		if err != nil {
			return haven.Errorf(haven.ECONFLICT, "refusing to overwrite %s: it appeared during the restore", dest)
		}
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".restoring-*")
	if err != nil {
		return haven.Internal("restore "+dest, err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // after the link, or after a failure: never needed
	in, err := os.Open(src)
	if err != nil {
		_ = tmp.Close() // the open's failure is the one to report
		return haven.Internal("restore "+dest, err)
	}
	defer func() { _ = in.Close() }() // only read from
	if _, err := io.Copy(tmp, in); err != nil {
		_ = tmp.Close() // the copy's failure is the one to report
		return haven.Internal("restore "+dest, err)
	}
	if err := errors.Join(tmp.Sync(), tmp.Close()); err != nil {
		return haven.Internal("restore "+dest, err)
	}
	if err := os.Link(tmp.Name(), dest); err != nil {
		return haven.Errorf(haven.ECONFLICT, "cannot create %s: %v", dest, err)
	}
	return nil
}
