package web

import (
	"context"
	"sync"
	"time"

	"github.com/haven-helpline/haven"
)

// countTTL is how old the inbox's queue counts may be. Counting six queues is most of an inbox
// page's database work, and a count a few seconds old misleads nobody; the cases listed are
// always current, and a user's own change forgets their counts at once.
const countTTL = 10 * time.Second

// countForgetAfter is when a user's counts are dropped rather than refreshed: they have left.
const countForgetAfter = 10 * time.Minute

// countCache keeps each user's queue counts. Counts older than countTTL are still shown while
// one request counts again in the background (stale while revalidating): counting takes tens of
// milliseconds at 100,000 open cases, and no page should wait for it except the user's first.
type countCache struct {
	ttl      time.Duration
	mu       sync.Mutex
	entries  map[int64]countEntry
	counting map[int64]chan struct{} // closed when the user's counting in progress ends
	// people are the inbox's assignees (the same for every reader), read at most every
	// peopleTTL: reading every user and team for each inbox page would cost a tenth of it.
	people   []string
	peopleAt time.Time
}

// peopleTTL is how long the assignee list is kept: someone just added is offered within it (and
// the service checks every assignment anyway).
const peopleTTL = 30 * time.Second

type countEntry struct {
	at     time.Time
	counts map[string]int
}

func newCountCache(ttl time.Duration) *countCache {
	return &countCache{ttl: ttl, entries: map[int64]countEntry{}, counting: map[int64]chan struct{}{}}
}

// get returns the user's counts: fresh ones as they are, stale ones while starting a count in
// the background, and with none yet, the result of counting now (or of the count already
// running for the user).
func (c *countCache) get(ctx context.Context, svc haven.CaseService, userID int64, filters map[string]haven.CaseFilter) (map[string]int, error) {
	for {
		c.mu.Lock()
		e, have := c.entries[userID]
		wait, busy := c.counting[userID]
		start := !busy && (!have || time.Since(e.at) >= c.ttl)
		if start {
			c.counting[userID] = make(chan struct{})
		}
		c.mu.Unlock()
		switch {
		case have && start:
			go func() { _, _ = c.count(context.WithoutCancel(ctx), svc, userID, filters) }() // a refresh: the old counts stand if it fails
			return e.counts, nil
		case have:
			return e.counts, nil
		case start:
			return c.count(ctx, svc, userID, filters)
		}
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, haven.Internal("queue counts", ctx.Err())
		}
	}
}

// count counts the user's queues and keeps the result; get has marked the user as counting,
// and the mark goes whatever happens (even a panic), so that waiting requests go on.
func (c *countCache) count(ctx context.Context, svc haven.CaseService, userID int64, filters map[string]haven.CaseFilter) (counts map[string]int, err error) {
	defer func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		close(c.counting[userID])
		delete(c.counting, userID)
		if err != nil || counts == nil {
			return
		}
		now := time.Now()
		for id, old := range c.entries {
			if now.Sub(old.at) >= countForgetAfter {
				delete(c.entries, id)
			}
		}
		c.entries[userID] = countEntry{at: now, counts: counts}
	}()
	return svc.CountCases(ctx, filters)
}

// forget drops a user's counts, after they changed something.
func (c *countCache) forget(userID int64) {
	c.mu.Lock()
	delete(c.entries, userID)
	c.mu.Unlock()
}

// assignees returns the kept assignee list, or reads it with read when it is older than
// peopleTTL. Only the inbox calls it, after the service answered the user's case list: every
// user who may read cases may list their colleagues (service.Users), so one list serves all.
func (c *countCache) assignees(ctx context.Context, read func(context.Context) ([]string, error)) ([]string, error) {
	c.mu.Lock()
	people, fresh := c.people, c.people != nil && time.Since(c.peopleAt) < peopleTTL
	c.mu.Unlock()
	if fresh {
		return people, nil
	}
	people, err := read(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.people, c.peopleAt = people, time.Now()
	c.mu.Unlock()
	return people, nil
}
