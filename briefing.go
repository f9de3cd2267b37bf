package haven

import (
	"context"
	"time"
)

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
	BriefingSchedule(ctx context.Context) (*BriefingSchedule, error)
	// SetBriefingSchedule sets who gets the report and how often (admins).
	SetBriefingSchedule(ctx context.Context, b BriefingSchedule) (*BriefingSchedule, error)
}

// BriefingSchedule mails the executive report to a list: monthly (on the 1st, for the month
// before) or weekly (on Mondays, for the week before); "" sends nothing.
type BriefingSchedule struct {
	Every string   `json:"every"` // "", "monthly", "weekly"
	To    []string `json:"to"`
	Lang  string   `json:"lang"`
}

// Validate checks the schedule and fills the language.
func (b *BriefingSchedule) Validate() error {
	if b.Lang == "" {
		b.Lang = "en"
	}
	if b.To == nil {
		b.To = []string{}
	}
	v := Validation{}
	v.Check(b.Every == "" || b.Every == "monthly" || b.Every == "weekly", "every", "monthly, weekly, or empty (none)")
	v.Check(len(b.To) <= 50, "to", "at most 50 addresses")
	v.Check(b.Every == "" || len(b.To) > 0, "to", "name at least one address to mail the report to")
	for _, a := range b.To {
		v.Check(validEmail(a), "to", "email addresses")
	}
	v.Check(len(b.Lang) <= 5, "lang", "a language tag such as en or ar")
	return v.Err()
}

// Due says which period a schedule's report covers when it runs on day (UTC): the month before
// on the 1st of a month, the week before (Monday to Sunday) on a Monday; false on other days.
func (b *BriefingSchedule) Due(day time.Time) (from, to time.Time, due bool) {
	d := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	switch {
	case b.Every == "monthly" && d.Day() == 1:
		return d.AddDate(0, -1, 0), d, true
	case b.Every == "weekly" && d.Weekday() == time.Monday:
		return d.AddDate(0, 0, -7), d, true
	}
	return time.Time{}, time.Time{}, false
}
