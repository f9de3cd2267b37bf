package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
)

// chainLock is held by whoever extends the chain: the sealer on PostgreSQL (and, before events were
// sealed asynchronously, every committing transaction, which kept its place in line until commit:
// versions that still do so serialise with the sealer through the same lock during an upgrade).
const chainLock = 72007002

const eventColumns = `e.id, e.at, COALESCE(e.actor_id, 0), COALESCE(u.username, ''), e.action, e.object_type,
	e.object_id, COALESCE(e.case_id, 0), e.data, e.client_ip, COALESCE(e.seq, 0), e.prev_hash, e.hash
	FROM events e LEFT JOIN users u ON u.id = e.actor_id`

// scanEvent reads eventColumns; it also returns the data column's stored text, which the chain hashes.
// An unsealed event's hash column holds its pending seal, not a link: it is not shown as one.
func scanEvent(row rowScanner) (*haven.Event, string, error) {
	var e haven.Event
	var at int64
	var data string
	err := row.Scan(&e.ID, &at, &e.ActorID, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID, &e.CaseID,
		&data, &e.ClientIP, &e.Seq, &e.PrevHash, &e.Hash)
	e.At, e.Data = fromMicros(at), fromJSON[map[string]any](data)
	if e.Seq == 0 {
		e.Hash = ""
	}
	return &e, data, err
}

// sealEvents writes the events this transaction recorded, just before commit. On SQLite, whose
// single writer serialises commits anyway, they are inserted already chained: each gets the next
// position, the previous event's hash and its own. On PostgreSQL a chain position taken at commit
// would serialise every writer through one lock (215–284 cases/s), so the events are inserted
// unsealed (no position) with a pending seal (pendingSeal), and SealAudit chains them shortly after.
func (tx *Tx) sealEvents(ctx context.Context) error {
	if len(tx.pendingEvents) == 0 {
		return nil
	}
	if tx.dialect == Postgres {
		for i, p := range tx.pendingEvents {
			tx.pendingEvents[i].seal = tx.pendingSeal(p.event, p.data)
		}
		err := tx.insertEvents(ctx, tx.pendingEvents)
		tx.pendingEvents = nil
		return err
	}
	var seq int64
	var last string
	if err := tx.queryRow(ctx, `SELECT last_seq, last_hash FROM audit_head WHERE id = 1`).Scan(&seq, &last); err != nil {
		return mapError("audit head", err)
	}
	for _, p := range tx.pendingEvents {
		seq++
		e := p.event
		e.Seq, e.PrevHash = seq, last
		e.Hash = tx.chainHash(last, seq, e, p.data)
		last = e.Hash
	}
	if err := tx.insertEvents(ctx, tx.pendingEvents); err != nil {
		return err
	}
	tx.pendingEvents = nil
	_, err := tx.exec(ctx, "audit head", `UPDATE audit_head SET last_seq = $1, last_hash = $2 WHERE id = 1`, seq, last)
	return err
}

// eventsPerInsert bounds one multi-row INSERT (a group commit can carry hundreds of events).
const eventsPerInsert = 32

// insertEvents writes events, chained or (without a position) under their pending seal, many
// rows per statement: per-statement overhead was a sixth of intake once every event had its own INSERT.
func (tx *Tx) insertEvents(ctx context.Context, events []storedEvent) error {
	for len(events) > 0 {
		n := min(len(events), eventsPerInsert)
		q := &queryBuilder{}
		rows := make([]string, n)
		for i, p := range events[:n] {
			e := p.event
			rows[i] = "(" + strings.Join([]string{q.arg(micros(e.At)), q.arg(nullID(e.ActorID)), q.arg(e.Action),
				q.arg(e.ObjectType), q.arg(e.ObjectID), q.arg(nullID(e.CaseID)), q.arg(p.data), q.arg(e.ClientIP),
				q.arg(nullID(e.Seq)), q.arg(e.PrevHash), q.arg(p.hash())}, ", ") + ")"
		}
		if err := tx.execLater(ctx, "events", "insert events", `INSERT INTO events (at, actor_id, action, object_type, object_id,
			case_id, data, client_ip, seq, prev_hash, hash) VALUES `+strings.Join(rows, ", "), q.args...); err != nil {
			return err
		}
		events = events[n:]
	}
	return nil
}

type storedEvent struct {
	event *haven.Event
	data  string // the data column's text, as hashed
	seal  string // the pending seal of an event inserted without a position
}

// hash is what the hash column stores: the event's link once chained, its pending seal before.
func (p storedEvent) hash() string {
	if p.event.Seq == 0 {
		return p.seal
	}
	return p.event.Hash
}

