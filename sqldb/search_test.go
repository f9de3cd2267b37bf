package sqldb_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/sqldb"
)

// TestSearchRebuild checks that migration 0043's rebuild writes the documents reindex writes
// (title and summary words, number, notes as blind terms found by prefix; a restricted case's
// note stays out), over more cases than one rebuild batch.
func TestSearchRebuild(t *testing.T) {
	ctx := context.Background()
	db := openMigrated(t, filepath.Join(t.TempDir(), "haven.db")).(*sqldb.DB)
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var ids []int64
	err := db.Update(ctx, func(tx haven.Tx) error {
		for i := range 2100 {
			c := &haven.Case{Title: fmt.Sprintf("Case %d", i), Summary: "Compte piraté", Status: haven.StatusOpen,
				Priority: haven.P3, TLP: "amber", Tier: 1, Tags: []string{"routine"}, Categories: []string{},
				CreatedAt: t0, UpdatedAt: t0}
			if i%2 == 1 {
				c.TLP, c.Tags = "red", []string{"sealed"}
			}
			var err error
			if c.Number, err = tx.NextCaseNumber(ctx, 2026); err != nil {
				return err
			}
			if err := tx.InsertCase(ctx, c); err != nil {
				return err
			}
			if err := tx.IndexCase(ctx, c); err != nil {
				return err
			}
			if i%500 < 2 {
				if err := tx.AppendCaseText(ctx, c.ID, "note:1", "Pegasus indicators on the phone"); err != nil {
					return err
				}
			}
			ids = append(ids, c.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	before := searchAll(t, db)
	if err := db.RerunSearchMigration(ctx); err != nil {
		t.Fatal(err)
	}
	after := searchAll(t, db)
	for q, want := range before {
		if !slices.Equal(after[q], want) {
			t.Errorf("%q after the rebuild: %d cases, before: %d", q, len(after[q]), len(want))
		}
	}
	// Notes of the unrestricted cases only (every other case is TLP:RED, its note unindexed).
	if got := after["pegas"]; !slices.Equal(got, []int64{ids[2000], ids[1500], ids[1000], ids[500], ids[0]}) {
		t.Errorf("note words found in %v", got)
	}
	if len(after["piraté"]) != 1050 || len(after["case"]) != 1050 {
		t.Errorf("own text: %d, %d", len(after["piraté"]), len(after["case"]))
	}
}

// searchAll runs a few searches over every page, as a viewer who sees no restricted case.
func searchAll(t *testing.T, db *sqldb.DB) map[string][]int64 {
	t.Helper()
	out := map[string][]int64{}
	for _, q := range []string{"pegas", "piraté", "case", "hv"} {
		var ids []int64
		f := haven.CaseFilter{Text: q, Sort: haven.SortCreated, Limit: 500, Viewer: haven.Viewer{UserID: 0}}
		for {
			var page *haven.CasePage
			if err := db.View(context.Background(), func(tx haven.Tx) error {
				var err error
				page, err = tx.FindCases(context.Background(), f)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			for _, c := range page.Items {
				ids = append(ids, c.ID)
			}
			if page.Next == "" {
				break
			}
			f.Cursor = page.Next
		}
		out[q] = ids
	}
	return out
}
