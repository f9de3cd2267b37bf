package web

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// maxLimited bounds how many client addresses a limiter remembers.
const maxLimited = 10000

// ipLimiter is a token bucket per client address: burst attempts at once, refilled at rate per
// second. It belongs to one Server and remembers at most maxLimited addresses.
type ipLimiter struct {
	mu      sync.Mutex
	rate    float64 // tokens per second
	burst   float64
	buckets map[string]*bucket
	now     func() time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

// newIPLimiter allows perMinute attempts a minute per address, perMinute of them at once.
func newIPLimiter(perMinute int) *ipLimiter {
	return &ipLimiter{rate: float64(perMinute) / 60, burst: float64(perMinute),
		buckets: map[string]*bucket{}, now: time.Now}
}

// allow takes one attempt for ip; when none is left it says how long until the next one.
func (l *ipLimiter) allow(ip string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[ip]
	if !ok {
		if len(l.buckets) >= maxLimited {
			l.evict(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[ip] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// evict forgets the addresses whose bucket has refilled (the same as a new one); if too many are
// still in use, it forgets arbitrary ones down to nine tenths of the bound.
func (l *ipLimiter) evict(now time.Time) {
	for ip, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
			delete(l.buckets, ip)
		}
	}
	for ip := range l.buckets {
		if len(l.buckets) < maxLimited*9/10 {
			break
		}
		delete(l.buckets, ip)
	}
}

// LoginCounter counts sign-in attempts where every instance of a deployment sees them (the
// database): CountLoginAttempt counts one attempt from addr in the fixed window starting at
// window and returns the window's attempts so far, this one included.
type LoginCounter interface {
	CountLoginAttempt(ctx context.Context, addr string, window time.Time) (int, error)
}

// loginWindow is the shared limit's fixed window.
const loginWindow = time.Minute

// sharedLimiter limits sign-ins per address across instances: at most perMinute attempts in each
// minute, counted by a LoginCounter. When the counter fails, the instance's own limiter decides,
// so a database fault neither locks everyone out nor lifts the limit.
type sharedLimiter struct {
	counter   LoginCounter
	perMinute int
	local     *ipLimiter
	log       *slog.Logger
	now       func() time.Time
}

func newSharedLimiter(counter LoginCounter, perMinute int, local *ipLimiter, log *slog.Logger) *sharedLimiter {
	return &sharedLimiter{counter: counter, perMinute: perMinute, local: local, log: log, now: time.Now}
}

// allow takes one attempt for ip; when none is left it says how long until the next window.
func (l *sharedLimiter) allow(ctx context.Context, ip string) (bool, time.Duration) {
	now := l.now()
	window := now.Truncate(loginWindow)
	n, err := l.counter.CountLoginAttempt(ctx, ip, window)
	if err != nil {
		l.log.ErrorContext(ctx, "shared sign-in limit: the instance's own applies", "err", err)
		return l.local.allow(ip)
	}
	if n <= l.perMinute {
		return true, 0
	}
	return false, window.Add(loginWindow).Sub(now)
}
