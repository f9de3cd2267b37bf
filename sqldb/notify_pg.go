package sqldb

import (
	"context"
	"database/sql"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/haven-helpline/haven"
)

// On PostgreSQL several processes (`haven serve` instances behind a load balancer, the
// administration commands) write to one database, so a process's own commits do not tell it
// everything that changed. Every write transaction therefore sends a notification on
// changeChannel as it commits (PostgreSQL delivers it only if the transaction commits, and only
// after), and every process listens on a dedicated connection, moving its generation on for each
// notification. While the listening connection is down, the generation is not trusted (nothing
// read is kept) until it is listening again.

// changeChannel is the notification channel of data changes. The payload is empty: which rows
// changed is not needed (every kept result is dropped) and would be content in the server's
// notification queue.
const changeChannel = "haven_changes"

// notifyChange is sent inside each PostgreSQL write transaction, just before it commits.
const notifyChange = `NOTIFY ` + changeChannel

// Listener reconnection backoff bounds.
const (
	relistenFirst = 100 * time.Millisecond
	relistenMax   = 5 * time.Second
)

// notifyWrite queues this transaction's change notification (PostgreSQL write transactions).
func notifyWrite(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, notifyChange); err != nil {
		return mapError("notify change", err)
	}
	return nil
}

// listenChanges connects the listener and starts following notifications; it returns once the
// listener is listening, so that the first Generation is already trustworthy.
func (db *DB) listenChanges(ctx context.Context, dsn string) error {
	conn, err := listen(ctx, dsn)
	if err != nil {
		return haven.Internal("listen for postgres changes", err)
	}
	db.gen.live.Store(true)
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
	if _, err := conn.Exec(ctx, `LISTEN `+changeChannel); err != nil {
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
		_, err := conn.WaitForNotification(ctx)
		if err == nil {
			db.wrote()
			continue
		}
		// Whatever was missed while not listening is unknown: stop keeping anything at once.
		db.gen.live.Store(false)
		db.wrote()
		_ = conn.Close(context.Background()) // lost or closing: nothing to flush
		if conn = db.relisten(ctx, dsn); conn == nil {
			return
		}
		// Listening again: results read from now on are followed, earlier ones are stale.
		db.wrote()
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
