package sqldb

import (
	"context"
	"fmt"
	"time"

	"github.com/haven-helpline/haven"
)

// Group commit for SQLite. SQLite has one writer, and most of a small transaction's cost is its
// commit (WAL frames) and the full-text index flush. The writer goroutine takes every Update
// waiting in the queue (up to maxBatch) and runs them in one transaction. If any of them fails,
// the whole batch is rolled back and each function is re-run in a transaction of its own, so one
// request's failure never leaks into another's. Callers return only after their commit.
//
// Functions passed to Update may therefore run more than once and must only touch the database
// and the values they return through their closure (which is true of every use case in service).

const maxBatch = 64

type writeRequest struct {
	ctx  context.Context
	fn   func(haven.Tx) error
	done chan error
}

// startWriter starts the batching writer goroutine.
func (db *DB) startWriter() {
	db.writes = make(chan writeRequest)
	db.writerDone = make(chan struct{})
	go func() {
		defer close(db.writerDone)
		for {
			req, ok := db.nextWrite()
			if !ok {
				_ = db.writeSearchLater(context.Background()) // failing, the rows stay pending: nothing is lost
				return
			}
			start := time.Now()
			db.runBatch(db.gather(req))
			if db.later.due() {
				_ = db.writeSearchLater(context.Background()) // failing, they are tried again later
			}
			db.worked(start)
		}
	}()
}

// nextWrite waits for the next write. Once none has come for mergeAfterIdle, it merges the
// search index meanwhile, a step at a time (searchmerge.go): the short gaps between batches
// under load are not idleness, and merging in them would put the merge back on requests' path.
// Between steps it leaves the file alone for mergeAfterIdle: another process waiting to write
// (`haven ingest`, an administration command) retries on SQLite's busy timer, up to 100 ms
// apart, and steps run back to back kept it out until it gave up.
func (db *DB) nextWrite() (writeRequest, bool) {
	select {
	case req, ok := <-db.writes:
		return req, ok
	default:
	}
	if db.later.waiting() { // search documents to write once nothing else waits (searchlater.go)
		if req, ok, came := db.waitWrite(time.Duration(db.later.idle.Load())); came {
			return req, ok
		}
		start := time.Now()
		_ = db.writeSearchLater(context.Background()) // failing, they are tried again after the next write
		db.worked(start)
	}
	for db.merge.pending.Load() {
		idle := time.NewTimer(mergeAfterIdle)
		select {
		case req, ok := <-db.writes:
			idle.Stop()
			return req, ok
		case <-idle.C:
		}
		start := time.Now()
		db.mergeSearchWhenIdle()
		db.worked(start)
	}
	req, ok := <-db.writes
	return req, ok
}

// waitWrite waits up to d for the next write; came is false when none came.
func (db *DB) waitWrite(d time.Duration) (req writeRequest, ok, came bool) {
	idle := time.NewTimer(d)
	defer idle.Stop()
	select {
	case req, ok = <-db.writes:
		return req, ok, true
	case <-idle.C:
		return writeRequest{}, false, false
	}
}

// gather collects the requests already waiting behind first.
func (db *DB) gather(first writeRequest) []writeRequest {
	batch := []writeRequest{first}
	for len(batch) < maxBatch {
		select {
		case req, ok := <-db.writes:
			if !ok {
				return batch
			}
			batch = append(batch, req)
		default:
			return batch
		}
	}
	return batch
}

// submit queues fn for the writer and waits for its result.
func (db *DB) submit(ctx context.Context, fn func(haven.Tx) error) error {
	req := writeRequest{ctx: ctx, fn: fn, done: make(chan error, 1)}
	db.observing.pending.Add(1)
	defer db.observing.pending.Add(-1)
	select {
	case db.writes <- req:
	case <-ctx.Done():
		return haven.Internal("queue write", ctx.Err())
	}
	return <-req.done
}

func (db *DB) runBatch(batch []writeRequest) {
	batch, catchUps := splitCatchUps(batch)
	defer func() {
		if len(catchUps) > 0 { // after the batch: the searches see its documents too
			err := db.writeSearchLater(context.Background())
			for _, req := range catchUps {
				req.done <- err
			}
		}
	}()
	if len(batch) == 0 {
		return
	}
	if len(batch) == 1 {
		batch[0].done <- db.runAlone(batch[0])
		return
	}
	if err := db.runTogether(batch); err == nil {
		for _, req := range batch {
			req.done <- nil
		}
		return
	}
	for _, req := range batch { // something failed: give each its own transaction and answer
		req.done <- db.runAlone(req)
	}
}

// runAlone runs one request in a transaction of its own. A request whose context ended before
// the writer began it is not written; once begun, it is carried through (writerCtx).
func (db *DB) runAlone(req writeRequest) error {
	if err := req.ctx.Err(); err != nil {
		return haven.Internal("begin", err)
	}
	return db.run(writerCtx(req.ctx), db.write, false, req.fn)
}

// splitCatchUps separates the searches' requests to write the pending documents (no function,
// searchlater.go) from the writes.
func splitCatchUps(batch []writeRequest) (writes, catchUps []writeRequest) {
	writes = batch[:0:0]
	for _, req := range batch {
		if req.fn == nil {
			catchUps = append(catchUps, req)
		} else {
			writes = append(writes, req)
		}
	}
	return writes, catchUps
}

// runTogether runs every function of batch in one transaction and commits it.
func (db *DB) runTogether(batch []writeRequest) (err error) {
	return db.run(writerCtx(context.Background()), db.write, false, func(tx haven.Tx) error {
		for _, req := range batch {
			if err := req.ctx.Err(); err != nil {
				return err
			}
			if err := safeCall(req.fn, tx); err != nil {
				return err
			}
		}
		return nil
	})
}

// safeCall turns a panic in fn into an error, so one bad request cannot kill the writer; the
// request is then re-run alone, where the panic reaches its own caller.
func safeCall(fn func(haven.Tx) error, tx haven.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in batched transaction: %v", p)
		}
	}()
	return fn(tx)
}
