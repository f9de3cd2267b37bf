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
	ClientIP   string         `json:"client_ip,omitempty"`
}

// TimelineEntry is one line of a case's history: an event, with the note or message it is about.
type TimelineEntry struct {
	Event   *Event   `json:"event"`
	Note    *Note    `json:"note,omitempty"`
	Message *Message `json:"message,omitempty"`
}

// EventStore is what the service layer needs from storage for events.
type EventStore interface {
	InsertEvent(ctx context.Context, e *Event) error
	CaseEvents(ctx context.Context, caseID int64) ([]*Event, error)
}
