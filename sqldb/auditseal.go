package sqldb

import (
	"context"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
)

// On PostgreSQL events are committed with their change but outside the chain (seq NULL), each
// under a pending seal: an HMAC, under the index key, of its fields. SealAudit then chains them.
// The pending seal is what keeps the window before sealing tamper-evident for edits and forgeries:
// an event changed, or inserted by someone without the key, does not match its seal, so the
// sealer refuses to chain it and VerifyAudit names it. (Deleting an unsealed event, or inserting
// a copy of one, in that window is not detected: docs/security.md.)

// sealBatch bounds the events chained by one transaction, so that a seal never holds the chain long.
const sealBatch = 500

// SealResult is what SealAudit did.
type SealResult struct {
	Sealed int // events given their place in the chain
	// Refused counts unsealed events whose pending seal does not match: left out of the chain,
	// they stay unsealed and VerifyAudit reports them.
	Refused int
	Busy    bool // another sealer held the chain (and seals these events itself): nothing was done
}

// unsealedColumns are the columns the sealer reads; the hash column of an unsealed event holds its pending seal.
const unsealedColumns = `id, at, COALESCE(actor_id, 0), action, object_type, object_id, COALESCE(case_id, 0),
	data, client_ip, hash FROM events`

type unsealedEvent struct {
	event *haven.Event
	data  string // as stored, which the seal and the chain cover
	seal  string
}

func scanUnsealed(row rowScanner) (unsealedEvent, error) {
	u := unsealedEvent{event: &haven.Event{}}
	var at int64
	e := u.event
	err := row.Scan(&e.ID, &at, &e.ActorID, &e.Action, &e.ObjectType, &e.ObjectID, &e.CaseID, &u.data, &e.ClientIP, &u.seal)
	e.At = fromMicros(at)
	return u, err
}

// pendingSeal is an unsealed event's proof of origin: the digest of its fields (as the chain
// would hash them at no position), keyed under the index key with its own purpose, so that it
// can never pass for a link of the chain.
func (tx *Tx) pendingSeal(e *haven.Event, data string) string {
	return tx.keys.index.Blind("audit-pending", haven.ChainHash("", 0, e, data))
}

func (tx *Tx) sealHolds(u unsealedEvent) bool {
	return tx.pendingSeal(u.event, u.data) == u.seal
}

// SealAudit chains every committed event that is outside the chain, lowest id first, in
// transactions of up to sealBatch events, until none is left. An event with a lower id may commit
// after a higher one was sealed: it is simply sealed by a later call (positions, not ids, are the
// chain's order), since every call starts again from the first unsealed event. One sealer at a time
// extends the chain (chainLock); with wait false, SealAudit returns Busy at once when another holds
// it, as that one seals these events too. Several instances may each run a sealer.
func (db *DB) SealAudit(ctx context.Context, wait bool) (SealResult, error) {
	var total SealResult
	var after int64 // events up to this id were considered by this call
	for {
		var r SealResult
		var read int
		var last int64
		err := db.Update(ctx, func(htx haven.Tx) error {
			var err error
			r, read, last, err = htx.(*Tx).sealPass(ctx, wait, after)
			return err
		})
		if err != nil || r.Busy {
			total.Busy = r.Busy
			return total, err
		}
		total.Sealed += r.Sealed
		total.Refused += r.Refused
		if read < sealBatch {
			return total, nil
		}
		after = last
	}
}

// sealPass chains the unsealed events after id `after` (up to sealBatch of them) and moves the
// head, in the caller's transaction. It reports how many events it read and the last one's id.
func (tx *Tx) sealPass(ctx context.Context, wait bool, after int64) (r SealResult, read int, last int64, err error) {
	if r.Busy, err = tx.lockChain(ctx, wait); r.Busy || err != nil {
		return r, 0, 0, err
	}
	var seq int64
	var prev string
	if err := tx.queryRow(ctx, `SELECT last_seq, last_hash FROM audit_head WHERE id = 1`).Scan(&seq, &prev); err != nil {
		return r, 0, 0, mapError("audit head", err)
	}
	events, err := queryAll(ctx, tx, "unsealed events", `SELECT `+unsealedColumns+`
		WHERE seq IS NULL AND id > $1 ORDER BY id LIMIT $2`, scanUnsealed, after, sealBatch)
	if err != nil || len(events) == 0 {
		return r, 0, after, err
	}
	chained := make([]unsealedEvent, 0, len(events))
	for _, u := range events {
		if !tx.sealHolds(u) {
			r.Refused++
			continue
		}
		seq++
		u.event.Seq, u.event.PrevHash = seq, prev
		u.event.Hash = tx.chainHash(prev, seq, u.event, u.data)
		prev = u.event.Hash
		chained = append(chained, u)
	}
	if err := tx.markSealed(ctx, chained); err != nil {
		return r, 0, 0, err
	}
	if _, err := tx.exec(ctx, "audit head", `UPDATE audit_head SET last_seq = $1, last_hash = $2 WHERE id = 1`, seq, prev); err != nil {
		return r, 0, 0, err
	}
	r.Sealed = len(chained)
	return r, len(events), events[len(events)-1].event.ID, nil
}

// lockChain takes the chain for this transaction, and reports busy when it is held elsewhere and
// wait is false. SQLite's single writer holds it already.
func (tx *Tx) lockChain(ctx context.Context, wait bool) (busy bool, err error) {
	if tx.dialect != Postgres {
		return false, nil
	}
	if wait {
		_, err := tx.exec(ctx, "chain lock", `SELECT pg_advisory_xact_lock($1)`, chainLock)
		return false, err
	}
	var got bool
	if err := tx.queryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, chainLock).Scan(&got); err != nil {
		return false, mapError("chain lock", err)
	}
	return !got, nil
}

// markSealed stores the chained events' positions and links, many rows per statement.
func (tx *Tx) markSealed(ctx context.Context, events []unsealedEvent) error {
	for len(events) > 0 {
		n := min(len(events), eventsPerInsert*4)
		q := &queryBuilder{}
		rows := make([]string, n)
		for i, u := range events[:n] {
			e := u.event
			rows[i] = "(CAST(" + q.arg(e.ID) + " AS BIGINT), CAST(" + q.arg(e.Seq) + " AS BIGINT), CAST(" +
				q.arg(e.PrevHash) + " AS TEXT), CAST(" + q.arg(e.Hash) + " AS TEXT))"
		}
		if _, err := tx.exec(ctx, "seal events", `WITH v (id, seq, prev_hash, hash) AS (VALUES `+strings.Join(rows, ", ")+`)
			UPDATE events SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash FROM v
			WHERE events.id = v.id AND events.seq IS NULL`, q.args...); err != nil {
			return err
		}
		events = events[n:]
	}
	return nil
}

// sealBeforeClose chains, before the connections close, what was committed and is not sealed
// yet, so that a process ending (haven serve stopping, a CLI command) leaves no event waiting.
// Best effort: whatever it cannot seal, any instance's sealer or haven audit verify seals later.
func (db *DB) sealBeforeClose() error {
	if db.Dialect != Postgres || db.keys() == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := db.SealAudit(ctx, true)
	return err
}
