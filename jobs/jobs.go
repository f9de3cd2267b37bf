// Package jobs runs background work from the table-backed job queue (haven.JobStore): one-off
// jobs (an email to retry) and periodic ones (the daily retention purge). It is safe with several
// Haven instances on one database: a job is leased to one worker at a time, and a periodic slot is
// enqueued under a unique key so that it runs once however many instances schedule it.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/haven-helpline/haven"
)

// Handler does the work of one job. An error makes the job run again later (with backoff) until
// its attempts are used up; a panic counts as an error.
type Handler func(ctx context.Context, j *haven.Job) error

// Periodic describes work that runs once per period, e.g. every day.
type Periodic struct {
	Kind   string
	Every  time.Duration
	Offset time.Duration // into each period, e.g. 3 h: the daily purge runs at 03:00 UTC
}

// Config tunes a Runner; zero values take defaults.
type Config struct {
	Worker    string        // this instance's name in locked_by (default: "haven")
	Poll      time.Duration // how often to look for due jobs (default 1 s: an emergency page waits at most that)
	Lease     time.Duration // how long a claimed job is ours (default 10 min)
	Batch     int           // jobs claimed at once (default 4)
	KeepDone  time.Duration // how long finished jobs keep their unique key (default 7 days)
	BaseRetry time.Duration // first retry delay, doubled each attempt (default 30 s, at most 1 h)
	Drain     time.Duration // how long a running job may go on once Run is told to stop (default 30 s)
}

func (c Config) withDefaults() Config {
	if c.Worker == "" {
		c.Worker = "haven"
	}
	if c.Poll <= 0 {
		c.Poll = time.Second
	}
	if c.Lease <= 0 {
		c.Lease = 10 * time.Minute
	}
	if c.Batch <= 0 {
		c.Batch = 4
	}
	if c.KeepDone <= 0 {
		c.KeepDone = 7 * 24 * time.Hour
	}
	if c.BaseRetry <= 0 {
		c.BaseRetry = 30 * time.Second
	}
	if c.Drain <= 0 {
		c.Drain = 30 * time.Second
	}
	return c
}

// Runner claims and runs jobs.
type Runner struct {
	store    haven.Store
	clock    haven.Clock
	log      *slog.Logger
	cfg      Config
	handlers map[string]Handler
	periodic []Periodic
}

// New returns a runner; register handlers before calling Run.
func New(store haven.Store, clock haven.Clock, log *slog.Logger, cfg Config) *Runner {
	return &Runner{store: store, clock: clock, log: log, cfg: cfg.withDefaults(), handlers: map[string]Handler{}}
}

// Handle registers the handler of a kind of job.
func (r *Runner) Handle(kind string, h Handler) { r.handlers[kind] = h }

// Every registers a periodic job; its handler must be registered with Handle too.
func (r *Runner) Every(p Periodic) { r.periodic = append(r.periodic, p) }

// Enqueue adds a one-off job (uniqueKey may be empty); it reports false when the key was taken.
func Enqueue(ctx context.Context, tx haven.Tx, kind, payload, uniqueKey string, runAt time.Time) (bool, error) {
	return tx.EnqueueJob(ctx, &haven.Job{Kind: kind, Payload: payload, UniqueKey: uniqueKey, RunAt: runAt, CreatedAt: runAt})
}

// Run works until ctx ends: it schedules due periodic slots, runs due jobs, and sleeps Poll when
// there is nothing to do. When ctx ends, the job running may finish within the drain; jobs claimed
// but not started, and a job still running when the drain is over, are handed back to the queue
// (ReleaseJob) for this or another instance to run, without counting an attempt.
func (r *Runner) Run(ctx context.Context) error {
	work, stopWork := r.workContext(ctx)
	defer stopWork()
	for {
		n, err := r.tick(ctx, work)
		if err != nil && ctx.Err() == nil {
			r.log.Error("job runner", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(r.cfg.Poll):
		}
	}
}

// workContext is the context jobs run in: it outlives ctx by the drain.
func (r *Runner) workContext(ctx context.Context) (context.Context, context.CancelFunc) {
	work, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(r.cfg.Drain, cancel) })
	return work, func() { stop(); cancel() }
}

