package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

var ctx = context.Background()

func testCaseRoundTrip(t *testing.T, s haven.Store) {
	due := t0.Add(2 * time.Hour)
	update(t, s, func(tx haven.Tx) error {
		if err := tx.InsertUser(ctx, &haven.User{Username: "alice", Role: haven.RoleHandler, PasswordHash: "x", CreatedAt: t0}); err != nil {
			return err
		}
		return tx.InsertTeam(ctx, &haven.Team{Name: "mena"})
	})
	c := newCase(t, s, "Compte piraté", func(c *haven.Case) {
		c.Summary, c.Priority, c.Tags, c.Categories = "résumé", haven.P1, []string{"gmail", "journalist"}, []string{"phishing"}
		c.Language, c.Country, c.Assignee, c.Team, c.TLP = "fr", "SN", "alice", "mena", "red"
		c.Consent = haven.Consent{Contact: true}
		c.FirstResponseDue = &due
	})
	if c.ID == 0 || c.Number != "HV-2026-000001" || c.Version != 1 {
		t.Fatalf("inserted case: id %d number %s version %d", c.ID, c.Number, c.Version)
	}
	var got *haven.Case
	view(t, s, func(tx haven.Tx) error {
		var err error
		got, err = tx.CaseByNumber(ctx, c.Number)
		return err
	})
	if got.Title != c.Title || got.Priority != haven.P1 || got.Assignee != "alice" || got.Team != "mena" ||
		!slices.Equal(got.Tags, c.Tags) || !slices.Equal(got.Categories, c.Categories) || got.TLP != "red" ||
		!got.Consent.Contact || got.FirstResponseDue == nil || !got.FirstResponseDue.Equal(due) || !got.CreatedAt.Equal(t0) {
		t.Fatalf("round trip mismatch:\n got %+v\nwant %+v", got, c)
	}
	view(t, s, func(tx haven.Tx) error {
		_, err := tx.CaseByNumber(ctx, "HV-2026-999999")
		wantCode(t, err, haven.ENOTFOUND)
		return nil
	})
}

func testCaseVersionConflict(t *testing.T, s haven.Store) {
	c := newCase(t, s, "one", nil)
	stale := *c
	c.Title = "two"
	update(t, s, func(tx haven.Tx) error { return tx.UpdateCase(ctx, c) })
	if c.Version != 2 {
		t.Fatalf("version after update = %d, want 2", c.Version)
	}
	stale.Title = "lost update"
	err := s.Update(ctx, func(tx haven.Tx) error { return tx.UpdateCase(ctx, &stale) })
	wantCode(t, err, haven.ECONFLICT)
}

// testCaseNumbersConcurrent creates 200 cases from 16 goroutines: every number must be unique
// and every case must be there.
func testCaseNumbersConcurrent(t *testing.T, s haven.Store) {
	createConcurrently(t, s, 2026, 16, 200)
}

// testCaseNumbersNewYear numbers the first cases of a new year from more goroutines than a
// connection pool holds: whatever starts the year's numbering must not wait for a connection
// that the other transactions hold.
func testCaseNumbersNewYear(t *testing.T, s haven.Store) {
	createConcurrently(t, s, 2031, 64, 256)
}

func createConcurrently(t *testing.T, s haven.Store, year, workers, total int) {
	var wg sync.WaitGroup
	errs := make(chan error, total)
	numbers := make(chan string, total)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < total; i += workers {
				c := &haven.Case{Title: fmt.Sprintf("case %d", i), Status: haven.StatusNew, Priority: haven.P4,
					TLP: "amber", Tier: 1, CreatedAt: t0, UpdatedAt: t0}
				errs <- s.Update(ctx, func(tx haven.Tx) error {
					var err error
					if c.Number, err = tx.NextCaseNumber(ctx, year); err != nil {
						return err
					}
					return tx.InsertCase(ctx, c)
				})
				numbers <- c.Number
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	close(numbers)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent create: %v", err)
		}
	}
	seen := map[string]bool{}
	for n := range numbers {
		if seen[n] || !haven.ValidCaseNumber(n) {
			t.Fatalf("number %q duplicated or malformed", n)
		}
		seen[n] = true
	}
	var page *haven.CasePage
	view(t, s, func(tx haven.Tx) error {
		var err error
		page, err = tx.FindCases(ctx, haven.CaseFilter{Sort: haven.SortCreated, Limit: 500})
		return err
	})
	if len(seen) != total || len(page.Items) != total {
		t.Fatalf("got %d numbers and %d stored cases, want %d", len(seen), len(page.Items), total)
	}
}

