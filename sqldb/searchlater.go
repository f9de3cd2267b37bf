package sqldb

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/haven-helpline/haven"
)

// SQLite has one writer, and writing search documents was a third of its time per case created
// at 64 clients (more per email): FTS5 flushes a segment of every term of a transaction's
// documents at its commit and merges segments on the same path, and a group commit of a few
// dozen cases shares few terms. So a write transaction no longer writes its documents into the
// index: it records each case in search_pending (with a stamp) and the writer keeps the document
// it built in memory; the writer then writes the kept documents in one transaction of their own
// when searchLaterBatch are waiting, when it has had nothing to do for searchLaterIdle, when one
// has waited searchLaterMaxAge, and before it stops. A text search never reads an index that
// misses a change committed before it began: it first has the pending documents written
// (searchCurrent). A pending row whose document is not in this process's memory with the same
// stamp (another process wrote it, or a crash lost the memory) is written from the case and its
// search parts, which the row's transaction committed: no document is lost.
//
// PostgreSQL writes its GIN index in each transaction as before: writers run in parallel there.

const (
	// searchLaterBatch is how many kept documents make the writer write them at once.
	searchLaterBatch = 256
	// searchLaterIdle is how long the writer must have had nothing to do before it writes the
	// kept documents: the gaps between group commits under load are shorter.
	searchLaterIdle = 20 * time.Millisecond
	// searchLaterMaxAge bounds how long a document waits under a load that never pauses.
	searchLaterMaxAge = time.Second
	// searchLaterKeepBytes bounds the documents kept in memory (a bulk load's transaction, an
	// index that cannot be written): beyond it, pending documents are built again from their
	// cases when written. 256 email documents are ~15 MB (a reply's holds its case's messages).
	searchLaterKeepBytes = 16 << 20
	// searchLaterChunk is how many pending documents one transaction writes.
	searchLaterChunk = 1024
	// searchCatchUps is how often a search has the pending documents written before it reads
	// the index as it is: under a load that never pauses, others are always pending.
	searchCatchUps = 3
)

// errSearchBehind ends a read transaction whose text search found documents still pending;
// View has them written and runs the transaction again.
var errSearchBehind = errors.New("search documents pending")

// keptDoc is a pending document as its transaction built it, and the stamp it recorded.
type keptDoc struct {
	stamp int64
	doc   string
}

// pendingDoc is a document a transaction recorded as pending.
type pendingDoc struct {
	caseID int64
	keptDoc
}

// searchLater holds the documents the writer is to write into the index (SQLite).
type searchLater struct {
	ready   atomic.Bool  // the schema has search_pending (migration 0054)
	stamps  atomic.Int64 // this process's stamps, from a random start so that no two processes share one
	orphans atomic.Bool  // rows this process does not keep may be pending (another process, a crash)
	idle    atomic.Int64 // searchLaterIdle; tests that look at pending documents lengthen it
	mu      sync.Mutex
	kept    map[int64]keptDoc
	bytes   int       // of the kept documents
	since   time.Time // when the oldest kept document was committed
}

func newSearchLater() *searchLater {
	l := &searchLater{kept: map[int64]keptDoc{}}
	l.stamps.Store(rand.Int64N(1 << 62))
	l.idle.Store(int64(searchLaterIdle))
	l.orphans.Store(true) // until the writer has looked
	return l
}

// keep records documents whose transaction committed.
func (l *searchLater) keep(docs []pendingDoc) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.kept) == 0 {
		l.since = time.Now()
	}
	for _, d := range docs {
		l.forget(d.caseID)
		if l.bytes+len(d.doc) > searchLaterKeepBytes {
			l.orphans.Store(true) // written from its case instead
			continue
		}
		l.kept[d.caseID] = d.keptDoc
		l.bytes += len(d.doc)
	}
}

// forget drops a kept document; l.mu is held.
func (l *searchLater) forget(caseID int64) {
	if k, ok := l.kept[caseID]; ok {
		l.bytes -= len(k.doc)
		delete(l.kept, caseID)
	}
}

// lookup returns the kept document of a case if it is the one stamp stands for.
func (l *searchLater) lookup(caseID, stamp int64) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k, ok := l.kept[caseID]
	return k.doc, ok && k.stamp == stamp
}

// written forgets the documents written with these stamps (not newer ones kept meanwhile).
func (l *searchLater) written(stamps map[int64]int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for id, stamp := range stamps {
		if k, ok := l.kept[id]; ok && k.stamp == stamp {
			l.forget(id)
		}
	}
	if len(l.kept) > 0 {
		l.since = time.Now() // what is left was kept after the read: young enough
	}
}

// clear forgets every kept document and that rows may be pending: all were written.
func (l *searchLater) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.kept)
	l.bytes = 0
	l.orphans.Store(false)
}

// due reports whether the writer should write the kept documents now, between two batches.
func (l *searchLater) due() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.kept) >= searchLaterBatch || len(l.kept) > 0 && time.Since(l.since) >= searchLaterMaxAge
}

// waiting reports whether documents may be pending.
func (l *searchLater) waiting() bool {
	if !l.ready.Load() {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.kept) > 0 || l.orphans.Load()
}

// pendsDocs reports whether this transaction records its documents as pending rather than
// writing them into the index.
func (tx *Tx) pendsDocs() bool { return tx.searchLater != nil && !tx.writesIndex }

// anyPendingSQL asks whether any document is pending.
const anyPendingSQL = `SELECT EXISTS (SELECT 1 FROM search_pending)`

