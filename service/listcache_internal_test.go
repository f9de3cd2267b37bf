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
