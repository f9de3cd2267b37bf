package haven

import (
	"context"
	"strings"
	"time"
)

// Direction of a message.
const (
	Inbound  = "in"
	Outbound = "out"
)

// Message is correspondence on a case.
type Message struct {
	ID         int64    `json:"id"`
	CaseID     int64    `json:"case_id"`
	Direction  string   `json:"direction"`
	Channel    string   `json:"channel"`
	From       string   `json:"from"`
	To         []string `json:"to"`
	Subject    string   `json:"subject"`
	Text       string   `json:"text"`
	HTML       string   `json:"html,omitempty"` // sanitised
	Encrypted  bool     `json:"encrypted"`
	MessageID  string   `json:"message_id"`
	InReplyTo  string   `json:"in_reply_to,omitempty"`
	References []string `json:"references,omitempty"`
	Status     string   `json:"status"` // received, recorded, queued, sent, failed
	// Flags describe an inbound message: auto-reply, unparsed, charset-fallback, encrypted,
	// decrypted, signed, signature-valid, signature-invalid.
	Flags      []string      `json:"flags,omitempty"`
	AuthorID   int64         `json:"-"`
	Author     string        `json:"author,omitempty"`
	CreatedAt  time.Time     `json:"created_at"`
	Attachment []*Attachment `json:"attachments,omitempty"`
	// TemplateID and TemplateVersion name the template version the message was written from.
	TemplateID      int64 `json:"template_id,omitempty"`
	TemplateVersion int   `json:"template_version,omitempty"`
	// EscalationID names the escalation the message belongs to: sent to a platform, or its answer.
	EscalationID int64 `json:"escalation_id,omitempty"`
}

// MessageCreate records correspondence on a case.
type MessageCreate struct {
	Direction string   `json:"direction"`
	Channel   string   `json:"channel"`
	From      string   `json:"from"`
	To        []string `json:"to"`
	Subject   string   `json:"subject"`
	Text      string   `json:"text"`
	// TemplateID and TemplateVersion, when the text came from a template (render-template).
	TemplateID      int64 `json:"template_id"`
	TemplateVersion int   `json:"template_version"`
}

// Validate checks the input.
func (m *MessageCreate) Validate() error {
	v := Validation{}
	if m.Direction == "" {
		m.Direction = Outbound
	}
	if m.Channel == "" {
		m.Channel = "email"
	}
	v.Check(m.Direction == Inbound || m.Direction == Outbound, "direction", "must be in or out")
	v.Check(validChannel(m.Channel), "channel", "must be one of api, email, web, phone, signal, other")
	v.Check(strings.TrimSpace(m.Text) != "", "text", "a message needs a text")
	v.Check(len(m.Text) <= MaxBody, "text", "too long")
	v.Check(len(m.Subject) <= 1000, "subject", "at most 1000 bytes")
	return v.Err()
}

// MessageService records correspondence (sending comes with the email issue).
type MessageService interface {
	AddMessage(ctx context.Context, number string, in MessageCreate) (*Message, error)
	Messages(ctx context.Context, number string) ([]*Message, error)
}

// MessageStore is what the service layer needs from storage for messages.
type MessageStore interface {
	InsertMessage(ctx context.Context, m *Message) error
	CaseMessages(ctx context.Context, caseID int64) ([]*Message, error)
}
