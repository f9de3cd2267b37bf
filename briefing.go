package haven

import "context"

// Trend is a notable change of one group between the previous period and this one, for the
// executive report to put in words: "Phishing: 14 cases, 40 % more than the period before (10)".
type Trend struct {
	Dimension string  `json:"dimension"` // category or country
	Key       string  `json:"key"`
	Before    int     `json:"before"`
	After     int     `json:"after"`
	Change    float64 `json:"change_percent"` // +40, -25
}

// Briefing is the executive report of a period: its key figures against the previous period of
// the same length, the breakdowns the report charts, and the notable trends.
type Briefing struct {
	From       string       `json:"from"`
	To         string       `json:"to"`
	PrevFrom   string       `json:"previous_from"`
	PrevTo     string       `json:"previous_to"`
	Current    CaseStatsRow `json:"current"`
	Previous   CaseStatsRow `json:"previous"`
	ByMonth    *CaseStats   `json:"by_month"`
	ByCategory *CaseStats   `json:"by_category"`
	ByCountry  *CaseStats   `json:"by_country"`
	ByPriority *CaseStats   `json:"by_priority"`
	Trends     []Trend      `json:"trends"`
}

// BriefingService writes executive reports.
type BriefingService interface {
	Briefing(ctx context.Context, q CaseStatsQuery) (*Briefing, error)
}
