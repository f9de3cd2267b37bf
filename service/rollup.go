package service

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/haven-helpline/haven"
)

// rollupDims are the dimensions kept per day; "all" holds the totals (and the time series).
var rollupDims = []string{"all", "category", "country", "language", "channel", "platform", "team", "outcome", "priority", "assignee"}

// refreshBatch bounds the days one refresh recomputes (one transaction).
const refreshBatch = 31

// RefreshRollups recomputes the roll-ups of the days writes marked, a batch at a time, and says
// how many days it did (the job runner calls it every minute; it runs as the system).
//
// The days are claimed before they are recomputed, each in a transaction of its own: a write
// marking a claimed day waits for the claim's commit (on PostgreSQL), which must not last the
// recomputation (a day of intake is thousands of cases), and a claim waits for the writes that
// marked its day, holding no other (a claim holding one day while waiting for a write that then
// marked that day deadlocked with it). A write that marks a day after its claim leaves it on the
// list for the next refresh; should the recomputation fail, its days are marked again.
func (s *Service) RefreshRollups(ctx context.Context) (int, error) {
	days, err := s.claimDays(ctx)
	if err == nil && len(days) > 0 {
		err = s.store.Update(ctx, func(tx haven.Tx) error {
			for _, day := range days {
				if err := recomputeDay(ctx, tx, day); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil && len(days) > 0 {
		again := context.WithoutCancel(ctx)
		return 0, errors.Join(err, s.store.Update(again, func(tx haven.Tx) error {
			return tx.MarkDays(again, days)
		}))
	}
	return len(days), err
}

// claimDays takes up to refreshBatch days off the list, oldest first, one transaction each; a day
// claimed again (marked since its claim) ends the batch.
func (s *Service) claimDays(ctx context.Context) ([]time.Time, error) {
	var days []time.Time
	for len(days) < refreshBatch {
		var claimed []time.Time
		err := s.store.Update(ctx, func(tx haven.Tx) (err error) {
			claimed, err = tx.ClaimDirtyDays(ctx, 1)
			return err
		})
		if err != nil {
			return days, err
		}
		if len(claimed) == 0 || slices.ContainsFunc(days, claimed[0].Equal) {
			break
		}
		days = append(days, claimed[0])
	}
	return days, nil
}

// RebuildRollups recomputes every day from the cases (`haven stats rebuild`).
func (s *Service) RebuildRollups(ctx context.Context) (int, error) {
	var marked int
	err := s.store.Update(ctx, func(tx haven.Tx) (err error) {
		marked, err = tx.MarkAllDays(ctx)
		return err
	})
	for err == nil {
		var n int
		if n, err = s.RefreshRollups(ctx); n == 0 {
			break
		}
	}
	return marked, err
}

// recomputeDay counts the cases opened and closed on day, per dimension's value, with the SLA
// states of the cases opened that day, and stores the facts of those cases (filtered views).
func recomputeDay(ctx context.Context, tx haven.Tx, day time.Time) error {
	end := day.AddDate(0, 0, 1)
	groups := map[[2]string]*caseGroup{}
	var facts []*haven.CaseFact
	err := tx.DayFacts(ctx, day, func(f *haven.CaseFact) {
		facts = append(facts, f)
		if !f.CreatedAt.Before(day) && f.CreatedAt.Before(end) {
			for _, key := range slaKeys(f) {
				dayGroup(groups, "sla", key.String()).row.New++ // counts only: no durations to keep
			}
		}
		for _, dim := range rollupDims {
			for _, key := range rollupKeys(f, dim) {
				dayGroup(groups, dim, key).countDay(f, day, end)
			}
		}
		if f.ClosedAt.IsZero() && !f.CreatedAt.Before(day) && f.CreatedAt.Before(end) {
			dayGroup(groups, "backlog", string(f.Priority)).row.New++ // still open, by the day it was opened
		}
	})
	if err != nil {
		return err
	}
	rows := make([]haven.RollupRow, 0, len(groups))
	for k, g := range groups {
		rows = append(rows, haven.RollupRow{Dim: k[0], Day: day, Key: k[1], Opened: g.row.New, Closed: g.row.Closed,
			FirstResponse: g.first.String(), Resolution: g.res.String()})
	}
	if err := tx.PutRollups(ctx, day, rows); err != nil {
		return err
	}
	return tx.PutDayCaseFacts(ctx, day, facts)
}

func dayGroup(groups map[[2]string]*caseGroup, dim, key string) *caseGroup {
	g := groups[[2]string{dim, key}]
	if g == nil {
		g = newGroup(key)
		groups[[2]string{dim, key}] = g
	}
	return g
}

// countDay adds a case opened or closed in [start, end) (a day, or a period) to a group: its
// counts and its hours to the first response and to resolution.
func (g *caseGroup) countDay(f *haven.CaseFact, start, end time.Time) {
	within := func(at time.Time) bool { return !at.IsZero() && !at.Before(start) && at.Before(end) }
	if within(f.CreatedAt) {
		g.row.New++
		if !f.FirstResponseAt.IsZero() {
			g.first.add(f.FirstResponseAt.Sub(f.CreatedAt).Hours())
		}
	}
	if within(f.ClosedAt) {
		g.row.Closed++
		g.res.add(f.ClosedAt.Sub(f.CreatedAt).Hours())
	}
}

func rollupKeys(f *haven.CaseFact, dim string) []string {
	if dim == "all" {
		return []string{""}
	}
	return dimension(f, dim)
}

// fromRollups runs read over up-to-date roll-ups and reports true, or reports false when q
// cannot be answered from them (a filter, StatsFromCases, a rebuild under way): the caller then
// counts the cases. The days written since the last minute's job are recomputed first.
func (s *Service) fromRollups(ctx context.Context, q haven.CaseStatsQuery, read func(tx haven.Tx) error) (bool, error) {
	if rollupDim(q) == "" {
		return false, nil
	}
	return s.upToDate(ctx, read)
}

// upToDate runs read over up-to-date roll-ups and stored facts and reports true, or false when
// they cannot answer (StatsFromCases, a rebuild under way).
func (s *Service) upToDate(ctx context.Context, read func(tx haven.Tx) error) (bool, error) {
	if s.cfg.StatsFromCases {
		return false, nil
	}
	if _, err := s.RefreshRollups(ctx); err != nil {
		return false, err
	}
	done := false
	err := s.store.View(ctx, func(tx haven.Tx) error {
		pending, err := tx.PendingRollupDays(ctx)
		if err != nil || pending > 0 {
			return err
		}
		done = true
		return read(tx)
	})
	return done, err
}

// rollupDim is the roll-up a query can be answered from ("" when it cannot: filters cut across
// the dimensions, so those queries count the cases themselves).
func rollupDim(q haven.CaseStatsQuery) string {
	if q.Team != "" || q.Category != "" || q.Country != "" {
		return ""
	}
	if q.By == "week" || q.By == "month" {
		return "all"
	}
	return q.By
}

// statsFromRollups answers a query from the roll-ups, then takes away the restricted cases v
// may not see (unless the console asks).
func (s *Service) statsFromRollups(ctx context.Context, tx haven.Tx, q haven.CaseStatsQuery, v haven.Viewer) (*haven.CaseStats, error) {
	panels, err := panelsFromRollups(ctx, tx, q, []string{q.By}, v, nil)
	if err != nil {
		return nil, err
	}
	return panels[0], nil
}

// totals are the "all" roll-ups of a period, read and parsed once for every panel of a
// dashboard: the cases opened and closed before it, and its days.
type totals struct {
	before [2]int
	days   []parsedDay
}

type parsedDay struct {
	day            time.Time
	opened, closed int
	first, res     histogram
}

func loadTotals(ctx context.Context, tx haven.Tx, q haven.CaseStatsQuery) (*totals, error) {
	before, err := tx.RollupsBefore(ctx, "all", q.From)
	if err != nil {
		return nil, err
	}
	t := &totals{before: before[""]}
	err = tx.Rollups(ctx, "all", q.From, q.To, func(r *haven.RollupRow) {
		t.days = append(t.days, parsedDay{day: r.Day, opened: r.Opened, closed: r.Closed,
			first: parseHistogram(r.FirstResponse), res: parseHistogram(r.Resolution)})
	})
	return t, err
}

// fromRollups fills the tally: counts and durations of the period's days, and the cases open
// at each row's end (all opened minus all closed before it).
func (t *caseTally) fromRollups(ctx context.Context, tx haven.Tx, dim string, all *totals) error {
	q := t.q
	t.total.row.Open = all.before[0] - all.before[1]
	for _, b := range t.buckets {
		t.groups[b.key].row.Open = t.total.row.Open
	}
	for i := range all.days {
		t.addTotalDay(&all.days[i])
	}
	if dim == "all" {
		return nil
	}
	before, err := tx.RollupsBefore(ctx, dim, q.From)
	if err != nil {
		return err
	}
	for key, n := range before {
		t.group(key).row.Open = n[0] - n[1]
	}
	return tx.Rollups(ctx, dim, q.From, q.To, t.addRollup)
}

// addRollup adds a dimension's day to its key's row.
func (t *caseTally) addRollup(r *haven.RollupRow) {
	t.group(r.Key).addRollup(r)
}

// addTotalDay adds an "all" day to the total and, for a time series, to its bucket and to the
// open count of every bucket ending after it.
func (t *caseTally) addTotalDay(d *parsedDay) {
	g := &t.total
	g.row.New, g.row.Closed, g.row.Open = g.row.New+d.opened, g.row.Closed+d.closed, g.row.Open+d.opened-d.closed
	g.first.merge(d.first, 1)
	g.res.merge(d.res, 1)
	for _, b := range t.buckets {
		if !d.day.Before(b.start) && d.day.Before(b.end) {
			bg := t.groups[b.key]
			bg.row.New, bg.row.Closed = bg.row.New+d.opened, bg.row.Closed+d.closed
			bg.first.merge(d.first, 1)
			bg.res.merge(d.res, 1)
		}
		if d.day.Before(b.end) {
			t.groups[b.key].row.Open += d.opened - d.closed
		}
	}
}

func (g *caseGroup) addRollup(r *haven.RollupRow) {
	g.row.New, g.row.Closed, g.row.Open = g.row.New+r.Opened, g.row.Closed+r.Closed, g.row.Open+r.Opened-r.Closed
	g.first.addStored(r.FirstResponse)
	g.res.addStored(r.Resolution)
}

// subtract takes another tally's rows away, row by row.
func (t *caseTally) subtract(o *caseTally) {
	t.total.subtract(&o.total)
	for key, g := range o.groups {
		t.group(key).subtract(g)
	}
}
