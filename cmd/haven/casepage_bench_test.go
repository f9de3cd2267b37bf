package main

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"haven/testenv"
)

// BenchmarkCasePage reads a case page over HTTP (SQLite, one client) with 20 notes: without tasks,
// with the 40 tasks of a checklist typed by hand, and with a 40-step playbook applied (the same
// tasks with guidance, links and the playbook panel): what playbooks add (docs/performance.md).
func BenchmarkCasePage(b *testing.B) {
	c := startAPI(b, filepath.Join(b.TempDir(), "h.db"))
	mustPost(c, "/api/v1/playbooks", map[string]any{"yaml": testenv.Playbook40()})
	numbers := map[string]string{}
	for _, name := range []string{"plain", "tasks", "playbook"} {
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
		}
		numbers[name] = number
	}
	br := newBrowser(b, c.base)
	br.post("/login", url.Values{"username": {"admin"}, "password": {"a long admin password"}})
	for _, name := range []string{"plain", "tasks", "playbook"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if st, page := br.get("/cases/" + numbers[name]); st != 200 || name != "plain" && !strings.Contains(page, "الخطوة 39") {
					b.Fatalf("%d", st)
				}
			}
		})
	}
}
