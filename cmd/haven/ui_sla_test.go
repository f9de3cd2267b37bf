package main

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// TestUISLAAdmin: an admin sets the targets and a team's calendar on the SLA page; a bad
// calendar is refused beside the form with the typed values kept; a handler may not see the page.
func TestUISLAAdmin(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	mustPost(c, "/api/v1/teams", map[string]any{"name": "mena"})
	b := newBrowser(t, c.base)
	b.post("/login", url.Values{"username": {"admin"}, "password": {"a long admin password"}})
	if st, page := b.get("/admin/sla"); st != 200 || !strings.Contains(page, `name="P1_first" inputmode="numeric" size="7" value="15"`) {
		t.Fatalf("SLA page: %d", st)
	}
	form := url.Values{"warn_percent": {"80"}}
	for _, p := range []string{"P1", "P2", "P3", "P4"} {
		form.Set(p+"_first", "30")
		form.Set(p+"_next", "120")
		form.Set(p+"_resolution", "2880")
	}
	if st, _ := b.post("/admin/sla/targets", form); st != 200 {
		t.Fatalf("targets: %d", st)
	}
	if _, set := c.do("GET", "/api/v1/settings/sla", nil); set["warn_at"] != 0.8 {
		t.Fatalf("settings: %v", set)
	}
	if st, page := b.post("/admin/sla/calendars", url.Values{"name": {"beirut"}, "time_zone": {"Mars/Olympus"},
		"days": {"mon", "tue"}, "start": {"09:00"}, "end": {"17:00"}, "teams": {"mena"}}); st != 422 || !strings.Contains(page, `value="beirut"`) {
		t.Fatalf("a bad time zone: %d", st)
	}
	if st, page := b.post("/admin/sla/calendars", url.Values{"name": {"beirut"}, "time_zone": {"Asia/Beirut"},
		"days": {"mon", "tue"}, "start": {"09:00"}, "end": {"17:00"}, "holidays": {"2026-12-25"}, "teams": {"mena"}}); st != 200 || !strings.Contains(page, "Asia/Beirut") {
		t.Fatalf("calendar: %d", st)
	}
	h := signIn(t, c, "omar", "handler")
	if st, _ := h.get("/admin/sla"); st != 403 {
		t.Fatalf("a handler: %d", st)
	}
}
