package haven

import (
	"context"
	"time"
)

// DefaultRetention is the category key of the policy applying to cases no other policy covers.
const DefaultRetention = "*"

// RetentionPolicy says how long after its closure a case of a category keeps its personal data.
type RetentionPolicy struct {
	Category  string    `json:"category"`
	Days      int       `json:"days"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate checks a policy.
func (p *RetentionPolicy) Validate() error {
	v := Validation{}
	v.Check(p.Category != "", "category", "a category slug, or * for the default")
	v.Check(p.Days >= 0 && p.Days <= 36500, "days", "between 1 and 36500 (0 removes the policy)")
	return v.Err()
}

// Purge counts what a retention purge destroyed across the expired cases.
type Purge struct {
	Cases []string `json:"cases"` // numbers of the purged cases
	Erasure
}

// RetentionService manages retention policies and purges expired cases. The purge keeps each
// case's anonymous facts (categories, dates, country, outcome, priority, status) for statistics.
type RetentionService interface {
	RetentionPolicies(ctx context.Context) ([]*RetentionPolicy, error)
	// SetRetentionPolicy creates, changes or (Days 0) removes a policy (admins).
	SetRetentionPolicy(ctx context.Context, p RetentionPolicy) (*RetentionPolicy, error)
}

// RetentionStore is what the service layer needs from storage for retention.
type RetentionStore interface {
	RetentionPolicies(ctx context.Context) ([]*RetentionPolicy, error)
	PutRetentionPolicy(ctx context.Context, p *RetentionPolicy) error
	DeleteRetentionPolicy(ctx context.Context, category string) error
	// ExpiredCases lists up to limit closed, unpurged cases whose retention ran out by now: closed
	// at least the longest period of their categories' policies ago (the default policy for
	// categories without one; cases no policy covers never expire).
	ExpiredCases(ctx context.Context, now time.Time, limit int) ([]int64, error)
	// PurgeCase blanks a case's own personal fields (title, summary, tags, region, requester
	// link, restriction list) and marks it purged at t.
	PurgeCase(ctx context.Context, caseID int64, at time.Time) error
}
