package service

import (
	"fmt"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

type fixedGeneration uint64

func (g fixedGeneration) Generation() (uint64, bool) { return uint64(g), true }

func pageOf(n int) *haven.CasePage {
	p := &haven.CasePage{}
	for i := range n {
		p.Items = append(p.Items, &haven.Case{ID: int64(i)})
	}
	return p
}

// The kept lists stay within their bounds however many are put, and a huge page is not kept.
func TestListCacheBounds(t *testing.T) {
	c := &listCache{store: fixedGeneration(1), lists: map[string]keptList{}, plain: map[int64]keptPlain{}}
	now := time.Now()
	for i := range 3 * maxLists {
		c.put(fmt.Sprint(i), 1, now, pageOf(1+i%50))
		if len(c.lists) > maxLists || c.cases > maxKeptCases {
			t.Fatalf("after %d puts: %d lists, %d cases", i+1, len(c.lists), c.cases)
		}
	}
	total := 0
	for _, kept := range c.lists {
		total += len(kept.page.Items)
	}
	if total != c.cases {
		t.Fatalf("counted %d cases, kept %d", c.cases, total)
	}
	c.put("huge", 1, now, pageOf(maxKeptCases/10+1))
	if c.get("huge", 1, now) != nil {
		t.Fatal("a huge page was kept")
	}
	c.put("again", 1, now, pageOf(3))
	c.put("again", 1, now, pageOf(5))
	if got := c.get("again", 1, now); got == nil || len(got.Items) != 5 {
		t.Fatalf("a list put twice: %+v", got)
	}
	if c.get("again", 2, now) != nil || c.get("again", 1, now.Add(listTTL)) != nil {
		t.Fatal("a list outlived a write or its time")
	}
}

// flakyGeneration is a store whose change listener may be down.
type flakyGeneration struct{ live bool }

func (g *flakyGeneration) Generation() (uint64, bool) { return 7, g.live }

// While the store cannot tell of changes (a PostgreSQL listener reconnecting), nothing read is
// kept or given back, and what was kept before is not given back either.
func TestListCacheUntrustedGeneration(t *testing.T) {
	store := &flakyGeneration{live: true}
	c := &listCache{store: store, lists: map[string]keptList{}, plain: map[int64]keptPlain{}}
	now := time.Now()
	c.put("k", c.generation(), now, pageOf(2))
	c.setPlain(1, c.generation(), now, true)
	c.putCategories(c.generation(), []*haven.Category{{Slug: "a"}})
	if c.get("k", c.generation(), now) == nil {
		t.Fatal("a list was not kept while the generation was trusted")
	}
	store.live = false
	gen := c.generation()
	if c.get("k", gen, now) != nil || c.categories(gen) != nil {
		t.Fatal("a kept list or taxonomy was given back under an untrusted generation")
	}
	if _, known := c.isPlain(1, gen, now); known {
		t.Fatal("a kept plain-viewer answer was given back under an untrusted generation")
	}
	c.put("u", gen, now, pageOf(1))
	c.setPlain(2, gen, now, true)
	c.putCategories(gen, []*haven.Category{{Slug: "b"}})
	store.live = true
	if _, kept := c.lists["u"]; kept || c.plain[2].plain || c.categories(c.generation())[0].Slug != "a" {
		t.Fatal("something read under an untrusted generation was kept")
	}
}

// A kept count is given back at its generation for up to countTTL, and not under an untrusted
// generation, another generation or after its time.
func TestKeptCounts(t *testing.T) {
	store := &flakyGeneration{live: true}
	c := &listCache{store: store, lists: map[string]keptList{}, plain: map[int64]keptPlain{}}
	now := time.Now()
	c.putCount("k", 7, now, 42)
	if n, ok := c.count("k", 7, now.Add(countTTL-time.Second)); !ok || n != 42 {
		t.Fatalf("kept count: %d %t", n, ok)
	}
	if _, ok := c.count("k", 8, now); ok {
		t.Fatal("a count outlived a write")
	}
	if _, ok := c.count("k", 7, now.Add(countTTL)); ok {
		t.Fatal("a count outlived its time")
	}
	if _, ok := c.count("k", untrusted, now); ok {
		t.Fatal("a count was given back under an untrusted generation")
	}
	c.putCount("u", untrusted, now, 1)
	if _, kept := c.counts["u"]; kept {
		t.Fatal("a count read under an untrusted generation was kept")
	}
}

// TestKeptSinceSpreadsExpiry: what is read at one moment is recorded as read up to a third of
// listTTL earlier, so that it expires between two thirds of listTTL and listTTL later, not all
// at once.
func TestKeptSinceSpreadsExpiry(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	earliest, latest := now, now.Add(-listTTL)
	for range 1000 {
		at := keptSince(now)
		if at.After(now) || !at.After(now.Add(-listTTL/3)) {
			t.Fatalf("kept since %s, want within a third of listTTL before %s", at, now)
		}
		if at.Before(earliest) {
			earliest = at
		}
		if at.After(latest) {
			latest = at
		}
	}
	if now.Sub(earliest) < listTTL/4 || now.Sub(latest) > listTTL/12 {
		t.Fatalf("1,000 reads at one moment expire between %s and %s after it: not spread", listTTL-now.Sub(earliest), listTTL-now.Sub(latest))
	}
}
