package sqldb_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/sqldb"
)

// TestAuditSealPending: on PostgreSQL committed events wait outside the chain, which verification
// reports as pending, not as a problem, until the sealer chains them; SQLite chains them at commit.
func TestAuditSealPending(t *testing.T) {
	for _, postgres := range []bool{false, true} {
		t.Run(map[bool]string{false: "sqlite", true: "postgres"}[postgres], func(t *testing.T) {
			c := openChain(t, postgres)
			before := time.Now().Add(-time.Second)
			if err := c.record(5); err != nil {
				t.Fatal(err)
			}
			r := c.verify(t)
			if r.Problem != nil {
				t.Fatalf("before sealing: %v", r.Problem)
			}
			wantPending := map[bool]int64{false: 0, true: 5}[postgres]
			if r.Pending != wantPending || r.Events != 5-wantPending {
				t.Fatalf("before sealing: %d events, %d pending; want %d pending", r.Events, r.Pending, wantPending)
			}
			if postgres && (r.OldestPending.Before(before) || r.OldestPending.After(time.Now())) {
				t.Fatalf("oldest pending event at %v", r.OldestPending)
			}
			if s := c.seal(t); s.Sealed != int(wantPending) || s.Refused != 0 {
				t.Fatalf("seal: %+v", s)
			}
			if r := c.verify(t); r.Problem != nil || r.Events != 5 || r.Pending != 0 {
				t.Fatalf("after sealing: %d events, %d pending, problem %v", r.Events, r.Pending, r.Problem)
			}
			if err := c.record(3); err != nil {
				t.Fatal(err)
			}
			c.seal(t)
			if r := c.verify(t); r.Problem != nil || r.Events != 8 || r.Pending != 0 {
				t.Fatalf("after a second seal: %d events, %d pending, problem %v", r.Events, r.Pending, r.Problem)
			}
		})
	}
}

// TestAuditSealRacing: writers commit while several sealers, waiting or not, run at once: every
// event is sealed exactly once (the sealers' counts add up to the events) into one valid chain.
func TestAuditSealRacing(t *testing.T) {
	for _, postgres := range []bool{false, true} {
		t.Run(map[bool]string{false: "sqlite", true: "postgres"}[postgres], func(t *testing.T) {
			c := openChain(t, postgres)
			var sealed, busy atomic.Int64
			var writers, sealers sync.WaitGroup
			done := make(chan struct{})
			for w := 0; w < 12; w++ {
				writers.Go(func() {
					if err := c.record(10); err != nil {
						t.Error(err)
					}
				})
			}
			for s := 0; s < 4; s++ {
				sealers.Go(func() {
					for {
						r, err := c.db.SealAudit(context.Background(), s%2 == 0)
						if err != nil {
							t.Error(err)
							return
						}
						sealed.Add(int64(r.Sealed))
						if r.Busy {
							busy.Add(1)
						}
						select {
						case <-done:
							return
						default:
						}
					}
				})
			}
			writers.Wait()
			close(done)
			sealers.Wait()
			sealed.Add(int64(c.seal(t).Sealed))
			if want := map[bool]int64{false: 0, true: 120}[postgres]; sealed.Load() != want {
				t.Fatalf("sealers sealed %d events, want %d", sealed.Load(), want)
			}
			if r := c.verify(t); r.Problem != nil || r.Events != 120 || r.Pending != 0 {
				t.Fatalf("after racing sealers: %d events, %d pending, problem %v", r.Events, r.Pending, r.Problem)
			}
			var positions, top int64
			if err := c.raw.QueryRow(`SELECT COUNT(DISTINCT seq), MAX(seq) FROM events`).Scan(&positions, &top); err != nil {
				t.Fatal(err)
			}
			if positions != 120 || top != 120 {
				t.Fatalf("%d distinct positions up to %d for 120 events", positions, top)
			}
			t.Logf("%d seal calls found the chain busy", busy.Load())
		})
	}
}

