package sqldb_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/keyring"
	"github.com/haven-helpline/haven/sqldb"
	"github.com/haven-helpline/haven/testenv"
)

func TestKeyRotationInterruptedAndResumed(t *testing.T) {
	for name, dsn := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "k.db") },
		"postgres": func(t *testing.T) string { return testenv.Postgres(t) },
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db, err := sqldb.Open(ctx, dsn(t))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx, func() int64 { return 0 }); err != nil {
				t.Fatal(err)
			}
			oldKey, newKey := testenv.MasterKey(t), testenv.MasterKey(t)
			if err := db.Unlock(ctx, keyring.NewKeyring(oldKey)); err != nil {
				t.Fatal(err)
			}
			caseID := seedNotes(t, db, 1200) // more than two rotation batches

			// Interrupt after the first batch.
			both := keyring.NewKeyring(newKey, oldKey)
			if err := db.Unlock(ctx, both); err != nil {
				t.Fatal(err)
			}
			stop, cancel := context.WithCancel(ctx)
			_, err = db.RotateKeys(stop, both, func(p sqldb.RotationProgress) {
				if p.Resealed > 0 {
					cancel()
				}
			})
			if err == nil {
				t.Fatal("the rotation should have been interrupted")
			}
			assertNotes(t, db, caseID, 1200) // half-rotated: everything still readable with both keys
			if err := db.Unlock(ctx, keyring.NewKeyring(newKey)); err == nil {
				t.Fatal("before the rotation completes, the new key alone must not unlock the database")
			}

			// Resume.
			if err := db.Unlock(ctx, both); err != nil {
				t.Fatal(err)
			}
			done, err := db.RotateKeys(ctx, both, nil)
			if err != nil || done.Resealed == 0 || done.Resealed >= 1201 {
				t.Fatalf("resumed rotation: %+v %v", done, err)
			}
			if err := db.Unlock(ctx, keyring.NewKeyring(newKey)); err != nil {
				t.Fatalf("after rotation the new key alone must unlock: %v", err)
			}
			assertNotes(t, db, caseID, 1200)
			if err := db.Unlock(ctx, keyring.NewKeyring(oldKey)); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
				t.Fatalf("the old key must be refused after rotation: %v", err)
			}
		})
	}
}

func seedNotes(t *testing.T, db *sqldb.DB, n int) int64 {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	c := &haven.Case{Number: "HV-2026-000001", Title: "rotation", Status: haven.StatusNew, Priority: haven.P3, TLP: "amber", Tier: 1, CreatedAt: now, UpdatedAt: now}
	err := db.Update(ctx, func(tx haven.Tx) error {
		if err := tx.InsertCase(ctx, c); err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			if err := tx.InsertNote(ctx, &haven.Note{CaseID: c.ID, Body: fmt.Sprintf("note %d", i), Visibility: "team", CreatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func assertNotes(t *testing.T, db *sqldb.DB, caseID int64, n int) {
	t.Helper()
	err := db.View(context.Background(), func(tx haven.Tx) error {
		notes, err := tx.CaseNotes(context.Background(), caseID)
		if err != nil {
			return err
		}
		if len(notes) != n || notes[n-1].Body != fmt.Sprintf("note %d", n-1) {
			return fmt.Errorf("read %d notes", len(notes))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
