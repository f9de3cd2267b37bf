package web

import (
	"context"
	"sync"
	"time"

	"haven"
)

// countTTL is how old the inbox's queue counts may be. Counting six queues is most of an inbox
// page's database work, and a count a few seconds old misleads nobody; the cases listed are
// always read fresh, and a user's own change forgets their counts at once.
const countTTL = 10 * time.Second

// countCache keeps each user's queue counts for countTTL.
type countCache struct {
	mu      sync.Mutex
	entries map[int64]countEntry
}

type countEntry struct {
	at     time.Time
	counts map[string]int
}

func newCountCache() *countCache { return &countCache{entries: map[int64]countEntry{}} }

// get returns the user's counts, counting again when they are older than countTTL.
func (c *countCache) get(ctx context.Context, svc haven.CaseService, userID int64, filters map[string]haven.CaseFilter) (map[string]int, error) {
	now := time.Now()
	c.mu.Lock()
	e, ok := c.entries[userID]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < countTTL {
		return e.counts, nil
	}
	counts, err := svc.CountCases(ctx, filters)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, old := range c.entries {
		if now.Sub(old.at) >= countTTL {
			delete(c.entries, id)
		}
	}
	c.entries[userID] = countEntry{at: now, counts: counts}
	return counts, nil
}

// forget drops a user's counts, after they changed something.
func (c *countCache) forget(userID int64) {
	c.mu.Lock()
	delete(c.entries, userID)
	c.mu.Unlock()
}
