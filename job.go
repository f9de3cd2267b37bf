package haven

import (
	"context"
	"time"
)

// Job states.
const (
	JobQueued = "queued"
	JobDone   = "done"
	JobDead   = "dead" // failed max_attempts times; kept for an operator to look at
)

// Job is one piece of background work in the table-backed queue.
type Job struct {
	ID          int64     `json:"id"`
	Kind        string    `json:"kind"`
	Payload     string    `json:"payload"` // JSON
	UniqueKey   string    `json:"unique_key,omitempty"`
	RunAt       time.Time `json:"run_at"`
	Attempts    int       `json:"attempts"`
	MaxAttempts int       `json:"max_attempts"`
	LastError   string    `json:"last_error,omitempty"`
	State       string    `json:"state"`
	CreatedAt   time.Time `json:"created_at"`
}

// JobStore is what the job runner needs from storage.
type JobStore interface {
	// EnqueueJob adds j; it returns false (and changes nothing) when a job with the same
	// non-empty unique key exists, whatever its state.
	EnqueueJob(ctx context.Context, j *Job) (bool, error)
	// ClaimJobs leases up to limit due jobs to worker until leaseUntil and counts an attempt on
	// each. Several instances may claim at once; each job goes to one of them.
	ClaimJobs(ctx context.Context, worker string, now, leaseUntil time.Time, limit int) ([]*Job, error)
	// FinishJob marks a claimed job done.
	FinishJob(ctx context.Context, id int64, at time.Time) error
	// ReleaseJob hands a claimed job back, as if it had never been claimed: due again at once
	// and without the attempt counted. A runner that stops returns the jobs it will not finish.
	// It changes nothing unless worker still holds the job.
	ReleaseJob(ctx context.Context, id int64, worker string) error
	// RetryJob records a failure and makes the job due again at runAt, or dead when dead is set.
	RetryJob(ctx context.Context, id int64, errText string, runAt time.Time, dead bool) error
	// Jobs lists jobs in a state, oldest first (for operators and tests).
	Jobs(ctx context.Context, state string, limit int) ([]*Job, error)
	// DeleteFinishedJobs removes done jobs finished before t, freeing their unique keys.
	DeleteFinishedJobs(ctx context.Context, before time.Time) (int, error)
}
