package haven

import (
	"context"
	"time"
)

// OnCallAnswer is who is on call at a time, and until when that holds.
type OnCallAnswer struct {
	Schedule string    `json:"schedule"`
	At       time.Time `json:"at"`
	Users    []string  `json:"users"`
	Until    time.Time `json:"until"`
}

// ScheduleView is a schedule with its next weeks as spans, gaps (nobody on call) flagged.
type ScheduleView struct {
	*Schedule
	UpdatedAt time.Time      `json:"updated_at"`
	Spans     []ScheduleSpan `json:"spans,omitempty"`
	Gaps      []ScheduleSpan `json:"gaps,omitempty"`
}

// ScheduleService keeps the on-call schedules.
type ScheduleService interface {
	Schedules(ctx context.Context) ([]*ScheduleView, error)
	// Schedule reads one with its spans and gaps over [from, to).
	Schedule(ctx context.Context, name string, from, to time.Time) (*ScheduleView, error)
	// SaveSchedule creates or replaces a schedule (leads and admins).
	SaveSchedule(ctx context.Context, s Schedule) (*ScheduleView, error)
	// AddOverride adds a one-off override ("Rami covers Sunday 02:00–08:00"); leads, admins, and
	// the user taking the shift.
	AddOverride(ctx context.Context, name string, o ScheduleOverride) (*ScheduleView, error)
	OnCall(ctx context.Context, name string, at time.Time) (*OnCallAnswer, error)
}

// ScheduleStore keeps schedules.
type ScheduleStore interface {
	Schedules(ctx context.Context) ([]*ScheduleView, error)
	ScheduleByName(ctx context.Context, name string) (*Schedule, error)
	SaveSchedule(ctx context.Context, s *Schedule, at time.Time) error
}
