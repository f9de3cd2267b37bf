package main

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/sqldb"
	"github.com/haven-helpline/haven/testenv"
)

// TestSealerLoop: on PostgreSQL the serve loop chains committed events within moments, and
// stopping it returns; closing the database seals what was committed after the last round.
func TestSealerLoop(t *testing.T) {
	ctx := context.Background()
	dsn := testenv.Postgres(t)
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx, func() int64 { return 1 }); err != nil {
		t.Fatal(err)
	}
	kr := testenv.Keyring(t)
	if err := db.Unlock(ctx, kr); err != nil {
		t.Fatal(err)
	}
	record := func(n int) {
		t.Helper()
		for i := range n {
			if err := db.Update(ctx, func(tx haven.Tx) error {
				return tx.InsertEvent(ctx, &haven.Event{At: time.Now(), Action: "case.viewed", ObjectType: "case", ObjectID: "x", Data: map[string]any{"i": i}})
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	record(4)
	stop := startSealer(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), db)
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := db.VerifyAudit(ctx)
		if err != nil || r.Problem != nil {
			t.Fatalf("verify: %v %+v", err, r)
		}
		if r.Pending == 0 && r.Events == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sealer left %d events pending for 10 s", r.Pending)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	record(3)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := sqldb.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if err := again.Unlock(ctx, kr); err != nil {
		t.Fatal(err)
	}
	if r, err := again.VerifyAudit(ctx); err != nil || r.Problem != nil || r.Events != 7 || r.Pending != 0 {
		t.Fatalf("after close: %+v %v; want 7 events sealed", r, err)
	}
}