// pendSearchDocs records this transaction's documents as pending instead of writing them.
func (tx *Tx) pendSearchDocs(ctx context.Context, ids []int64) error {
	for _, id := range ids {
		stamp := tx.searchLater.stamps.Add(1)
		if _, err := tx.exec(ctx, "pend search document", `INSERT INTO search_pending (case_id, stamp) VALUES ($1, $2)
			ON CONFLICT (case_id) DO UPDATE SET stamp = excluded.stamp`, id, stamp); err != nil {
			return err
		}
		tx.pendingDocs = append(tx.pendingDocs, pendingDoc{id, keptDoc{stamp, tx.searchDocs[id]}})
	}
	clear(tx.searchDocs)
	return nil
}

// writeSearchLater writes every pending document into the index, a chunk per transaction. It
// runs on the writer goroutine.
func (db *DB) writeSearchLater(ctx context.Context) error {
	if !db.later.ready.Load() {
		return nil // nothing can be pending yet; set once unlocked (Unlock), so the keys are there
	}
	if pending, err := db.anyPending(ctx); err != nil || !pending {
		return err // nothing to write: no write lock taken (another process may be writing)
	}
	for {
		n, err := db.writePendingChunk(ctx)
		if err != nil {
			return err
		}
		if n < searchLaterChunk {
			// Every pending row was written; a document still kept was written by another
			// process, whose row is gone (the writer alone keeps documents, so none came meanwhile).
			db.later.clear()
			return nil
		}
	}
}

// anyPending reports whether documents may be pending: kept here, or rows in search_pending
// (read without the write lock).
func (db *DB) anyPending(ctx context.Context) (bool, error) {
	if db.SearchDocumentsWaiting() > 0 {
		return true, nil
	}
	var pending bool
	if err := db.read.QueryRowContext(ctx, anyPendingSQL).Scan(&pending); err != nil {
		return false, mapError("pending search documents", err)
	}
	if !pending {
		db.later.clear() // none anywhere: no row is waiting for this process to look
	}
	return pending, nil
}

// writePendingChunk writes the documents of the first searchLaterChunk pending cases and returns
// how many it wrote.
func (db *DB) writePendingChunk(ctx context.Context) (int, error) {
	var stamps map[int64]int64
	err := db.run(writerCtx(ctx), db.write, false, func(t haven.Tx) error {
		tx := t.(*Tx)
		tx.writesIndex = true
		var err error
		stamps, err = tx.writePending(ctx)
		return err
	})
	if err != nil {
		return 0, err
	}
	db.later.written(stamps)
	return len(stamps), nil
}

// writePending writes the documents of the first searchLaterChunk pending cases (before commit,
// with flushSearchDocs) and clears their rows; it returns the stamps it wrote.
func (tx *Tx) writePending(ctx context.Context) (map[int64]int64, error) {
	rows, err := queryAll(ctx, tx, "pending search documents", `SELECT case_id, stamp FROM search_pending
		ORDER BY case_id LIMIT $1`, func(row rowScanner) ([2]int64, error) {
		var r [2]int64
		return r, row.Scan(&r[0], &r[1])
	}, searchLaterChunk)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	stamps := make(map[int64]int64, len(rows))
	for _, r := range rows {
		stamps[r[0]] = r[1]
		if err := tx.writeDocOf(ctx, r[0], r[1]); err != nil {
			return nil, err
		}
	}
	// The writer holds SQLite's write lock: the rows read are exactly those up to the last.
	_, err = tx.exec(ctx, "clear pending search documents", `DELETE FROM search_pending WHERE case_id <= $1`, rows[len(rows)-1][0])
	return stamps, err
}

// writeDocOf sets the document of a pending case: the kept one when it is the latest, else one
// built from the case as committed.
func (tx *Tx) writeDocOf(ctx context.Context, caseID, stamp int64) error {
	if doc, ok := tx.searchLater.lookup(caseID, stamp); ok {
		return tx.writeSearchDoc(ctx, caseID, doc)
	}
	c, err := tx.CaseByID(ctx, caseID)
	if haven.ErrorCode(err) == haven.ENOTFOUND {
		_, err = tx.exec(ctx, "unindex case", `DELETE FROM case_search WHERE rowid = $1`, caseID)
		return err
	}
	if err != nil {
		return err
	}
	return tx.IndexCase(ctx, c)
}

// searchCurrent makes a read transaction's text search wait for the pending documents: it ends
// the transaction (errSearchBehind) when any are pending, and View has them written and runs it
// again.
func (tx *Tx) searchCurrent(ctx context.Context) error {
	if tx.searchChecked || tx.dialect != SQLite {
		return nil
	}
	tx.searchChecked = true
	var behind bool
	if err := tx.queryRow(ctx, anyPendingSQL).Scan(&behind); err != nil {
		return mapError("pending search documents", err)
	}
	if behind {
		tx.searchBehind = true
		return errSearchBehind
	}
	return nil
}

// catchUpSearch has the writer write every pending document.
func (db *DB) catchUpSearch(ctx context.Context) error {
	return db.submit(ctx, nil) // a request without a function asks for the pending documents
}

// searchCaughtUpKey marks the context of a read transaction run again after catching up.
type searchCaughtUpKey struct{}

// noticeSearchLater turns the writing of documents after their transactions on once the
// database is unlocked and its schema has search_pending (SQLite, from migration 0054; a schema
// is migrated before it is unlocked).
func (db *DB) noticeSearchLater(ctx context.Context) error {
	if db.Dialect != SQLite {
		return nil
	}
	var ready bool
	err := db.write.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'search_pending')`).Scan(&ready)
	if err != nil {
		return mapError("schema", err)
	}
	db.later.ready.Store(ready)
	return nil
}
