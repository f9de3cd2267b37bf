package main

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-helpline/haven/testenv"
)

// BenchmarkCasePage reads a case page over HTTP (SQLite, one client) with 20 notes: without tasks,
// with the 40 tasks of a checklist typed by hand, and with a 40-step playbook applied (the same
// tasks with guidance, links and the playbook panel), with ten escalations to a platform done as
// before escalations existed (a free-text task "escalate to Instagram" and an email each), and
// with the same ten as escalations (sent, their emails in the timeline): what playbooks and
// escalations add (docs/performance.md).
func BenchmarkCasePage(b *testing.B) {
	c := startAPI(b, filepath.Join(b.TempDir(), "h.db"))
	mustPost(c, "/api/v1/playbooks", map[string]any{"yaml": testenv.Playbook40()})
	numbers := map[string]string{}
	for _, name := range []string{"plain", "tasks", "playbook", "messages", "escalations"} {
		cs := mustPost(c, "/api/v1/cases", map[string]any{"title": "اختراق حساب فيسبوك", "language": "ar"})
		number := cs["number"].(string)
		for i := range 20 {
			mustPost(c, "/api/v1/cases/"+number+"/notes", map[string]any{"body": fmt.Sprintf("Note %d: the requester called back.", i)})
		}
		switch name {
		case "tasks": // the same checklist typed by hand, as before playbooks
			for i := range 40 {
				mustPost(c, "/api/v1/cases/"+number+"/tasks", map[string]any{"title": fmt.Sprintf("الخطوة %d: راجع إعدادات الحساب", i)})
			}
		case "playbook":
			mustPost(c, "/api/v1/cases/"+number+"/playbooks", map[string]any{"playbook": "forty"})
		case "messages": // the same ten escalations as before: a free-text task and an email each
			for i := range 10 {
				mustPost(c, "/api/v1/cases/"+number+"/tasks", map[string]any{"title": fmt.Sprintf("Escalate to Instagram (%d)", i)})
				mustPost(c, "/api/v1/cases/"+number+"/messages", map[string]any{"to": []string{"partners@instagram.example"},
					"subject": fmt.Sprintf("Escalation %d", i), "text": "Please restore the account of an at-risk journalist."})
			}
		case "escalations":
			addEscalations(b, c, number, 10)
		}
		numbers[name] = number
	}
	br := newBrowser(b, c.base)
	br.post("/login", url.Values{"username": {"admin"}, "password": {"a long admin password"}})
	for _, name := range []string{"plain", "tasks", "playbook", "messages", "escalations"} {
		b.Run(name, func(b *testing.B) {
			var size int
			for b.Loop() {
				st, page := br.get("/cases/" + numbers[name])
				if st != 200 || (name == "tasks" || name == "playbook") && !strings.Contains(page, "الخطوة 39") ||
					name == "escalations" && strings.Count(page, `<li id="esc-`) != 10 {
					b.Fatalf("%d", st)
				}
				size = len(page)
			}
			b.ReportMetric(float64(size), "bytes/page")
		})
	}
}

// addEscalations sends n escalations of the case to Instagram (by email, recorded only).
func addEscalations(b *testing.B, c *apiClient, number string, n int) {
	b.Helper()
	if st, out := c.do("PATCH", "/api/v1/platforms/instagram", map[string]any{
		"channels": []map[string]string{{"kind": "email", "address": "partners@instagram.example"}}}); st != 200 {
		b.Fatalf("platform: %d %v", st, out)
	}
	for i := range n {
		e := mustPost(c, "/api/v1/cases/"+number+"/escalations", map[string]any{"platform": "instagram", "kind": "hacked-account",
			"subject": fmt.Sprintf("Escalation %d", i), "body": "Please restore the account of an at-risk journalist."})
		mustPost(c, fmt.Sprintf("/api/v1/escalations/%v/transitions", e["id"]), map[string]any{"to": "sent", "consent_override": true, "reason": "bench"})
	}
}
