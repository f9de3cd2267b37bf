package service

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/haven-helpline/haven"
)

// Case lists are read far more often than cases change: every handler's inbox reloads its
// queues all day, while cases change a few times a minute. Where the store can tell when its
// data changes (haven.Generational: SQLite, and PostgreSQL through LISTEN/NOTIFY), a list is kept for the user and filter that read it
// until the next write, and never longer than listTTL, which bounds what time alone changes (an
// access grant that expires). Authorization is checked on every call before the cache is asked,
// and a list is only ever given back to the same user with the same need-to-know inputs, or,
// for users who may see no restricted case at all (plain viewers: no compartment, grant,
// restricted assignment, nor a lead's TLP:RED rule), to any such user: they all see exactly the
// unrestricted cases, and their lists are read as a viewer with no identity. Sharing them keeps
// a write from costing one list query per user and queue.

// listTTL is how long a case list is kept without a write.
const listTTL = 3 * time.Second

// keptSince is the time to record as when something kept at now was read: now less a random
// part of a third of listTTL, so that what many users read at once (every inbox after a write,
// or after a restart) does not expire at once and come back to the database together. Each
// expires between 2 and 3 s after it was read.
func keptSince(now time.Time) time.Time {
	return now.Add(-rand.N(listTTL / 3))
}

// maxLists bounds the lists kept (a few per user and queue), and maxKeptCases the cases in them
// (a case with its summary is 2 KB or so: 50,000 of them, about 100 MB); past either, expired
// lists go first, then every other one.
const (
	maxLists     = 10000
	maxKeptCases = 50000
)

type listCache struct {
	store  haven.Generational
	mu     sync.Mutex
	lists  map[string]keptList
	cases  int                  // in the kept lists
	plain  map[int64]keptPlain  // user id -> whether they are a plain viewer
	counts map[string]keptCount // queue counts, like the lists
	// taxonomy is the category list, read by every inbox and case page to show labels, kept
	// like the lists until the next write (no time bound: it changes only by a write).
	taxonomy keptTaxonomy
}

type keptTaxonomy struct {
	gen        uint64
	categories []*haven.Category // nil: none kept
	teamsGen   uint64
	teams      []*haven.Team // nil: none kept (read for their labels, like the categories)
}

type keptPlain struct {
	gen   uint64
	at    time.Time
	plain bool
}

type keptList struct {
	gen  uint64
	at   time.Time
	page *haven.CasePage
}

// newListCache returns a cache for store, or nil when the store cannot tell when data changes.
func newListCache(store haven.Store) *listCache {
	g, ok := store.(haven.Generational)
	if !ok {
		return nil
	}
	if _, ok := g.Generation(); !ok {
		return nil
	}
	return &listCache{store: g, lists: map[string]keptList{}, plain: map[int64]keptPlain{}}
}

// listKey names a filter as one viewer sees it: the viewer's identity and teams (need-to-know)
// and every filter field, unambiguously. The viewer's clock is left out (listTTL bounds it).
func listKey(f haven.CaseFilter) string {
	body, _ := json.Marshal(f) // Viewer and Teams are not in the JSON form
	teams, _ := json.Marshal(f.Teams)
	return fmt.Sprintf("%d|%t|%s|%s", f.Viewer.UserID, f.Viewer.Lead, teams, body)
}

// generation is the store's current generation: take it before reading, so that a write during
// the read makes what was read stale at once. When the store cannot tell for now (PostgreSQL
// while its change listener reconnects) it is untrusted: nothing is kept or given back under it.
func (c *listCache) generation() uint64 {
	gen, ok := c.store.Generation()
	if !ok {
		return untrusted
	}
	return gen
}

// untrusted is the generation of reads made while the store could not tell of changes.
const untrusted = ^uint64(0)

// fresh reports whether something kept at generation keptGen and time at may still be used at
// generation gen and time now: nothing written since, younger than ttl, not from the future.
func fresh(keptGen uint64, at time.Time, gen uint64, now time.Time, ttl time.Duration) bool {
	return gen != untrusted && keptGen == gen && now.Sub(at) < ttl && !now.Before(at)
}

// isPlain returns what is known, at generation gen, of whether the user is a plain viewer.
func (c *listCache) isPlain(userID int64, gen uint64, now time.Time) (plain, known bool) {
	c.mu.Lock()
	kept, ok := c.plain[userID]
	c.mu.Unlock()
	if !ok || !fresh(kept.gen, kept.at, gen, now, listTTL) {
		return false, false
	}
	return kept.plain, true
}

func (c *listCache) setPlain(userID int64, gen uint64, now time.Time, plain bool) {
	if gen == untrusted {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.plain) >= maxLists {
		clear(c.plain)
	}
	c.plain[userID] = keptPlain{gen: gen, at: now, plain: plain}
}

