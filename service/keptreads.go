package service

import (
	"slices"
	"sync"
	"time"

	"github.com/haven-helpline/haven"
)

// Every page a signed-in user opens first reads who they are (the session, the user and their
// teams, whether they must enrol a second factor), then their saved views and unread
// notifications: three read transactions and six statements before the page's own reads, which
// the list cache answers from memory. On PostgreSQL those round trips were most of the
// database's work for an inbox page and kept the two cores busy enough to make the 64 paced
// clients' slowest pages wait (docs/performance.md, "Web interface"). They are kept like the
// lists: saved views and notifications until the next write anywhere (which is how a new
// notification is seen at once); the session and the API token with who they stand for until
// the next write to reference data (users, teams, tokens, sessions, settings, categories,
// playbooks: how a sign-out, a revoked token, a disabled account or a changed role or password is
// seen at once), so that they
// survive the writes of other work (an intake's API requests each write a case); never longer
// than listTTL, and only while the store can tell of writes. A session's own expiry is checked
// on every use.

// maxKeptReads bounds each kind of kept read (a few hundred bytes each); past it, all of that
// kind are dropped.
const maxKeptReads = 10000

// keptReads keeps one kind of read by key.
type keptReads[K comparable, V any] struct {
	mu   sync.Mutex
	kept map[K]keptRead[V]
}

type keptRead[V any] struct {
	gen uint64
	at  time.Time
	v   V
}

// get returns what was kept under key if no write happened since generation gen.
func (k *keptReads[K, V]) get(key K, gen uint64, now time.Time) (V, bool) {
	k.mu.Lock()
	kept, ok := k.kept[key]
	k.mu.Unlock()
	if !ok || !fresh(kept.gen, kept.at, gen, now, listTTL) {
		var zero V
		return zero, false
	}
	return kept.v, true
}

// put keeps v, read at generation gen, under key.
func (k *keptReads[K, V]) put(key K, gen uint64, now time.Time, v V) {
	if gen == untrusted {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.kept == nil || len(k.kept) >= maxKeptReads {
		k.kept = map[K]keptRead[V]{}
	}
	k.kept[key] = keptRead[V]{gen: gen, at: keptSince(now), v: v}
}

// userReads are the reads kept for the pages of signed-in users.
type userReads struct {
	sessions      keptReads[string, keptSession] // by the session token's hash
	tokens        keptReads[string, keptToken]   // by the API token's hash, under referenceGeneration
	touching      sync.Map                       // token IDs whose last use is being written
	savedViews    keptReads[int64, []*haven.SavedView]
	notifications keptReads[notificationsKey, []*haven.Notification]
}

type keptSession struct {
	actor   haven.Actor
	expires time.Time
}

type keptToken struct {
	actor haven.Actor
	token haven.APIToken
}

type notificationsKey struct {
	userID     int64
	unreadOnly bool
}

// readGeneration is the store's generation to keep reads under (taken before reading), or
// untrusted when nothing may be kept.
func (s *Service) readGeneration() uint64 {
	if s.lists == nil {
		return untrusted
	}
	return s.lists.generation()
}

// referenceGeneration is the store's reference generation to keep credential reads under (taken
// before reading): it moves with writes to reference data only (users, teams, tokens, sessions,
// settings, categories, playbooks), so what an API request reads first survives an intake's
// writes. A store that cannot tell which writes touched reference data keeps them under its
// generation.
func (s *Service) referenceGeneration() uint64 {
	g, ok := s.store.(haven.ReferenceGenerational)
	if s.lists == nil || !ok {
		return s.readGeneration()
	}
	gen, ok := g.ReferenceGeneration()
	if !ok {
		return untrusted
	}
	return gen
}

// copyActor copies an actor so that a caller changing its user changes nothing kept.
func copyActor(a haven.Actor) haven.Actor {
	if a.User != nil {
		u := *a.User
		u.Teams = slices.Clone(a.User.Teams)
		a.User = &u
	}
	return a
}

// copyEach copies each item of a kept list (saved views, notifications: flat structs) for a
// caller that may change them.
func copyEach[T any](items []*T) []*T {
	out := make([]*T, len(items))
	for i, item := range items {
		c := *item
		out[i] = &c
	}
	return out
}
