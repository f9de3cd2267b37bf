package sqldb

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/keyring"
	"github.com/haven-helpline/haven/testenv"
)

// TestLabelsCarryTheirCaseUpdate: a case's labels carry its last update (migration 0050), which
// the recency walk of a category-filtered search reads: as written, after the case is changed,
// and after a change of the case's last update made by any other statement (the trigger).
func TestLabelsCarryTheirCaseUpdate(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			dsn := filepath.Join(t.TempDir(), "haven.db")
			if dialect == "postgres" {
				dsn = testenv.Postgres(t)
			}
			db := openUnlocked(t, dsn)
			t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
			c := &haven.Case{Title: "Labelled", Status: haven.StatusOpen, Priority: haven.P3, TLP: "amber", Tier: 1,
				Tags: []string{"signal"}, Categories: []string{"phishing"}, CreatedAt: t0, UpdatedAt: t0}
			labelTimes := func(want time.Time, when string) {
				t.Helper()
				var n int
				err := db.View(ctx, func(htx haven.Tx) error {
					return htx.(*Tx).queryRow(ctx, `SELECT COUNT(*) FROM case_labels WHERE case_id = $1 AND updated_at = $2`,
						c.ID, micros(want)).Scan(&n)
				})
				if err != nil || n != 2 {
					t.Fatalf("%s: %d of the 2 labels carry the case's last update (%v)", when, n, err)
				}
			}
			err := db.Update(ctx, func(tx haven.Tx) error {
				var err error
				if c.Number, err = tx.NextCaseNumber(ctx, 2026); err != nil {
					return err
				}
				return tx.InsertCase(ctx, c)
			})
			if err != nil {
				t.Fatal(err)
			}
			labelTimes(t0, "created")
			c.UpdatedAt = t0.Add(time.Hour)
			if err := db.Update(ctx, func(tx haven.Tx) error { return tx.UpdateCase(ctx, c) }); err != nil {
				t.Fatal(err)
			}
			labelTimes(t0.Add(time.Hour), "changed")
			later := t0.Add(2 * time.Hour)
			err = db.Update(ctx, func(htx haven.Tx) error {
				_, err := htx.(*Tx).exec(ctx, "touch", `UPDATE cases SET updated_at = $1 WHERE id = $2`, micros(later), c.ID)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			labelTimes(later, "touched by another statement")
		})
	}
}

// openUnlocked opens the database at dsn for a test, migrated and unlocked.
func openUnlocked(t *testing.T, dsn string) *DB {
	t.Helper()
	return openUnlockedWith(t, dsn, testenv.Keyring(t))
}

// openUnlockedWith opens a migrated database unlocked with kr: a second process's handle when
// the file is open already.
func openUnlockedWith(t *testing.T, dsn string, kr *keyring.Keyring) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Migrate(ctx, func() int64 { return 1 }); err != nil {
		t.Fatal(err)
	}
	if err := db.Unlock(ctx, kr); err != nil {
		t.Fatal(err)
	}
	return db
}
