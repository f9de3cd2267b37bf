package service

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/haven-helpline/haven"
)

// SLAStats is the compliance report: of the cases created in the period that the reader may see,
// grouped by team, priority or month, how many met or missed their first-response and
// resolution targets, and the business minutes they took.
func (s *Service) SLAStats(ctx context.Context, q haven.StatsQuery) (*haven.SLAStats, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	v := s.viewer(u)
	q = q.WithDefaults(v.Now)
	if !slices.Contains(haven.SLAGroupings(), q.By) {
		q.By = "team"
	}
	groups, total := map[string]*slaTally{}, &slaTally{}
	err = s.store.View(ctx, func(tx haven.Tx) error {
		cals, err := tx.Calendars(ctx)
		if err != nil {
			return err
		}
		p, err := s.slaPolicy(ctx, tx)
		if err != nil {
			return err
		}
		return tx.SLAFacts(ctx, q.From, q.To, v, func(f *haven.SLAFact) {
			ks := p.factStatuses(f, cals, v.Now)
			key := slaGroupKey(f, q.By)
			if groups[key] == nil {
				groups[key] = &slaTally{}
			}
			groups[key].add(ks, f)
			total.add(ks, f)
		})
	})
	if err != nil {
		return nil, err
	}
	out := &haven.SLAStats{From: q.From.Format(time.DateOnly), To: q.To.AddDate(0, 0, -1).Format(time.DateOnly), By: q.By,
		Rows: []haven.SLAStatsRow{}, Total: total.finish("total")}
	for key, t := range groups {
		out.Rows = append(out.Rows, t.finish(key))
	}
	slices.SortFunc(out.Rows, func(a, b haven.SLAStatsRow) int { return cmp.Compare(a.Key, b.Key) })
	return out, nil
}

// factStatuses evaluates a case's clocks now on its team's calendar (P1: 24/7).
func (p *slaPolicy) factStatuses(f *haven.SLAFact, cals []*haven.BusinessCalendar, now time.Time) []haven.SLAStatus {
	c := &haven.Case{Priority: f.Priority, Team: f.Team, CreatedAt: f.CreatedAt}
	var cal *haven.BusinessCalendar
	for _, x := range cals {
		if f.Priority != haven.P1 && f.Team != "" && slices.Contains(x.Teams, f.Team) {
			cal = x
			break
		}
	}
	return p.statuses(c, &f.SLA, cal, now)
}

func slaGroupKey(f *haven.SLAFact, by string) string {
	switch by {
	case "priority":
		return string(f.Priority)
	case "month":
		return f.CreatedAt.UTC().Format("2006-01")
	}
	if f.Team == "" {
		return "-"
	}
	return f.Team
}

// slaTally accumulates a group's compliance.
type slaTally struct {
	row          haven.SLAStatsRow
	first, resol []float64
}

// add counts one case: a target met, or missed (late, or past due and still running); and the
// business minutes of those reached, late or not.
func (t *slaTally) add(ks []haven.SLAStatus, f *haven.SLAFact) {
	t.row.Cases++
	for _, k := range ks {
		met, missed, minutes := k.Met && !k.Breached, k.Breached, float64(k.ElapsedMinutes)
		switch k.Target {
		case haven.TargetFirstResponse:
			t.row.FirstResponseMet, t.row.FirstResponseMissed = t.row.FirstResponseMet+b2i(met), t.row.FirstResponseMissed+b2i(missed)
			if f.SLA.FirstResponseAt != nil {
				t.first = append(t.first, minutes)
			}
		case haven.TargetResolution:
			t.row.ResolutionMet, t.row.ResolutionMissed = t.row.ResolutionMet+b2i(met), t.row.ResolutionMissed+b2i(missed)
			if f.SLA.ResolvedAt != nil {
				t.resol = append(t.resol, minutes)
			}
		}
	}
}

func (t *slaTally) finish(key string) haven.SLAStatsRow {
	r := t.row
	r.Key = key
	if n := r.FirstResponseMet + r.FirstResponseMissed; n > 0 {
		r.FirstResponseMetShare = round3(float64(r.FirstResponseMet) / float64(n))
	}
	if n := r.ResolutionMet + r.ResolutionMissed; n > 0 {
		r.ResolutionMetShare = round3(float64(r.ResolutionMet) / float64(n))
	}
	slices.Sort(t.first)
	slices.Sort(t.resol)
	r.MedianFirstResponseMinutes, r.P90FirstResponseMinutes = percentile(t.first, 0.5), percentile(t.first, 0.9)
	r.MedianResolutionMinutes, r.P90ResolutionMinutes = percentile(t.resol, 0.5), percentile(t.resol, 0.9)
	return r
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
