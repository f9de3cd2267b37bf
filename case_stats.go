package haven

import (
	"context"
	"strings"
	"time"
)

// CaseStatsGroupings lists how case statistics can be broken down: over time (week, month) or
// by a dimension of the case.
func CaseStatsGroupings() []string {
	return []string{"month", "week", "category", "country", "language", "channel", "platform", "team", "outcome", "priority", "assignee"}
}

// CaseStatsQuery asks for the cases of a period, [From, To), broken down By one grouping, and
// filtered by team, category (with its subcategories) and country.
type CaseStatsQuery struct {
	StatsQuery
	Team     string
	Category string
	Country  string
	// Console counts every case (the operator at the console, the public statistics): no viewer.
	Console bool
}

// ParseCaseStatsQuery reads the query string's values (dates YYYY-MM-DD, to included).
func ParseCaseStatsQuery(from, to, by, team, category, country string) (CaseStatsQuery, error) {
	sq, err := ParseStatsQuery(from, to, by, CaseStatsGroupings()...)
	q := CaseStatsQuery{StatsQuery: sq, Team: strings.TrimSpace(team), Category: strings.Trim(strings.TrimSpace(category), "/"),
		Country: strings.ToUpper(strings.TrimSpace(country))}
	if err != nil {
		return q, err
	}
	v := Validation{}
	v.Check(len(q.Team) <= 100, "team", "at most 100 characters")
	v.Check(len(q.Category) <= 200, "category", "at most 200 characters")
	v.Check(q.Country == "" || len(q.Country) == 2, "country", "an ISO 3166 code of two letters")
	return q, v.Err()
}

// WithDefaults fills a missing end with today, a missing start with a year before the end, and
// the grouping with months.
func (q CaseStatsQuery) WithDefaults(now time.Time) CaseStatsQuery {
	noStart, noBy := q.From.IsZero(), q.By == ""
	q.StatsQuery = q.StatsQuery.WithDefaults(now)
	if noStart {
		q.From = q.To.AddDate(-1, 0, 0)
	}
	if noBy {
		q.By = "month"
	}
	return q
}

// CaseFact is what case statistics need of one case; a zero time is none.
type CaseFact struct {
	CreatedAt       time.Time
	ClosedAt        time.Time
	FirstResponseAt time.Time
	Team            string
	Country         string
	Language        string
	Channel         string
	Priority        Priority
	Outcome         Outcome
	Assignee        string
	Categories      []string
	Platforms       []string // the platforms the case was escalated to
	// Consented is the requester's consent to anonymised statistical use.
	Consented bool
	// SLAFirstResponse and SLAResolution are the state of the case's targets as its clocks
	// record it (SLAMet, SLABreached, SLARunning; "" without a clock, or closed unanswered).
	SLAFirstResponse, SLAResolution string
	// What the stored facts keep (DayFacts reads them): the case, its team and handler by id,
	// and whether need-to-know applies to it.
	ID, TeamID, AssigneeID int64
	Restricted             bool
}

// The states of an SLA target in the statistics.
const (
	SLAMet      = "met"
	SLABreached = "breached"
	SLARunning  = "running"
)

// CaseStatsRow is one group's figures: cases opened and closed in the period (or the week or
// month), cases still open at its end, and hours to the first response (cases opened in it) and
// to resolution (cases closed in it); nil when there is none to measure.
type CaseStatsRow struct {
	Key string `json:"key"`
	// Parent is, by category, the category above this one: its row includes this one's cases.
	Parent                   string   `json:"parent,omitempty"`
	New                      int      `json:"new"`
	Closed                   int      `json:"closed"`
	Open                     int      `json:"open"`
	MedianFirstResponseHours *float64 `json:"median_first_response_hours"`
	P90FirstResponseHours    *float64 `json:"p90_first_response_hours"`
	MedianResolutionHours    *float64 `json:"median_resolution_hours"`
	P90ResolutionHours       *float64 `json:"p90_resolution_hours"`
}

// CaseStats is the answer: rows in key order (time order for weeks and months), and the total.
type CaseStats struct {
	From  string         `json:"from"`
	To    string         `json:"to"` // the last day included
	By    string         `json:"by"`
	Rows  []CaseStatsRow `json:"rows"`
	Total CaseStatsRow   `json:"total"`
}

// RollupRow is one day's figures for one value of one dimension ("all" has the key ""): cases
// opened and closed that day, and histograms (RollupHistogram's text form) of their hours to
// the first response and to resolution.
type RollupRow struct {
	Dim           string
	Day           time.Time
	Key           string
	Opened        int
	Closed        int
	FirstResponse string
	Resolution    string
}

