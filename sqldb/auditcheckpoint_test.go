package sqldb_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// TestAuditCheckpoint: a whole, intact walk records where it ended; a check from that checkpoint
// walks only the newer events yet still finds the checkpoint's event rewritten or deleted, a
// forged checkpoint, and tampering after it. An edit before the checkpoint is for the whole walk.
func TestAuditCheckpoint(t *testing.T) {
	ctx := context.Background()
	for _, postgres := range []bool{false, true} {
		name := map[bool]string{false: "sqlite", true: "postgres"}[postgres]
		t.Run(name+"/from the newest", func(t *testing.T) {
			c := checkpointed(t, postgres)
			c.recordSealed(t, 3)
			r, err := c.db.VerifyAuditSince(ctx)
			if err != nil || r.Problem != nil || r.From == nil || r.From.Seq != 4 || r.Events != 3 {
				t.Fatalf("want 3 events verified after position 4, got %+v %v", r, err)
			}
			c.tamper(t, `UPDATE events SET action = 'case.closed' WHERE seq = 2`) // before the checkpoint
			if r, _ := c.db.VerifyAuditSince(ctx); r.Problem != nil {
				t.Fatalf("an edit before the checkpoint is the whole walk's to find, got %+v", r.Problem)
			}
			if r := c.verify(t); r.Problem == nil || r.Problem.Seq != 2 {
				t.Fatalf("the whole walk must name position 2, got %+v", r.Problem)
			}
		})
		for _, tc := range []struct{ name, stmt, reason string }{
			{"checkpoint event rewritten", `UPDATE events SET hash = 'x' WHERE seq = 4`, "rewritten"},
			{"checkpoint event deleted", `DELETE FROM events WHERE seq = 4`, "deleted"},
			{"edited after", `UPDATE events SET action = 'case.closed' WHERE seq = 6`, "changed"},
		} {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				c := checkpointed(t, postgres)
				c.recordSealed(t, 3)
				c.tamper(t, tc.stmt)
				r, err := c.db.VerifyAuditSince(ctx)
				if err != nil || r.Problem == nil || !strings.Contains(r.Problem.Reason, tc.reason) {
					t.Fatalf("want a problem saying %q, got %+v %v", tc.reason, r.Problem, err)
				}
			})
		}
		t.Run(name+"/forged checkpoint", func(t *testing.T) {
			c := checkpointed(t, postgres)
			c.tamper(t, `UPDATE audit_checkpoints SET seq = 9`)
			if _, err := c.db.VerifyAuditSince(ctx); haven.ErrorCode(err) != haven.ECONFLICT || !strings.Contains(err.Error(), "not one Haven recorded") {
				t.Fatalf("a forged checkpoint must be refused, got %v", err)
			}
		})
	}
}

// checkpointed records four sealed events and a checkpoint at the fourth.
func checkpointed(t *testing.T, postgres bool) *chainDB {
	t.Helper()
	c := openChain(t, postgres)
	if r, err := c.db.VerifyAuditSince(context.Background()); err != nil || r.From != nil || r.Problem != nil {
		t.Fatalf("without a checkpoint the whole chain is walked, got %+v %v", r, err)
	}
	c.recordSealed(t, 4)
	r := c.verify(t)
	if err := c.db.RecordAuditCheckpoint(context.Background(), r, time.Now()); err != nil {
		t.Fatal(err)
	}
	if r.Head.Seq != 4 {
		t.Fatalf("the walk should end at position 4, got %+v", r.Head)
	}
	return c
}
