package main

import (
	"context"
	"sync"
	"time"

	"github.com/haven-helpline/haven/sqldb"
)

// readyFor is how long a readiness answer is reused: load balancers poll /readyz every few
// seconds from several places, and the check writes (a commit on PostgreSQL, a synced file
// beside a SQLite database).
const readyFor = 2 * time.Second

// readiness answers /readyz: the database answers, its schema is current, and it can take a
// write (sqldb.Writable: not full, not read-only). One check runs at a time; callers within
// readyFor of a good answer share it. A failure is not kept: checking a database that is down
// costs little (the connection is refused), and the balancer should see it back at its next poll.
type readiness struct {
	db  *sqldb.DB
	now func() time.Time

	mu   sync.Mutex
	okAt time.Time // the last good answer
}

func newReadiness(db *sqldb.DB) *readiness { return &readiness{db: db, now: time.Now} }

func (r *readiness) check(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now := r.now(); !r.okAt.IsZero() && now.Sub(r.okAt) < readyFor {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if err := r.probe(ctx); err != nil {
		r.okAt = time.Time{}
		return err
	}
	r.okAt = r.now()
	return nil
}

// probeTimeout bounds a check against a database that hangs instead of refusing.
const probeTimeout = 5 * time.Second

func (r *readiness) probe(ctx context.Context) error {
	if err := r.db.Ping(ctx); err != nil {
		return err
	}
	if err := r.db.CheckSchema(ctx); err != nil {
		return err
	}
	return r.db.Writable(ctx)
}
