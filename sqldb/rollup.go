package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/haven-helpline/haven"
)

// microsPerDay turns a stored time (microseconds) into its day number.
const microsPerDay = int64(24 * time.Hour / time.Microsecond)

func dayOf(t time.Time) int64 { return micros(t) / microsPerDay }

// markCaseDays marks dirty the days a case's statistics fall on: its creation, its closing now,
// and the closing it had before this write (a reopening takes a closing away). It runs before
// the case's row is written, so that the old closing is still there to read.
func (tx *Tx) markCaseDays(ctx context.Context, c *haven.Case) error {
	var closed sql.NullInt64
	if c.ClosedAt != nil {
		closed = sql.NullInt64{Int64: dayOf(*c.ClosedAt), Valid: true}
	}
	return tx.markDays(ctx, `SELECT CAST($2 AS BIGINT) AS d UNION SELECT CAST($3 AS BIGINT)
		UNION SELECT closed_at / `+itoa(microsPerDay)+` FROM cases WHERE id = $1`, c.ID, dayOf(c.CreatedAt), closed)
}

// markCaseDaysByID marks dirty the days of a case known by id (its first response or its
// escalations changed).
func (tx *Tx) markCaseDaysByID(ctx context.Context, caseID int64) error {
	return tx.markDays(ctx, `SELECT created_at / `+itoa(microsPerDay)+` AS d FROM cases WHERE id = $1
		UNION SELECT closed_at / `+itoa(microsPerDay)+` FROM cases WHERE id = $1`, caseID)
}

// markDays marks dirty the days (column d) that days selects. On PostgreSQL a day already marked
// is also held (FOR KEY SHARE, which writers marking the same day share) until this transaction
// ends: a refresh claiming it (ClaimDirtyDays) waits for this write to commit, so that its
// recomputation sees it. Without the hold, a refresh could take the day off the list and read
// the day's cases between this mark and this commit, and the change was in no roll-up and on no
// list (SQLite's single writer orders them already). The mark is a kept write (pipeline.go), sent
// at the latest with the commit: a claim committed before it took the day off the list, and the
// mark then lists it again (a claim still uncommitted makes the mark's insert wait for it).
func (tx *Tx) markDays(ctx context.Context, days string, args ...any) error {
	if tx.dialect == SQLite {
		_, err := tx.exec(ctx, "mark rollup days", `INSERT INTO rollup_dirty (day)
			SELECT d FROM (`+days+`) x WHERE d IS NOT NULL ON CONFLICT (day) DO NOTHING`, args...)
		return err
	}
	// A day this statement inserts is held by the insert itself (nobody sees it before commit).
	return tx.execLater(ctx, "rollup_dirty", "mark rollup days", `WITH marked AS (SELECT d FROM (`+days+`) x WHERE d IS NOT NULL),
		inserted AS (INSERT INTO rollup_dirty (day) SELECT d FROM marked ON CONFLICT (day) DO NOTHING)
		SELECT day FROM rollup_dirty WHERE day IN (SELECT d FROM marked) FOR KEY SHARE`, args...)
}

// ClaimDirtyDays takes up to limit days to recompute off the list. On PostgreSQL it waits for
// the writes that hold a day (markDays): its caller commits the claim before recomputing, so
// that writers marking a claimed day wait for this short transaction only.
//
// Writers hold a day in turns that may overlap without end under sustained intake (a shared lock
// taken by a newcomer does not wait for a claim already waiting), so a PostgreSQL claim waits at
// most claimLockTimeout: a day still held then stays on the list and the claim ends with the days
// it has (the statistics that need it are counted from the cases meanwhile).
func (tx *Tx) ClaimDirtyDays(ctx context.Context, limit int) ([]time.Time, error) {
	days, err := queryAll(ctx, tx, "dirty days", `SELECT day FROM rollup_dirty ORDER BY day LIMIT $1`, scanInt64, limit)
	if err != nil || len(days) == 0 {
		return nil, err
	}
	out := make([]time.Time, 0, len(days))
	for _, d := range days {
		claimed, err := tx.claimDay(ctx, d)
		if err != nil || !claimed {
			return out, err
		}
		out = append(out, fromMicros(d*microsPerDay))
	}
	return out, nil
}

// claimLockTimeout bounds how long a PostgreSQL claim waits for the writes holding its day.
const claimLockTimeout = "500ms"

// claimDay deletes day from the list, and reports false when writers held it past
// claimLockTimeout (PostgreSQL; the transaction stays usable: the wait is undone to a savepoint).
func (tx *Tx) claimDay(ctx context.Context, day int64) (bool, error) {
	if tx.dialect == SQLite {
		_, err := tx.exec(ctx, "claim dirty day", `DELETE FROM rollup_dirty WHERE day = $1`, day)
		return err == nil, err
	}
	if _, err := tx.exec(ctx, "claim dirty day", `SAVEPOINT claim_day`); err != nil {
		return false, err
	}
	var previous string
	if err := tx.queryRow(ctx, `SELECT set_config('lock_timeout', $1, true)`, claimLockTimeout).Scan(&previous); err != nil {
		return false, mapError("claim dirty day", err)
	}
	_, err := tx.exec(ctx, "claim dirty day", `DELETE FROM rollup_dirty WHERE day = $1`, day)
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok && pe.Code == "55P03" { // lock_not_available
		_, err = tx.exec(ctx, "claim dirty day", `ROLLBACK TO SAVEPOINT claim_day`)
		return false, err
	}
	return err == nil, err
}

// MarkDays puts days back on the list of those to recompute.
func (tx *Tx) MarkDays(ctx context.Context, days []time.Time) error {
	ids := make([]int64, len(days))
	for i, d := range days {
		ids[i] = dayOf(d)
	}
	q := &queryBuilder{}
	return tx.markDays(ctx, `SELECT value AS d FROM `+idList(tx.dialect, q, ids)+` v`, q.args...)
}

