package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// testCaseOrderReversed: every sort read the other way (CaseFilter.Reverse) lists exactly the
// usual order backwards, page after page and back again with Prev, text searches included; a
// cursor of one direction is refused by the other.
func testCaseOrderReversed(t *testing.T, s haven.Store) {
	for i := 0; i < 23; i++ {
		newCase(t, s, "turned", func(c *haven.Case) {
			c.Priority = haven.PriorityFromRank(i%4 + 1)
			c.UpdatedAt = t0.Add(time.Duration(i%5) * time.Minute) // ties on purpose
			if i%3 == 0 {
				d := t0.Add(time.Duration(30-i) * time.Hour)
				c.ResolutionDue = &d
			}
		})
	}
	for _, text := range []string{"", "turned"} {
		for _, sort := range []haven.CaseSort{haven.SortUpdated, haven.SortPriority, haven.SortDue, haven.SortCreated} {
			usual := numbers(collect(t, s, haven.CaseFilter{Sort: sort, Text: text, Limit: 50}))
			f := haven.CaseFilter{Sort: sort, Text: text, Reverse: true, Limit: 5}
			var pages [][]string
			last := findPage(t, s, f)
			pages = append(pages, numbers(last.Items))
			for last.Next != "" {
				f.Cursor = last.Next
				last = findPage(t, s, f)
				pages = append(pages, numbers(last.Items))
			}
			want := slices.Clone(usual)
			slices.Reverse(want)
			if got := slices.Concat(pages...); len(usual) != 23 || !slices.Equal(got, want) {
				t.Fatalf("sort %s %q reversed: %v, want %v", sort, text, got, want)
			}
			for i := len(pages) - 2; i >= 0; i-- {
				f.Cursor = last.Prev
				last = findPage(t, s, f)
				if !slices.Equal(numbers(last.Items), pages[i]) {
					t.Fatalf("sort %s %q reversed: page %d read backwards is %v, forwards %v", sort, text, i+1, numbers(last.Items), pages[i])
				}
			}
		}
	}
	forward := findPage(t, s, haven.CaseFilter{Sort: haven.SortPriority, Limit: 5})
	err := s.View(ctx, func(tx haven.Tx) error {
		_, err := tx.FindCases(ctx, haven.CaseFilter{Sort: haven.SortPriority, Reverse: true, Limit: 5, Cursor: forward.Next})
		return err
	})
	wantCode(t, err, haven.EINVALID)
}
