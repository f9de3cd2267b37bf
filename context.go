package haven

import (
	"context"
	"time"
)

type contextKey int

const (
	actorKey contextKey = iota + 1
	clientIPKey
)

// Actor is who performs a request: a user, possibly acting through an API token with a scope.
type Actor struct {
	User     *User
	ReadOnly bool // true for read-only API tokens
	// MustEnrol limits a browser session to setting up two-factor authentication, which the
	// admins made mandatory and the user does not have yet.
	MustEnrol bool
}

// WithActor attaches the authenticated actor to ctx.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey, a)
}

// ActorFrom returns the actor attached to ctx; ok is false for anonymous contexts.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey).(Actor)
	return a, ok && a.User != nil
}

// WithClientIP records the client address for audit events.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey, ip)
}

// ClientIPFrom returns the client address recorded in ctx, or "".
func ClientIPFrom(ctx context.Context) string {
	ip, _ := ctx.Value(clientIPKey).(string)
	return ip
}

// Clock gives "now"; services take one so tests and SLA maths control time.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock, in UTC and truncated to microseconds (the storage precision).
type SystemClock struct{}

func (SystemClock) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
