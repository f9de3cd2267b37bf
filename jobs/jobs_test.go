package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/jobs"
	"github.com/haven-helpline/haven/sqldb"
	"github.com/haven-helpline/haven/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func open(t *testing.T, dsn string) *sqldb.DB {
	db, err := sqldb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background(), func() int64 { return 0 }); err != nil {
		t.Fatal(err)
	}
	if err := db.Unlock(context.Background(), testenv.Keyring(t)); err != nil {
		t.Fatal(err)
	}
	return db
}

func forEachDB(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, open(t, filepath.Join(t.TempDir(), "h.db"))) })
	t.Run("postgres", func(t *testing.T) { fn(t, open(t, testenv.Postgres(t))) })
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// TestPeriodicRunsOncePerSlot: two instances schedule the same daily job; it runs once a day.
func TestPeriodicRunsOncePerSlot(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqldb.DB) {
		clk := &clock{t: time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)}
		var runs atomic.Int32
		var runners []*jobs.Runner
		for i := range 2 {
			r := jobs.New(db, clk, quiet, jobs.Config{Worker: fmt.Sprint("w", i)})
			r.Handle("purge", func(context.Context, *haven.Job) error { runs.Add(1); return nil })
			r.Every(jobs.Periodic{Kind: "purge", Every: 24 * time.Hour, Offset: 3 * time.Hour})
			runners = append(runners, r)
		}
		tickAll := func() {
			var wg sync.WaitGroup
			for _, r := range runners {
				wg.Go(func() {
					if _, err := r.Tick(context.Background()); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
		}
		tickAll() // 02:00: the slot of yesterday 03:00 is due
		tickAll()
		if n := runs.Load(); n != 1 {
			t.Fatalf("%d runs for one slot", n)
		}
		clk.add(2 * time.Hour) // 04:00: today's slot
		tickAll()
		tickAll()
		if n := runs.Load(); n != 2 {
			t.Fatalf("%d runs after the second slot, want 2", n)
		}
	})
}

// TestRetriesThenDies: a failing job is retried with growing delays, then marked dead with its
// error; a panic is an error like any other; a permanent error dies at once.
func TestRetriesThenDies(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqldb.DB) {
		clk := &clock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
		r := jobs.New(db, clk, quiet, jobs.Config{BaseRetry: time.Minute})
		var attempts atomic.Int32
		r.Handle("flaky", func(context.Context, *haven.Job) error {
			if attempts.Add(1) == 2 {
				panic("boom")
			}
			return errors.New("relay unreachable")
		})
		r.Handle("doomed", func(context.Context, *haven.Job) error {
			return fmt.Errorf("mailbox does not exist: %w", jobs.ErrPermanent)
		})
		ctx := context.Background()
		err := db.Update(ctx, func(tx haven.Tx) error {
			if _, err := tx.EnqueueJob(ctx, &haven.Job{Kind: "flaky", RunAt: clk.Now(), CreatedAt: clk.Now(), MaxAttempts: 3}); err != nil {
				return err
			}
			_, err := jobs.Enqueue(ctx, tx, "doomed", `{}`, "", clk.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		tick := func() int {
			n, err := r.Tick(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := tick(); n != 2 {
			t.Fatalf("first tick ran %d jobs", n)
		}
		if n := tick(); n != 0 {
			t.Fatal("a failed job ran again before its backoff")
		}
		clk.add(61 * time.Second)
		tick() // attempt 2 panics
		clk.add(61 * time.Second)
		if n := tick(); n != 0 {
			t.Fatal("the second retry came before its doubled backoff")
		}
		clk.add(61 * time.Second)
		tick() // attempt 3: out of attempts
		var dead []*haven.Job
		err = db.View(ctx, func(tx haven.Tx) (err error) { dead, err = tx.Jobs(ctx, haven.JobDead, 10); return err })
		if err != nil || len(dead) != 2 || attempts.Load() != 3 {
			t.Fatalf("dead jobs %+v (attempts %d) %v", dead, attempts.Load(), err)
		}
		for _, j := range dead {
			if j.Kind == "flaky" && j.LastError != "relay unreachable" || j.Kind == "doomed" && j.Attempts != 1 {
				t.Errorf("dead job %+v", j)
			}
		}
	})
}

// TestStopHandsBackJobs: told to stop, a runner lets its running job finish within the drain and
// hands back the jobs it claimed but did not start; a job still running when the drain is over is
// handed back too. Handed-back jobs are due at once for another instance, their attempt uncounted.
func TestStopHandsBackJobs(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqldb.DB) {
		clk := &clock{t: time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)}
		enqueueN(t, db, clk, "slow", 3)
		started, proceed := make(chan int64, 3), make(chan struct{})
		r := jobs.New(db, clk, quiet, jobs.Config{Worker: "a", Batch: 3, Drain: time.Hour})
		r.Handle("slow", func(ctx context.Context, j *haven.Job) error {
			started <- j.ID
			<-proceed
			return nil
		})
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- r.Run(ctx) }()
		<-started
		stop()
		close(proceed)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if n := len(jobsIn(t, db, haven.JobDone)); n != 1 {
			t.Fatalf("the running job must finish within the drain: %d done", n)
		}
		assertHandedBack(t, db, clk, 2)

		// Past the drain, the running job's context ends and it is handed back, uncounted.
		r = jobs.New(db, clk, quiet, jobs.Config{Worker: "a", Batch: 1, Drain: time.Millisecond})
		r.Handle("slow", func(ctx context.Context, j *haven.Job) error {
			started <- j.ID
			<-ctx.Done()
			return ctx.Err()
		})
		ctx, stop = context.WithCancel(context.Background())
		go func() { done <- r.Run(ctx) }()
		<-started
		stop()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		assertHandedBack(t, db, clk, 2)
	})
}

func enqueueN(t *testing.T, db *sqldb.DB, clk *clock, kind string, n int) {
	t.Helper()
	err := db.Update(context.Background(), func(tx haven.Tx) error {
		for range n {
			if _, err := jobs.Enqueue(context.Background(), tx, kind, "{}", "", clk.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func jobsIn(t *testing.T, db *sqldb.DB, state string) []*haven.Job {
	t.Helper()
	var out []*haven.Job
	err := db.View(context.Background(), func(tx haven.Tx) (err error) {
		out, err = tx.Jobs(context.Background(), state, 100)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// assertHandedBack checks that n queued jobs have no attempt counted and that another instance
// can claim them at once.
func assertHandedBack(t *testing.T, db *sqldb.DB, clk *clock, n int) {
	t.Helper()
	queued := jobsIn(t, db, haven.JobQueued)
	if len(queued) != n {
		t.Fatalf("%d jobs queued, want %d", len(queued), n)
	}
	for _, j := range queued {
		if j.Attempts != 0 {
			t.Fatalf("a handed-back job must not count an attempt: %+v", j)
		}
	}
	var claimed []*haven.Job
	err := db.Update(context.Background(), func(tx haven.Tx) (err error) {
		claimed, err = tx.ClaimJobs(context.Background(), "b", clk.Now(), clk.Now().Add(time.Minute), 10)
		for _, j := range claimed {
			if err == nil {
				err = tx.ReleaseJob(context.Background(), j.ID, "b")
			}
		}
		return err
	})
	if err != nil || len(claimed) != n {
		t.Fatalf("another instance must claim the handed-back jobs at once: %d, %v", len(claimed), err)
	}
}
