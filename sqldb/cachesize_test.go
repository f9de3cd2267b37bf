package sqldb

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/haven-helpline/haven"
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
