package sqldb

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/testenv"
)

// TestSQLiteCacheSize: the cache given is shared among the connections of both pools, the
// default when none is given, never under 1 MB a connection, and a negative one is refused.
func TestSQLiteCacheSize(t *testing.T) {
	for _, tc := range []struct {
		mb      int
		wantKiB int // per connection, as PRAGMA cache_size reports it (negated)
	}{
		{0, DefaultSQLiteCacheMB * 1024 / (sqliteWriters + sqliteReaders)},
		{100, 100 * 1024 / 10},
		{1, 1024}, // the floor
	} {
		db, err := OpenWith(context.Background(), filepath.Join(t.TempDir(), "h.db"), Options{SQLiteCacheMB: tc.mb})
		if err != nil {
			t.Fatal(err)
		}
		for name, pool := range map[string]*sql.DB{"writer": db.write, "reader": db.read} {
			var got int
			if err := pool.QueryRowContext(context.Background(), "PRAGMA cache_size").Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != -tc.wantKiB {
				t.Errorf("--sqlite-cache-mb %d: %s cache_size = %d, want %d", tc.mb, name, got, -tc.wantKiB)
			}
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	_, err := OpenWith(context.Background(), filepath.Join(t.TempDir(), "h.db"), Options{SQLiteCacheMB: -1})
	if haven.ErrorCode(err) != haven.EINVALID {
		t.Fatalf("a negative cache: %v, want %s", err, haven.EINVALID)
	}
}

// TestPostgresConnections: a process opens at most the connections it is given (the default
// when none is given), besides its listener; a negative number is refused.
func TestPostgresConnections(t *testing.T) {
	dsn := testenv.Postgres(t)
	ctx := context.Background()
	db, err := OpenWith(ctx, dsn, Options{PostgresConns: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	for i := 0; i < 3; i++ {
		conn, err := db.write.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = conn.Close() }()
	}
	waiting, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if conn, err := db.write.Conn(waiting); err == nil {
		_ = conn.Close()
		t.Fatal("a fourth connection opened with --pg-max-connections 3")
	}
	if db, err := OpenWith(ctx, dsn, Options{}); err != nil || db.write.Stats().MaxOpenConnections != DefaultPostgresConns {
		t.Fatalf("default: %v", err)
	} else {
		_ = db.Close()
	}
	if _, err := OpenWith(ctx, dsn, Options{PostgresConns: -1}); haven.ErrorCode(err) != haven.EINVALID {
		t.Fatalf("a negative number of connections: %v, want %s", err, haven.EINVALID)
	}
}
