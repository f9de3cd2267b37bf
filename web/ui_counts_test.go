package web

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// countingCases counts how often the queues are counted; each count answers its number and
// waits for release when one is set.
type countingCases struct {
	haven.CaseService
	calls   atomic.Int32
	release chan struct{}
}

func (c *countingCases) CountCases(ctx context.Context, _ map[string]haven.CaseFilter) (map[string]int, error) {
	n := c.calls.Add(1)
	if c.release != nil {
		<-c.release
	}
	return map[string]int{"open": int(n)}, nil
}

func TestCountCacheCountsOnceAndServesStaleWhileCounting(t *testing.T) {
	svc := &countingCases{release: make(chan struct{})}
	c := newCountCache(time.Hour)
	ctx := context.Background()
	// A user's first pages wait for one count, all of them.
	var wg sync.WaitGroup
	results := make(chan int, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			counts, err := c.get(ctx, svc, 7, nil)
			if err != nil {
				t.Error(err)
			}
			results <- counts["open"]
		}()
	}
	for svc.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the others find the count running
	close(svc.release)
	wg.Wait()
	close(results)
	for r := range results {
		if r != 1 {
			t.Fatalf("a page got counts %d: every page must share the one count", r)
		}
	}
	if n := svc.calls.Load(); n != 1 {
		t.Fatalf("counted %d times for one user at once", n)
	}
	// Stale counts are shown at once while counting again in the background.
	c.ttl = 0
	if counts, _ := c.get(ctx, svc, 7, nil); counts["open"] != 1 {
		t.Fatalf("want the stale counts (1), got %v", counts)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		c.ttl = time.Hour
		if counts, _ := c.get(ctx, svc, 7, nil); counts["open"] == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the background count never landed")
		}
	}
	// A user's own change forgets their counts: the next page counts afresh.
	c.forget(7)
	if counts, _ := c.get(ctx, svc, 7, nil); counts["open"] != 3 {
		t.Fatalf("after forget want a new count (3), got %v", counts)
	}
}
