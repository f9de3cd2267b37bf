package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// testJobs: unique keys, leases, retries, death, and that concurrent claimers never share a job.
func testJobs(t *testing.T, s haven.Store) {
	ctx := context.Background()
	enqueue := func(kind, key string, at time.Time) bool {
		var ok bool
		update(t, s, func(tx haven.Tx) (err error) {
			ok, err = tx.EnqueueJob(ctx, &haven.Job{Kind: kind, UniqueKey: key, RunAt: at, CreatedAt: t0, MaxAttempts: 2})
			return err
		})
		return ok
	}
	if !enqueue("purge", "purge@day1", t0) || enqueue("purge", "purge@day1", t0) {
		t.Fatal("a unique key must be taken once")
	}
	enqueue("mail", "", t0.Add(time.Hour)) // not due yet
	claim := func(now time.Time) []*haven.Job {
		var jobs []*haven.Job
		update(t, s, func(tx haven.Tx) (err error) {
			jobs, err = tx.ClaimJobs(ctx, "w1", now, now.Add(time.Minute), 10)
			return err
		})
		return jobs
	}
	got := claim(t0)
	if len(got) != 1 || got[0].Kind != "purge" || got[0].Attempts != 1 {
		t.Fatalf("claim: %+v", got)
	}
	if again := claim(t0.Add(30 * time.Second)); len(again) != 0 {
		t.Fatalf("a leased job was claimed twice: %+v", again)
	}
	update(t, s, func(tx haven.Tx) error { return tx.RetryJob(ctx, got[0].ID, "boom", t0.Add(2*time.Minute), false) })
	if again := claim(t0.Add(3 * time.Minute)); len(again) != 1 || again[0].Attempts != 2 {
		t.Fatalf("retried job: %+v", again)
	}
	update(t, s, func(tx haven.Tx) error { return tx.RetryJob(ctx, got[0].ID, "boom again", t0.Add(4*time.Minute), true) })
	view(t, s, func(tx haven.Tx) error {
		dead, err := tx.Jobs(ctx, haven.JobDead, 10)
		if err == nil && (len(dead) != 1 || dead[0].LastError != "boom again") {
			t.Errorf("dead jobs: %+v", dead)
		}
		return err
	})
	if enqueue("purge", "purge@day1", t0) {
		t.Fatal("a dead job keeps its unique key")
	}
	mail := claim(t0.Add(2 * time.Hour))
	if len(mail) != 1 {
		t.Fatalf("mail job: %+v", mail)
	}
	update(t, s, func(tx haven.Tx) error { return tx.ReleaseJob(ctx, mail[0].ID, "another worker") })
	if again := claim(t0.Add(2 * time.Hour)); len(again) != 0 {
		t.Fatalf("only the worker holding a job may release it: %+v", again)
	}
	update(t, s, func(tx haven.Tx) error { return tx.ReleaseJob(ctx, mail[0].ID, "w1") })
	if mail = claim(t0.Add(2 * time.Hour)); len(mail) != 1 || mail[0].Attempts != 1 {
		t.Fatalf("a released job is due again at once, its attempt uncounted: %+v", mail)
	}
	update(t, s, func(tx haven.Tx) error { return tx.FinishJob(ctx, mail[0].ID, t0.Add(2*time.Hour)) })
	update(t, s, func(tx haven.Tx) error {
		n, err := tx.DeleteFinishedJobs(ctx, t0.Add(3*time.Hour))
		if err == nil && n != 1 {
			t.Errorf("deleted %d finished jobs, want 1", n)
		}
		return err
	})
	testJobsConcurrentClaims(t, s)
}

func testJobsConcurrentClaims(t *testing.T, s haven.Store) {
	ctx := context.Background()
	const n = 40
	update(t, s, func(tx haven.Tx) error {
		for i := 0; i < n; i++ {
			if _, err := tx.EnqueueJob(ctx, &haven.Job{Kind: "k", RunAt: t0, CreatedAt: t0}); err != nil {
				return err
			}
		}
		return nil
	})
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var jobs []*haven.Job
				err := s.Update(ctx, func(tx haven.Tx) (err error) {
					jobs, err = tx.ClaimJobs(ctx, "w", t0.Add(time.Hour), t0.Add(2*time.Hour), 3)
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				if len(jobs) == 0 {
					return
				}
				mu.Lock()
				for _, j := range jobs {
					seen[j.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("claimed %d distinct jobs, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("job %d claimed %d times", id, c)
		}
	}
}

// testRetention: the longest period of a case's categories applies, the default covers the
// others, uncovered cases are kept, and a purge blanks the case but keeps its statistics.
func testRetention(t *testing.T, s haven.Store) {
	ctx := context.Background()
	update(t, s, func(tx haven.Tx) error {
		for _, p := range []haven.RetentionPolicy{{Category: "phishing", Days: 365}, {Category: "harassment", Days: 730}} {
			p.UpdatedAt = t0
			if err := tx.PutRetentionPolicy(ctx, &p); err != nil {
				return err
			}
		}
		return nil
	})
	closed := t0.AddDate(-1, 0, -1) // closed a year and a day ago
	closedCase := func(title string, cats ...string) *haven.Case {
		return newCase(t, s, title, func(c *haven.Case) {
			c.Status, c.Outcome, c.ClosedAt, c.Categories, c.Country = haven.StatusClosed, "resolved", &closed, cats, "LB"
			c.Tags = []string{"journalist"}
		})
	}
	phish := closedCase("Phished Maria", "phishing")
	both := closedCase("Phished and harassed", "phishing", "harassment")
	other := closedCase("Doxxed", "doxxing")
	open := newCase(t, s, "Still open", func(c *haven.Case) { c.Categories = []string{"phishing"} })
	expired := func() []int64 {
		var ids []int64
		view(t, s, func(tx haven.Tx) (err error) {
			ids, err = tx.ExpiredCases(ctx, t0, 10)
			return err
		})
		return ids
	}
	if got := expired(); len(got) != 1 || got[0] != phish.ID {
		t.Fatalf("expired = %v, want only %d (%s)", got, phish.ID, phish.Title)
	}
	update(t, s, func(tx haven.Tx) error {
		return tx.PutRetentionPolicy(ctx, &haven.RetentionPolicy{Category: haven.DefaultRetention, Days: 30, UpdatedAt: t0})
	})
	if got := expired(); len(got) != 2 || got[0] != phish.ID || got[1] != other.ID {
		t.Fatalf("with a default policy, expired = %v, want [%d %d]", got, phish.ID, other.ID)
	}
	update(t, s, func(tx haven.Tx) error { return tx.PurgeCase(ctx, phish.ID, t0) })
	update(t, s, func(tx haven.Tx) error {
		wantCode(t, tx.PurgeCase(ctx, phish.ID, t0), haven.ENOTFOUND)
		return nil
	})
	view(t, s, func(tx haven.Tx) error {
		c, err := tx.CaseByID(ctx, phish.ID)
		if err != nil {
			return err
		}
		if c.Title != "" || len(c.Tags) != 0 || c.PurgedAt == nil {
			t.Errorf("purged case kept personal fields: %+v", c)
		}
		if c.Country != "LB" || c.Outcome != "resolved" || len(c.Categories) != 1 || c.ClosedAt == nil {
			t.Errorf("purged case lost its statistics: %+v", c)
		}
		return nil
	})
	if got := expired(); len(got) != 1 || got[0] != other.ID {
		t.Fatalf("after the purge, expired = %v", got)
	}
	_, _ = both, open
}
