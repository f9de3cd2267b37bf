package haven

import (
	"slices"
	"strings"
	"time"
)

// StatsQuery names a period [From, To) and how to group figures.
type StatsQuery struct {
	From time.Time
	To   time.Time // exclusive: the day after the last day asked for
	By   string    // platform, kind or month
}

// StatsGroupings lists the ways escalation figures are grouped.
func StatsGroupings() []string { return []string{"platform", "kind", "month"} }

// SLAGroupings lists the ways SLA compliance is grouped.
func SLAGroupings() []string { return []string{"team", "priority", "month"} }

// ParseStatsQuery reads from and to (YYYY-MM-DD, both days included) and by, one of groupings
// (default StatsGroupings(), the escalations'); by defaults to the first. A missing bound is
// left zero for WithDefaults.
func ParseStatsQuery(from, to, by string, groupings ...string) (StatsQuery, error) {
	if len(groupings) == 0 {
		groupings = StatsGroupings()
	}
	v := Validation{}
	q := StatsQuery{By: strings.TrimSpace(by)}
	if to != "" {
		t, err := time.Parse(time.DateOnly, to)
		v.Check(err == nil, "to", "a date YYYY-MM-DD")
		q.To = t.AddDate(0, 0, 1)
	}
	if from != "" {
		f, err := time.Parse(time.DateOnly, from)
		v.Check(err == nil, "from", "a date YYYY-MM-DD")
		q.From = f
	}
	if q.By == "" {
		q.By = groupings[0]
	}
	v.Check(slices.Contains(groupings, q.By), "by", strings.Join(groupings, ", "))
	v.Check(q.From.IsZero() || q.To.IsZero() || !q.To.Before(q.From), "to", "must not be before from")
	v.Check(q.From.IsZero() || q.To.IsZero() || q.To.Sub(q.From) <= 20*366*24*time.Hour, "from", "at most 20 years")
	return q, v.Err()
}

// WithDefaults fills a missing end with today and a missing start with 90 days before the end.
func (q StatsQuery) WithDefaults(now time.Time) StatsQuery {
	if q.To.IsZero() {
		q.To = now.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	}
	if q.From.IsZero() {
		q.From = q.To.AddDate(0, 0, -90)
	}
	if q.By == "" {
		q.By = "platform"
	}
	return q
}

// EscalationFact is what the statistics need of one escalation; a zero time is none. Values, not
// pointers: a period holds a hundred thousand of them.
type EscalationFact struct {
	Platform        string
	Kind            string
	State           EscalationState
	SentAt          time.Time
	FirstResponseAt time.Time
	ClosedAt        time.Time
	DueAt           time.Time
}

// EscalationStatsRow is the figures of one group (a platform, a kind or a month). Hours are nil
// when nothing was measured.
type EscalationStatsRow struct {
	Key                      string   `json:"key"`
	Label                    string   `json:"label"`
	Sent                     int      `json:"sent"`
	Responded                int      `json:"responded"`
	Resolved                 int      `json:"resolved"`
	Declined                 int      `json:"declined"`
	NoResponse               int      `json:"no_response"`
	Withdrawn                int      `json:"withdrawn"`
	Open                     int      `json:"open"`
	Overdue                  int      `json:"overdue"`
	MissedTarget             int      `json:"missed_target"`
	ResolvedShare            float64  `json:"resolved_share"`
	DeclinedShare            float64  `json:"declined_share"`
	NoResponseShare          float64  `json:"no_response_share"`
	MissedTargetShare        float64  `json:"missed_target_share"`
	MedianFirstResponseHours *float64 `json:"median_first_response_hours"`
	P90FirstResponseHours    *float64 `json:"p90_first_response_hours"`
	MedianResolutionHours    *float64 `json:"median_resolution_hours"`
}

// EscalationGap ranks a platform by how far it misses its response targets.
type EscalationGap struct {
	Platform          string   `json:"platform"`
	Label             string   `json:"label"`
	Sent              int      `json:"sent"`
	MissedTarget      int      `json:"missed_target"`
	MissedTargetShare float64  `json:"missed_target_share"`
	MedianLateHours   *float64 `json:"median_late_hours"` // how late the late answers were
}

// EscalationStats is the figures of a period, grouped, with the total and the gaps ranking.
type EscalationStats struct {
	From  string               `json:"from"`
	To    string               `json:"to"`
	By    string               `json:"by"`
	Rows  []EscalationStatsRow `json:"rows"`
	Total EscalationStatsRow   `json:"total"`
	Gaps  []EscalationGap      `json:"gaps"`
}
