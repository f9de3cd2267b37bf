package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// searchCase is what testSearchPages knows of a generated case, to work out the expected pages.
type searchCase struct {
	id             int64
	words          []string
	updated        time.Time
	closed, hidden bool
}

// testSearchPages checks the search paths that read the match list newest case first against a
// brute-force answer: common, rare and absent words, prefixes (Latin, three Arabic letters, a
// word longer than the index's prefix lists), filters, every page through the cursor in both
// recency orders, old cases updated after newer ones, and need-to-know (a hidden case is never
// returned). 700 cases make the match list longer than the first chunks read.
func testSearchPages(t *testing.T, s haven.Store) {
	var all []*searchCase
	update(t, s, func(tx haven.Tx) error {
		for i := range 700 {
			sc := &searchCase{words: []string{"signal"}, updated: t0.Add(time.Duration(i) * time.Minute)}
			if i%2 == 0 {
				sc.words = append(sc.words, "whatsapp")
			}
			if i%3 == 0 {
				sc.words = append(sc.words, "حسابات")
			}
			if i == 5 || i == 400 || i == 650 {
				sc.words = append(sc.words, "pegasus", "harcèlement")
			}
			if i%40 == 10 { // reopened long after: an old id with the newest update
				sc.updated = t0.Add(time.Duration(2000-i) * time.Minute)
			}
			sc.closed, sc.hidden = i%4 == 1, i%50 == 2
			c := &haven.Case{Title: fmt.Sprintf("Case %d", i), Summary: fmt.Sprint(sc.words), Status: haven.StatusOpen,
				Priority: haven.P3, TLP: "amber", Tier: 1, Tags: []string{}, Categories: []string{},
				CreatedAt: t0.Add(time.Duration(i) * time.Minute), UpdatedAt: sc.updated}
			if sc.closed {
				c.Status = haven.StatusClosed
			}
			if sc.hidden {
				c.TLP = "red"
			}
			var err error
			if c.Number, err = tx.NextCaseNumber(context.Background(), 2026); err != nil {
				return err
			}
			if err := tx.InsertCase(context.Background(), c); err != nil {
				return err
			}
			if err := tx.IndexCase(context.Background(), c); err != nil {
				return err
			}
			sc.id = c.ID
			all = append(all, sc)
		}
		return nil
	})
	viewer := haven.Viewer{UserID: 0, Now: t0}
	tests := []struct {
		q      string
		word   string // the word of the expected matches
		status []haven.Status
	}{
		{"whatsapp", "whatsapp", nil},
		{"signal", "signal", nil},
		{"sig", "signal", nil},
		{"pegasus", "pegasus", nil},
		{"harcèlement", "harcèlement", nil},
		{"harcelements", "harcèlement", nil}, // longer than 8 letters: found by its first 8
		{"nonexistent", "", nil},
		{"حسا", "حسابات", nil},
		{"الحسابات", "حسابات", nil},
		{"whatsapp", "whatsapp", []haven.Status{haven.StatusClosed}},
		{"signal", "signal", []haven.Status{haven.StatusOpen}},
	}
	for _, tc := range tests {
		for _, sort := range []haven.CaseSort{haven.SortUpdated, haven.SortCreated} {
			f := haven.CaseFilter{Text: tc.q, Sort: sort, Limit: 20, Status: tc.status, Viewer: viewer}
			got := collect(t, s, f)
			var ids []int64
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			want := expectedSearch(all, tc.word, tc.status, sort)
			if !slices.Equal(ids, want) {
				t.Errorf("search %q %v by %s: got %d cases %v, want %d %v", tc.q, tc.status, sort, len(ids), head(ids), len(want), head(want))
			}
			for _, limit := range []int{1000, 100} {
				var n int
				view(t, s, func(tx haven.Tx) error {
					var err error
					n, err = tx.CountCases(ctx, f, limit)
					return err
				})
				if n != min(len(want), limit) {
					t.Errorf("count %q %v up to %d: %d, want %d", tc.q, tc.status, limit, n, min(len(want), limit))
				}
			}
		}
	}
}

// expectedSearch is the brute-force answer: visible cases with the word that pass the status
// filter, in the sort's order.
func expectedSearch(all []*searchCase, word string, status []haven.Status, sort haven.CaseSort) []int64 {
	var hits []*searchCase
	for _, sc := range all {
		closed := haven.StatusOpen
		if sc.closed {
			closed = haven.StatusClosed
		}
		if word == "" || sc.hidden || !slices.Contains(sc.words, word) || len(status) > 0 && !slices.Contains(status, closed) {
			continue
		}
		hits = append(hits, sc)
	}
	slices.SortFunc(hits, func(a, b *searchCase) int {
		if sort == haven.SortUpdated && !a.updated.Equal(b.updated) {
			return b.updated.Compare(a.updated)
		}
		return cmpInt(b.id, a.id)
	})
	var ids []int64
	for _, h := range hits {
		ids = append(ids, h.id)
	}
	return ids
}

func head(ids []int64) []int64 { return ids[:min(len(ids), 8)] }
