package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/sqldb"
	"github.com/haven-helpline/haven/testenv"
)

// openTwice opens two handles on one migrated database, as two `haven serve` processes would.
func openTwice(t *testing.T, dsn string) (*sqldb.DB, *sqldb.DB) {
	t.Helper()
	kr := testenv.Keyring(t)
	var dbs [2]*sqldb.DB
	for i := range dbs {
		db, err := sqldb.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(context.Background(), func() int64 { return 1 }); err != nil {
			t.Fatal(err)
		}
		if err := db.Unlock(context.Background(), kr); err != nil {
			t.Fatal(err)
		}
		dbs[i] = db
	}
	return dbs[0], dbs[1]
}

func insertCase(t *testing.T, s haven.Store, title string) {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	err := s.Update(ctx, func(tx haven.Tx) error {
		n, err := tx.NextCaseNumber(ctx, 2026)
		if err != nil {
			return err
		}
		return tx.InsertCase(ctx, &haven.Case{Number: n, Title: title, Status: haven.StatusNew, Priority: haven.P3,
			Categories: []string{}, Tags: []string{}, CreatedAt: now, UpdatedAt: now})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// idlePoll does what an idle job runner does each second (its slot's job exists, nothing is
// due), once to enqueue the slot and once idle: the idle one must not change A's generation.
func idlePoll(t *testing.T, a *sqldb.DB) {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	poll := func(tx haven.Tx) error {
		if _, err := tx.EnqueueJob(ctx, &haven.Job{Kind: "test.idle", UniqueKey: "test.idle@slot", RunAt: now.Add(time.Hour), CreatedAt: now}); err != nil {
			return err
		}
		_, err := tx.ClaimJobs(ctx, "test", now, now.Add(time.Minute), 4)
		return err
	}
	if err := a.Update(ctx, poll); err != nil {
		t.Fatal(err)
	}
	// The first poll may have written (the slot's job): A moved on at its commit, and its own
	// notification, coming back at a moment of its own, moves nothing. So no idle poll moves it.
	for i := range 3 {
		before, _ := a.Generation()
		if err := a.Update(ctx, poll); err != nil {
			t.Fatal(err)
		}
		if after, _ := a.Generation(); after != before {
			t.Fatalf("idle poll %d moved the generation from %d to %d", i+1, before, after)
		}
	}
}

// waitGeneration waits until db's generation is trusted and no longer from.
func waitGeneration(t *testing.T, db *sqldb.DB, from uint64, what string) uint64 {
	t.Helper()
	return waitMoved(t, "generation", db.Generation, from, what)
}

// waitReferenceGeneration waits until db's reference generation is trusted and no longer from.
func waitReferenceGeneration(t *testing.T, db *sqldb.DB, from uint64, what string) uint64 {
	t.Helper()
	return waitMoved(t, "reference generation", db.ReferenceGeneration, from, what)
}

// waitMoved waits until the generation named kind, read by get, is trusted and no longer from.
func waitMoved(t *testing.T, kind string, get func() (uint64, bool), from uint64, what string) uint64 {
	t.Helper()
	var gen uint64
	testenv.Eventually(t, what, func() (bool, string) {
		g, ok := get()
		gen = g
		return ok && g != from, fmt.Sprintf("%s %d (trusted: %t), was %d", kind, g, ok, from)
	})
	return gen
}

// A PostgreSQL database shared by two processes has a generation on each: a write committed
// through one moves the other's on (LISTEN/NOTIFY), and a rolled-back write or an idle job
// poll does not; when the
// listening connection is lost, the generation moves on (whatever was missed is unknown) and,
// listening again, follows the other's writes as before.
func TestPostgresGenerationAcrossProcesses(t *testing.T) {
	dsn := testenv.Postgres(t)
	a, b := openTwice(t, dsn)
	gen, ok := b.Generation()
	if !ok {
		t.Fatal("a PostgreSQL database listening for changes has no trusted generation")
	}
	idlePoll(t, a) // enqueues the slot's job: a write
	gen = waitGeneration(t, b, gen, "B to see A's job enqueued")
	insertCase(t, a, "through A")
	gen = waitGeneration(t, b, gen, "B to see A's write")

	// A write that rolls back sends nothing: B's generation stays (checked after a later write
	// by A is seen, since notifications arrive in commit order).
	_ = a.Update(context.Background(), func(tx haven.Tx) error { return haven.Errorf(haven.ECONFLICT, "rolled back") })
	_ = a.View(context.Background(), func(haven.Tx) error { return nil })
	idlePoll(t, a) // and neither does a job runner's poll that finds nothing to do, on A either
	sent := gen
	insertCase(t, a, "after a rollback")
	gen = waitGeneration(t, b, sent, "B to see A's second write")
	if gen != sent+1 {
		t.Fatalf("B's generation went from %d to %d over one committed write (a rollback or a read notified?)", sent, gen)
	}

	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var cut int
	err = raw.QueryRow(`SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN haven_changes%'`).Scan(&cut)
	if err != nil || cut != 2 {
		t.Fatalf("cutting the listeners of A and B: %d cut, %v", cut, err)
	}
	gen = waitGeneration(t, b, gen, "B to move on after losing its listener and listen again")
	insertCase(t, a, "after the cut")
	waitGeneration(t, b, gen, "B, listening again, to see A's write")
}

// Two processes on one PostgreSQL database: a case written through A moves B's generation and
// not B's reference generation; a setting (a reference table) written through A moves both. A's
// own notifications move nothing on A: its commits did.
func TestPostgresReferenceGenerationAcrossProcesses(t *testing.T) {
	dsn := testenv.Postgres(t)
	a, b := openTwice(t, dsn)
	gen, _ := b.Generation()
	reference, ok := b.ReferenceGeneration()
	if !ok {
		t.Fatal("a PostgreSQL database listening for changes has no trusted reference generation")
	}
	aGen, _ := a.Generation()
	insertCase(t, a, "not an account")
	if g, _ := a.Generation(); g != aGen+1 {
		t.Fatalf("A's generation went from %d to %d at its own commit", aGen, g)
	}
	gen = waitGeneration(t, b, gen, "B to see A's case")
	if g, _ := b.ReferenceGeneration(); g != reference {
		t.Fatalf("a case moved B's reference generation from %d to %d", reference, g)
	}
	err := a.Update(context.Background(), func(tx haven.Tx) error {
		return tx.PutSetting(context.Background(), haven.SettingTwoFactorRequired, "true", time.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	waitReferenceGeneration(t, b, reference, "B to see A's setting")
	if g, _ := b.Generation(); g == gen {
		t.Fatal("an account write moved B's reference generation but not its generation")
	}
	// A's own two notifications reach A before one B sends after seeing the second of them
	// (notifications arrive in commit order): once A has seen B's write, they have come back,
	// and they must have moved nothing on A.
	insertCase(t, b, "through B")
	if g := waitGeneration(t, a, aGen+2, "A to see B's case"); g != aGen+3 {
		t.Fatalf("A's generation is %d after its two commits and B's one from %d: its own notifications moved it", g, aGen)
	}
}
