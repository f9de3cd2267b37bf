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
	p1             bool
	category, tag  string
	team           string
}

// searchFilter is a filter of testSearchPages besides the text.
type searchFilter struct {
	status   []haven.Status
	priority []haven.Priority
	category string
	tag      string
	team     string
}

// testSearchPages checks the search paths that read the match list newest case first against a
// brute-force answer: common, rare and absent words, prefixes (Latin, three Arabic letters, a
// word longer than the index's prefix lists), words only in notes (blind terms), filters
// (status, priority, team, category, tag), every page through the cursor in both recency orders, old
// cases updated after newer ones (a quarter of them, at a random later time: more than a batch
// of the recency walk), and need-to-know (a hidden case is never returned). 1,200 cases make
// the match list longer than the first chunks read.
func testSearchPages(t *testing.T, s haven.Store) {
	const n = 1200
	var all []*searchCase
	update(t, s, func(tx haven.Tx) error {
		if err := tx.InsertTeam(context.Background(), &haven.Team{Name: "search-team"}); err != nil {
			return err
		}
		for i := range n {
			sc := &searchCase{words: []string{"signal"}, updated: t0.Add(time.Duration(i) * time.Minute)}
			if i%2 == 0 {
				sc.words = append(sc.words, "whatsapp")
			}
			if i%3 == 0 {
				sc.words = append(sc.words, "حسابات")
			}
			if i == 5 || i == 400 || i == 650 || i == 1100 {
				sc.words = append(sc.words, "pegasus", "harcèlement")
			}
			if i%4 == 3 { // reopened or worked on later: an old id with a newer update
				sc.updated = t0.Add(time.Duration(i+(i*7919)%(n-i+1)) * time.Minute)
			}
			sc.closed, sc.hidden, sc.p1 = i%4 == 1, i%50 == 2, i%7 == 0
			c := &haven.Case{Title: fmt.Sprintf("Case %d", i), Summary: fmt.Sprint(sc.words), Status: haven.StatusOpen,
				Priority: haven.P3, TLP: "amber", Tier: 1, Tags: []string{}, Categories: []string{},
				CreatedAt: t0.Add(time.Duration(i) * time.Minute), UpdatedAt: sc.updated}
			if sc.closed {
				c.Status = haven.StatusClosed
			}
			if sc.hidden {
				c.TLP = "red"
			}
			if sc.p1 {
				c.Priority = haven.P1
			}
			if i%5 == 0 {
				sc.category, c.Categories = "phishing", []string{"phishing"}
			}
			if i%9 == 0 {
				sc.tag, c.Tags = "urgent", []string{"urgent"}
			}
			if i%3 == 1 {
				sc.team, c.Team = "search-team", "search-team"
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
			if i%6 == 1 { // a word only in a note: indexed as blind terms
				sc.words = append(sc.words, "stalkerware")
				if err := tx.AppendCaseText(context.Background(), c.ID, "note:1", "Stalkerware found"); err != nil {
					return err
				}
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
		filter searchFilter
	}{
		{"whatsapp", "whatsapp", searchFilter{}},
		{"signal", "signal", searchFilter{}},
		{"sig", "signal", searchFilter{}},
		{"pegasus", "pegasus", searchFilter{}},
		{"harcèlement", "harcèlement", searchFilter{}},
		{"harcelements", "harcèlement", searchFilter{}}, // longer than 8 letters: found by its first 8
		{"nonexistent", "", searchFilter{}},
		{"حسا", "حسابات", searchFilter{}},
		{"الحسابات", "حسابات", searchFilter{}},
		{"stalker", "stalkerware", searchFilter{}},
		{"whatsapp", "whatsapp", searchFilter{status: []haven.Status{haven.StatusClosed}}},
		{"signal", "signal", searchFilter{status: []haven.Status{haven.StatusOpen}}},
		{"signal", "signal", searchFilter{priority: []haven.Priority{haven.P1}}},
		{"stalker", "stalkerware", searchFilter{priority: []haven.Priority{haven.P1}}},
		{"whatsapp", "whatsapp", searchFilter{category: "phishing"}},
		{"حسا", "حسابات", searchFilter{tag: "urgent"}},
		{"signal", "signal", searchFilter{category: "phishing", tag: "urgent"}},
		{"pegasus", "pegasus", searchFilter{category: "phishing"}},
		{"whatsapp", "whatsapp", searchFilter{team: "search-team"}},
	}
	for _, tc := range tests {
		for _, sort := range []haven.CaseSort{haven.SortUpdated, haven.SortCreated} {
			f := haven.CaseFilter{Text: tc.q, Sort: sort, Limit: 20, Status: tc.filter.status, Priority: tc.filter.priority,
				Category: tc.filter.category, Tag: tc.filter.tag, Team: tc.filter.team, Viewer: viewer}
			got := collect(t, s, f)
			var ids []int64
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			want := expectedSearch(all, tc.word, tc.filter, sort)
			if !slices.Equal(ids, want) {
				t.Errorf("search %q %+v by %s: got %d cases %v, want %d %v", tc.q, tc.filter, sort, len(ids), head(ids), len(want), head(want))
			}
			for _, limit := range []int{1000, 100} {
				var n int
				view(t, s, func(tx haven.Tx) error {
					var err error
					n, err = tx.CountCases(ctx, f, limit)
					return err
				})
				if n != min(len(want), limit) {
					t.Errorf("count %q %+v up to %d: %d, want %d", tc.q, tc.filter, limit, n, min(len(want), limit))
				}
			}
		}
	}
}

// expectedSearch is the brute-force answer: visible cases with the word that pass the status
// filters, in the sort's order.
func expectedSearch(all []*searchCase, word string, f searchFilter, sort haven.CaseSort) []int64 {
	var hits []*searchCase
	for _, sc := range all {
		closed, priority := haven.StatusOpen, haven.P3
		if sc.closed {
			closed = haven.StatusClosed
		}
		if sc.p1 {
			priority = haven.P1
		}
		if word == "" || sc.hidden || !slices.Contains(sc.words, word) || len(f.status) > 0 && !slices.Contains(f.status, closed) ||
			len(f.priority) > 0 && !slices.Contains(f.priority, priority) ||
			f.category != "" && sc.category != f.category || f.tag != "" && sc.tag != f.tag || f.team != "" && sc.team != f.team {
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
