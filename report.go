package haven

import (
	"context"
	"time"
)

// Report is one inbound submission (an email, a form, an API call). Many reports may link to one
// case; the raw source is kept so nothing the requester sent is lost.
type Report struct {
	ID         int64     `json:"id"`
	Channel    string    `json:"channel"`
	ExternalID string    `json:"external_id"` // e.g. the Message-ID
	DedupeKey  string    `json:"dedupe_key"`
	Raw        []byte    `json:"-"`
	CaseID     int64     `json:"case_id,omitempty"`
	CaseNumber string    `json:"case_number,omitempty"`
	ReceivedAt time.Time `json:"received_at"`
}

// ReportCreate records an inbound submission.
type ReportCreate struct {
	Channel    string `json:"channel"`
	ExternalID string `json:"external_id"`
	DedupeKey  string `json:"dedupe_key"`
	Raw        string `json:"raw"`
}

// Validate checks the input.
func (r *ReportCreate) Validate() error {
	v := Validation{}
	v.Check(validChannel(r.Channel), "channel", "must be one of api, email, web, phone, signal, other")
	v.Check(len(r.ExternalID) <= 1000, "external_id", "at most 1000 bytes")
	v.Check(len(r.DedupeKey) <= 200, "dedupe_key", "at most 200 bytes")
	return v.Err()
}

// ReportService records submissions and links them to cases.
type ReportService interface {
	CreateReport(ctx context.Context, in ReportCreate) (*Report, error)
	LinkReport(ctx context.Context, reportID int64, number string) (*Report, error)
	Reports(ctx context.Context, number string) ([]*Report, error)
}

// ReportStore is what the service layer needs from storage for reports.
type ReportStore interface {
	// InsertReport stores r; a report with the same non-empty dedupe key gives ECONFLICT.
	InsertReport(ctx context.Context, r *Report) error
	ReportByID(ctx context.Context, id int64) (*Report, error)
	ReportByDedupeKey(ctx context.Context, key string) (*Report, error)
	LinkReport(ctx context.Context, reportID, caseID int64) error
	CaseReports(ctx context.Context, caseID int64) ([]*Report, error)
}
