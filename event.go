package haven

import (
	"context"
	"time"
)

// Event is an append-only record of one change (and, for restricted data, one read). The case
// timeline, the audit trail and SLA timings are read from events.
type Event struct {
	ID         int64          `json:"id"`
	At         time.Time      `json:"at"`
	ActorID    int64          `json:"-"`
	Actor      string         `json:"actor"`
	Action     string         `json:"action"` // e.g. case.created, case.transitioned, note.added
	ObjectType string         `json:"object_type"`
	ObjectID   string         `json:"object_id"`
	CaseID     int64          `json:"case_id,omitempty"`
	Data       map[string]any `json:"data,omitempty"`
	// Detail is the event's free text (a reason, a title), kept outside the chain, encrypted, and
	// destroyed with the case's personal data; Data holds only references, codes and field names.
	Detail   map[string]any `json:"detail,omitempty"`
	ClientIP string         `json:"client_ip,omitempty"`
	// Seq, PrevHash and Hash place the event in the tamper-evident chain (set at commit on SQLite;
	// on PostgreSQL by the sealer moments later, zero until then: sqldb/auditseal.go).
	Seq      int64  `json:"seq,omitempty"`
	PrevHash string `json:"prev_hash,omitempty"`
	Hash     string `json:"hash,omitempty"`
}

// AuditEvent is the name the audit trail gives an Event: the same append-only record.
type AuditEvent = Event

// TimelineEntry is one line of a case's history: an event, with the note or message it is about.
type TimelineEntry struct {
	Event   *Event   `json:"event"`
	Note    *Note    `json:"note,omitempty"`
	Message *Message `json:"message,omitempty"`
}

// EventFilter selects audit events; zero values do not filter.
type EventFilter struct {
	Actor  string    // username
	Action string    // exact action, or a prefix ending in "." (e.g. "case.")
	Case   string    // a case number
	CaseID int64     // set by the service from Case
	Since  time.Time // inclusive
	Until  time.Time // exclusive
	Cursor string
	Limit  int

	// Set by the service: events about a case or a requester the viewer may not see are left
	// out, like the case or person itself. Everything is for the operator at the console, who
	// holds the database and its key anyway (`haven audit export`).
	Viewer     Viewer `json:"-"`
	Everything bool   `json:"-"`
}

// EventPage is one page of audit events, newest first.
type EventPage struct {
	Items []*Event `json:"items"`
	Next  string   `json:"next"`
}

// AuditService lets auditors and admins read the audit trail. Nobody can change it through Haven.
type AuditService interface {
	AuditEvents(ctx context.Context, f EventFilter) (*EventPage, error)
}

// EventStore is what the service layer needs from storage for events.
type EventStore interface {
	// InsertEvent appends an event; it is sealed into the hash chain when the transaction commits.
	// Its Detail, if any, is stored apart (encrypted, erasable) and named in Data as detail_id.
	InsertEvent(ctx context.Context, e *Event) error
	CaseEvents(ctx context.Context, caseID int64) ([]*Event, error)
	FindEvents(ctx context.Context, f EventFilter) (*EventPage, error)
}