// Tick does one round: schedule, then claim and run one batch. It returns how many jobs ran.
func (r *Runner) Tick(ctx context.Context) (int, error) { return r.tick(ctx, ctx) }

// tick claims while ctx lasts and runs the jobs in work (see Run).
func (r *Runner) tick(ctx, work context.Context) (int, error) {
	if err := r.schedule(ctx); err != nil {
		return 0, err
	}
	now := r.clock.Now()
	var claimed []*haven.Job
	err := r.store.Update(ctx, func(tx haven.Tx) (err error) {
		claimed, err = tx.ClaimJobs(ctx, r.cfg.Worker, now, now.Add(r.cfg.Lease), r.cfg.Batch)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("claim jobs: %w", err)
	}
	for i, j := range claimed {
		if ctx.Err() != nil {
			return i, r.release(ctx, claimed[i:])
		}
		jobErr := r.run(work, j)
		if jobErr != nil && work.Err() != nil {
			err = r.release(ctx, claimed[i:i+1]) // cut short by the end of the drain
		} else {
			err = r.finish(ctx, j, jobErr)
		}
		if err != nil {
			return i + 1, err
		}
	}
	return len(claimed), nil
}

// settleTimeout bounds recording a job's outcome once the runner is stopping.
const settleTimeout = 10 * time.Second

// settleContext is for recording outcomes: it survives the end of ctx, briefly.
func settleContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
}

// release hands jobs back to the queue, due at once, their attempts uncounted.
func (r *Runner) release(ctx context.Context, jobs []*haven.Job) error {
	ctx, cancel := settleContext(ctx)
	defer cancel()
	return r.store.Update(ctx, func(tx haven.Tx) error {
		for _, j := range jobs {
			if err := tx.ReleaseJob(ctx, j.ID, r.cfg.Worker); err != nil {
				return err
			}
			r.log.Info("job released", "kind", j.Kind, "id", j.ID)
		}
		return nil
	})
}

// schedule enqueues the current slot of each periodic job, and forgets old finished jobs.
func (r *Runner) schedule(ctx context.Context) error {
	now := r.clock.Now()
	return r.store.Update(ctx, func(tx haven.Tx) error {
		for _, p := range r.periodic {
			slot := now.Add(-p.Offset).Truncate(p.Every).Add(p.Offset)
			key := fmt.Sprintf("%s@%s", p.Kind, slot.UTC().Format(time.RFC3339))
			if _, err := Enqueue(ctx, tx, p.Kind, "{}", key, slot); err != nil {
				return err
			}
		}
		_, err := tx.DeleteFinishedJobs(ctx, now.Add(-r.cfg.KeepDone))
		return err
	})
}

func (r *Runner) run(ctx context.Context, j *haven.Job) (err error) {
	h, ok := r.handlers[j.Kind]
	if !ok {
		return fmt.Errorf("no handler for job kind %q in this version of Haven", j.Kind)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("job panicked: %v", p)
		}
	}()
	start := time.Now()
	err = h(ctx, j)
	r.log.Info("job", "kind", j.Kind, "id", j.ID, "attempt", j.Attempts, "took", time.Since(start), "err", err)
	return err
}

// finish records the outcome: done, due again after a backoff, or dead once out of attempts.
func (r *Runner) finish(ctx context.Context, j *haven.Job, jobErr error) error {
	ctx, cancel := settleContext(ctx)
	defer cancel()
	now := r.clock.Now()
	return r.store.Update(ctx, func(tx haven.Tx) error {
		if jobErr == nil {
			return tx.FinishJob(ctx, j.ID, now)
		}
		dead := j.Attempts >= j.MaxAttempts || errors.Is(jobErr, ErrPermanent)
		return tx.RetryJob(ctx, j.ID, jobErr.Error(), now.Add(r.backoff(j.Attempts)), dead)
	})
}

// ErrPermanent marks a failure that retrying cannot fix (wrap it: fmt.Errorf("…: %w", ErrPermanent)).
var ErrPermanent = errors.New("permanent failure")

func (r *Runner) backoff(attempts int) time.Duration {
	d := r.cfg.BaseRetry
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}
