package haven

import (
	"context"
	"time"
)

// InboundEmail is one received email, parsed, ready for the intake pipeline. The email package
// builds it from the raw message; the service decides where it goes.
type InboundEmail struct {
	Mailbox   string // the helpline address it came to
	Team      string // the mailbox's team, for new cases
	Language  string // detected, else the mailbox's default
	Raw       []byte // the message exactly as received: always kept
	DedupeKey string // "mid:<Message-ID>" or "sha256:<content hash>"

	MessageID  string
	InReplyTo  string
	References []string
	FromName   string
	FromAddr   string
	To         []string
	Subject    string
	Date       time.Time
	Text       string
	HTML       string // sanitised
	// CaseTag is the case number found in the subject ("[HV-2026-000123]"), if any.
	CaseTag     string
	Attachments []InboundAttachment
	// Flags describe what the parser saw: auto-reply, unparsed, charset-fallback, encrypted,
	// decrypted, signed, signature-valid, signature-invalid.
	Flags []string
	// AutoReply marks auto-replies, bounces and loops: recorded, but they never trigger an
	// acknowledgement or reopen a case.
	AutoReply bool
	// SenderPGPKey is an OpenPGP public key the sender attached (checked to be one): it becomes
	// the requester's key when they have none yet.
	SenderPGPKey string
}

// InboundAttachment is a file that came with an email.
type InboundAttachment struct {
	Filename    string
	ContentType string
	Data        []byte
	Suspicious  bool
	Reason      string
}

// Threading says how an inbound email found its case.
const (
	ThreadNew        = "new"         // it opened a new case
	ThreadSubjectTag = "subject-tag" // [HV-…] in the subject
	ThreadReply      = "reply"       // In-Reply-To or References name a message of the case
	ThreadDuplicate  = "duplicate"   // already received (same Message-ID or content): nothing done
)

// IngestResult is what the intake pipeline did with one email.
type IngestResult struct {
	Threading  string `json:"threading"`
	CaseNumber string `json:"case"`
	ReportID   int64  `json:"report_id"`
	MessageID  int64  `json:"message_id,omitempty"`
	Reopened   bool   `json:"reopened,omitempty"`
	// Acknowledge is set when the requester should get an automatic acknowledgement: a new case
	// from a real person (not an auto-reply).
	Acknowledge bool `json:"acknowledge,omitempty"`
}

// IntakeService takes in inbound email (for the SMTP listener, IMAP polling and `haven ingest`).
type IntakeService interface {
	// IngestEmail stores the email and threads it into a case, or opens one. It returns only once
	// everything is committed; the same email given twice is stored once.
	IngestEmail(ctx context.Context, in InboundEmail) (*IngestResult, error)
	// SenderPGPKey is the public key on record for the requester with this email address ("" if
	// none), to verify signed mail.
	SenderPGPKey(ctx context.Context, address string) (string, error)
	// RecordRefusal audits an email refused for good (too large), which no case holds.
	RecordRefusal(ctx context.Context, mailbox string, size int64, reason string) error
}

// IntakeStore is what the intake pipeline needs from storage beyond the other stores.
type IntakeStore interface {
	// CaseIDByMessageID finds the case holding a message with this Message-ID (0 when none).
	CaseIDByMessageID(ctx context.Context, messageID string) (int64, error)
}
