package haven

import "time"

// OperationalCounts is what the metrics collector reads from storage at scrape time: how much
// work waits where. It holds counts and kinds, never anything a person wrote.
type OperationalCounts struct {
	Jobs        []JobCount
	Pages       []StateCount // open emergency pages by state; Escalated counts those past level 0
	Escalations []StateCount // escalations to platforms by state
}

// JobCount is how many jobs of a kind are in a state. States beyond the stored ones: "running"
// (queued and leased to a worker now) and "retrying" (queued after a failed attempt).
type JobCount struct {
	Kind  string
	State string
	Count int
	// OldestDue is when the oldest due, unleased job of the kind became due (zero if none).
	OldestDue time.Time
}

// StateCount is how many rows are in a state.
type StateCount struct {
	State     string
	Count     int
	Escalated int
}
