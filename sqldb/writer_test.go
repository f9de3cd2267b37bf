package sqldb

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/testenv"
)

// TestWriterFinishesWhatItStarts: a request whose context ends while the single writer runs its
// function is carried through to commit, not interrupted statement by statement (which failed
// its whole group commit, whose other requests then ran again one by one).
func TestWriterFinishesWhatItStarts(t *testing.T) {
	db := openSearchLater(t, filepath.Join(t.TempDir(), "haven.db"), testenv.Keyring(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	c := &haven.Case{Title: "late client", Summary: "routine", Status: haven.StatusOpen, Priority: haven.P3, TLP: "amber",
		Tier: 1, Tags: []string{}, Categories: []string{}, CreatedAt: now, UpdatedAt: now}
	err := db.Update(ctx, func(tx haven.Tx) error {
		cancel() // the client goes away once the writer has begun
		return insertIndexed(ctx, tx, c)
	})
	if err != nil {
		t.Fatalf("the writer stopped halfway: %v", err)
	}
	if got, err := viewCase(db, c.ID); err != nil || got.Title != "late client" {
		t.Fatalf("the case was not committed: %v %v", got, err)
	}
}

func viewCase(db *DB, id int64) (c *haven.Case, err error) {
	err = db.View(context.Background(), func(tx haven.Tx) error {
		c, err = tx.(*Tx).CaseByID(context.Background(), id)
		return err
	})
	return c, err
}

// TestWriterSkipsWhatEndedBefore: a request whose context ended before the writer began it is
// not written, and says so.
func TestWriterSkipsWhatEndedBefore(t *testing.T) {
	db := openSearchLater(t, filepath.Join(t.TempDir(), "haven.db"), testenv.Keyring(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := db.Update(ctx, func(haven.Tx) error { ran = true; return nil })
	if err == nil || ran {
		t.Fatalf("a request cancelled before it began: ran %v, error %v", ran, err)
	}
}

// WriterBusy counts the time SQLite's writer spends running a write (at least what the write's
// own function took), and stays 0 on PostgreSQL.
func TestWriterBusy(t *testing.T) {
	onEachDialect(t, func(t *testing.T, name string, db *DB) {
		ctx := context.Background()
		before := db.WriterBusy()
		var took, busy time.Duration
		now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
		err := db.Update(ctx, func(tx haven.Tx) error {
			start := time.Now()
			defer func() { took = time.Since(start) }()
			return insertIndexed(ctx, tx, &haven.Case{Title: "busy", Status: haven.StatusNew, Priority: haven.P3,
				Tags: []string{}, Categories: []string{}, CreatedAt: now, UpdatedAt: now})
		})
		if err != nil {
			t.Fatal(err)
		}
		// The writer answers a batch before it counts it; it has counted it by the next one.
		if err := db.Update(ctx, func(haven.Tx) error { busy = db.WriterBusy() - before; return nil }); err != nil {
			t.Fatal(err)
		}
		switch {
		case name == "postgres" && db.WriterBusy() != 0:
			t.Fatalf("PostgreSQL has no single writer, yet busy %v", db.WriterBusy())
		case name == "sqlite" && busy < took:
			t.Fatalf("the writer was busy %v for a write whose function took %v", busy, took)
		}
	})
}
