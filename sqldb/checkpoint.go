package sqldb

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// SQLite's automatic checkpoint runs inside the commit that crosses its threshold, on the
// connection that committed: here, the single writer. Copying the WAL's pages into the database
// file and syncing it took ~9 % of the writer's time under email intake, while the machine's
// other core waited (docs/performance.md, "Email intake"). So the checkpointer does it beside
// the writer, on a connection of its own, with PASSIVE checkpoints that never wait for the
// writer or a reader. Each process opening the file checkpoints what it wrote; SQLite also
// checkpoints when the last connection closes.
//
// A checkpoint beside the writer cannot always let the WAL start again from its beginning:
// that needs every frame copied before the next write transaction begins, and a writer that
// never pauses (a bulk load) always commits more during the copy: the WAL then grows without
// end (3.5 GB in ten minutes of a million-case load). So the writer keeps SQLite's automatic
// checkpoint, at writerCheckpointFrames instead of 1,000: it runs only when the WAL has grown
// past what the checkpointer keeps it to, and, run inside the writer, it copies everything
// with no commit in between, so the WAL restarts at the next write. journal_size_limit then
// gives the disk back: a restarted WAL is cut to walSizeLimit.

// writerCheckpointFrames is the WAL's length (in pages of 4 KB) past which the writer
// checkpoints it itself.
const writerCheckpointFrames = 10000

// walSizeLimit is the size, in bytes, a WAL file is cut down to when it restarts.
const walSizeLimit = 64 << 20

// checkpointEvery is how often the checkpointer looks for new commits. Between two looks the WAL
// grows by what the writer commits in that time (a few MB at full intake speed).
const checkpointEvery = 200 * time.Millisecond

// checkpointer is the goroutine checkpointing a SQLite database's WAL. Only one connection
// checkpoints at a time (SQLite answers busy to a second without waiting): mu keeps it from
// running beside Scrub's, which must empty the WAL.
type checkpointer struct {
	conn *sql.DB
	stop chan struct{}
	done chan struct{}
	mu   sync.Mutex
}

// startCheckpointer opens the checkpointer's connection and starts it.
func (db *DB) startCheckpointer(dsn string) error {
	c, err := newCheckpointer(dsn)
	if err != nil {
		return err
	}
	db.ckpt = c
	go c.run(db)
	return nil
}

func newCheckpointer(dsn string) (*checkpointer, error) {
	conn, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	conn.SetMaxOpenConns(1)
	conn.SetConnMaxLifetime(0)
	return &checkpointer{conn: conn, stop: make(chan struct{}), done: make(chan struct{})}, nil
}

func (c *checkpointer) run(db *DB) {
	defer close(c.done)
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	var checkpointed uint64
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
		}
		if gen := db.gen.n.Load(); gen != checkpointed {
			// A failed or partial checkpoint (a reader still on old pages) is retried at the
			// next write; the WAL keeps every committed page meanwhile, so nothing is lost.
			if _, _, err := c.checkpoint(context.Background()); err == nil {
				checkpointed = gen
			}
		}
	}
}

// checkpoint copies the WAL's committed pages into the database file, as far as readers allow,
// and returns the WAL's frames and how many of them are now in the database file.
func (c *checkpointer) checkpoint(ctx context.Context) (frames, copied int64, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var busy int64
	err = c.conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied)
	return frames, copied, err
}

// close stops the checkpointer and closes its connection.
func (c *checkpointer) close() error {
	if c == nil {
		return nil
	}
	close(c.stop)
	<-c.done
	return c.conn.Close()
}

// paused runs fn while the checkpointer does not checkpoint (none running: fn alone).
func (c *checkpointer) paused(fn func() error) error {
	if c == nil {
		return fn()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return fn()
}
