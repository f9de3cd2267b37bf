package sqldb

import (
	"context"
	"database/sql"
	"sync/atomic"
	"time"

	"github.com/haven-helpline/haven"
)

// Observer is told about the database's work, for metrics. Its methods must be quick: they run
// on every transaction. Committed sees each event of a committed transaction once, even when
// SQLite's group commit ran the work more than once.
type Observer interface {
	Transaction(write bool, d time.Duration)
	Committed(e *haven.Event)
}

// observing holds the Observer; a pointer to an interface so it can be swapped atomically while
// transactions run (mail pollers start before the HTTP server that registers the metrics).
type observing struct {
	obs     atomic.Pointer[Observer]
	pending atomic.Int64 // SQLite: writes submitted and not yet answered
	busy    atomic.Int64 // SQLite: nanoseconds the writer has spent on work (worked)
}

// Observe sets the observer of every later transaction; nil stops observing.
func (db *DB) Observe(o Observer) {
	if o == nil {
		db.observing.obs.Store(nil)
		return
	}
	db.observing.obs.Store(&o)
}

// Pools names the connection pools, for the standard database/sql statistics: SQLite has a
// writer and a reader pool, PostgreSQL one pool for both.
func (db *DB) Pools() map[string]*sql.DB {
	if db.read == db.write {
		return map[string]*sql.DB{"main": db.write}
	}
	return map[string]*sql.DB{"write": db.write, "read": db.read}
}

// PendingWrites is how many transactions wait for SQLite's single writer or run in its current
// batch; always 0 on PostgreSQL.
func (db *DB) PendingWrites() int64 { return db.observing.pending.Load() }

// WriterBusy is how long SQLite's single writer has spent working since the database was
// opened: running write batches, writing search documents, merging the index. Its rate is the
// writer's saturation (1 s a second: every write waits for it); per case created, the cost
// that bounds SQLite's intake. Always 0 on PostgreSQL, where writers run in parallel.
func (db *DB) WriterBusy() time.Duration { return time.Duration(db.observing.busy.Load()) }

// worked counts the writer's time since start as busy.
func (db *DB) worked(start time.Time) { db.observing.busy.Add(int64(time.Since(start))) }

// SearchDocumentsWaiting is how many search documents this process keeps for the full-text index
// (searchlater.go): committed, written within a second; a count that only grows means the index
// cannot be written (a full disk). Always 0 on PostgreSQL.
func (db *DB) SearchDocumentsWaiting() int64 {
	db.later.mu.Lock()
	defer db.later.mu.Unlock()
	return int64(len(db.later.kept))
}

// timeTx reports a transaction's duration; deferred at its start.
func (db *DB) timeTx(start time.Time, readOnly bool) {
	if o := db.observing.obs.Load(); o != nil {
		(*o).Transaction(!readOnly, time.Since(start))
	}
}

// committed reports the events of a committed transaction.
func (db *DB) committed(events []storedEvent) {
	o := db.observing.obs.Load()
	if o == nil {
		return
	}
	for _, p := range events {
		(*o).Committed(p.event)
	}
}

// OperationalCounts counts queued work for the metrics collector: jobs by kind and state, open
// pages and escalations by state. Indexes on (state, …) keep it cheap.
func (db *DB) OperationalCounts(ctx context.Context, now time.Time) (*haven.OperationalCounts, error) {
	out := &haven.OperationalCounts{}
	err := db.View(ctx, func(htx haven.Tx) (err error) {
		tx := htx.(*Tx)
		if out.Jobs, err = tx.jobCounts(ctx, now); err != nil {
			return err
		}
		if out.Pages, err = queryAll(ctx, tx, "count pages", `SELECT state, COUNT(*),
			COALESCE(SUM(CASE WHEN level > 0 THEN 1 ELSE 0 END), 0) FROM alerts WHERE state <> 'resolved' GROUP BY state`,
			scanStateCount); err != nil {
			return err
		}
		out.Escalations, err = queryAll(ctx, tx, "count escalations",
			`SELECT state, COUNT(*), 0 FROM escalations GROUP BY state`, scanStateCount)
		return err
	})
	return out, err
}

func scanStateCount(row rowScanner) (haven.StateCount, error) {
	var c haven.StateCount
	err := row.Scan(&c.State, &c.Count, &c.Escalated)
	return c, err
}

// jobCounts groups the unfinished jobs. A queued job leased until later is running; one that
// failed before and waits for its retry is retrying.
func (tx *Tx) jobCounts(ctx context.Context, now time.Time) ([]haven.JobCount, error) {
	return queryAll(ctx, tx, "count jobs", `SELECT kind, st, COUNT(*), COALESCE(MIN(due), 0) FROM (
		SELECT kind, CASE WHEN state = 'dead' THEN 'dead' WHEN locked_until > $1 THEN 'running'
			WHEN last_error <> '' THEN 'retrying' ELSE 'queued' END AS st,
			CASE WHEN state = 'queued' AND locked_until <= $1 AND run_at <= $1 THEN run_at END AS due
		FROM jobs WHERE state <> 'done') AS j GROUP BY kind, st`,
		func(row rowScanner) (haven.JobCount, error) {
			var c haven.JobCount
			var due int64
			err := row.Scan(&c.Kind, &c.State, &c.Count, &due)
			if due > 0 {
				c.OldestDue = fromMicros(due)
			}
			return c, err
		}, micros(now))
}
