package main

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"haven/testenv"
)

// BenchmarkCasePage reads a case page over HTTP (SQLite, one client) with 20 notes, without and
// with a 40-step playbook applied: what a checklist adds to the page (docs/performance.md).
func BenchmarkCasePage(b *testing.B) {
	c := startAPI(b, filepath.Join(b.TempDir(), "h.db"))
	mustPost(c, "/api/v1/playbooks", map[string]any{"yaml": testenv.Playbook40()})
	numbers := map[string]string{}
	for _, name := range []string{"plain", "playbook"} {
		cs := mustPost(c, "/api/v1/cases", map[string]any{"title": "اختراق حساب فيسبوك", "language": "ar"})
		number := cs["number"].(string)
		for i := range 20 {
			mustPost(c, "/api/v1/cases/"+number+"/notes", map[string]any{"body": fmt.Sprintf("Note %d: the requester called back.", i)})
		}
		if name == "playbook" {
			mustPost(c, "/api/v1/cases/"+number+"/playbooks", map[string]any{"playbook": "forty"})
		}
		numbers[name] = number
	}
	br := newBrowser(b, c.base)
	br.post("/login", url.Values{"username": {"admin"}, "password": {"a long admin password"}})
	for _, name := range []string{"plain", "playbook"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if st, page := br.get("/cases/" + numbers[name]); st != 200 || name == "playbook" && !strings.Contains(page, "الخطوة 39") {
					b.Fatalf("%d", st)
				}
			}
		})
	}
}
