package service

import (
	"cmp"
	"context"
	"encoding/json"
	"math"
	"slices"

	"github.com/haven-helpline/haven"
)

var _ haven.BriefingService = (*Service)(nil)

// Trends are reported when a group changed by at least this share and had at least this many
// cases in one of the two periods: a move from 1 to 2 cases is not a trend.
const (
	trendMinChange = 20.0
	trendMinCases  = 5
	maxTrends      = 6
)

// Briefing gathers a period's executive report over the cases the reader may see.
func (s *Service) Briefing(ctx context.Context, q haven.CaseStatsQuery) (*haven.Briefing, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	q = q.WithDefaults(s.clock.Now())
	q.Console = false
	return s.briefing(ctx, q, s.viewer(u))
}

// BriefingAsSystem is Briefing for the operator at the console (`haven report`): every case.
func (s *Service) BriefingAsSystem(ctx context.Context, q haven.CaseStatsQuery) (*haven.Briefing, error) {
	q = q.WithDefaults(s.clock.Now())
	q.Console = true
	return s.briefing(ctx, q, haven.Viewer{})
}

func (s *Service) briefing(ctx context.Context, q haven.CaseStatsQuery, v haven.Viewer) (*haven.Briefing, error) {
	prev := q
	prev.From, prev.To = q.From.Add(-q.To.Sub(q.From)), q.From
	stats := func(q haven.CaseStatsQuery, by string) (*haven.CaseStats, error) {
		q.By = by
		return s.caseStats(ctx, q, v)
	}
	b := &haven.Briefing{}
	var err error
	if b.ByMonth, err = stats(q, "month"); err != nil {
		return nil, err
	}
	if b.ByPriority, err = stats(q, "priority"); err != nil {
		return nil, err
	}
	b.From, b.To, b.Current = b.ByMonth.From, b.ByMonth.To, b.ByMonth.Total
	for _, dim := range []string{"category", "country"} {
		cur, err := stats(q, dim)
		if err != nil {
			return nil, err
		}
		before, err := stats(prev, dim)
		if err != nil {
			return nil, err
		}
		b.Previous, b.PrevFrom, b.PrevTo = before.Total, before.From, before.To
		if dim == "category" {
			b.ByCategory = cur
		} else {
			b.ByCountry = cur
		}
		b.Trends = append(b.Trends, trends(dim, before, cur)...)
	}
	slices.SortFunc(b.Trends, func(x, y haven.Trend) int {
		return cmp.Or(cmp.Compare(math.Abs(y.Change), math.Abs(x.Change)), cmp.Compare(x.Key, y.Key))
	})
	b.Trends = b.Trends[:min(len(b.Trends), maxTrends)]
	return b, nil
}

// trends compares each group's new cases between the two periods.
func trends(dim string, before, after *haven.CaseStats) []haven.Trend {
	prev := map[string]int{}
	for _, r := range before.Rows {
		prev[r.Key] = r.New
	}
	var out []haven.Trend
	for _, r := range after.Rows {
		was := prev[r.Key]
		if r.Key == "" || max(was, r.New) < trendMinCases || was == 0 {
			continue
		}
		change := math.Round(float64(r.New-was) / float64(was) * 100)
		if math.Abs(change) >= trendMinChange {
			out = append(out, haven.Trend{Dimension: dim, Key: r.Key, Before: was, After: r.New, Change: change})
		}
	}
	return out
}

const briefingScheduleSetting = "briefing_schedule"

// BriefingSchedule reads who gets the executive report and how often (any reader).
func (s *Service) BriefingSchedule(ctx context.Context) (*haven.BriefingSchedule, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	return s.BriefingScheduleAsSystem(ctx)
}

// BriefingScheduleAsSystem is BriefingSchedule for the job runner.
func (s *Service) BriefingScheduleAsSystem(ctx context.Context) (*haven.BriefingSchedule, error) {
	b := &haven.BriefingSchedule{}
	err := s.store.View(ctx, func(tx haven.Tx) error {
		raw, err := tx.Setting(ctx, briefingScheduleSetting)
		if err != nil || raw == "" {
			return err
		}
		return json.Unmarshal([]byte(raw), b)
	})
	if err != nil {
		return nil, err
	}
	return b, b.Validate()
}

// SetBriefingSchedule sets the mailing of the executive report (admins); the event names the
// schedule and how many addresses, not the addresses.
func (s *Service) SetBriefingSchedule(ctx context.Context, b haven.BriefingSchedule) (*haven.BriefingSchedule, error) {
	u, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(b)
	now := s.clock.Now()
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		if err := tx.PutSetting(ctx, briefingScheduleSetting, string(raw), now); err != nil {
			return err
		}
		return record(ctx, tx, now, u, "briefing_schedule.changed", "setting", briefingScheduleSetting, 0,
			map[string]any{"every": b.Every, "recipients": len(b.To), "lang": b.Lang})
	})
	return &b, err
}
