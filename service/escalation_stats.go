package service

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/haven-helpline/haven"
)

// EscalationStats measures how platforms answer over a period, grouped by platform, kind or
// month, counting only escalations on cases the reader may see.
func (s *Service) EscalationStats(ctx context.Context, q haven.StatsQuery) (*haven.EscalationStats, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	v := s.viewer(u)
	q = q.WithDefaults(v.Now)
	agg := newAggregation(q, v.Now)
	return s.aggregateEscalations(ctx, agg, func(tx haven.Tx) error {
		return tx.EscalationFacts(ctx, q.From, q.To, v, agg.add)
	})
}

// aggregateEscalations reads the escalations into agg (read, which applies need-to-know) and
// names their platforms, in one transaction.
func (s *Service) aggregateEscalations(ctx context.Context, agg *aggregation, read func(haven.Tx) error) (*haven.EscalationStats, error) {
	var platforms []*haven.Platform
	err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		if err = read(tx); err != nil {
			return err
		}
		platforms, err = tx.Platforms(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, p := range platforms {
		names[p.Slug] = p.Name
	}
	return agg.result(names), nil
}

// tally accumulates one group's figures.
type tally struct {
	row        haven.EscalationStatsRow
	firstHours []float64
	resolHours []float64
	lateHours  []float64
}

func (t *tally) add(f *haven.EscalationFact, now time.Time) {
	r := &t.row
	r.Sent++
	switch f.State {
	case haven.EscalationResolved:
		r.Resolved++
		if !f.ClosedAt.IsZero() {
			t.resolHours = append(t.resolHours, hours(f.ClosedAt.Sub(f.SentAt)))
		}
	case haven.EscalationDeclined:
		r.Declined++
	case haven.EscalationNoResponse:
		r.NoResponse++
	case haven.EscalationWithdrawn:
		r.Withdrawn++
	default:
		r.Open++
	}
	if !f.FirstResponseAt.IsZero() {
		r.Responded++
		t.firstHours = append(t.firstHours, hours(f.FirstResponseAt.Sub(f.SentAt)))
	}
	if f.State == haven.EscalationSent && !f.DueAt.IsZero() && now.After(f.DueAt) {
		r.Overdue++
	}
	if late, ok := lateness(f, now); ok {
		r.MissedTarget++
		t.lateHours = append(t.lateHours, hours(late))
	}
}

// lateness is how far past its target the platform's first answer came (or, unanswered, has
// come so far); ok is false when the target was met or has not passed.
func lateness(f *haven.EscalationFact, now time.Time) (time.Duration, bool) {
	if f.DueAt.IsZero() || f.State == haven.EscalationWithdrawn && f.FirstResponseAt.IsZero() {
		return 0, false
	}
	end := now
	switch {
	case !f.FirstResponseAt.IsZero():
		end = f.FirstResponseAt
	case !f.ClosedAt.IsZero():
		end = f.ClosedAt
	}
	return end.Sub(f.DueAt), end.After(f.DueAt)
}

func (t *tally) finish() haven.EscalationStatsRow {
	r := t.row
	if r.Sent > 0 {
		n := float64(r.Sent)
		r.ResolvedShare, r.DeclinedShare = round3(float64(r.Resolved)/n), round3(float64(r.Declined)/n)
		r.NoResponseShare, r.MissedTargetShare = round3(float64(r.NoResponse)/n), round3(float64(r.MissedTarget)/n)
	}
	slices.Sort(t.firstHours) // once for both quantiles
	r.MedianFirstResponseHours = percentile(t.firstHours, 0.5)
	r.P90FirstResponseHours = percentile(t.firstHours, 0.9)
	r.MedianResolutionHours = percentile(t.resolHours, 0.5)
	return r
}

// aggregation groups facts as they are read: by the query's grouping, by platform (for the gaps
// ranking; the same tallies when grouping by platform) and in total.
type aggregation struct {
	q                  haven.StatsQuery
	now                time.Time
	groups, byPlatform map[string]*tally
	total              *tally
	months             map[int]string // "2026-03" by year*12+month, written once per month
}

func newAggregation(q haven.StatsQuery, now time.Time) *aggregation {
	a := &aggregation{q: q, now: now, groups: map[string]*tally{}, byPlatform: map[string]*tally{}, total: &tally{},
		months: map[int]string{}}
	if q.By == "platform" {
		a.byPlatform = a.groups
	}
	return a
}

func (a *aggregation) add(f *haven.EscalationFact) {
	group(a.groups, a.groupKey(f)).add(f, a.now)
	if a.q.By != "platform" {
		group(a.byPlatform, f.Platform).add(f, a.now)
	}
	a.total.add(f, a.now)
}

// result is the figures: one row per group (every month of the period when by month), the
// total, and the gaps ranking.
func (a *aggregation) result(names map[string]string) *haven.EscalationStats {
	q := a.q
	if q.By == "month" {
		for m := monthStart(q.From); m.Before(q.To); m = m.AddDate(0, 1, 0) {
			group(a.groups, m.Format("2006-01"))
		}
	}
	out := &haven.EscalationStats{From: q.From.Format(time.DateOnly), To: q.To.AddDate(0, 0, -1).Format(time.DateOnly),
		By: q.By, Rows: []haven.EscalationStatsRow{}, Total: a.total.finish(), Gaps: gaps(a.byPlatform, names)}
	out.Total.Key, out.Total.Label = "total", "total"
	for key, t := range a.groups {
		r := t.finish()
		r.Key, r.Label = key, label(key, q.By, names)
		out.Rows = append(out.Rows, r)
	}
	slices.SortFunc(out.Rows, func(a, b haven.EscalationStatsRow) int {
		if q.By == "month" {
			return cmp.Compare(a.Key, b.Key)
		}
		return cmp.Or(cmp.Compare(b.Sent, a.Sent), cmp.Compare(a.Key, b.Key))
	})
	return out
}

func group(m map[string]*tally, key string) *tally {
	t := m[key]
	if t == nil {
		t = &tally{}
		m[key] = t
	}
	return t
}

func (a *aggregation) groupKey(f *haven.EscalationFact) string {
	switch a.q.By {
	case "kind":
		return f.Kind
	case "month":
		y, m, _ := f.SentAt.Date()
		n := y*12 + int(m)
		if a.months[n] == "" {
			a.months[n] = fmt.Sprintf("%04d-%02d", y, m)
		}
		return a.months[n]
	}
	return f.Platform
}

func label(key, by string, names map[string]string) string {
	if by == "platform" && names[key] != "" {
		return names[key]
	}
	return key
}

// gaps ranks platforms by the share of escalations whose target they missed, then by how late.
func gaps(byPlatform map[string]*tally, names map[string]string) []haven.EscalationGap {
	out := []haven.EscalationGap{}
	for slug, t := range byPlatform {
		r := t.finish()
		out = append(out, haven.EscalationGap{Platform: slug, Label: label(slug, "platform", names), Sent: r.Sent,
			MissedTarget: r.MissedTarget, MissedTargetShare: r.MissedTargetShare, MedianLateHours: percentile(t.lateHours, 0.5)})
	}
	slices.SortFunc(out, func(a, b haven.EscalationGap) int {
		return cmp.Or(cmp.Compare(b.MissedTargetShare, a.MissedTargetShare),
			cmp.Compare(deref(b.MedianLateHours), deref(a.MedianLateHours)), cmp.Compare(a.Platform, b.Platform))
	})
	return out
}

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}

// percentile is the p-quantile of xs by linear interpolation between closest ranks (the common
// "type 7" definition: the median of an even count is the mean of the middle two), rounded to
// a tenth of an hour; nil when there is nothing to measure. It sorts xs in place.
func percentile(xs []float64, p float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := xs
	if !slices.IsSorted(s) {
		slices.Sort(s)
	}
	pos := p * float64(len(s)-1)
	lo := int(math.Floor(pos))
	v := s[lo]
	if lo+1 < len(s) {
		v += (s[lo+1] - s[lo]) * (pos - float64(lo))
	}
	v = math.Round(v*10) / 10
	return &v
}

func hours(d time.Duration) float64 { return d.Hours() }

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func monthStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}
