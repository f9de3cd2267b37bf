package haven

import (
	"context"
	"time"
)

// Presence is someone on a case's page now: reading it, or writing a reply or a note. It lets two
// people on one case see each other before they answer the same person twice.
type Presence struct {
	User  string    `json:"user"`
	State string    `json:"state"` // viewing or replying
	At    time.Time `json:"at"`
}

// Presence states.
const (
	PresenceViewing  = "viewing"
	PresenceReplying = "replying"
)

// PresenceTTL is how long a presence lasts without a new ping (pages ping every 15 seconds).
const PresenceTTL = 45 * time.Second

// PresenceService keeps who is on which case's page.
type PresenceService interface {
	// CasePresence records that the caller is on the case, in state (viewing or replying; ""
	// records nothing), and returns the others who are there now. A case the caller may not see
	// answers as missing.
	CasePresence(ctx context.Context, number, state string) ([]Presence, error)
}

// PresenceStore keeps presences: one row per case and user, replaced by each ping.
type PresenceStore interface {
	TouchPresence(ctx context.Context, caseID, userID int64, state string, at time.Time) error
	// CasePresence lists the users other than userID seen on the case since since.
	CasePresence(ctx context.Context, caseID, userID int64, since time.Time) ([]Presence, error)
}
