package haven

import "context"

// Job kinds of the email channel.
const (
	// JobSendEmail sends one queued outbound message; its payload is {"message_id": N}.
	JobSendEmail = "email.send"
	// JobNotifyEmail emails a notification to its user (an escalation reminder); its payload is
	// {"notification_id": N}.
	JobNotifyEmail = "notify.email"
)

// NotificationEmail is a notification as the sender emails it to its user: references only.
type NotificationEmail struct {
	To      string
	Subject string
	Text    string
}

// Outbound message statuses.
const (
	MessageQueued   = "queued"   // waiting for the sender job
	MessageRetrying = "retrying" // a temporary failure: the job tries again later
	MessageSent     = "sent"     // accepted by the relay
	MessageFailed   = "failed"   // refused for good; shown on the case
)

// OutboundEmail is everything the sender needs to turn a queued message into an email.
type OutboundEmail struct {
	Message    *Message
	CaseNumber string
	Language   string
	// SubjectTag is appended to the subject in brackets: the case number, or an escalation's
	// [HVE-…] tag that threads the platform's answer back onto it.
	SubjectTag string
	// RecipientPGPKey, when set, is the key the message is encrypted to (the requester's, or the
	// platform channel's); EncryptedOnly means it must be (a message to such a recipient without
	// a key is refused, never sent in plaintext).
	RecipientPGPKey string
	EncryptedOnly   bool
	// InReplyTo and References thread the reply under the case's correspondence.
	InReplyTo  string
	References []string
	// Mailboxes are the addresses the requester wrote to, newest first: the reply goes out from
	// the first one Haven serves.
	Mailboxes []string
	// AutoSubmitted marks an automatic acknowledgement.
	AutoSubmitted bool
}

// OutboxService is what the email sender job calls; it runs as the system.
type OutboxService interface {
	OutboundEmail(ctx context.Context, messageID int64) (*OutboundEmail, error)
	// MessageSent records that the relay accepted the message, with the Message-ID it went out under.
	MessageSent(ctx context.Context, messageID int64, emailMessageID string) error
	// MessageFailed records a failed attempt; a permanent failure marks the message failed.
	MessageFailed(ctx context.Context, messageID int64, reason string, permanent bool) error
	// NotificationEmail is the email of a notification; To is empty when its user has no address.
	NotificationEmail(ctx context.Context, notificationID int64) (*NotificationEmail, error)
}

// OutboxStore is what the service layer needs from storage for sending.
type OutboxStore interface {
	MessageByID(ctx context.Context, id int64) (*Message, error)
	// SetMessageDelivery records a message's status and, when not empty, its Message-ID.
	SetMessageDelivery(ctx context.Context, id int64, status, emailMessageID string) error
}
