package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/sample"
)

// BulkLoad configures a fast load of generated cases straight through the store, for search
// benchmarks at a million cases: the same rows, encrypted fields, blind terms of notes and search
// index the server writes, but many cases per transaction (one commit per Batch) and no events,
// reports or requesters, which search does not read.
type BulkLoad struct {
	Cases   int      // cases to create
	Batch   int      // cases per transaction
	Writers int      // concurrent transactions (1 on SQLite, which has one writer)
	Teams   []string // existing teams; half of the cases go to one of them
	Seed    uint64
	Span    time.Duration // creation times spread over this span, ending now
	Now     time.Time
}

// Run loads the cases in six languages (sample.Next's mix) and returns the time it took.
// Statuses, priorities and teams vary; 3 % of cases are TLP:RED (hidden from handlers who do
// not need to know); 5 % were updated long after creation, as reopened cases are.
func (b BulkLoad) Run(ctx context.Context, name string, store haven.Store) (Result, error) {
	batches := make(chan []*bulkCase, 2*max(b.Writers, 1))
	start := time.Now()
	go b.generate(ctx, batches)
	var wg sync.WaitGroup
	errs := make(chan error, max(b.Writers, 1))
	for range max(b.Writers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range batches {
				if err := store.Update(ctx, func(tx haven.Tx) error { return writeBatch(ctx, tx, batch) }); err != nil {
					errs <- err
					for range batches { // drain, so the generator ends
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return Result{}, fmt.Errorf("bulk load: %w", err)
	}
	elapsed := time.Since(start)
	return Result{Name: name, Ops: b.Cases, Elapsed: elapsed, P50: elapsed / time.Duration(max(b.Cases, 1))}, nil
}

type bulkCase struct {
	c     *haven.Case
	notes []string
}

// generate produces the cases in batches, oldest first (ids grow with creation time).
func (b BulkLoad) generate(ctx context.Context, out chan<- []*bulkCase) {
	defer close(out)
	gen := sample.New(b.Seed)
	r := rand.New(rand.NewPCG(b.Seed, 17))
	statuses := haven.Statuses()
	step := b.Span / time.Duration(max(b.Cases, 1))
	batch := make([]*bulkCase, 0, b.Batch)
	for i := range b.Cases {
		if ctx.Err() != nil {
			return
		}
		s := gen.Next(1500)
		created := b.Now.Add(-b.Span + time.Duration(i)*step)
		updated := created.Add(time.Duration(r.IntN(72)) * time.Hour)
		if r.IntN(100) < 5 { // reopened or worked on much later
			updated = created.Add(time.Duration(r.Int64N(int64(b.Now.Sub(created)) + 1)))
		}
		if updated.After(b.Now) {
			updated = b.Now
		}
		c := &haven.Case{Title: s.Title, Summary: s.Summary, Status: statuses[r.IntN(len(statuses))],
			Priority: haven.Priority(s.Priority), Categories: []string{s.Category}, Tags: s.Tags,
			Language: s.Language, Country: s.Country, CreatedAt: created, UpdatedAt: updated}
		if len(b.Teams) > 0 && r.IntN(2) == 0 {
			c.Team = b.Teams[r.IntN(len(b.Teams))]
		}
		if r.IntN(100) < 3 {
			c.TLP = "red"
		}
		// A batch ends with a day: concurrent writers then mark different days in rollup_dirty,
		// where a day one writer inserted waits for its commit before another can.
		if len(batch) >= b.Batch && dayOf(batch[len(batch)-1].c.CreatedAt) != dayOf(created) {
			select {
			case out <- batch:
			case <-ctx.Done():
				return
			}
			batch = make([]*bulkCase, 0, b.Batch)
		}
		batch = append(batch, &bulkCase{c: c, notes: s.Notes})
		if i == b.Cases-1 {
			select {
			case out <- batch:
			case <-ctx.Done():
				return
			}
			batch = make([]*bulkCase, 0, b.Batch)
		}
	}
}

func dayOf(t time.Time) int64 { return t.Unix() / 86400 }

// writeBatch inserts and indexes the cases of one batch; notes are indexed as blind terms.
func writeBatch(ctx context.Context, tx haven.Tx, batch []*bulkCase) error {
	for _, bc := range batch {
		c := bc.c
		var err error
		if c.Number, err = tx.NextCaseNumber(ctx, c.CreatedAt.Year()); err != nil {
			return err
		}
		if err := tx.InsertCase(ctx, c); err != nil {
			return err
		}
		if err := tx.IndexCase(ctx, c); err != nil {
			return err
		}
		for i, note := range bc.notes {
			if err := tx.AppendCaseText(ctx, c.ID, fmt.Sprintf("note:%d", i+1), note); err != nil {
				return err
			}
		}
	}
	return nil
}
