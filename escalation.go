package haven

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// EscalationState is where an escalation to a platform stands.
type EscalationState string

const (
	EscalationDraft        EscalationState = "draft"
	EscalationSent         EscalationState = "sent"
	EscalationAcknowledged EscalationState = "acknowledged"
	EscalationResolved     EscalationState = "resolved"
	EscalationDeclined     EscalationState = "declined"
	EscalationNoResponse   EscalationState = "no-response"
	EscalationWithdrawn    EscalationState = "withdrawn"
)

// EscalationStates lists every state in lifecycle order.
func EscalationStates() []EscalationState {
	return []EscalationState{EscalationDraft, EscalationSent, EscalationAcknowledged, EscalationResolved,
		EscalationDeclined, EscalationNoResponse, EscalationWithdrawn}
}

// Valid reports whether s is a known state.
func (s EscalationState) Valid() bool { return slices.Contains(EscalationStates(), s) }

// IsOpen reports whether the helpline still expects something of the platform (or of itself).
func (s EscalationState) IsOpen() bool {
	return s == EscalationDraft || s == EscalationSent || s == EscalationAcknowledged
}

// EscalationKinds lists what a helpline asks platforms for.
func EscalationKinds() []string {
	return []string{"account-recovery", "hacked-account", "content-removal", "impersonation", "doxxing",
		"verification", "spam-or-fake", "other"}
}

// ChannelKinds lists the ways a platform takes escalations.
func ChannelKinds() []string { return []string{"email", "web-form", "partner-portal", "phone"} }

