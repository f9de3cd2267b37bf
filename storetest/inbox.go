package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// testCasePagesBothWays walks every sort's pages forwards, then back from the last page with
// Prev: each page read backwards must be the same page, in the same order, and the first page
// must say it is the first. A case's due_sort is its most urgent running clock, the next
// update's included.
func testCasePagesBothWays(t *testing.T, s haven.Store) {
	for i := 0; i < 23; i++ {
		newCase(t, s, "paged", func(c *haven.Case) {
			c.Priority = haven.PriorityFromRank(i%4 + 1)
			c.UpdatedAt = t0.Add(time.Duration(i%5) * time.Minute) // ties on purpose
			if i%3 == 0 {
				d := t0.Add(time.Duration(30-i) * time.Hour)
				c.ResolutionDue = &d
			}
			if i%4 == 1 {
				d := t0.Add(time.Duration(i) * time.Minute)
				c.NextUpdateDue = &d
			}
		})
	}
	for _, sort := range []haven.CaseSort{haven.SortUpdated, haven.SortPriority, haven.SortDue, haven.SortCreated} {
		var pages [][]*haven.Case
		var last *haven.CasePage
		f := haven.CaseFilter{Sort: sort, Limit: 5}
		for {
			last = findPage(t, s, f)
			pages = append(pages, last.Items)
			if (f.Cursor == "") != (last.Prev == "") {
				t.Fatalf("sort %s page %d: prev %q, want one on every page but the first", sort, len(pages), last.Prev)
			}
			if last.Next == "" {
				break
			}
			f.Cursor = last.Next
		}
		for i := len(pages) - 2; i >= 0; i-- {
			f.Cursor = last.Prev
			last = findPage(t, s, f)
			if !slices.Equal(numbers(last.Items), numbers(pages[i])) {
				t.Fatalf("sort %s: page %d read backwards is %v, forwards %v", sort, i+1, numbers(last.Items), numbers(pages[i]))
			}
			if (i == 0) != (last.Prev == "") || last.Next == "" {
				t.Fatalf("sort %s: page %d read backwards has prev %q next %q", sort, i+1, last.Prev, last.Next)
			}
		}
	}
	due := findPage(t, s, haven.CaseFilter{Sort: haven.SortDue, Limit: 50}).Items
	for i := 1; i < len(due); i++ {
		a, b := due[i-1].DueAt(), due[i].DueAt()
		if a == nil && b != nil || a != nil && b != nil && a.After(*b) {
			t.Fatalf("sorted by due, %s (%v) comes before %s (%v)", due[i-1].Number, a, due[i].Number, b)
		}
	}
	if first := due[0]; first.NextUpdateDue == nil || !first.DueAt().Equal(*first.NextUpdateDue) {
		t.Fatalf("the most urgent case is %s, due %v; want one whose next update is due first (stored and read back)", first.Number, first.DueAt())
	}
}

func findPage(t *testing.T, s haven.Store, f haven.CaseFilter) *haven.CasePage {
	t.Helper()
	var page *haven.CasePage
	view(t, s, func(tx haven.Tx) error {
		var err error
		page, err = tx.FindCases(ctx, f)
		return err
	})
	return page
}

func numbers(cs []*haven.Case) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Number
	}
	return out
}

// testSavedViewRename: a user renames their own view; a name they already use is a conflict,
// and another user's view is not found.
func testSavedViewRename(t *testing.T, s haven.Store) {
	var ana, ben int64
	views := map[string]*haven.SavedView{}
	update(t, s, func(tx haven.Tx) error {
		for _, u := range []*haven.User{{Username: "ana"}, {Username: "ben"}} {
			u.Role, u.PasswordHash, u.CreatedAt = haven.RoleHandler, "x", t0
			if err := tx.InsertUser(ctx, u); err != nil {
				return err
			}
		}
		a, err := tx.UserByUsername(ctx, "ana")
		if err != nil {
			return err
		}
		b, err := tx.UserByUsername(ctx, "ben")
		if err != nil {
			return err
		}
		ana, ben = a.ID, b.ID
		for _, v := range []*haven.SavedView{{UserID: ana, Name: "urgent"}, {UserID: ana, Name: "mine"}, {UserID: ben, Name: "bens"}} {
			v.Query, v.CreatedAt = "queue=open", t0
			if err := tx.InsertSavedView(ctx, v); err != nil {
				return err
			}
			views[v.Name] = v
		}
		return nil
	})
	update(t, s, func(tx haven.Tx) error { return tx.RenameSavedView(ctx, ana, views["urgent"].ID, "P1 first") })
	rename := func(user, id int64, name string) error {
		return s.Update(ctx, func(tx haven.Tx) error { return tx.RenameSavedView(ctx, user, id, name) })
	}
	wantCode(t, rename(ana, views["urgent"].ID, "mine"), haven.ECONFLICT)
	wantCode(t, rename(ana, views["bens"].ID, "stolen"), haven.ENOTFOUND)
	wantCode(t, rename(ben, views["mine"].ID, "stolen"), haven.ENOTFOUND)
	var names []string
	view(t, s, func(tx haven.Tx) error {
		got, err := tx.UserSavedViews(ctx, ana)
		for _, v := range got {
			names = append(names, v.Name)
		}
		return err
	})
	slices.Sort(names) // the order of names is the database's collation
	if !slices.Equal(names, []string{"P1 first", "mine"}) {
		t.Fatalf("ana's views: %q", names)
	}
}
