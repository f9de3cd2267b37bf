package sqldb

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// TestLabelledScanRanges reads the matches of a word that carry a category (SQLite: the
// category's term ANDed in the expression) a few at a time, and checks that the chunks return
// every such match once, newest first, and end; and that the first page sorted by update,
// completed by the recency walk over old cases updated later, is the right one.
func TestLabelledScanRanges(t *testing.T) {
	ctx := context.Background()
	db := openUnlocked(t, filepath.Join(t.TempDir(), "haven.db"))
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var want []int64
	var page []hit // the expected page sorted by update
	err := db.Update(ctx, func(tx haven.Tx) error {
		for i := range 300 {
			updated := t0.Add(time.Duration(i) * time.Minute)
			if i%4 == 1 { // worked on again later: an old id with a newer update
				updated = t0.Add(time.Duration(i+(i*7919)%(301-i)) * time.Minute)
			}
			c := &haven.Case{Title: fmt.Sprintf("Case %d", i), Summary: "routine", Status: haven.StatusOpen, Priority: haven.P3,
				TLP: "amber", Tier: 1, Tags: []string{}, Categories: []string{"other"}, CreatedAt: t0, UpdatedAt: updated}
			if i%2 == 0 {
				c.Summary = "whatsapp account"
			}
			if i%3 != 0 {
				c.Categories = []string{"phishing"}
			}
			if err := insertIndexed(ctx, tx, c); err != nil {
				return err
			}
			if i%2 == 0 && i%3 != 0 {
				want = append(want, c.ID)
				page = append(page, hit{id: c.ID, updated: micros(updated)})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(want)
	if err := db.catchUpSearch(ctx); err != nil { // the scan reads the index itself
		t.Fatal(err)
	}
	err = db.View(ctx, func(htx haven.Tx) error {
		tx := htx.(*Tx)
		s, err := tx.startScan(ctx, []string{"whatsapp"}, []labelFilter{{"c", "phishing"}}, haven.CaseFilter{})
		if err != nil {
			return err
		}
		var got []int64
		for calls := 0; !s.done; calls++ {
			if calls > 64 {
				return fmt.Errorf("the scan did not end")
			}
			ids, err := s.next(ctx, 8) // chunks of 8: the scan goes on where the last stopped
			if err != nil {
				return err
			}
			got = append(got, ids...)
		}
		if !slices.Equal(got, want) {
			t.Errorf("labelled matches %v, want %v", got, want)
		}
		// The first page sorted by update, through the recency walk: its candidates are
		// tested for the label by key (withLabels), their text in the index or in Go.
		f := haven.CaseFilter{Text: "whatsapp", Category: "phishing", Sort: haven.SortUpdated, Limit: 20}
		q, labels, err := tx.textFilters(f)
		if err != nil {
			return err
		}
		order, _, err := caseKeyset(q, f)
		if err != nil {
			return err
		}
		if s, err = tx.startScan(ctx, []string{"whatsapp"}, labels, f); err != nil {
			return err
		}
		ts := &textSearch{tx: tx, s: s, q: q, order: order, sort: haven.SortUpdated, tokens: []string{"whatsapp"}, f: f, want: 21}
		best, err := ts.bestHits(ctx, hit{id: math.MaxInt64, updated: math.MaxInt64})
		if err != nil {
			return err
		}
		if want := topHits(page, haven.SortUpdated, 21); !slices.Equal(best, want) {
			t.Errorf("page by update %v, want %v", best, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// insertIndexed numbers, inserts and indexes a new case.
func insertIndexed(ctx context.Context, tx haven.Tx, c *haven.Case) error {
	var err error
	if c.Number, err = tx.NextCaseNumber(ctx, 2026); err != nil {
		return err
	}
	if err := tx.InsertCase(ctx, c); err != nil {
		return err
	}
	return tx.IndexCase(ctx, c)
}
