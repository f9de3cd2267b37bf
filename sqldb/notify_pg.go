package sqldb

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/haven-helpline/haven"
)

// On PostgreSQL several processes (`haven serve` instances behind a load balancer, the
// administration commands) write to one database, so a process's own commits do not tell it
// everything that changed. Every write is therefore followed by a notification on changeChannel,
// and every process listens on a dedicated connection, moving its generation on for each
// notification. While the listening connection is down, the generation is not trusted (nothing
// read is kept) until it is listening again.
//
// The notification is sent just after the commit, by one sender per process, not inside the
// write transaction: PostgreSQL serialises the commits of notifying transactions (NOTIFY takes
// a database-wide lock held through the commit and its WAL flush), which held intake with two
// instances to ~240 cases/s, most backends waiting on that lock ("Lock: object"). A commit wakes
// the sender, and one NOTIFY tells of every write committed before it began: a burst of commits
// costs one notification, and another process learns of a write one short transaction later. A
// process that dies between a commit and its notification leaves the others' kept results as
// they are until the next write anywhere, and never longer than they are kept at all (listTTL,
// service/listcache.go: 3 s).

// changeChannel is the notification channel of data changes. The payload is the sending
// process's random name and nothing else: which rows changed is not needed (every kept result is
// dropped) and would be content in the server's notification queue. A process ignores its own
// notifications: its commits moved its generation already, and moving it again when the
// notification comes back dropped what had been read in between.
const changeChannel = "haven_changes"

// referenceChannel is the notification channel of writes that may have changed reference data
// (refgen.go); a notification on it stands for one on changeChannel too.
const referenceChannel = "haven_reference"

// Listener reconnection backoff bounds.
const (
	relistenFirst = 100 * time.Millisecond
	relistenMax   = 5 * time.Second
)

// notifier sends this process's change notifications (PostgreSQL).
type notifier struct {
	// due holds one wake-up at most: the commits made while it waits share one notification.
	due chan struct{}
	// reference: a commit since the last notification may have changed reference data.
	reference atomic.Bool
	// self is this process's name in the notifications' payload: 16 hexadecimal digits.
	self   string
	cancel context.CancelFunc
	done   chan struct{}
}

// startNotifier starts the sender of change notifications.
func (db *DB) startNotifier() {
	ctx, cancel := context.WithCancel(context.Background())
	db.notes = notifier{due: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{}),
		self: fmt.Sprintf("%016x", rand.Uint64())}
	go db.sendNotifications(ctx)
}

// notifyChanged asks for a notification after a write transaction ended (committed, or with an
// unknown outcome: a needless notification only makes readers re-read).
func (db *DB) notifyChanged(reference bool) {
	if reference {
		db.notes.reference.Store(true) // before the wake-up, which the sender takes before it reads this
	}
	select {
	case db.notes.due <- struct{}{}:
	default: // one is due already, and its NOTIFY begins after this commit
	}
}

// sendNotifications sends a NOTIFY whenever one is due, until ctx ends; then it sends the last
// one due, so that a write committed just before closing is told too.
func (db *DB) sendNotifications(ctx context.Context) {
	defer close(db.notes.done)
	for {
		select {
		case <-db.notes.due:
			reference := db.notes.reference.Swap(false)
			if _, err := db.write.ExecContext(ctx, db.notification(reference)); err != nil && ctx.Err() == nil {
				// The database is away: try again shortly (others distrust what they keep
				// while their own listener is cut off, and kept results expire anyway).
				select {
				case <-time.After(relistenFirst):
					db.notifyChanged(reference)
				case <-ctx.Done():
				}
			}
		case <-ctx.Done():
			select {
			case <-db.notes.due:
				last, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				_, _ = db.write.ExecContext(last, db.notification(db.notes.reference.Load())) // closing: best effort, as above
				cancel()
			default:
			}
			return
		}
	}
}

// notification is the NOTIFY that tells of the writes committed since the last one (self is
// hexadecimal digits: nothing to quote).
func (db *DB) notification(reference bool) string {
	if reference {
		return `NOTIFY ` + referenceChannel + `, '` + db.notes.self + `'`
	}
	return `NOTIFY ` + changeChannel + `, '` + db.notes.self + `'`
}

// stopNotifier stops the sender after it sent the notification still due.
func (db *DB) stopNotifier() {
	if db.notes.cancel != nil {
		db.notes.cancel()
		<-db.notes.done
	}
}

// listenChanges connects the listener and starts following notifications; it returns once the
// listener is listening, so that the first Generation is already trustworthy.
func (db *DB) listenChanges(ctx context.Context, dsn string) error {
	conn, err := listen(ctx, dsn)
	if err != nil {
		return haven.Internal("listen for postgres changes", err)
	}
	db.gen.live.Store(true)
	db.startNotifier()
	follow, cancel := context.WithCancel(context.Background())
	db.gen.cancel, db.gen.done = cancel, make(chan struct{})
	go db.followChanges(follow, dsn, conn)
	return nil
}

// listen opens a connection of its own (a pooled one would be handed to other work and stop
// listening) and subscribes it to changeChannel.
func listen(ctx context.Context, dsn string) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, `LISTEN `+changeChannel+`; LISTEN `+referenceChannel); err != nil {
		_ = conn.Close(context.Background()) // the LISTEN failure is the error to report
		return nil, err
	}
	return conn, nil
}

// followChanges moves the generation on for each notification until ctx ends, reconnecting
// when the connection is lost.
func (db *DB) followChanges(ctx context.Context, dsn string, conn *pgx.Conn) {
	defer close(db.gen.done)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err == nil {
			switch {
			case n.Payload == db.notes.self: // this process's own: its commit moved the generation
			case n.Channel == referenceChannel:
				db.wroteReference()
			default:
				db.wrote()
			}
			continue
		}
		// Whatever was missed while not listening is unknown: stop keeping anything at once.
		db.gen.live.Store(false)
		db.wroteReference()
		_ = conn.Close(context.Background()) // lost or closing: nothing to flush
		if conn = db.relisten(ctx, dsn); conn == nil {
			return
		}
		// Listening again: results read from now on are followed, earlier ones are stale.
		db.wroteReference()
		db.gen.live.Store(true)
	}
}

// relisten reconnects with a growing pause; it returns nil when ctx ends first.
func (db *DB) relisten(ctx context.Context, dsn string) *pgx.Conn {
	pause := relistenFirst
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(pause):
		}
		if conn, err := listen(ctx, dsn); err == nil {
			return conn
		}
		pause = min(2*pause, relistenMax)
	}
}
