package sqldb_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/sqldb"
)

// TestBlindTermMarker checks migration 0047 on SQLite: notes whose blind terms were stored behind
// "zz" (before it) are not found by today's queries until it runs, and are found after it; every
// stored term then carries the marker, and the full-text index of the same notes is less than half
// the size (the prefix lists of the hash digits are gone).
func TestBlindTermMarker(t *testing.T) {
	ctx := context.Background()
	db := openMigrated(t, filepath.Join(t.TempDir(), "haven.db")).(*sqldb.DB)
	ids := casesWithNotes(t, db, 200)
	slices.Reverse(ids) // searchAll lists the newest first
	// The documents into the index, to measure it (they wait after their transactions).
	if err := db.CatchUpSearch(ctx); err != nil {
		t.Fatal(err)
	}
	newSize, err := db.SearchIndexBytes(ctx)
	if err != nil {
		t.Fatal(err)
	}

	if err := db.WriteOldBlindTerms(ctx); err != nil {
		t.Fatal(err)
	}
	oldSize, err := db.SearchIndexBytes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := searchAll(t, db)["pegas"]; len(got) != 0 {
		t.Fatalf("terms behind zz found by today's query in %d cases", len(got))
	}

	if err := db.RerunTermMarkerMigration(ctx); err != nil {
		t.Fatal(err)
	}
	after := searchAll(t, db)
	if got := after["pegas"]; !slices.Equal(got, ids) {
		t.Errorf("after the migration the notes are found in %d cases, want %d", len(got), len(ids))
	}
	if got := after["piraté"]; !slices.Equal(got, ids) { // the cases' own text, re-indexed with them
		t.Errorf("after the migration the summaries are found in %d cases, want %d", len(got), len(ids))
	}
	terms, err := db.SearchPartTerms(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, term := range terms {
		if !strings.HasPrefix(term, "ىzzzzzzz") || len(term) != len("ىzzzzzzz")+16 {
			t.Fatalf("stored term %q", term)
		}
	}
	migrated, err := db.SearchIndexBytes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(terms) == 0 || 2*newSize >= oldSize || 2*migrated >= oldSize {
		t.Errorf("%d terms; index %d bytes with the marker (%d after the migration), %d behind zz", len(terms), newSize, migrated, oldSize)
	}
}

// casesWithNotes creates n cases, each with a note of 60 distinct words, one of them "Pegasus".
func casesWithNotes(t *testing.T, db *sqldb.DB, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var ids []int64
	err := db.Update(ctx, func(tx haven.Tx) error {
		for i := range n {
			c := &haven.Case{Title: fmt.Sprintf("Case %d", i), Summary: "Compte piraté", Status: haven.StatusOpen,
				Priority: haven.P3, TLP: "amber", Tier: 1, Tags: []string{}, Categories: []string{},
				CreatedAt: t0, UpdatedAt: t0}
			var err error
			if c.Number, err = tx.NextCaseNumber(ctx, 2026); err != nil {
				return err
			}
			if err := tx.InsertCase(ctx, c); err != nil {
				return err
			}
			words := []string{"Pegasus"}
			for w := range 59 {
				words = append(words, fmt.Sprintf("mot%dx%d", i, w))
			}
			if err := tx.AppendCaseText(ctx, c.ID, "note:1", strings.Join(words, " ")); err != nil {
				return err
			}
			ids = append(ids, c.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}