// TestAuditSealLateCommit: an event with a lower id that commits after a higher one was sealed is
// sealed by a later pass, after it in the chain.
func TestAuditSealLateCommit(t *testing.T) {
	c := openChain(t, true)
	ctx := context.Background()
	written, release, finished := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		finished <- c.db.Update(ctx, func(htx haven.Tx) error {
			tx := htx.(*sqldb.Tx)
			if err := tx.InsertEvent(ctx, &haven.Event{At: time.Now(), Action: "case.viewed", ObjectType: "case", ObjectID: "late"}); err != nil {
				return err
			}
			if err := tx.WriteEventsNow(ctx); err != nil {
				return err
			}
			close(written)
			<-release
			return nil
		})
	}()
	select {
	case <-written:
	case err := <-finished:
		t.Fatalf("the late transaction ended early: %v", err)
	}
	if err := c.record(1); err != nil {
		t.Fatal(err)
	}
	if s := c.seal(t); s.Sealed != 1 {
		t.Fatalf("first pass sealed %d events, want the one committed", s.Sealed)
	}
	close(release)
	if err := <-finished; err != nil {
		t.Fatal(err)
	}
	if r := c.verify(t); r.Problem != nil || r.Events != 1 || r.Pending != 1 {
		t.Fatalf("after the late commit: %d events, %d pending, problem %v", r.Events, r.Pending, r.Problem)
	}
	if s := c.seal(t); s.Sealed != 1 {
		t.Fatalf("second pass sealed %d events, want the late one", s.Sealed)
	}
	var lateSeq, otherSeq int64
	if err := c.raw.QueryRow(`SELECT (SELECT seq FROM events WHERE object_id = 'late'),
		(SELECT seq FROM events WHERE object_id <> 'late')`).Scan(&lateSeq, &otherSeq); err != nil {
		t.Fatal(err)
	}
	if lateSeq != 2 || otherSeq != 1 {
		t.Fatalf("late event at position %d, the other at %d; want 2 and 1", lateSeq, otherSeq)
	}
	if r := c.verify(t); r.Problem != nil || r.Events != 2 || r.Pending != 0 {
		t.Fatalf("after sealing the late event: %d events, %d pending, problem %v", r.Events, r.Pending, r.Problem)
	}
}

// TestAuditSealTamperingPending: before sealing, an event changed, or inserted without the key,
// does not match its pending seal: the sealer leaves it out of the chain and verification names it.
func TestAuditSealTamperingPending(t *testing.T) {
	for name, tamper := range map[string]string{
		"edited":           `UPDATE events SET action = 'case.closed' WHERE id = (SELECT MIN(id) FROM events)`,
		"inserted outside": `INSERT INTO events (at, action, object_type, object_id, data) VALUES (1, 'x', 'y', 'z', '{}')`,
		"seal copied":      `INSERT INTO events (at, action, object_type, object_id, data, hash) SELECT at, 'case.closed', object_type, object_id, data, hash FROM events WHERE id = (SELECT MIN(id) FROM events)`,
	} {
		t.Run(name, func(t *testing.T) {
			c := openChain(t, true)
			if err := c.record(3); err != nil {
				t.Fatal(err)
			}
			c.tamper(t, tamper)
			for _, when := range []string{"before sealing", "after sealing"} {
				r := c.verify(t)
				if r.Problem == nil || r.Problem.EventID == 0 || !strings.Contains(r.Problem.Reason, "not in the chain") {
					t.Fatalf("%s: want the tampered event named, got %+v", when, r.Problem)
				}
				if when == "before sealing" {
					var rows int
					if err := c.raw.QueryRow(`SELECT COUNT(*) FROM events`).Scan(&rows); err != nil {
						t.Fatal(err)
					}
					if s := c.seal(t); s.Refused != 1 || s.Sealed != rows-1 {
						t.Fatalf("seal: %+v; want the tampered event refused and the others sealed", s)
					}
				}
			}
		})
	}
}