// CaseStatsStore reads the facts case statistics are made of, and keeps their per-day roll-ups.
type CaseStatsStore interface {
	// CaseFacts calls each with every case v may see that was open at some time in [from, to)
	// (created before to, not closed before from) and matches the filters; one at a time: a
	// year holds hundreds of thousands.
	CaseFacts(ctx context.Context, q CaseStatsQuery, v Viewer, each func(*CaseFact)) error
	// HiddenCaseFacts is CaseFacts for the restricted cases v may NOT see.
	HiddenCaseFacts(ctx context.Context, q CaseStatsQuery, v Viewer, each func(*CaseFact)) error
	// DayFacts calls each with every case opened or closed on day.
	DayFacts(ctx context.Context, day time.Time, each func(*CaseFact)) error
	// ClaimDirtyDays takes up to limit days whose roll-ups changed off the list.
	ClaimDirtyDays(ctx context.Context, limit int) ([]time.Time, error)
	// MarkDays puts days back on the list (their recomputation failed).
	MarkDays(ctx context.Context, days []time.Time) error
	MarkAllDays(ctx context.Context) (int, error)
	PendingRollupDays(ctx context.Context) (int, error)
	PutRollups(ctx context.Context, day time.Time, rows []RollupRow) error
	Rollups(ctx context.Context, dim string, from, to time.Time, each func(*RollupRow)) error
	// RollupsBefore sums opened and closed cases of every day before day, by key.
	RollupsBefore(ctx context.Context, dim string, day time.Time) (map[string][2]int, error)
	// PutDayCaseFacts replaces the stored facts of the cases created on day (facts, as DayFacts
	// read them; those created on other days are ignored).
	PutDayCaseFacts(ctx context.Context, day time.Time, facts []*CaseFact) error
	// StoredCaseFacts is CaseFacts from the stored facts (up to date when no day is pending):
	// every case when hidden is false — v's restricted ones taken away by the caller — or only
	// the restricted cases v may not see when hidden is true.
	StoredCaseFacts(ctx context.Context, q CaseStatsQuery, v Viewer, hidden bool, each func(*CaseFact)) error
	// DashboardEscalationFacts calls each with the escalations sent in the period on cases v may
	// see that match q's filters.
	DashboardEscalationFacts(ctx context.Context, q CaseStatsQuery, v Viewer, each func(*EscalationFact)) error
}

// CaseStatsService answers the leads' dashboard.
type CaseStatsService interface {
	CaseStats(ctx context.Context, q CaseStatsQuery) (*CaseStats, error)
	// Backlog counts the cases open now by priority and age (filters as CaseStats).
	Backlog(ctx context.Context, q CaseStatsQuery) (*Backlog, error)
	// Dashboard answers several groupings of one query, and the backlog, at once.
	Dashboard(ctx context.Context, q CaseStatsQuery, bys []string) (*Dashboard, error)
}

// Dashboard is the leads' dashboard: one CaseStats per grouping asked, and the backlog.
type Dashboard struct {
	Panels  []*CaseStats `json:"panels"`
	Backlog *Backlog     `json:"backlog"`
	// SLA is, per priority, the targets of the period's new cases met, breached or running.
	SLA []DashboardSLARow `json:"sla"`
	// Escalations is, per platform, the escalations sent in the period and their answers.
	Escalations []EscalationStatsRow `json:"escalations"`
}

// DashboardSLARow is one priority's SLA figures over the cases opened in the period.
type DashboardSLARow struct {
	Priority      Priority  `json:"priority"`
	FirstResponse SLACounts `json:"first_response"`
	Resolution    SLACounts `json:"resolution"`
}

// SLACounts are how many targets were met, breached, or are still running.
type SLACounts struct {
	Met      int `json:"met"`
	Breached int `json:"breached"`
	Running  int `json:"running"`
}

// BacklogAges are the age brackets of the open cases, in days (the last is "older").
var BacklogAges = []int{2, 7, 30}

// Backlog is the cases open now by priority and age: Counts[i] for each bracket of BacklogAges
// (up to 2 days, up to 7, up to 30, older).
type Backlog struct {
	At   string       `json:"at"`
	Rows []BacklogRow `json:"rows"`
}

// BacklogRow is one priority's open cases by age.
type BacklogRow struct {
	Priority Priority `json:"priority"`
	Counts   []int    `json:"counts"`
	Total    int      `json:"total"`
}