// FindEvents lists audit events matching f, newest first.
func (tx *Tx) FindEvents(ctx context.Context, f haven.EventFilter) (*haven.EventPage, error) {
	q := &queryBuilder{}
	if f.Actor != "" {
		q.add("e.actor_id = (SELECT id FROM users WHERE username = " + q.arg(f.Actor) + ")")
	}
	if prefix, ok := strings.CutSuffix(f.Action, "."); ok {
		q.add("e.action LIKE " + q.arg(escapeLike(prefix)+".%") + " ESCAPE '\\'")
	} else if f.Action != "" {
		q.add("e.action = " + q.arg(f.Action))
	}
	if f.CaseID != 0 {
		q.add("e.case_id = " + q.arg(f.CaseID))
	}
	if !f.Since.IsZero() {
		q.add("e.at >= " + q.arg(micros(f.Since)))
	}
	if !f.Until.IsZero() {
		q.add("e.at < " + q.arg(micros(f.Until)))
	}
	if f.Cursor != "" {
		k, err := decodeCursor(f.Cursor, "events", 1)
		if err != nil {
			return nil, err
		}
		q.add("e.id < " + q.arg(k[0]))
	}
	if !f.Everything {
		q.add(eventVisibility(q, f.Viewer))
	}
	rows, err := queryAll(ctx, tx, "find events", `SELECT `+eventColumns+q.whereSQL()+` ORDER BY e.id DESC LIMIT `+q.arg(f.Limit+1),
		func(row rowScanner) (*haven.Event, error) {
			e, _, err := scanEvent(row)
			return e, err
		}, q.args...)
	if err != nil {
		return nil, err
	}
	if err := tx.loadEventDetails(ctx, rows); err != nil {
		return nil, err
	}
	page := &haven.EventPage{Items: rows}
	if len(rows) > f.Limit {
		page.Items = rows[:f.Limit]
		page.Next = encodeCursor("events", page.Items[f.Limit-1].ID)
	}
	return page, nil
}

