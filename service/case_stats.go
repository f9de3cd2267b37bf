package service

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
)

var _ haven.CaseStatsService = (*Service)(nil)

// CaseStats answers the dashboard's figures over the cases the reader may see: opened, closed
// and still open, and hours to the first response and to resolution, by week or month or by a
// dimension of the case. A case under several categories (or escalated to several platforms)
// counts in each of their rows, once in the total.
func (s *Service) CaseStats(ctx context.Context, q haven.CaseStatsQuery) (*haven.CaseStats, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	q.Console = false
	return s.caseStats(ctx, q.WithDefaults(s.clock.Now()), s.viewer(u))
}

// caseStats answers from the per-day roll-ups (no filter) or the stored facts (a filter) when
// they are up to date, else by counting the cases v may see (every case for a console query).
func (s *Service) caseStats(ctx context.Context, q haven.CaseStatsQuery, v haven.Viewer) (*haven.CaseStats, error) {
	var out *haven.CaseStats
	read := func(tx haven.Tx) (err error) {
		out, err = s.statsFromRollups(ctx, tx, q, v)
		return err
	}
	var done bool
	var err error
	if filtered(q) { // one grouping of the stored facts
		done, err = s.upToDate(ctx, func(tx haven.Tx) error {
			panels, err := panelsFromStored(ctx, tx, q, []string{q.By}, v, nil)
			if err == nil {
				out = panels[0]
			}
			return err
		})
	} else {
		done, err = s.fromRollups(ctx, q, read)
	}
	if err != nil || done {
		return out, err
	}
	return s.statsFromFacts(ctx, q, v)
}

// statsFromFacts counts the cases themselves.
func (s *Service) statsFromFacts(ctx context.Context, q haven.CaseStatsQuery, v haven.Viewer) (*haven.CaseStats, error) {
	agg := newCaseTally(q)
	err := s.store.View(ctx, func(tx haven.Tx) error {
		return tx.CaseFacts(ctx, q, v, agg.add)
	})
	if err != nil {
		return nil, err
	}
	return agg.result(), nil
}

// caseGroup gathers one row's counts and durations.
type caseGroup struct {
	row        haven.CaseStatsRow
	first, res histogram
}

func newGroup(key string) *caseGroup {
	return &caseGroup{row: haven.CaseStatsRow{Key: key}, first: histogram{}, res: histogram{}}
}

func (g *caseGroup) finish() haven.CaseStatsRow {
	r := g.row
	r.MedianFirstResponseHours, r.P90FirstResponseHours = g.first.percentile(0.5), g.first.percentile(0.9)
	r.MedianResolutionHours, r.P90ResolutionHours = g.res.percentile(0.5), g.res.percentile(0.9)
	return r
}

// clone is a copy of the group that shares nothing with it.
func (g *caseGroup) clone() *caseGroup {
	c := &caseGroup{row: g.row, first: histogram{}, res: histogram{}}
	c.first.merge(g.first, 1)
	c.res.merge(g.res, 1)
	return c
}

// subtract takes another group's counts and durations away (the cases a reader may not see).
func (g *caseGroup) subtract(o *caseGroup) {
	g.row.New, g.row.Closed, g.row.Open = g.row.New-o.row.New, g.row.Closed-o.row.Closed, g.row.Open-o.row.Open
	g.first.merge(o.first, -1)
	g.res.merge(o.res, -1)
}

// caseTally aggregates facts into rows: buckets of time, or a dimension's values.
type caseTally struct {
	q       haven.CaseStatsQuery
	buckets []bucket // for week and month
	groups  map[string]*caseGroup
	total   caseGroup
}

// bucket is one week or month: its key and [start, end).
type bucket struct {
	key        string
	start, end time.Time
}

func newCaseTally(q haven.CaseStatsQuery) *caseTally {
	t := &caseTally{q: q, groups: map[string]*caseGroup{}, total: *newGroup("total")}
	if q.By == "week" || q.By == "month" {
		t.buckets = timeBuckets(q.From, q.To, q.By)
		for _, b := range t.buckets {
			t.groups[b.key] = newGroup(b.key)
		}
	}
	return t
}