// MarkAllDays marks every day with a case dirty (a rebuild).
func (tx *Tx) MarkAllDays(ctx context.Context) (int, error) {
	for _, col := range []string{"created_at", "closed_at"} {
		if _, err := tx.exec(ctx, "mark all days", `INSERT INTO rollup_dirty (day) SELECT DISTINCT `+col+` / `+itoa(microsPerDay)+`
			FROM cases WHERE `+col+` IS NOT NULL ON CONFLICT (day) DO NOTHING`); err != nil {
			return 0, err
		}
	}
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM rollup_dirty`).Scan(&n)
	return n, mapError("count dirty days", err)
}

// DayFacts calls each with the cases opened or closed on day (every case: roll-ups count all,
// and readers' hidden cases are taken away when read).
func (tx *Tx) DayFacts(ctx context.Context, day time.Time, each func(*haven.CaseFact)) error {
	from, to := micros(day), micros(day.AddDate(0, 0, 1))
	rows, err := tx.query(ctx, factColumns(tx, true)+` WHERE (c.created_at >= $1 AND c.created_at < $2)
		OR (c.closed_at >= $1 AND c.closed_at < $2)`, from, to)
	if err != nil {
		return mapError("day facts", err)
	}
	defer rows.Close()
	for rows.Next() {
		f, err := scanCaseFact(rows)
		if err != nil {
			return err
		}
		each(f)
	}
	return mapError("day facts", rows.Err())
}

// PutRollups replaces a day's roll-up rows, and moves the all-time sums by the difference.
func (tx *Tx) PutRollups(ctx context.Context, day time.Time, rows []haven.RollupRow) error {
	d := dayOf(day)
	old, err := queryAll(ctx, tx, "old rollups", `SELECT dim, key, opened, closed FROM case_rollups WHERE day = $1`,
		func(row rowScanner) (haven.RollupRow, error) {
			var r haven.RollupRow
			return r, row.Scan(&r.Dim, &r.Key, &r.Opened, &r.Closed)
		}, d)
	if err != nil {
		return err
	}
	for _, r := range old {
		if err := tx.addRollupTotals(ctx, r.Dim, r.Key, -r.Opened, -r.Closed); err != nil {
			return err
		}
	}
	if _, err := tx.exec(ctx, "clear rollups", `DELETE FROM case_rollups WHERE day = $1`, d); err != nil {
		return err
	}
	for _, r := range rows {
		if _, err := tx.exec(ctx, "put rollup", `INSERT INTO case_rollups (dim, day, key, opened, closed, first_response, resolution)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.Dim, d, r.Key, r.Opened, r.Closed, r.FirstResponse, r.Resolution); err != nil {
			return err
		}
		if err := tx.addRollupTotals(ctx, r.Dim, r.Key, r.Opened, r.Closed); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) addRollupTotals(ctx context.Context, dim, key string, opened, closed int) error {
	_, err := tx.exec(ctx, "rollup totals", `INSERT INTO case_rollup_totals (dim, key, opened, closed) VALUES ($1, $2, $3, $4)
		ON CONFLICT (dim, key) DO UPDATE SET opened = case_rollup_totals.opened + excluded.opened,
			closed = case_rollup_totals.closed + excluded.closed`, dim, key, opened, closed)
	return err
}

// Rollups calls each with a dimension's rows of the days in [from, to).
func (tx *Tx) Rollups(ctx context.Context, dim string, from, to time.Time, each func(*haven.RollupRow)) error {
	rows, err := tx.query(ctx, `SELECT day, key, opened, closed, first_response, resolution FROM case_rollups
		WHERE dim = $1 AND day >= $2 AND day < $3`, dim, dayOf(from), dayOf(to))
	if err != nil {
		return mapError("rollups", err)
	}
	defer rows.Close()
	for rows.Next() {
		r := haven.RollupRow{Dim: dim}
		var d int64
		if err := rows.Scan(&d, &r.Key, &r.Opened, &r.Closed, &r.FirstResponse, &r.Resolution); err != nil {
			return mapError("rollups", err)
		}
		r.Day = fromMicros(d * microsPerDay)
		each(&r)
	}
	return mapError("rollups", rows.Err())
}

// RollupsBefore sums a dimension's opened and closed cases of every day before day, by key: the
// all-time sums minus the days from day on (a dashboard looks at recent days, not the history).
func (tx *Tx) RollupsBefore(ctx context.Context, dim string, day time.Time) (map[string][2]int, error) {
	out := map[string][2]int{}
	scan := func(row rowScanner) (haven.RollupRow, error) {
		var r haven.RollupRow
		return r, row.Scan(&r.Key, &r.Opened, &r.Closed)
	}
	totals, err := queryAll(ctx, tx, "rollup totals", `SELECT key, opened, closed FROM case_rollup_totals WHERE dim = $1`, scan, dim)
	if err != nil {
		return nil, err
	}
	for _, r := range totals {
		out[r.Key] = [2]int{r.Opened, r.Closed}
	}
	since, err := queryAll(ctx, tx, "rollups since", `SELECT key, SUM(opened), SUM(closed) FROM case_rollups
		WHERE dim = $1 AND day >= $2 GROUP BY key`, scan, dim, dayOf(day))
	for _, r := range since {
		n := out[r.Key]
		out[r.Key] = [2]int{n[0] - r.Opened, n[1] - r.Closed}
	}
	return out, err
}

// PendingRollupDays counts the days waiting to be recomputed.
func (tx *Tx) PendingRollupDays(ctx context.Context) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM rollup_dirty`).Scan(&n)
	return n, mapError("pending rollups", err)
}
