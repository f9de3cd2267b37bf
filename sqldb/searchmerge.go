package sqldb

import (
	"context"
	"sync/atomic"
	"time"
)

// SQLite's full-text index is a set of segments that FTS5 merges as documents are written. At
// FTS5's default pace (automerge 4) the merging was a fifth of the single writer's time at 64
// clients, on the path of every request. Migration 0049 makes it merge 16 segments at a time
// while writes come in, and the writer merges the rest when nothing waits for it, in small
// steps, so that a search at rest reads as few segments as before and a request arriving
// during a step waits for that step only.

// mergeAfterIdle is how long the writer must have had nothing to do before it merges, and
// how long it leaves the file to others between two steps.
const mergeAfterIdle = 100 * time.Millisecond

// searchMergeStep is the work of one idle step, in leaf pages written (~4 KB each): some
// tens of milliseconds.
const searchMergeStep = 256

// searchMerge tells the writer whether the index may have segments left to merge. It starts
// true: another process (`haven ingest`) may have written documents and left.
type searchMerge struct {
	pending atomic.Bool
	stepped atomic.Pointer[func(start, end time.Time)] // tests: told of each step
}

// mergeSearchWhenIdle runs one merge step; once there is nothing left to merge, or merging
// fails, the writer stops until the next write of documents.
func (db *DB) mergeSearchWhenIdle() {
	start := time.Now()
	merged, err := db.mergeSearchStep(context.Background())
	if err != nil || !merged {
		db.merge.pending.Store(false)
	}
	if stepped := db.merge.stepped.Load(); stepped != nil { // after pending: a test told of the last step sees it false
		(*stepped)(start, time.Now())
	}
}

// mergeSearchStep merges up to searchMergeStep pages of segments on levels holding at least
// usermerge (4) of them, and reports whether there was anything to merge: FTS5 says so only
// through the number of rows it changed (more than two when it merged).
func (db *DB) mergeSearchStep(ctx context.Context) (bool, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer func() { _ = tx.Rollback() }() // after Commit it does nothing
	var before, after int64
	if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&before); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_search (case_search, rank) VALUES ('merge', $1)`, searchMergeStep); err != nil {
		return false, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&after); err != nil {
		return false, err
	}
	return after-before > 2, tx.Commit()
}
