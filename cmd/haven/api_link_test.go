package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-helpline/haven/testenv"
)

// TestAPICaseLinks links, unlinks and merges cases over HTTP, on both databases: the links show
// on both cases, the duplicate's correspondence moves, and its number keeps resolving.
func TestAPICaseLinks(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { apiCaseLinks(t, startAPI(t, filepath.Join(t.TempDir(), "h.db"))) })
	t.Run("postgres", func(t *testing.T) { apiCaseLinks(t, startAPI(t, testenv.Postgres(t))) })
}

func apiCaseLinks(t *testing.T, c *apiClient) {
	nour := map[string]any{"name": "Nour", "email": "nour@example.org"}
	a := mustCreateCase(c, map[string]any{"title": "Account taken over", "requester": nour})
	b := mustCreateCase(c, map[string]any{"title": "Cannot log in", "requester": nour})
	out := mustPost(c, "/api/v1/cases/"+a+"/links", map[string]any{"case": strings.ToLower(b)})
	if raw := marshal(out["links"]); !strings.Contains(raw, `"number":"`+b+`"`) || !strings.Contains(raw, `"kind":"related"`) {
		t.Fatalf("A's links: %s", raw)
	}
	if _, got := c.do("GET", "/api/v1/cases/"+b, nil); !strings.Contains(marshal(got["links"]), a) {
		t.Fatalf("B does not list A: %v", got["links"])
	}
	for _, bad := range []map[string]any{{"case": "HV-12"}, {"case": ""}, {"case": b, "kind": "x"}} {
		if st, got := c.do("POST", "/api/v1/cases/"+a+"/links", bad); st != 400 {
			t.Errorf("link %v: %d %v, want 400", bad, st, got)
		}
	}
	if st, got := c.do("POST", "/api/v1/cases/"+a+"/links", map[string]any{"case": b}); st != 409 {
		t.Errorf("linking again: %d %v, want 409", st, got)
	}
	if st, got := c.do("DELETE", "/api/v1/cases/"+a+"/links/"+b, nil); st != 200 || got["links"] != nil {
		t.Fatalf("unlink: %d %v", st, got)
	}
	if st, _ := c.do("DELETE", "/api/v1/cases/"+a+"/links/"+b, nil); st != 404 {
		t.Errorf("unlinking again: %d, want 404", st)
	}
	mustPost(c, "/api/v1/cases/"+b+"/messages", map[string]any{"direction": "in", "channel": "phone", "text": "called about the recovery codes"})
	auditor, _, err := c.app.svc.CreateTokenAsSystem(context.Background(), "sam", "read", false)
	if err != nil {
		t.Fatal(err)
	}
	sam := *c
	sam.token = auditor
	if st, _ := sam.do("POST", "/api/v1/cases/"+b+"/duplicate", map[string]any{"of": a}); st != 403 {
		t.Fatalf("an auditor marked a duplicate: %d", st)
	}
	out = mustPost(c, "/api/v1/cases/"+b+"/duplicate", map[string]any{"of": a})
	if out["status"] != "closed" || out["outcome"] != "duplicate" || out["duplicate_of"] != a {
		t.Fatalf("duplicate: %v", out)
	}
	if _, got := c.do("GET", "/api/v1/cases/"+b, nil); got["duplicate_of"] != a {
		t.Fatalf("the old number does not name its survivor: %v", got)
	}
	if _, got := c.do("GET", "/api/v1/cases/"+a+"/messages", nil); !strings.Contains(marshal(got), "recovery codes") {
		t.Fatalf("the message did not move: %v", got)
	}
	if st, got := c.do("POST", "/api/v1/cases/"+a+"/duplicate", map[string]any{"of": b}); st != 409 {
		t.Fatalf("merging into a duplicate: %d %v, want 409", st, got)
	}
}
