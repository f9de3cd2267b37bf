package sqldb

import (
	"context"
	"database/sql"
	"time"

	"github.com/haven-helpline/haven"
)

const jobColumns = `id, kind, payload, COALESCE(unique_key, ''), run_at, attempts, max_attempts, last_error, state, created_at`

func scanJob(row rowScanner) (*haven.Job, error) {
	j := &haven.Job{}
	var runAt, createdAt int64
	if err := row.Scan(&j.ID, &j.Kind, &j.Payload, &j.UniqueKey, &runAt, &j.Attempts, &j.MaxAttempts,
		&j.LastError, &j.State, &createdAt); err != nil {
		return nil, err
	}
	j.RunAt, j.CreatedAt = fromMicros(runAt), fromMicros(createdAt)
	return j, nil
}

// EnqueueJob adds j unless a job with its unique key exists.
func (tx *Tx) EnqueueJob(ctx context.Context, j *haven.Job) (bool, error) {
	if j.MaxAttempts <= 0 {
		j.MaxAttempts = 10
	}
	if j.Payload == "" {
		j.Payload = "{}"
	}
	key := sql.NullString{String: j.UniqueKey, Valid: j.UniqueKey != ""}
	changed := tx.changed
	err := tx.queryRow(ctx, `INSERT INTO jobs (kind, payload, unique_key, run_at, max_attempts, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (unique_key) DO NOTHING RETURNING id`,
		j.Kind, j.Payload, key, micros(j.RunAt), j.MaxAttempts, micros(j.CreatedAt)).Scan(&j.ID)
	if err == sql.ErrNoRows {
		tx.changed = changed // the slot's job exists: nothing inserted (the runners' every poll)
		return false, nil
	}
	if err != nil {
		return false, mapError("enqueue job", err)
	}
	j.State = haven.JobQueued
	return true, nil
}

// ClaimJobs leases due jobs. On PostgreSQL, SKIP LOCKED lets instances claim side by side without
// waiting on each other; SQLite has one writer, so its transaction alone makes the claim exclusive.
func (tx *Tx) ClaimJobs(ctx context.Context, worker string, now, leaseUntil time.Time, limit int) ([]*haven.Job, error) {
	lock := ""
	if tx.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	changed := tx.changed
	jobs, err := queryAll(ctx, tx, "claim jobs", `UPDATE jobs SET locked_by = $1, locked_until = $2, attempts = attempts + 1
		WHERE id IN (SELECT id FROM jobs WHERE state = 'queued' AND run_at <= $3 AND locked_until <= $3
			ORDER BY run_at, id LIMIT $4`+lock+`)
		RETURNING `+jobColumns, scanJob, worker, micros(leaseUntil), micros(now), limit)
	if err == nil && len(jobs) == 0 {
		tx.changed = changed // nothing due: nothing claimed (the runners' every idle poll)
	}
	return jobs, err
}

// FinishJob marks a job done; the row stays until DeleteFinishedJobs so its unique key stays taken.
func (tx *Tx) FinishJob(ctx context.Context, id int64, at time.Time) error {
	res, err := tx.exec(ctx, "finish job", `UPDATE jobs SET state = 'done', finished_at = $2, locked_until = 0,
		last_error = '' WHERE id = $1`, id, micros(at))
	if err != nil {
		return err
	}
	return expectOne(res, "job")
}

// ReleaseJob returns a job worker claimed but will not finish: unlocked, its attempt uncounted.
func (tx *Tx) ReleaseJob(ctx context.Context, id int64, worker string) error {
	_, err := tx.exec(ctx, "release job", `UPDATE jobs SET locked_by = '', locked_until = 0,
		attempts = attempts - 1 WHERE id = $1 AND locked_by = $2 AND state = 'queued' AND attempts > 0`, id, worker)
	return err
}

// RetryJob records a failure; the job is due again at runAt, or dead.
func (tx *Tx) RetryJob(ctx context.Context, id int64, errText string, runAt time.Time, dead bool) error {
	state := haven.JobQueued
	if dead {
		state = haven.JobDead
	}
	res, err := tx.exec(ctx, "retry job", `UPDATE jobs SET state = $2, last_error = $3, run_at = $4, locked_until = 0
		WHERE id = $1`, id, state, errText, micros(runAt))
	if err != nil {
		return err
	}
	return expectOne(res, "job")
}

// Jobs lists jobs in a state, oldest first.
func (tx *Tx) Jobs(ctx context.Context, state string, limit int) ([]*haven.Job, error) {
	return queryAll(ctx, tx, "list jobs", `SELECT `+jobColumns+` FROM jobs WHERE state = $1 ORDER BY run_at, id LIMIT $2`,
		scanJob, state, limit)
}

// DeleteFinishedJobs removes done jobs finished before t.
func (tx *Tx) DeleteFinishedJobs(ctx context.Context, before time.Time) (int, error) {
	return tx.count(ctx, "delete finished jobs", `DELETE FROM jobs WHERE state = 'done' AND finished_at < $1`, micros(before))
}
