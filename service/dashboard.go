package service

import (
	"context"
	"strings"

	"github.com/haven-helpline/haven"
)

// Dashboard answers several groupings of one query, the backlog, and the SLA and escalation
// figures at once: one refresh of the roll-ups, one transaction, the restricted cases the reader
// may not see read once for all. A whole dashboard comes from the per-day roll-ups, a filtered
// one from the stored per-case facts, both up to date; else (StatsFromCases, a rebuild under
// way) the cases themselves are counted.
func (s *Service) Dashboard(ctx context.Context, q haven.CaseStatsQuery, bys []string) (*haven.Dashboard, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	q = q.WithDefaults(s.clock.Now())
	q.Console = false
	v := s.viewer(u)
	out := &haven.Dashboard{}
	if out.Backlog, err = s.Backlog(ctx, q); err != nil {
		return nil, err
	}
	sla := slaFigures{}
	read := func(tx haven.Tx) (err error) {
		out.Panels, err = panelsFromRollups(ctx, tx, q, bys, v, sla)
		return err
	}
	if filtered(q) {
		read = func(tx haven.Tx) (err error) {
			out.Panels, err = panelsFromStored(ctx, tx, q, bys, v, sla)
			return err
		}
	}
	done, err := s.upToDate(ctx, read)
	if err == nil && !done {
		out.Panels, err = s.panelsFromFacts(ctx, q, bys, v, sla)
	}
	if err != nil {
		return nil, err
	}
	out.SLA = sla.rows()
	out.Escalations, err = s.dashboardEscalations(ctx, q, v)
	return out, err
}

func filtered(q haven.CaseStatsQuery) bool {
	return q.Team != "" || q.Category != "" || q.Country != ""
}

// newTallies makes a tally per grouping.
func newTallies(q haven.CaseStatsQuery, bys []string) []*caseTally {
	tallies := make([]*caseTally, len(bys))
	for i, by := range bys {
		pq := q
		pq.By = by
		tallies[i] = newCaseTally(pq)
	}
	return tallies
}

// adder counts a fact in every tally's rows and in the SLA figures; the totals, the same in
// every tally, are counted in the first only (results copies them), a third of the work.
func adder(q haven.CaseStatsQuery, tallies []*caseTally, sla slaFigures, sign int) func(*haven.CaseFact) {
	return func(f *haven.CaseFact) {
		for i, t := range tallies {
			if i == 0 {
				t.total.count(f, t.q.From, t.q.To)
			}
			t.addRows(f)
		}
		sla.add(q, f, sign)
	}
}

// shareTotal gives every tally the first one's total (see adder).
func shareTotal(tallies []*caseTally) {
	for _, t := range tallies[min(1, len(tallies)):] {
		t.total = *tallies[0].total.clone()
	}
}

func results(tallies []*caseTally) []*haven.CaseStats {
	out := make([]*haven.CaseStats, len(tallies))
	for i, t := range tallies {
		out[i] = t.result()
	}
	return out
}

// panelsFromFacts counts the cases themselves in one pass for every grouping.
func (s *Service) panelsFromFacts(ctx context.Context, q haven.CaseStatsQuery, bys []string, v haven.Viewer, sla slaFigures) ([]*haven.CaseStats, error) {
	tallies := newTallies(q, bys)
	fq := q
	fq.By = "platform" // the facts with their platforms, which one grouping needs
	err := s.store.View(ctx, func(tx haven.Tx) error {
		return tx.CaseFacts(ctx, fq, v, adder(q, tallies, sla, 1))
	})
	if err != nil {
		return nil, err
	}
	shareTotal(tallies)
	return results(tallies), nil
}

// panelsFromStored counts a filtered view from the stored facts (one range of the filter's
// index, a narrow row per case), taking away the restricted cases v may not see.
func panelsFromStored(ctx context.Context, tx haven.Tx, q haven.CaseStatsQuery, bys []string, v haven.Viewer, sla slaFigures) ([]*haven.CaseStats, error) {
	tallies, hidden := newTallies(q, bys), newTallies(q, bys)
	if err := tx.StoredCaseFacts(ctx, q, v, false, adder(q, tallies, sla, 1)); err != nil {
		return nil, err
	}
	if !q.Console {
		if err := tx.StoredCaseFacts(ctx, q, v, true, adder(q, hidden, sla, -1)); err != nil {
			return nil, err
		}
	}
	shareTotal(tallies)
	shareTotal(hidden)
	for i, t := range tallies {
		t.subtract(hidden[i])
	}
	return results(tallies), nil
}