// eventVisibility is the condition under which v may see an event: it is about no case, or about
// a case v may see; and it is about no requester, or about one v may see (visibility.go).
func eventVisibility(q *queryBuilder, v haven.Viewer) string {
	return `(e.case_id IS NULL OR EXISTS (SELECT 1 FROM cases c WHERE c.id = e.case_id AND ` + visibility(q, v) + `))
	AND (e.object_type <> 'requester' OR e.object_id = '' OR EXISTS (SELECT 1 FROM requesters rq
		WHERE CAST(rq.id AS TEXT) = e.object_id AND ` + requesterVisibility(q, v, "rq") + `))`
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// AuditProblem is the first place where the chain does not hold.
type AuditProblem struct {
	Seq     int64
	EventID int64
	Reason  string
}

func (p *AuditProblem) String() string {
	if p.EventID == 0 {
		return p.Reason
	}
	return fmt.Sprintf("event %d (position %d): %s", p.EventID, p.Seq, p.Reason)
}

// AuditReport is the result of VerifyAudit.
type AuditReport struct {
	Events int64 // events in the chain, verified
	// Pending counts the committed events not yet sealed into the chain (PostgreSQL seals them
	// shortly after commit) whose pending seal holds; OldestPending is when the oldest was recorded.
	Pending       int64
	OldestPending time.Time
	Problem       *AuditProblem // nil when the chain is intact
	// From is the checkpoint the walk started after (VerifyAuditSince), nil for a whole walk.
	From *AuditCheckpoint
	// Head is where the verified chain ends: the checkpoint a whole, intact walk may record.
	Head AuditCheckpoint
}

// VerifyAudit walks the chain from the first event: every position present, every event's hash
// recomputed from its stored fields and the previous hash, the head matching the last event, and
// every event outside the chain carrying a valid pending seal (it awaits sealing) rather than
// none (inserted outside Haven) or a broken one (changed before sealing). It reports the first
// problem found. It reads one snapshot, so a seal committing meanwhile is not mistaken for tampering.
func (db *DB) VerifyAudit(ctx context.Context) (*AuditReport, error) {
	report := &AuditReport{}
	err := db.snapshot(ctx, func(tx *Tx) error { return tx.verifyChain(ctx, report) })
	return report, err
}

// verifyChain walks the chain after report.From (from its start when nil) and checks its head and
// the events awaiting their seal.
func (tx *Tx) verifyChain(ctx context.Context, report *AuditReport) error {
	var seq int64
	var last string
	if report.From != nil {
		seq, last = report.From.Seq, report.From.Hash
	}
	rows, err := tx.query(ctx, `SELECT `+eventColumns+` WHERE e.seq IS NOT NULL AND e.seq > $1 ORDER BY e.seq`, seq)
	if err != nil {
		return mapError("audit chain", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, data, err := scanEvent(rows)
		if err != nil {
			return mapError("audit chain", err)
		}
		if report.Problem = tx.checkLink(e, data, seq, last); report.Problem != nil {
			return nil
		}
		seq, last = e.Seq, e.Hash
		report.Events++
	}
	if err := rows.Err(); err != nil {
		return mapError("audit chain", err)
	}
	report.Head = AuditCheckpoint{Seq: seq, Hash: last}
	if report.Problem, err = tx.checkHead(ctx, seq, last); report.Problem != nil || err != nil {
		return err
	}
	return tx.checkPending(ctx, report)
}

// snapshot runs fn in a read-only transaction that sees one state of the database throughout
// (REPEATABLE READ on PostgreSQL; a SQLite read transaction is one already).
func (db *DB) snapshot(ctx context.Context, fn func(*Tx) error) error {
	if db.Dialect != Postgres {
		return db.View(ctx, func(tx haven.Tx) error { return fn(tx.(*Tx)) })
	}
	k := db.keys()
	if k == nil {
		return haven.Errorf(haven.EUNAUTHORIZED, "the database is locked: no master key was given")
	}
	sqlTx, err := db.read.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return haven.Internal("begin", err)
	}
	defer func() { _ = sqlTx.Rollback() }() // read-only: nothing to keep, and fn's error is the one to report
	return fn(&Tx{tx: sqlTx, dialect: db.Dialect, keys: k})
}

// chainHash is an event's link in the chain: the digest of its fields and position and the
// previous link (haven.ChainHash), keyed with an HMAC under the database's index key. Without the
// key, someone who can write to the database cannot recompute the chain after editing it; with
// a plain hash they could, and verification would find nothing. The index key is sealed by the
// master key and survives its rotation, so old links stay verifiable.
func (tx *Tx) chainHash(prev string, seq int64, e *haven.Event, data string) string {
	return tx.keys.index.Blind("audit-chain", haven.ChainHash(prev, seq, e, data))
}

// checkLink checks one event against the position and hash of the one before it.
func (tx *Tx) checkLink(e *haven.Event, data string, prevSeq int64, prevHash string) *AuditProblem {
	switch {
	case e.Seq != prevSeq+1:
		return &AuditProblem{e.Seq, e.ID, fmt.Sprintf("events at positions %d to %d are missing (deleted)", prevSeq+1, e.Seq-1)}
	case e.PrevHash != prevHash:
		return &AuditProblem{e.Seq, e.ID, "it does not follow the event before it (events reordered, or the previous one rewritten)"}
	case tx.chainHash(prevHash, e.Seq, e, data) != e.Hash:
		return &AuditProblem{e.Seq, e.ID, "its content was changed after it was recorded"}
	}
	return nil
}

// checkHead compares the chain's end with the stored head.
func (tx *Tx) checkHead(ctx context.Context, seq int64, last string) (*AuditProblem, error) {
	var headSeq int64
	var headHash string
	if err := tx.queryRow(ctx, `SELECT last_seq, last_hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
		return nil, mapError("audit head", err)
	}
	if headSeq != seq || headHash != last {
		return &AuditProblem{Seq: seq + 1, Reason: fmt.Sprintf("the chain ends at position %d but %d events were recorded: the newest were deleted", seq, headSeq)}, nil
	}
	return nil, nil
}

// checkPending checks every event outside the chain: each must carry its pending seal. It counts
// them in the report, or reports the first that does not.
func (tx *Tx) checkPending(ctx context.Context, report *AuditReport) error {
	rows, err := tx.query(ctx, `SELECT `+unsealedColumns+` WHERE seq IS NULL ORDER BY id`)
	if err != nil {
		return mapError("unsealed events", err)
	}
	defer rows.Close()
	for rows.Next() {
		u, err := scanUnsealed(rows)
		if err != nil {
			return mapError("unsealed events", err)
		}
		if !tx.sealHolds(u) {
			report.Problem = &AuditProblem{EventID: u.event.ID, Reason: fmt.Sprintf("event %d is not in the chain "+
				"and its pending seal does not match (inserted outside Haven, or changed before it was sealed)", u.event.ID)}
			return nil
		}
		if report.Pending == 0 || u.event.At.Before(report.OldestPending) {
			report.OldestPending = u.event.At
		}
		report.Pending++
	}
	return mapError("unsealed events", rows.Err())
}
