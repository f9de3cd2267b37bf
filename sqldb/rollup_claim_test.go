package sqldb

import (
	"context"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/testenv"
)

// TestPostgresClaimWaitsForMarks makes the race of a refresh and a write deterministic: a write
// marks an already dirty day and stays open; a refresh claims the day and reads its cases. The
// claim must wait for the write's commit (markDays holds the day), so that what it reads holds
// the write, or else the day must still be dirty after: before the hold, the refresh took the
// day off the list, read the case as it was, and the change was in no roll-up and on no list.
func TestPostgresClaimWaitsForMarks(t *testing.T) {
	ctx := context.Background()
	db, day, c := dirtyDay(t)
	release, written := holdDay(db, c, func(closing *haven.Case) {
		closedAt := day.Add(10 * time.Hour)
		closing.Status, closing.ClosedAt, closing.UpdatedAt = haven.StatusClosed, &closedAt, closedAt
	})

	sawClosed, refreshed := false, make(chan error, 1)
	go func() {
		var days []time.Time
		err := db.Update(ctx, func(tx haven.Tx) (err error) {
			days, err = tx.ClaimDirtyDays(ctx, 31)
			return err
		})
		if err == nil && len(days) > 0 {
			err = db.View(ctx, func(tx haven.Tx) error {
				return tx.DayFacts(ctx, day, func(f *haven.CaseFact) { sawClosed = sawClosed || !f.ClosedAt.IsZero() })
			})
		}
		refreshed <- err
	}()

	// Until the refresh has ended or waits on a lock; then the write commits.
	var err error
	for waiting := false; !waiting; {
		select {
		case err = <-refreshed:
			waiting = true
			refreshed <- err
		default:
			if qerr := db.write.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
				WHERE wait_event_type = 'Lock' AND query LIKE '%rollup_dirty%')`).Scan(&waiting); qerr != nil {
				t.Fatal(qerr)
			}
			time.Sleep(5 * time.Millisecond) // polling for the state, not ordering by time
		}
	}
	close(release)
	if err := <-written; err != nil {
		t.Fatal(err)
	}
	if err := <-refreshed; err != nil {
		t.Fatal(err)
	}
	var stillDirty int
	if err := db.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM rollup_dirty WHERE day = $1`, dayOf(day)).Scan(&stillDirty); err != nil {
		t.Fatal(err)
	}
	if !sawClosed && stillDirty == 0 {
		t.Fatal("the refresh read the day before the write committed and took it off the list: the closing is in no roll-up")
	}
}

// TestPostgresClaimLeavesHeldDays: writers hold a day in overlapping turns without end under
// sustained intake, so a claim must not wait for them forever: past its lock timeout it leaves the
// held day on the list and ends without error; once the write commits, the next claim takes it.
func TestPostgresClaimLeavesHeldDays(t *testing.T) {
	ctx := context.Background()
	db, day, c := dirtyDay(t)
	claim := func() []time.Time {
		t.Helper()
		var days []time.Time
		if err := db.Update(ctx, func(tx haven.Tx) (err error) {
			days, err = tx.ClaimDirtyDays(ctx, 31)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return days
	}
	release, written := holdDay(db, c, func(held *haven.Case) { held.Priority = haven.P1 })
	if days := claim(); len(days) != 0 {
		t.Errorf("claimed %v while a write held it", days)
	}
	close(release)
	if err := <-written; err != nil {
		t.Fatal(err)
	}
	if days := claim(); len(days) != 1 || !days[0].Equal(day) {
		t.Errorf("after the write: claimed %v, want %v", days, day)
	}
}

// dirtyDay opens a PostgreSQL database holding one case created on day, which is therefore on the
// list of days to recompute, committed.
func dirtyDay(t *testing.T) (*DB, time.Time, *haven.Case) {
	t.Helper()
	ctx := context.Background()
	db := openUnlocked(t, testenv.Postgres(t))
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	c := &haven.Case{Title: "Held", Summary: "routine", Status: haven.StatusOpen, Priority: haven.P3, TLP: "amber", Tier: 1,
		Tags: []string{}, Categories: []string{"other"}, CreatedAt: day.Add(9 * time.Hour), UpdatedAt: day.Add(9 * time.Hour)}
	if err := db.Update(ctx, func(tx haven.Tx) error { return insertIndexed(ctx, tx, c) }); err != nil {
		t.Fatal(err)
	}
	return db, day, c
}

// holdDay starts a write that changes c (which marks its days) and stays open until release is
// closed; it returns once the change is made, and the write's result comes on written.
func holdDay(db *DB, c *haven.Case, change func(*haven.Case)) (release chan struct{}, written chan error) {
	ctx := context.Background()
	marked, release, written := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		written <- db.Update(ctx, func(htx haven.Tx) error {
			held, err := htx.CaseByID(ctx, c.ID)
			if err != nil {
				return err
			}
			change(held)
			if err := htx.UpdateCase(ctx, held); err != nil {
				return err
			}
			if err := htx.(*Tx).flushLater(ctx); err != nil { // the mark is on the server: the day is held
				return err
			}
			close(marked)
			<-release
			return nil
		})
	}()
	<-marked
	return release, written
}
