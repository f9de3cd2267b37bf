package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/haven-helpline/haven"
)

// TestBrowserEmergencyPage: a P1 case arrives; the on-call user sees the emergency banner on
// whatever page they are on, opens the case from it and acknowledges; the escalation stops (the
// next level is not paged) and the banner goes.
func TestBrowserEmergencyPage(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	mustPost(c, "/api/v1/escalation-policies", map[string]any{"name": "default", "levels": []map[string]any{
		{"targets": []map[string]string{{"kind": "user", "name": "admin"}}, "delay_minutes": 5},
		{"targets": []map[string]string{{"kind": "user", "name": "sam"}}, "delay_minutes": 5}}})
	tb := newTab(t, c.base)
	tb.open("/login")
	tb.signIn("admin", adminPassword)
	tb.switchLanguage("ar")
	number := mustCreateCase(c, map[string]any{"title": "تهديد بالقتل لصحفية", "priority": "P1", "language": "ar"})
	c.runJobs()
	tb.open("/inbox")
	banner := evalJS[string](tb, `(document.querySelector(".page-banner") || {}).innerText || ""`)
	if !strings.Contains(banner, number) {
		tb.fatalf("no emergency banner for %s: %q", number, banner)
	}
	tb.axe("inbox with an emergency banner (ar)")
	tb.navigateBy("opening the case from the banner", chromedp.Click(chromedp.CSS(".page-banner a")))
	tb.submit(`form[action$="/acknowledge"] button[type=submit]`)
	if n := evalJS[int](tb, `document.querySelectorAll(".page-banner").length`); n != 0 {
		tb.fatalf("the banner is still shown after the acknowledgement")
	}
	a, err := c.app.svc.CaseAlert(haven.WithActor(c.env.ctx, haven.Actor{User: &haven.User{ID: 1, Username: "admin", Role: haven.RoleAdmin}}), number)
	if err != nil || a.State != haven.AlertAcknowledged || a.AcknowledgedBy != "admin" {
		tb.fatalf("not acknowledged: %+v %v", a, err)
	}
	if err := c.app.svc.RunAlertStep(c.env.ctx, a.ID, 1, 0); err != nil {
		t.Fatal(err)
	}
	_, notes := c.do("GET", "/api/v1/alerts/"+itoa(int(a.ID)), nil)
	if raw := marshal(notes); strings.Contains(raw, `"user":"sam"`) {
		tb.fatalf("the second level was paged after the acknowledgement: %s", raw)
	}
}