// timeBuckets splits [from, to) into weeks (from Monday) or calendar months, cut at both ends.
func timeBuckets(from, to time.Time, by string) []bucket {
	var out []bucket
	start := from
	for start.Before(to) {
		var next time.Time
		if by == "month" {
			next = time.Date(start.Year(), start.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		} else {
			next = start.AddDate(0, 0, 7-(int(start.Weekday())+6)%7)
		}
		key := start.Format("2006-01")
		if by == "week" {
			y, w := start.ISOWeek()
			key = fmt.Sprintf("%d-W%02d", y, w)
		}
		out = append(out, bucket{key: key, start: start, end: minTime(next, to)})
		start = next
	}
	return out
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// add counts one case in the total and in its rows.
func (t *caseTally) add(f *haven.CaseFact) {
	t.total.count(f, t.q.From, t.q.To)
	t.addRows(f)
}

// addRows counts one case in its rows.
func (t *caseTally) addRows(f *haven.CaseFact) {
	if t.buckets != nil {
		for _, b := range t.buckets {
			t.groups[b.key].count(f, b.start, b.end)
		}
		return
	}
	for _, key := range dimension(f, t.q.By) {
		t.group(key).count(f, t.q.From, t.q.To)
	}
}

// group is the row of key, made on first use.
func (t *caseTally) group(key string) *caseGroup {
	g := t.groups[key]
	if g == nil {
		g = newGroup(key)
		t.groups[key] = g
	}
	return g
}

// count adds a case to a group over [start, end): opened, closed, open at the end, durations.
func (g *caseGroup) count(f *haven.CaseFact, start, end time.Time) {
	g.countDay(f, start, end)
	if f.CreatedAt.Before(end) && (f.ClosedAt.IsZero() || !f.ClosedAt.Before(end)) {
		g.row.Open++
	}
}

// dimension is the keys a case counts under for a grouping ("" when it has none).
func dimension(f *haven.CaseFact, by string) []string {
	var keys []string
	switch by {
	case "category":
		keys = withAncestors(f.Categories)
	case "platform":
		keys = f.Platforms
	case "country":
		keys = []string{f.Country}
	case "language":
		keys = []string{f.Language}
	case "channel":
		keys = []string{f.Channel}
	case "team":
		keys = []string{f.Team}
	case "outcome":
		keys = []string{string(f.Outcome)}
	case "priority":
		keys = []string{string(f.Priority)}
	case "assignee":
		keys = []string{f.Assignee}
	}
	if len(keys) == 0 {
		return []string{""}
	}
	return keys
}

// withAncestors is each category with the categories above it, once each: a case under
// phishing/sms counts in phishing too, so a parent's row covers its whole branch.
func withAncestors(categories []string) []string {
	var out []string
	for _, c := range categories {
		for ; c != ""; c = haven.CategoryParent(c) {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

func (t *caseTally) result() *haven.CaseStats {
	out := &haven.CaseStats{From: t.q.From.Format(time.DateOnly), To: t.q.To.AddDate(0, 0, -1).Format(time.DateOnly),
		By: t.q.By, Rows: []haven.CaseStatsRow{}, Total: t.total.finish()}
	out.Total.Key = "total"
	if t.buckets != nil {
		for _, b := range t.buckets {
			out.Rows = append(out.Rows, t.groups[b.key].finish())
		}
		return out
	}
	for _, g := range t.groups {
		if g.row.New != 0 || g.row.Closed != 0 || g.row.Open != 0 { // a group of cases closed before the period
			r := g.finish()
			if t.q.By == "category" {
				r.Parent = haven.CategoryParent(r.Key)
			}
			out.Rows = append(out.Rows, r)
		}
	}
	slices.SortFunc(out.Rows, func(a, b haven.CaseStatsRow) int {
		return cmp.Or(cmp.Compare(b.New, a.New), strings.Compare(a.Key, b.Key)) // the biggest groups first
	})
	return out
}
