package haven

import "time"

// Schedule is a named on-call rota. The JSON field names are part of the API contract.
type Schedule struct {
	Name      string             `json:"name"`
	TimeZone  string             `json:"time_zone"` // IANA, default for layers without one
	Layers    []ScheduleLayer    `json:"layers"`    // later layers override earlier ones where they have someone on call
	Overrides []ScheduleOverride `json:"overrides"` // one-off, override every layer
}

// ScheduleLayer is one rotation of users.
type ScheduleLayer struct {
	Name     string   `json:"name"`
	Users    []string `json:"users"`               // usernames, rotated in order
	Start    string   `json:"start"`               // local date-time "2026-01-05T09:00" in TimeZone: the first handoff, Users[0] starts
	Rotation string   `json:"rotation"`            // "daily", "weekly", or "hours"
	Hours    int      `json:"hours,omitempty"`     // the shift length when Rotation is "hours"
	TimeZone string   `json:"time_zone,omitempty"` // IANA; default the schedule's
	// Restrictions, when any, limit the layer to these weekly windows (local time): outside them
	// this layer has nobody on call (a lower layer may).
	Restrictions []ScheduleWindow `json:"restrictions,omitempty"`
}

// ScheduleWindow is a weekly restriction window in the layer's local time.
type ScheduleWindow struct {
	Days  []string `json:"days"`  // "mon".."sun"; empty = every day
	Start string   `json:"start"` // "08:00"
	End   string   `json:"end"`   // "18:00"; End <= Start means it runs past midnight into the next day
}

// ScheduleOverride puts one user on call over every layer during [Start, End).
type ScheduleOverride struct {
	User  string    `json:"user"`
	Start time.Time `json:"start"` // RFC 3339 instants
	End   time.Time `json:"end"`
}

// ScheduleSpan is a stretch of time with the same people on call.
type ScheduleSpan struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Users []string  `json:"users"`           // empty: a gap
	Layer string    `json:"layer,omitempty"` // which layer ("override" for an override), "" for a gap
}

// overrideLayer is the ScheduleSpan.Layer of a stretch covered by an override; no layer may take the name.
const overrideLayer = "override"