func testCaseFiltersAndPages(t *testing.T, s haven.Store) {
	update(t, s, func(tx haven.Tx) error {
		return tx.InsertUser(ctx, &haven.User{Username: "bob", Role: haven.RoleHandler, PasswordHash: "x", CreatedAt: t0})
	})
	for i := 0; i < 25; i++ {
		newCase(t, s, fmt.Sprintf("case %02d", i), func(c *haven.Case) {
			c.Priority = haven.PriorityFromRank(i%4 + 1)
			c.UpdatedAt = t0.Add(time.Duration(i%7) * time.Minute) // ties on purpose
			if i%3 == 0 {
				c.Assignee, c.Tags, c.Status = "bob", []string{"whatsapp"}, haven.StatusOpen
			}
			if i%5 == 0 {
				d := t0.Add(time.Duration(25-i) * time.Hour)
				c.ResolutionDue = &d
			}
		})
	}
	for _, sort := range []haven.CaseSort{haven.SortUpdated, haven.SortPriority, haven.SortDue, haven.SortCreated} {
		all := collect(t, s, haven.CaseFilter{Sort: sort, Limit: 4})
		if len(all) != 25 || len(uniqueIDs(all)) != 25 {
			t.Fatalf("sort %s: paged through %d cases (%d unique), want 25", sort, len(all), len(uniqueIDs(all)))
		}
		if !sorted(all, sort) {
			t.Fatalf("sort %s: pages out of order", sort)
		}
	}
	bobs := collect(t, s, haven.CaseFilter{Assignee: "bob", Tag: "whatsapp", Status: []haven.Status{haven.StatusOpen}, Sort: haven.SortUpdated, Limit: 3})
	if len(bobs) != 9 {
		t.Fatalf("bob's open whatsapp cases: %d, want 9", len(bobs))
	}
	p1 := collect(t, s, haven.CaseFilter{Priority: []haven.Priority{haven.P1}, Assignee: "none", Sort: haven.SortUpdated, Limit: 50})
	for _, c := range p1 {
		if c.Priority != haven.P1 || c.Assignee != "" {
			t.Fatalf("filter leaked %s %s %q", c.Number, c.Priority, c.Assignee)
		}
	}
	err := s.View(ctx, func(tx haven.Tx) error {
		_, err := tx.FindCases(ctx, haven.CaseFilter{Sort: haven.SortDue, Limit: 5, Cursor: "garbage"})
		return err
	})
	wantCode(t, err, haven.EINVALID)
}

func collect(t testing.TB, s haven.Store, f haven.CaseFilter) []*haven.Case {
	t.Helper()
	var all []*haven.Case
	for pages := 0; pages < 100; pages++ {
		var page *haven.CasePage
		view(t, s, func(tx haven.Tx) error {
			var err error
			page, err = tx.FindCases(ctx, f)
			return err
		})
		all = append(all, page.Items...)
		if page.Next == "" {
			return all
		}
		f.Cursor = page.Next
	}
	t.Fatal("pagination does not end")
	return nil
}

func uniqueIDs(cs []*haven.Case) map[int64]bool {
	m := map[int64]bool{}
	for _, c := range cs {
		m[c.ID] = true
	}
	return m
}

