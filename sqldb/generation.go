package sqldb

import (
	"context"
	"database/sql"
	"sync/atomic"
	"time"
)

// A database generation is a number that changes whenever the data may have changed, so that
// readers can keep what they read (the service's case lists) until it does. This process's own
// writes change it as they commit; writes by another process on the same SQLite file (`haven
// ingest` from a mail server, the administration commands) are seen through SQLite's
// data_version within changeWatchEvery. On PostgreSQL every process's writes are seen through
// LISTEN/NOTIFY (notify_pg.go).

// changeWatchEvery is how often the change watcher asks SQLite whether another connection
// committed: the most another process's write can stay unseen by readers that keep results.
const changeWatchEvery = 100 * time.Millisecond

// generation is the counter and the watcher of other processes' writes.
type generation struct {
	n         atomic.Uint64
	reference atomic.Uint64 // moved by writes that may change reference data (refgen.go)
	stop      chan struct{}
	done      chan struct{}
	// PostgreSQL: whether the listener is listening (the generation is trustworthy), and how
	// to stop it.
	live   atomic.Bool
	cancel context.CancelFunc
	closed atomic.Bool // set by Close
}

// Generation returns the database's current generation, and false when the database cannot
// tell (PostgreSQL while its change listener is not listening): then nothing read may be kept.
func (db *DB) Generation() (uint64, bool) {
	if db.gen.closed.Load() || db.Dialect != SQLite && !db.gen.live.Load() {
		return 0, false // nothing read before Close may be given back after it
	}
	return db.gen.n.Load(), true
}

// wrote marks a write transaction's end (committed or not: either way readers re-read).
func (db *DB) wrote() { db.gen.n.Add(1) }

// watchChanges starts the watcher on a connection of its own: data_version only compares
// commits seen by one connection.
func (db *DB) watchChanges(dsn string) error {
	watch, err := sql.Open("sqlite", dsn)
	if err != nil {
		return err
	}
	watch.SetMaxOpenConns(1)
	db.gen.stop, db.gen.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(db.gen.done)
		defer func() { _ = watch.Close() }() // a read-only watcher: nothing to lose
		tick := time.NewTicker(changeWatchEvery)
		defer tick.Stop()
		var last int64 = -1
		for {
			var v int64
			if err := watch.QueryRowContext(context.Background(), `PRAGMA data_version`).Scan(&v); err != nil || v != last {
				db.wroteReference() // another process's write, or an error: better re-read than keep stale results
				last = v
			}
			select {
			case <-db.gen.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return nil
}

// stopWatching ends the watcher or the listener, if any.
func (db *DB) stopWatching() {
	db.stopNotifier()
	if db.gen.cancel != nil {
		db.gen.live.Store(false)
		db.gen.cancel()
		<-db.gen.done
	}
	if db.gen.stop != nil {
		close(db.gen.stop)
		<-db.gen.done
	}
}
