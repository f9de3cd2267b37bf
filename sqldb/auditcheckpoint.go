package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/haven-helpline/haven"
)

// AuditCheckpoint is a position of the chain that a whole verification found intact, and when.
// A later check can start after it instead of walking every event since the first (haven doctor
// at millions of events); a whole walk (haven audit verify, --audit-verify-every) still checks
// everything and records a new checkpoint.
type AuditCheckpoint struct {
	Seq        int64
	Hash       string
	VerifiedAt time.Time
}

// checkpointMAC binds a checkpoint's fields under the index key, with its own purpose: someone
// who can write to the database but has not the key cannot record a checkpoint past edited events.
func (tx *Tx) checkpointMAC(cp AuditCheckpoint) string {
	return tx.keys.index.Blind("audit-checkpoint", strconv.FormatInt(cp.Seq, 10)+"|"+cp.Hash+"|"+
		strconv.FormatInt(micros(cp.VerifiedAt), 10))
}

// RecordAuditCheckpoint keeps where an intact whole walk ended. Nothing is recorded for a
// report that found a problem, started from a checkpoint, or verified no event.
func (db *DB) RecordAuditCheckpoint(ctx context.Context, report *AuditReport, at time.Time) error {
	if report.Problem != nil || report.From != nil || report.Head.Seq == 0 {
		return nil
	}
	cp := AuditCheckpoint{Seq: report.Head.Seq, Hash: report.Head.Hash, VerifiedAt: at.UTC().Truncate(time.Microsecond)}
	return db.Update(ctx, func(htx haven.Tx) error {
		tx := htx.(*Tx)
		_, err := tx.exec(ctx, "audit checkpoint", `INSERT INTO audit_checkpoints (seq, hash, verified_at, mac)
			VALUES ($1, $2, $3, $4) ON CONFLICT (seq) DO UPDATE SET hash = excluded.hash,
			verified_at = excluded.verified_at, mac = excluded.mac`,
			cp.Seq, cp.Hash, micros(cp.VerifiedAt), tx.checkpointMAC(cp))
		return err
	})
}

// VerifyAuditSince verifies the chain after the newest checkpoint: the checkpoint's own seal, the
// event it names still carrying the link it recorded, then every event after it as VerifyAudit
// does. Without a checkpoint it walks the whole chain (report.From stays nil).
func (db *DB) VerifyAuditSince(ctx context.Context) (*AuditReport, error) {
	report := &AuditReport{}
	err := db.snapshot(ctx, func(tx *Tx) error {
		cp, err := tx.newestCheckpoint(ctx)
		if err != nil || cp == nil {
			return err
		}
		report.From = cp
		if report.Problem, err = tx.checkCheckpoint(ctx, *cp); report.Problem != nil || err != nil {
			return err
		}
		return tx.verifyChain(ctx, report)
	})
	if err == nil && report.From == nil {
		return db.VerifyAudit(ctx)
	}
	return report, err
}

func (tx *Tx) newestCheckpoint(ctx context.Context) (*AuditCheckpoint, error) {
	var cp AuditCheckpoint
	var at int64
	var mac string
	err := tx.queryRow(ctx, `SELECT seq, hash, verified_at, mac FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`).
		Scan(&cp.Seq, &cp.Hash, &at, &mac)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, mapError("audit checkpoint", err)
	}
	cp.VerifiedAt = fromMicros(at)
	if tx.checkpointMAC(cp) != mac {
		return nil, haven.Errorf(haven.ECONFLICT, "the newest audit checkpoint (position %d) is not one Haven recorded: "+
			"run haven audit verify to walk the whole chain", cp.Seq)
	}
	return &cp, nil
}

// checkCheckpoint finds the checkpoint's event as it was when the checkpoint was recorded.
func (tx *Tx) checkCheckpoint(ctx context.Context, cp AuditCheckpoint) (*AuditProblem, error) {
	var id int64
	var hash string
	err := tx.queryRow(ctx, `SELECT id, hash FROM events WHERE seq = $1`, cp.Seq).Scan(&id, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return &AuditProblem{Seq: cp.Seq, Reason: fmt.Sprintf("the event at position %d, verified on %s, was deleted",
			cp.Seq, cp.VerifiedAt.Format(time.RFC3339))}, nil
	}
	if err != nil {
		return nil, mapError("audit checkpoint", err)
	}
	if hash != cp.Hash {
		return &AuditProblem{Seq: cp.Seq, EventID: id, Reason: "its link differs from the one verified on " +
			cp.VerifiedAt.Format(time.RFC3339) + " (the chain was rewritten)"}, nil
	}
	return nil, nil
}