// panelsFromRollups answers each grouping from the roll-ups, taking away the hidden cases read
// once (with their platforms, which one grouping needs).
func panelsFromRollups(ctx context.Context, tx haven.Tx, q haven.CaseStatsQuery, bys []string, v haven.Viewer, sla slaFigures) ([]*haven.CaseStats, error) {
	tallies, hidden := make([]*caseTally, len(bys)), make([]*caseTally, len(bys))
	for i, by := range bys {
		pq := q
		pq.By = by
		if rollupDim(pq) == "" {
			return nil, haven.Errorf(haven.EINVALID, "no such grouping: %s", by)
		}
		tallies[i], hidden[i] = newCaseTally(pq), newCaseTally(pq)
	}
	if !q.Console { // the console counts every case: nothing to take away
		hq := q
		hq.By = "platform"
		if err := tx.HiddenCaseFacts(ctx, hq, v, adder(q, hidden, sla, -1)); err != nil {
			return nil, err
		}
		shareTotal(hidden)
	}
	if sla != nil {
		if err := tx.Rollups(ctx, "sla", q.From, q.To, func(r *haven.RollupRow) { sla.addKey(r.Key, r.Opened) }); err != nil {
			return nil, err
		}
	}
	all, err := loadTotals(ctx, tx, q)
	if err != nil {
		return nil, err
	}
	out := make([]*haven.CaseStats, len(bys))
	for i, t := range tallies {
		if err := t.fromRollups(ctx, tx, rollupDim(t.q), all); err != nil {
			return nil, err
		}
		t.subtract(hidden[i])
		out[i] = t.result()
	}
	return out, nil
}

// slaFigures counts the SLA targets of the period's new cases by priority, target and state
// (nil: not asked).
type slaFigures map[slaKey]int

// slaKey is one count of the SLA figures: a priority, a target and a state. In the roll-ups it
// is written "P1/first_response/met".
type slaKey struct{ priority, target, state string }

func (k slaKey) String() string { return k.priority + "/" + k.target + "/" + k.state }

// slaKeys are a case's SLA figures (none without a priority or a clock).
func slaKeys(f *haven.CaseFact) []slaKey {
	var keys []slaKey
	for _, k := range [2][2]string{{haven.TargetFirstResponse, f.SLAFirstResponse}, {haven.TargetResolution, f.SLAResolution}} {
		if k[1] != "" && f.Priority != "" {
			keys = append(keys, slaKey{string(f.Priority), k[0], k[1]})
		}
	}
	return keys
}

// add counts a case opened in the period (sign -1 takes a hidden one away).
func (t slaFigures) add(q haven.CaseStatsQuery, f *haven.CaseFact, sign int) {
	if t == nil || f.CreatedAt.Before(q.From) || !f.CreatedAt.Before(q.To) {
		return
	}
	for _, key := range slaKeys(f) {
		t[key] += sign
	}
}

// addKey adds a roll-up row's count.
func (t slaFigures) addKey(key string, n int) {
	if p := strings.Split(key, "/"); len(p) == 3 {
		t[slaKey{p[0], p[1], p[2]}] += n
	}
}

// rows are the figures of every priority, P1 first.
func (t slaFigures) rows() []haven.DashboardSLARow {
	out := make([]haven.DashboardSLARow, 0, 4)
	for _, p := range []haven.Priority{haven.P1, haven.P2, haven.P3, haven.P4} {
		r := haven.DashboardSLARow{Priority: p}
		for _, c := range []struct {
			target string
			counts *haven.SLACounts
		}{{haven.TargetFirstResponse, &r.FirstResponse}, {haven.TargetResolution, &r.Resolution}} {
			key := slaKey{priority: string(p), target: c.target}
			key.state = haven.SLAMet
			c.counts.Met = t[key]
			key.state = haven.SLABreached
			c.counts.Breached = t[key]
			key.state = haven.SLARunning
			c.counts.Running = t[key]
		}
		out = append(out, r)
	}
	return out
}

// dashboardEscalations is, per platform, the escalations sent in the period on the cases v may
// see that match the filters (escalations are few: they are read, not rolled up).
func (s *Service) dashboardEscalations(ctx context.Context, q haven.CaseStatsQuery, v haven.Viewer) ([]haven.EscalationStatsRow, error) {
	agg := newAggregation(haven.StatsQuery{From: q.From, To: q.To, By: "platform"}, v.Now)
	stats, err := s.aggregateEscalations(ctx, agg, func(tx haven.Tx) error {
		return tx.DashboardEscalationFacts(ctx, q, v, agg.add)
	})
	if err != nil {
		return nil, err
	}
	return stats.Rows, nil
}