// Escalation is a request to a platform's Trust & Safety team about a case. Subject, body and
// reference may name the requester: they are personal data, encrypted at rest.
type Escalation struct {
	ID           int64           `json:"id"`
	CaseID       int64           `json:"-"`
	CaseNumber   string          `json:"case"`
	Platform     string          `json:"platform"`
	PlatformName string          `json:"platform_name,omitempty"`
	Kind         string          `json:"kind"`
	Channel      string          `json:"channel"`
	Address      string          `json:"address,omitempty"` // where it goes: an email address, a form's URL, a phone number
	Subject      string          `json:"subject"`
	Body         string          `json:"body"`
	Reference    string          `json:"reference,omitempty"` // the platform's ticket number
	State        EscalationState `json:"state"`
	OwnerID      int64           `json:"-"`
	Owner        string          `json:"owner,omitempty"`
	// PersonalData says the escalation carries the requester's data: it needs their consent to
	// share with partners, or an override with a reason.
	PersonalData    bool  `json:"personal_data"`
	ConsentOverride bool  `json:"consent_override"`
	Encrypted       bool  `json:"encrypted"` // sent (or to be sent) PGP-encrypted to the platform's key
	MessageID       int64 `json:"message_id,omitempty"`
	TemplateID      int64 `json:"template_id,omitempty"`
	TemplateVersion int   `json:"template_version,omitempty"`
	// ReplyToken goes in the subject tag [HVE-…]: unguessable, so a reply carrying it is the
	// platform's (or someone it forwarded to), never a guess at a sequential number.
	ReplyToken      string     `json:"-"`
	TargetHours     int        `json:"target_hours,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	SentAt          *time.Time `json:"sent_at,omitempty"`
	FirstResponseAt *time.Time `json:"first_response_at,omitempty"`
	ClosedAt        *time.Time `json:"closed_at,omitempty"`
	DueAt           *time.Time `json:"due_at,omitempty"` // when the platform's first answer is due
	NextReminderAt  *time.Time `json:"next_reminder_at,omitempty"`
	Reminders       int        `json:"reminders"`
	Overdue         bool       `json:"overdue"`
}

// NextStates lists the states e may move to: forward through the lifecycle, withdrawn from any
// open state, and back from a closed one (to acknowledged when the platform had answered, else
// to sent, or to draft when it never left).
func (e *Escalation) NextStates() []EscalationState {
	switch e.State {
	case EscalationDraft:
		return []EscalationState{EscalationSent, EscalationWithdrawn}
	case EscalationSent:
		return []EscalationState{EscalationAcknowledged, EscalationResolved, EscalationDeclined, EscalationNoResponse, EscalationWithdrawn}
	case EscalationAcknowledged:
		return []EscalationState{EscalationResolved, EscalationDeclined, EscalationNoResponse, EscalationWithdrawn}
	}
	switch {
	case e.SentAt == nil:
		return []EscalationState{EscalationDraft}
	case e.FirstResponseAt != nil:
		return []EscalationState{EscalationAcknowledged, EscalationSent}
	}
	return []EscalationState{EscalationSent}
}

// IsOverdue reports whether the platform's answer is late at now.
func (e *Escalation) IsOverdue(now time.Time) bool {
	return e.State == EscalationSent && e.DueAt != nil && now.After(*e.DueAt)
}

// EscalationCreate drafts an escalation. Body, or Template (a template's name), gives the text.
type EscalationCreate struct {
	Platform  string `json:"platform"`
	Kind      string `json:"kind"`
	Channel   string `json:"channel"`
	Subject   string `json:"subject"`
	Body      string `json:"body"`
	Template  string `json:"template"`
	Reference string `json:"reference"`
	// PersonalData, when false, declares that the text carries nothing of the requester's; Haven
	// still treats it as personal when it names them or one of their contacts.
	PersonalData *bool `json:"personal_data"`
}

// Validate checks the input.
func (in *EscalationCreate) Validate() error {
	in.Platform, in.Template = strings.TrimSpace(in.Platform), strings.TrimSpace(in.Template)
	in.Subject, in.Reference = strings.TrimSpace(in.Subject), strings.TrimSpace(in.Reference)
	if in.Kind == "" {
		in.Kind = "other"
	}
	v := Validation{}
	v.Check(in.Platform != "", "platform", "required: a platform's slug")
	v.Check(slices.Contains(EscalationKinds(), in.Kind), "kind", strings.Join(EscalationKinds(), ", "))
	v.Check(in.Channel == "" || slices.Contains(ChannelKinds(), in.Channel), "channel", strings.Join(ChannelKinds(), ", "))
	v.Check(in.Template != "" || strings.TrimSpace(in.Body) != "", "body", "write a body or name a template")
	v.Check(in.Template == "" || strings.TrimSpace(in.Body) == "", "template", "give a body or a template, not both")
	v.Check(len(in.Body) <= MaxBody, "body", "too long")
	v.Check(len(in.Subject) <= 1000, "subject", "at most 1000 bytes")
	v.Check(len(in.Reference) <= 200, "reference", "at most 200 bytes")
	return v.Err()
}

// EscalationTransition moves an escalation. Reference records the platform's ticket number;
// ConsentOverride with a Reason sends an escalation carrying the requester's data without their
// consent to share it (audited).
type EscalationTransition struct {
	To              EscalationState `json:"to"`
	Reference       string          `json:"reference"`
	Reason          string          `json:"reason"`
	ConsentOverride bool            `json:"consent_override"`
}

// Check validates the transition of e: EINVALID for bad input, ECONFLICT with the allowed targets
// when the lifecycle does not allow it.
func (t *EscalationTransition) Check(e *Escalation) error {
	t.Reference, t.Reason = strings.TrimSpace(t.Reference), strings.TrimSpace(t.Reason)
	allowed := make([]string, 0, 6)
	for _, s := range e.NextStates() {
		allowed = append(allowed, string(s))
	}
	if !t.To.Valid() {
		return &Error{Code: EINVALID, Message: "unknown state", Fields: map[string]string{"to": "unknown state"}, Allowed: allowed}
	}
	if !slices.Contains(e.NextStates(), t.To) {
		return &Error{Code: ECONFLICT, Allowed: allowed, Message: fmt.Sprintf("a %s escalation cannot move to %s", e.State, t.To)}
	}
	v := Validation{}
	v.Check(len(t.Reference) <= 200, "reference", "at most 200 bytes")
	v.Check(len(t.Reason) <= 2000, "reason", "at most 2000 bytes")
	v.Check(!t.ConsentOverride || t.Reason != "", "reason", "overriding consent needs a reason")
	return v.Err()
}

// Apply performs a checked transition at now. Reminders are only for escalations awaiting a
// first answer; the service schedules them (it knows the platform's target).
func (t *EscalationTransition) Apply(e *Escalation, now time.Time) {
	e.State = t.To
	if t.Reference != "" {
		e.Reference = t.Reference
	}
	if t.To == EscalationSent && e.SentAt == nil {
		e.SentAt = &now
	}
	if t.To == EscalationAcknowledged && e.FirstResponseAt == nil {
		e.FirstResponseAt = &now
	}
	e.ClosedAt = nil
	if !t.To.IsOpen() {
		e.ClosedAt = &now
	}
	if t.To != EscalationSent {
		e.NextReminderAt = nil
	}
}

// EscalationFilter selects escalations across cases; every list is filtered by need-to-know.
type EscalationFilter struct {
	Platform string
	Kind     string
	State    EscalationState
	Overdue  bool
	Owner    string
	// Console lists every case's escalations: for the operator at the console only, never a
	// user's request.
	Console bool
	// After is the keyset cursor: escalations with a smaller id (newest first).
	After int64
	Limit int
}

// Validate checks the filter's codes.
func (f *EscalationFilter) Validate() error {
	v := Validation{}
	v.Check(f.State == "" || f.State.Valid(), "state", "one of draft, sent, acknowledged, resolved, declined, no-response, withdrawn")
	v.Check(f.Kind == "" || slices.Contains(EscalationKinds(), f.Kind), "kind", strings.Join(EscalationKinds(), ", "))
	return v.Err()
}

// EscalationPage is one page of escalations.
type EscalationPage struct {
	Items []*Escalation `json:"items"`
	Next  string        `json:"next,omitempty"`
}

// NewReplyToken makes an escalation's subject-tag token: 50 random bits in base32.
func NewReplyToken() (string, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", Internal("reply token", err)
	}
	return base32.StdEncoding.EncodeToString(b)[:10], nil
}

// EscalationTag is the subject tag of an escalation's emails.
func EscalationTag(token string) string { return "HVE-" + token }

var escalationTagRE = regexp.MustCompile(`(?i)\[\s*HVE-([A-Z2-7]{10})\s*\]`)

// SubjectEscalationToken finds an "[HVE-…]" tag in a subject and returns its token, or "".
func SubjectEscalationToken(subject string) string {
	m := escalationTagRE.FindStringSubmatch(subject)
	if m == nil {
		return ""
	}
	return strings.ToUpper(m[1])
}

// EscalationReminder tells an escalation's owner the platform has not answered in time.
type EscalationReminder struct {
	Escalation *Escalation
	// GaveUp is set when the escalation was marked no-response rather than reminded of.
	GaveUp bool
}

// EscalationService escalates cases to platforms and measures how they answer.
type EscalationService interface {
	CreateEscalation(ctx context.Context, number string, in EscalationCreate) (*Escalation, error)
	CaseEscalations(ctx context.Context, number string) ([]*Escalation, error)
	Escalation(ctx context.Context, id int64) (*Escalation, error)
	Escalations(ctx context.Context, f EscalationFilter) (*EscalationPage, error)
	TransitionEscalation(ctx context.Context, id int64, t EscalationTransition) (*Escalation, error)
	// RemindEscalations runs as the system (the job runner): reminds owners of late answers and
	// marks escalations unanswered for too long no-response.
	RemindEscalations(ctx context.Context) ([]EscalationReminder, error)
	EscalationStats(ctx context.Context, q StatsQuery) (*EscalationStats, error)
}

// EscalationStore keeps escalations.
type EscalationStore interface {
	InsertEscalation(ctx context.Context, e *Escalation) error
	UpdateEscalation(ctx context.Context, e *Escalation) error
	EscalationByID(ctx context.Context, id int64) (*Escalation, error)
	EscalationByToken(ctx context.Context, token string) (*Escalation, error)
	CaseEscalations(ctx context.Context, caseID int64) ([]*Escalation, error)
	// Escalations lists escalations of cases v may see, newest first.
	Escalations(ctx context.Context, f EscalationFilter, v Viewer) ([]*Escalation, error)
	// DueEscalationReminders lists sent escalations whose next reminder is due at now.
	DueEscalationReminders(ctx context.Context, now time.Time, limit int) ([]*Escalation, error)
	// ClaimEscalationReminder moves the next reminder from was to next; false when another
	// runner got there first.
	ClaimEscalationReminder(ctx context.Context, id int64, was, next *time.Time) (bool, error)
	// EscalationFacts calls each with the figures of every escalation sent in [from, to) on a
	// case v may see (one at a time: a period may hold a hundred thousand).
	EscalationFacts(ctx context.Context, from, to time.Time, v Viewer, each func(*EscalationFact)) error
}
