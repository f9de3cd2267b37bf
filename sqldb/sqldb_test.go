package sqldb_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/sqldb"
	"github.com/haven-helpline/haven/storetest"
	"github.com/haven-helpline/haven/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// OpenSQLite opens a fresh migrated SQLite database in a temp dir.
func openSQLite(t testing.TB) haven.Store {
	return openMigrated(t, filepath.Join(t.TempDir(), "haven.db"))
}

func openPostgres(t testing.TB) haven.Store {
	return openMigrated(t, testenv.Postgres(t))
}

func openMigrated(t testing.TB, dsn string) haven.Store {
	t.Helper()
	db, err := sqldb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background(), func() int64 { return 1 }); err != nil {
		t.Fatal(err)
	}
	if err := db.Unlock(context.Background(), testenv.Keyring(t)); err != nil {
		t.Fatal(err)
	}
	return db
}
func TestSQLite(t *testing.T)   { storetest.Run(t, openSQLite) }
func TestPostgres(t *testing.T) { storetest.Run(t, openPostgres) }

func TestSchemaBehind(t *testing.T) {
	for name, dsn := range map[string]func(testing.TB) string{
		"sqlite":   func(t testing.TB) string { return filepath.Join(t.TempDir(), "h.db") },
		"postgres": testenv.Postgres,
	} {
		t.Run(name, func(t *testing.T) {
			db, err := sqldb.Open(context.Background(), dsn(t))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if haven.ErrorCode(db.CheckSchema(context.Background())) != haven.ECONFLICT {
				t.Fatal("an empty database should be reported as behind")
			}
			if _, err := db.Migrate(context.Background(), func() int64 { return 1 }); err != nil {
				t.Fatal(err)
			}
			if err := db.CheckSchema(context.Background()); err != nil {
				t.Fatalf("after migrate: %v", err)
			}
			if n, err := db.Migrate(context.Background(), func() int64 { return 1 }); n != 0 || err != nil {
				t.Fatalf("second migrate ran %d: %v", n, err)
			}
		})
	}
}

// TestSQLiteFilesArePrivate: the database and its WAL are readable by their owner only.
func TestSQLiteFilesArePrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "private.db")
	db := openMigrated(t, path)
	if err := db.Update(context.Background(), func(tx haven.Tx) error {
		return tx.InsertTeam(context.Background(), &haven.Team{Name: "mena"})
	}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal"} {
		info, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %o, want 600", filepath.Base(f), mode)
		}
	}
}
