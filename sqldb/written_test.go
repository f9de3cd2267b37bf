package sqldb

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/testenv"
)

// TestCaseWrittenOnce: writing a case again, unchanged, in the transaction that opened it is
// nothing (its version stays); a change is written; after a statement that changed the row
// otherwise (a purge), the old state is written or refused, never taken as current; a case
// opened before the transaction gets a new version from every write.
func TestCaseWrittenOnce(t *testing.T) {
	for name, dsn := range map[string]func(*testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "h.db") },
		"postgres": func(t *testing.T) string { return testenv.Postgres(t) },
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := openUnlocked(t, dsn(t))
			at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
			c := &haven.Case{Title: "Phished", Summary: "a link", Status: haven.StatusOpen, Priority: haven.P3, TLP: "amber",
				Tier: 1, Tags: []string{"x"}, Categories: []string{"other"}, CreatedAt: at, UpdatedAt: at}
			err := db.Update(ctx, func(tx haven.Tx) error {
				if err := insertIndexed(ctx, tx, c); err != nil {
					return err
				}
				// No t.Fatal here: on SQLite this runs in the writer's goroutine.
				if err := tx.UpdateCase(ctx, c); err != nil || c.Version != 1 {
					return fmt.Errorf("unchanged: version %d, %v; want 1 (not written again)", c.Version, err)
				}
				c.Priority = haven.P2
				if err := tx.UpdateCase(ctx, c); err != nil || c.Version != 2 {
					return fmt.Errorf("changed: version %d, %v; want 2", c.Version, err)
				}
				stale := *c
				if err := tx.PurgeCase(ctx, c.ID, at); err != nil {
					return err
				}
				if err := tx.UpdateCase(ctx, &stale); haven.ErrorCode(err) != haven.ECONFLICT {
					return fmt.Errorf("the state before a purge, written again: %v, want %s", err, haven.ECONFLICT)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			var after int64
			err = db.Update(ctx, func(tx haven.Tx) error {
				got, err := tx.CaseByID(ctx, c.ID)
				if err == nil && (got.Priority != haven.P2 || got.PurgedAt == nil) {
					return fmt.Errorf("stored: priority %s, purged %v; want P2, purged", got.Priority, got.PurgedAt)
				}
				if err == nil {
					err = tx.UpdateCase(ctx, got) // opened before: every write is a new version
					after = got.Version
				}
				return err
			})
			if err != nil || after != 4 {
				t.Fatalf("a case opened before, written unchanged: version %d, %v; want 4", after, err)
			}
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
