package haven

import (
	"context"
	"time"
)

// SLA targets: the clocks a case runs.
const (
	TargetFirstResponse = "first_response" // from creation to the first reply to the requester
	TargetNextUpdate    = "next_update"    // from each reply to the next, while the case is open
	TargetResolution    = "resolution"     // from creation to resolution
)

// CaseSLA is what a case's clocks need beyond the case: when it was first answered and last
// updated, when it was resolved, when it waited for the requester, which targets were warned of
// and breached, and when its clocks must next be looked at.
type CaseSLA struct {
	CaseID          int64      `json:"-"`
	FirstResponseAt *time.Time `json:"first_response_at,omitempty"`
	LastUpdateAt    *time.Time `json:"last_update_at,omitempty"`
	ResolvedAt      *time.Time `json:"resolved_at,omitempty"`
	Pauses          []Pause    `json:"pauses,omitempty"`
	Warned          []string   `json:"warned,omitempty"`
	Breached        []string   `json:"breached,omitempty"`
	NextCheckAt     *time.Time `json:"-"`
}

// SLATargetMinutes is one priority's targets, in minutes of business time.
type SLATargetMinutes struct {
	FirstResponse int `json:"first_response_minutes"`
	NextUpdate    int `json:"next_update_minutes"`
	Resolution    int `json:"resolution_minutes"`
}

// SLASettings are the targets per priority and the share of a target at which a warning goes.
type SLASettings struct {
	Targets map[Priority]SLATargetMinutes `json:"targets"`
	WarnAt  float64                       `json:"warn_at"`
}

// Validate checks every priority has targets between a minute and a year, and the warning share.
func (s *SLASettings) Validate() error {
	v := Validation{}
	for _, p := range []Priority{P1, P2, P3, P4} {
		t, ok := s.Targets[p]
		ok = ok && inMinutes(t.FirstResponse) && inMinutes(t.NextUpdate) && inMinutes(t.Resolution) && t.FirstResponse <= t.Resolution
		v.Check(ok, "targets", "every priority P1-P4, each target 1 to 525600 minutes, the first response no later than the resolution")
	}
	v.Check(len(s.Targets) == 4, "targets", "exactly P1, P2, P3 and P4")
	v.Check(s.WarnAt > 0 && s.WarnAt < 1, "warn_at", "a share between 0 and 1, e.g. 0.75")
	return v.Err()
}

func inMinutes(m int) bool { return m >= 1 && m <= 365*24*60 }

// SLAFact is what the compliance report needs of one case.
type SLAFact struct {
	Team      string
	Priority  Priority
	CreatedAt time.Time
	SLA       CaseSLA
}

// SLAStatsRow is one group's compliance: how many cases, how many met or missed each target, and
// the business minutes to the first response and to resolution (median, p90; nil when none).
type SLAStatsRow struct {
	Key                        string   `json:"key"`
	Cases                      int      `json:"cases"`
	FirstResponseMet           int      `json:"first_response_met"`
	FirstResponseMissed        int      `json:"first_response_missed"`
	FirstResponseMetShare      float64  `json:"first_response_met_share"`
	ResolutionMet              int      `json:"resolution_met"`
	ResolutionMissed           int      `json:"resolution_missed"`
	ResolutionMetShare         float64  `json:"resolution_met_share"`
	MedianFirstResponseMinutes *float64 `json:"median_first_response_minutes"`
	P90FirstResponseMinutes    *float64 `json:"p90_first_response_minutes"`
	MedianResolutionMinutes    *float64 `json:"median_resolution_minutes"`
	P90ResolutionMinutes       *float64 `json:"p90_resolution_minutes"`
}

// SLAStats is a period's compliance, grouped by team, priority or month (of creation).
type SLAStats struct {
	From  string        `json:"from"`
	To    string        `json:"to"`
	By    string        `json:"by"`
	Rows  []SLAStatsRow `json:"rows"`
	Total SLAStatsRow   `json:"total"`
}

// JobSLACheck is the periodic check of the clocks due a warning or a breach.
const JobSLACheck = "sla.check"

// SLAService answers a case's clocks and keeps the business calendars.
type SLAService interface {
	// CaseClocks is the case's running and stopped clocks now.
	CaseClocks(ctx context.Context, number string) ([]SLAStatus, error)
	Calendars(ctx context.Context) ([]*BusinessCalendar, error)
	// SaveCalendar creates or replaces a calendar (admins).
	SaveCalendar(ctx context.Context, c BusinessCalendar) (*BusinessCalendar, error)
	// CheckSLAs is the job: warn of clocks past the warning share, record breaches. It returns
	// how many warnings and breaches it recorded.
	CheckSLAs(ctx context.Context) (int, error)
	// SLASettings are the targets in force (the server's defaults until an admin sets them).
	SLASettings(ctx context.Context) (*SLASettings, error)
	// SetSLASettings changes them (admins); running clocks follow at once.
	SetSLASettings(ctx context.Context, s SLASettings) (*SLASettings, error)
	// SLAStats is the compliance report of the cases created in the period that the reader may
	// see; q.By is team, priority or month.
	SLAStats(ctx context.Context, q StatsQuery) (*SLAStats, error)
}

// SLAStore keeps the clocks' state and the calendars.
type SLAStore interface {
	// CaseSLA is the case's clock state; a case without one gets an empty state.
	CaseSLA(ctx context.Context, caseID int64) (*CaseSLA, error)
	SaveCaseSLA(ctx context.Context, s *CaseSLA) error
	// DueSLAChecks lists the cases whose clocks must be looked at by now.
	DueSLAChecks(ctx context.Context, now time.Time, limit int) ([]int64, error)
	Calendars(ctx context.Context) ([]*BusinessCalendar, error)
	SaveCalendar(ctx context.Context, c *BusinessCalendar, at time.Time) error
	// SLAFacts calls each with the cases created in [from, to) that v may see.
	SLAFacts(ctx context.Context, from, to time.Time, v Viewer, each func(*SLAFact)) error
}