func sorted(cs []*haven.Case, sort haven.CaseSort) bool {
	return slices.IsSortedFunc(cs, func(a, b *haven.Case) int {
		switch sort {
		case haven.SortPriority:
			if a.Priority.Rank() != b.Priority.Rank() {
				return a.Priority.Rank() - b.Priority.Rank()
			}
		case haven.SortDue:
			da, db := dueKey(a), dueKey(b)
			if da != db {
				return cmpInt(da, db)
			}
			return cmpInt(a.ID, b.ID)
		case haven.SortCreated:
			return cmpInt(b.ID, a.ID)
		}
		if !a.UpdatedAt.Equal(b.UpdatedAt) {
			return b.UpdatedAt.Compare(a.UpdatedAt)
		}
		return cmpInt(b.ID, a.ID)
	})
}

func dueKey(c *haven.Case) int64 {
	if d := c.DueAt(); d != nil {
		return d.UnixMicro()
	}
	return 1 << 62
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func testSearch(t *testing.T, s haven.Store) {
	cases := map[string]*haven.Case{
		"ar1": newCase(t, s, "اختراق الحساب على الفيسبوك", nil),
		"ar2": newCase(t, s, "تسريب حسابات صحفية", nil),
		"ar3": newCase(t, s, "سرقة الحسابات بعد رسالة تصيّد", nil),
		"fr":  newCase(t, s, "Hameçonnage d'une journaliste", func(c *haven.Case) { c.Summary = "Le compte Gmail a été piraté" }),
		"en":  newCase(t, s, "Spyware suspected", nil),
	}
	update(t, s, func(tx haven.Tx) error {
		return tx.AppendCaseText(ctx, cases["en"].ID, "note:1", "Pegasus indicators found on the phone")
	})
	tests := []struct {
		q    string
		want []string
	}{
		{"حساب", []string{"ar1", "ar2", "ar3"}},
		{"فيسبوك", []string{"ar1"}},
		{"الحسابات", []string{"ar2", "ar3"}},
		{"تصيد", []string{"ar3"}},
		{"hameconnage", []string{"fr"}},
		{"PIRATÉ gmail", []string{"fr"}},
		{"pegas", []string{"en"}},
		{"spyware pegasus", []string{"en"}},
		{"spyware gmail", nil},
		{"le", []string{"fr"}}, // two letters: whole words only
		{"gm", nil},            // …so no prefix expansion to "gmail"
	}
	for _, tc := range tests {
		got := collect(t, s, haven.CaseFilter{Text: tc.q, Sort: haven.SortCreated, Limit: 50})
		var ids []int64
		for _, c := range got {
			ids = append(ids, c.ID)
		}
		var want []int64
		for _, k := range tc.want {
			want = append(want, cases[k].ID)
		}
		slices.Sort(ids)
		slices.Sort(want)
		if !slices.Equal(ids, want) {
			t.Errorf("search %q: got case ids %v, want %v", tc.q, ids, want)
		}
	}
	c := cases["ar1"]
	c.Title = "Compte récupéré"
	update(t, s, func(tx haven.Tx) error {
		if err := tx.UpdateCase(ctx, c); err != nil {
			return err
		}
		return tx.IndexCase(ctx, c)
	})
	if got := collect(t, s, haven.CaseFilter{Text: "فيسبوك", Sort: haven.SortUpdated, Limit: 10}); len(got) != 0 {
		t.Errorf("re-indexed case still found by its old title")
	}
}

func testRollback(t *testing.T, s haven.Store) {
	err := s.Update(ctx, func(tx haven.Tx) error {
		c := &haven.Case{Number: "HV-2026-000777", Title: "half", Status: haven.StatusNew, Priority: haven.P2,
			TLP: "amber", Tier: 1, CreatedAt: t0, UpdatedAt: t0}
		if err := tx.InsertCase(ctx, c); err != nil {
			return err
		}
		return haven.Errorf(haven.EINVALID, "fail after the insert")
	})
	wantCode(t, err, haven.EINVALID)
	view(t, s, func(tx haven.Tx) error {
		_, err := tx.CaseByNumber(ctx, "HV-2026-000777")
		wantCode(t, err, haven.ENOTFOUND)
		return nil
	})
}
