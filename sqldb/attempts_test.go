package sqldb_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/haven-helpline/haven/sqldb"
	"github.com/haven-helpline/haven/testenv"
)

// Sign-in attempts counted through two handles on one database add up per address and window;
// another address or window starts from one, and a new window forgets the old ones.
func TestCountLoginAttempt(t *testing.T) {
	for name, dsn := range map[string]func(*testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "h.db") },
		"postgres": func(t *testing.T) string { return testenv.Postgres(t) },
	} {
		t.Run(name, func(t *testing.T) {
			a, b := openTwice(t, dsn(t))
			ctx := context.Background()
			w := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
			count := func(db *sqldb.DB, addr string, window time.Time) int {
				t.Helper()
				n, err := db.CountLoginAttempt(ctx, addr, window)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			for i, db := range []*sqldb.DB{a, b, a, b} {
				if n := count(db, "192.0.2.1", w); n != i+1 {
					t.Fatalf("attempt %d counted as %d", i+1, n)
				}
			}
			if n := count(b, "192.0.2.2", w); n != 1 {
				t.Fatalf("another address starts at %d", n)
			}
			if n := count(a, "192.0.2.1", w.Add(time.Minute)); n != 1 {
				t.Fatalf("a new window starts at %d", n)
			}
			if n := count(a, "192.0.2.1", w); n != 1 {
				t.Fatalf("an old window was not forgotten: %d", n)
			}
		})
	}
}
