package main

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// TestUIOnCall: the on-call page shows who is on call per schedule; a schedule's page shows its
// next two weeks with the gaps warned about; an override added there is stored, in the page's
// time zone; a handler may cover a shift themself only.
func TestUIOnCall(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	mustPost(c, "/api/v1/schedules", map[string]any{"name": "business", "time_zone": "Europe/Paris", "layers": []map[string]any{
		{"name": "days", "users": []string{"admin"}, "start": "2026-01-05T09:00", "rotation": "weekly",
			"restrictions": []map[string]any{{"days": []string{"mon", "tue", "wed", "thu", "fri"}, "start": "09:00", "end": "18:00"}}}}})
	b := newBrowser(t, c.base)
	b.post("/login", url.Values{"username": {"admin"}, "password": {"a long admin password"}})
	if st, page := b.get("/oncall"); st != 200 || !strings.Contains(page, `href="/oncall/business"`) {
		t.Fatalf("on-call page: %d", st)
	}
	st, page := b.get("/oncall/business?tz=America/Sao_Paulo")
	if st != 200 || !strings.Contains(page, "gaps in the next two weeks") || !strings.Contains(page, "America/Sao_Paulo") {
		t.Fatalf("schedule page: %d\n%s", st, page)
	}
	if days := strings.Count(page, `<th scope="row"><time datetime=`); days != 14 || !strings.Contains(page, `<rect class="shift"`) ||
		!strings.Contains(page, " admin</li>") || !strings.Contains(page, `<li class="gap">`) {
		t.Fatalf("the calendar shows %d days, or misses the shifts or the gaps", days)
	}
	if st, _ := b.post("/oncall/business/overrides", url.Values{"tz": {"Europe/Paris"}, "user": {"admin"},
		"start": {"2027-01-02T02:00"}, "end": {"2027-01-02T08:00"}}); st != 200 {
		t.Fatalf("override: %d", st)
	}
	_, sched := c.do("GET", "/api/v1/schedules/business", nil)
	if raw := marshal(sched); !strings.Contains(raw, `"start":"2027-01-02T02:00:00+01:00"`) && !strings.Contains(raw, `"start":"2027-01-02T01:00:00Z"`) {
		t.Fatalf("the override was not stored in Paris time: %s", raw)
	}
	if st, _ := b.post("/oncall/policies", url.Values{"policy": {`{"name": "default", "levels": [{"targets": [{"kind": "schedule", "name": "business"}], "delay_minutes": 5}]}`}}); st != 200 {
		t.Fatalf("policy: %d", st)
	}
	if _, p := c.do("GET", "/api/v1/escalation-policies/default", nil); !strings.Contains(marshal(p), `"name":"business"`) {
		t.Fatalf("the policy was not saved: %v", p)
	}
	if st, page := b.post("/oncall/policies", url.Values{"policy": {`{"name": "broken", "levels": [`}}); st != 422 || !strings.Contains(page, "broken") {
		t.Fatalf("a broken policy: %d", st)
	}
	if st, page := b.post("/oncall/schedules", url.Values{"schedule": {`{"name": "nights", "time_zone": "UTC", "layers": [{"name": "n", "users": ["admin"], "start": "2026-01-05T22:00", "rotation": "daily"}]}`}}); st != 200 || !strings.Contains(page, "nights") {
		t.Fatalf("schedule: %d", st)
	}
	h := signIn(t, c, "omar", "handler")
	if st, page := h.get("/oncall"); st != 200 || strings.Contains(page, `action="/oncall/policies"`) {
		t.Fatalf("a handler is offered the policy editor: %d", st)
	}
	if st, _ := h.post("/oncall/business/overrides", url.Values{"tz": {"UTC"}, "user": {"admin"},
		"start": {"2027-01-03T02:00"}, "end": {"2027-01-03T08:00"}}); st != 403 {
		t.Fatalf("a handler set someone else's shift: %d", st)
	}
}

// TestSchedulePatch: PATCH changes only the fields it names.
func TestSchedulePatch(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	mustPost(c, "/api/v1/schedules", map[string]any{"name": "primary", "time_zone": "Europe/Paris", "layers": []map[string]any{
		{"name": "week", "users": []string{"admin"}, "start": "2026-01-05T09:00", "rotation": "weekly"}}})
	st, out := c.do("PATCH", "/api/v1/schedules/primary", map[string]any{"time_zone": "Asia/Beirut"})
	if st != 200 || out["time_zone"] != "Asia/Beirut" || !strings.Contains(marshal(out), `"rotation":"weekly"`) {
		t.Fatalf("patch: %d %v", st, out)
	}
	if st, _ := c.do("PATCH", "/api/v1/schedules/primary", map[string]any{"time_zone": "Nowhere/Else"}); st != 400 {
		t.Fatalf("a bad zone: %d", st)
	}
}
