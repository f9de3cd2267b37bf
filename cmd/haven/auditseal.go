package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/haven-helpline/haven/sqldb"
)

// sealEvery is how often a PostgreSQL instance chains the events committed since (sqldb.SealAudit):
// the window in which a new event is recorded but not yet in the chain.
const sealEvery = 150 * time.Millisecond

// startSealer seals the audit chain every sealEvery until ctx ends or stop is called; stop waits
// for the loop to end. Every instance runs one; the chain lock lets one seal at a time, and an
// instance that finds it busy skips the round, as the holder seals its events too. What is
// committed after the last round is sealed when the database closes (sqldb.DB.Close). SQLite
// chains events at commit and needs none.
func startSealer(ctx context.Context, log *slog.Logger, db *sqldb.DB) (stop func()) {
	if db.Dialect != sqldb.Postgres {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(sealEvery)
		defer tick.Stop()
		refused := 0
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			r, err := db.SealAudit(ctx, false)
			switch {
			case err != nil && ctx.Err() == nil:
				log.Error("sealing the audit trail", "err", err)
			case r.Refused != refused && !r.Busy:
				// Logged when the count changes, not every round: such events stay unsealed until removed.
				refused = r.Refused
				log.Error("audit events whose pending seal does not match were left out of the chain: run haven audit verify", "events", r.Refused)
			}
		}
	}()
	return func() { cancel(); <-done }
}
