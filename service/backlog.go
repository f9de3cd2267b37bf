package service

import (
	"context"
	"time"

	"github.com/haven-helpline/haven"
)

// Backlog counts the cases open now, by priority and age, among those the reader may see: from
// the roll-ups (each day keeps how many of the cases opened that day are still open) unless a
// filter asks for the cases themselves.
func (s *Service) Backlog(ctx context.Context, q haven.CaseStatsQuery) (*haven.Backlog, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	q.Console, q.From, q.To, q.By = false, now, now.Add(time.Microsecond), "priority"
	b := newBacklog(now)
	done, err := s.fromRollups(ctx, q, func(tx haven.Tx) error {
		if err := tx.Rollups(ctx, "backlog", time.Unix(0, 0), now.AddDate(0, 0, 1), func(r *haven.RollupRow) {
			b.add(haven.Priority(r.Key), r.Day, r.Opened)
		}); err != nil {
			return err
		}
		return tx.HiddenCaseFacts(ctx, q, s.viewer(u), func(f *haven.CaseFact) { b.addOpen(f, -1) })
	})
	if err != nil || done {
		return b.result(), err
	}
	err = s.store.View(ctx, func(tx haven.Tx) error {
		return tx.CaseFacts(ctx, q, s.viewer(u), func(f *haven.CaseFact) { b.addOpen(f, 1) })
	})
	return b.result(), err
}

// backlog tallies open cases by priority and age bracket.
type backlog struct {
	now    time.Time
	counts map[haven.Priority][]int
}

func newBacklog(now time.Time) *backlog {
	b := &backlog{now: now, counts: map[haven.Priority][]int{}}
	for _, p := range []haven.Priority{haven.P1, haven.P2, haven.P3, haven.P4} {
		b.counts[p] = make([]int, len(haven.BacklogAges)+1)
	}
	return b
}

// add counts n cases of priority p opened on day (ages are counted in whole days).
func (b *backlog) add(p haven.Priority, day time.Time, n int) {
	c, ok := b.counts[p]
	if !ok {
		return
	}
	age := int(b.now.Sub(day).Hours() / 24)
	i := 0
	for i < len(haven.BacklogAges) && age > haven.BacklogAges[i] {
		i++
	}
	c[i] += n
}

// addOpen counts (sign 1) or takes away (sign -1) a case when it is open.
func (b *backlog) addOpen(f *haven.CaseFact, sign int) {
	if f.ClosedAt.IsZero() {
		day := time.Date(f.CreatedAt.Year(), f.CreatedAt.Month(), f.CreatedAt.Day(), 0, 0, 0, 0, time.UTC)
		b.add(f.Priority, day, sign)
	}
}

func (b *backlog) result() *haven.Backlog {
	out := &haven.Backlog{At: b.now.Format(time.DateOnly), Rows: []haven.BacklogRow{}}
	for _, p := range []haven.Priority{haven.P1, haven.P2, haven.P3, haven.P4} {
		row := haven.BacklogRow{Priority: p, Counts: b.counts[p]}
		for _, n := range row.Counts {
			row.Total += n
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}