// categories returns the kept category list if no write happened since generation gen. The
// slice is the caller's; the categories are shared and read-only.
func (c *listCache) categories(gen uint64) []*haven.Category {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.taxonomy.categories == nil || c.taxonomy.gen != gen || gen == untrusted {
		return nil
	}
	return slices.Clone(c.taxonomy.categories)
}

func (c *listCache) putCategories(gen uint64, cs []*haven.Category) {
	if gen == untrusted {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.taxonomy.gen, c.taxonomy.categories = gen, slices.Clone(cs)
}

// teams returns the kept team list if no write happened since generation gen. The slice is the
// caller's; the teams are shared and read-only.
func (c *listCache) teams(gen uint64) []*haven.Team {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.taxonomy.teams == nil || c.taxonomy.teamsGen != gen || gen == untrusted {
		return nil
	}
	return slices.Clone(c.taxonomy.teams)
}

func (c *listCache) putTeams(gen uint64, ts []*haven.Team) {
	if gen == untrusted || ts == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.taxonomy.teamsGen, c.taxonomy.teams = gen, slices.Clone(ts)
}

// get returns a copy of the list kept under key if no write happened since generation gen.
func (c *listCache) get(key string, gen uint64, now time.Time) *haven.CasePage {
	c.mu.Lock()
	kept, ok := c.lists[key]
	c.mu.Unlock()
	if !ok || !fresh(kept.gen, kept.at, gen, now, listTTL) {
		return nil
	}
	return copyPage(kept.page)
}

// put keeps a list read at generation gen.
func (c *listCache) put(key string, gen uint64, now time.Time, page *haven.CasePage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen == untrusted || len(page.Items) > maxKeptCases/10 {
		return // a huge page is not worth the memory
	}
	c.drop(key)
	c.makeRoom(now, len(page.Items))
	c.lists[key] = keptList{gen: gen, at: keptSince(now), page: copyPage(page)}
	c.cases += len(page.Items)
}

func (c *listCache) drop(key string) {
	if kept, ok := c.lists[key]; ok {
		c.cases -= len(kept.page.Items)
		delete(c.lists, key)
	}
}

// makeRoom drops the expired lists when the cache is full, then every other one until a list of
// adding cases fits.
func (c *listCache) makeRoom(now time.Time, adding int) {
	full := func() bool { return len(c.lists) >= maxLists || c.cases+adding > maxKeptCases }
	if !full() {
		return
	}
	for k, kept := range c.lists {
		if now.Sub(kept.at) >= listTTL {
			c.drop(k)
		}
	}
	for full() {
		odd := false
		for k := range c.lists {
			if odd = !odd; odd {
				c.drop(k)
			}
		}
	}
}

// copyPage copies a page deeply enough that callers may change what they get: the cases and
// their slices are their own.
func copyPage(p *haven.CasePage) *haven.CasePage {
	out := &haven.CasePage{Next: p.Next, Items: make([]*haven.Case, len(p.Items))}
	for i, c := range p.Items {
		cc := *c
		cc.Categories = append([]string{}, c.Categories...)
		cc.Tags = append([]string{}, c.Tags...)
		cc.RestrictedTo = append([]string{}, c.RestrictedTo...)
		out.Items[i] = &cc
	}
	return out
}

// Queue counts are kept like the lists, under the same keys and rules (each inbox recounts its
// six to eight queues every few seconds per user; on PostgreSQL they were most of the inbox's
// database work at 64 users), but up to countTTL since the count: the web keeps counts that long
// anyway, and users who may see no restricted case share all but their own queues' counts.
const countTTL = 10 * time.Second

type keptCount struct {
	gen uint64
	at  time.Time
	n   int
}

// count returns the count kept under key if no write happened since generation gen.
func (c *listCache) count(key string, gen uint64, now time.Time) (int, bool) {
	c.mu.Lock()
	kept, ok := c.counts[key]
	c.mu.Unlock()
	if !ok || !fresh(kept.gen, kept.at, gen, now, countTTL) {
		return 0, false
	}
	return kept.n, true
}

func (c *listCache) putCount(key string, gen uint64, now time.Time, n int) {
	if gen == untrusted {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil || len(c.counts) >= maxLists {
		c.counts = map[string]keptCount{}
	}
	c.counts[key] = keptCount{gen: gen, at: now, n: n}
}

// countKey is the key of a filter's count: a plain viewer's is read as a viewer with no identity,
// as its list is (listCases). The filter is normalised and has the viewer's inputs.
func (s *Service) countKey(ctx context.Context, f haven.CaseFilter, gen uint64, now time.Time) (haven.CaseFilter, string, error) {
	plain, err := s.plainViewer(ctx, f.Viewer, gen, now)
	if err != nil {
		return f, "", err
	}
	if plain {
		f.Viewer = haven.Viewer{Now: f.Viewer.Now}
	}
	return f, "n|" + listKey(f), nil
}
