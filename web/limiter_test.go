package web

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"
)

// memCounter counts attempts per address and window as the database does.
type memCounter struct {
	n    map[string]int
	fail bool
}

func (c *memCounter) CountLoginAttempt(_ context.Context, addr string, window time.Time) (int, error) {
	if c.fail {
		return 0, errors.New("database down")
	}
	c.n[addr+window.String()]++
	return c.n[addr+window.String()], nil
}

// Two instances sharing one counter enforce one limit: attempts add up across them, the wait is
// the rest of the window, a new window allows again, and another address is not affected.
func TestSharedLoginLimit(t *testing.T) {
	counter := &memCounter{n: map[string]int{}}
	now := time.Date(2026, 12, 5, 9, 0, 15, 0, time.UTC)
	a := newSharedLimiter(counter, 4, newIPLimiter(4), slog.New(slog.DiscardHandler))
	b := newSharedLimiter(counter, 4, newIPLimiter(4), slog.New(slog.DiscardHandler))
	a.now, b.now = func() time.Time { return now }, func() time.Time { return now }
	for i, l := range []*sharedLimiter{a, b, a, b} {
		if ok, _ := l.allow(t.Context(), "192.0.2.1"); !ok {
			t.Fatalf("attempt %d refused within the limit", i+1)
		}
	}
	if ok, wait := a.allow(t.Context(), "192.0.2.1"); ok || wait != 45*time.Second {
		t.Fatalf("fifth attempt: ok=%t wait=%s, want refused for 45s", ok, wait)
	}
	if ok, _ := b.allow(t.Context(), "192.0.2.2"); !ok {
		t.Fatal("another address was refused")
	}
	now = now.Add(45 * time.Second)
	if ok, _ := b.allow(t.Context(), "192.0.2.1"); !ok {
		t.Fatal("refused in a new window")
	}
}

// When the shared counter fails, the instance's own limiter decides.
func TestSharedLoginLimitFallsBack(t *testing.T) {
	counter := &memCounter{n: map[string]int{}, fail: true}
	l := newSharedLimiter(counter, 2, newIPLimiter(2), slog.New(slog.DiscardHandler))
	for range 2 {
		if ok, _ := l.allow(t.Context(), "192.0.2.1"); !ok {
			t.Fatal("refused within the local limit")
		}
	}
	if ok, wait := l.allow(t.Context(), "192.0.2.1"); ok || wait <= 0 {
		t.Fatalf("past the local limit: ok=%t wait=%s", ok, wait)
	}
}
