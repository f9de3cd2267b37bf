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
	Category  string // the mailbox's category, for new cases (a report-phishing address)
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
	CaseTag string
	// Emergency: the mailbox it came to is an emergency one; a new case pages on-call.
	Emergency bool
	// EscalationToken is the token of an "[HVE-…]" tag in the subject: a platform answering an
	// escalation.
	EscalationToken string
	Attachments     []InboundAttachment
	// Senders are the addresses of the message and of every message forwarded inside it, by role
	// (from, reply-to, return-path): what a phishing report is about.
	Senders []InboundSender
	// Forwarded holds the text and sanitised HTML of the messages forwarded inside it.
	Forwarded []ForwardedBody
	// Flags describe what the parser saw: auto-reply, unparsed, charset-fallback, encrypted,
	// decrypted, signed, signature-valid, signature-invalid.
	Flags []string
	// AutoReply marks auto-replies, bounces and loops: recorded, but they never trigger an
	// acknowledgement or reopen a case.
	AutoReply bool
	// SenderPGPKey is an OpenPGP public key the sender attached (checked to be one): it becomes
	// the requester's key when they have none yet.
	SenderPGPKey string
	// Bounce is set when the email is a delivery status notification (RFC 3464) about a message
	// whose Message-ID it quotes: it then belongs to that message's case.
	Bounce *Bounce
}

// Bounce is what a delivery status notification says about one message Haven sent.
type Bounce struct {
	// OriginalMessageID is the Message-ID (without <>) of the message it reports on, from the
	// returned message or headers (message/rfc822, text/rfc822-headers, message/rfc822-headers).
	OriginalMessageID string
	// Failed is true when a recipient's Action is "failed" (a permanent failure), false for
	// "delayed", "delivered", "relayed" or "expanded".
	Failed bool
	// Status is the first recipient's RFC 3463 status code, e.g. "5.1.1" ("" if absent or malformed).
	Status string
}

// InboundAttachment is a file that came with an email.
// InboundSender is one address that sent an inbound email (or a message forwarded in it).
type InboundSender struct {
	Role string // from, reply-to, return-path
	Addr string
}

// ForwardedBody is the text of a message forwarded inside an inbound email.
type ForwardedBody struct {
	Text string
	HTML string
}

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
	ThreadBounce     = "bounce"      // a delivery status notice about a message Haven sent
	ThreadEscalation = "escalation"  // a platform's answer to an escalation (its [HVE-…] tag or a reply to its email)
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
	// SenderPGPKeys are the public keys on record for the people with this email address, to
	// verify a signature (none if no one has one).
	SenderPGPKeys(ctx context.Context, address string) ([]string, error)
	// RecordRefusal audits an email refused for good (too large), which no case holds.
	RecordRefusal(ctx context.Context, mailbox string, size int64, reason string) error
}

// IntakeStore is what the intake pipeline needs from storage beyond the other stores.
type IntakeStore interface {
	// SentMessage finds a message Haven sent by its Message-ID: its id and its case's (0, 0 when none).
	SentMessage(ctx context.Context, messageID string) (id, caseID int64, err error)
}
