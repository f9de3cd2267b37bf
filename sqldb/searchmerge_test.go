package sqldb

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/testenv"
)

// TestSearchMergeWhenIdle: while documents come in, the full-text index merges 16 segments at a
// time (migration 0049), so segments pile up; once the writer is idle it merges them down to
// what FTS5's default pace (four at a time) leaves, and a search still finds every document.
func TestSearchMergeWhenIdle(t *testing.T) {
	ctx := context.Background()
	db, err := OpenWith(ctx, filepath.Join(t.TempDir(), "h.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }() // a test database
	if _, err := db.Migrate(ctx, func() int64 { return 0 }); err != nil {
		t.Fatal(err)
	}
	if err := db.Unlock(ctx, testenv.Keyring(t)); err != nil {
		t.Fatal(err)
	}
	var automerge int
	if err := db.read.QueryRowContext(ctx, `SELECT v FROM case_search_config WHERE k = 'automerge'`).Scan(&automerge); err != nil || automerge != 16 {
		t.Fatalf("automerge = %d (%v), want 16", automerge, err)
	}
	writerAtRest(t, db) // then it leaves the index alone until a document is written through it
	const docs = 400
	for i := 1; i <= docs; i++ { // a commit each, as requests arriving one by one
		doc := fmt.Sprintf("common word%d alpha%d", i, i%7)
		if _, err := db.write.ExecContext(ctx, `INSERT INTO case_search (rowid, body) VALUES ($1, $2)`, i, doc); err != nil {
			t.Fatal(err)
		}
	}
	piled := segments(ctx, t, db)
	if piled < 8 {
		t.Fatalf("%d segments after %d commits: merging 16 at a time should leave at least 8", piled, docs)
	}
	// A write of a document through the writer tells it the index may need merging, once the
	// document is in the index (searchlater.go).
	err = db.Update(ctx, func(tx haven.Tx) error { return tx.(*Tx).writeSearchDoc(ctx, docs+1, "common last") })
	if err != nil {
		t.Fatal(err)
	}
	if err := db.catchUpSearch(ctx); err != nil {
		t.Fatal(err)
	}
	if !db.merge.pending.Load() {
		t.Fatal("a document was written but the writer was not told to merge")
	}
	deadline := time.Now().Add(20 * time.Second)
	for db.merge.pending.Load() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // the idle writer merges in its own time
	}
	merged := segments(ctx, t, db)
	if db.merge.pending.Load() || merged > 4 {
		t.Fatalf("the idle writer left %d segments of %d (still merging: %v)", merged, piled, db.merge.pending.Load())
	}
	var found int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM case_search WHERE case_search MATCH 'common'`).Scan(&found); err != nil || found != docs+1 {
		t.Fatalf("search after merging: %d documents (%v), want %d", found, err, docs+1)
	}
}

// segments counts the full-text index's segments.
func segments(ctx context.Context, t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(DISTINCT segid) FROM case_search_idx`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSearchMergeLeavesGaps: while the idle writer merges a backlog, it leaves the database alone
// for mergeAfterIdle between two steps, so that another process waiting to write (`haven
// ingest`, an administration command), which retries on SQLite's busy timer up to 100 ms apart,
// gets in. Run back to back, the steps kept it out until it gave up.
func TestSearchMergeLeavesGaps(t *testing.T) {
	ctx := context.Background()
	db, err := OpenWith(ctx, filepath.Join(t.TempDir(), "h.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }() // a test database
	if _, err := db.Migrate(ctx, func() int64 { return 0 }); err != nil {
		t.Fatal(err)
	}
	if err := db.Unlock(ctx, testenv.Keyring(t)); err != nil {
		t.Fatal(err)
	}
	writerAtRest(t, db)
	// A backlog: 32 segments of 500 documents of 40 distinct words each.
	var words strings.Builder
	for seg := range 32 {
		tx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 500 {
			id := seg*500 + i + 1
			words.Reset()
			for w := range 40 {
				fmt.Fprintf(&words, "w%dx%d ", id, w)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_search (rowid, body) VALUES ($1, $2)`, id, words.String()+"common"); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	steps := make(chan [2]time.Time, 1000)
	stepped := func(start, end time.Time) { steps <- [2]time.Time{start, end} }
	db.merge.stepped.Store(&stepped)
	err = db.Update(ctx, func(tx haven.Tx) error { return tx.(*Tx).writeSearchDoc(ctx, 1, "common first") })
	if err != nil {
		t.Fatal(err)
	}
	if err := db.catchUpSearch(ctx); err != nil { // the document into the index (searchlater.go)
		t.Fatal(err)
	}
	var last time.Time
	n := 0
	for db.merge.pending.Load() || len(steps) > 0 {
		step := <-steps
		if n > 0 && step[0].Sub(last) < mergeAfterIdle {
			t.Fatalf("step %d began %s after the last ended, want at least %s", n+1, step[0].Sub(last), mergeAfterIdle)
		}
		last, n = step[1], n+1
	}
	if n < 3 {
		t.Fatalf("the backlog took %d steps: it proved nothing", n)
	}
}

// writerAtRest waits for the writer's first look at the index after opening (it starts told to
// merge, in case another process left segments): with nothing to merge it stops, and merges
// again only after a document is written through it.
func writerAtRest(t *testing.T, db *DB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for db.merge.pending.Load() {
		if time.Now().After(deadline) {
			t.Fatal("the writer did not finish its first look at the index")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
