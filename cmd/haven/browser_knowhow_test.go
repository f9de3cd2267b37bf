package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserPlaybookAndTemplateInArabic: in a real browser, with the interface in Arabic, a
// handler applies a playbook to an Arabic case, answers its decision, inserts a reply template
// (filled in for the case) and sends it; the reply names its template version.
func TestBrowserPlaybookAndTemplateInArabic(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	tpl := mustPost(c, "/api/v1/templates", map[string]any{"name": "recovery-reply", "variants": map[string]any{
		"en": map[string]string{"subject": "About {case_number}", "body": "Dear {requester_name}"},
		"ar": map[string]string{"subject": "بخصوص {case_number}", "body": "مرحبا {requester_name}، سنبدأ إجراءات الاسترداد."}}})
	mustPost(c, "/api/v1/playbooks", map[string]any{"yaml": uiPlaybook})
	number := mustCreateCase(c, map[string]any{"title": "لا أستطيع الدخول إلى حسابي", "language": "ar", "assignee": "admin",
		"requester": map[string]any{"pseudonym": "نور"}})
	tb := newTab(t, c.base)
	tb.open("/login")
	tb.signIn("admin", adminPassword)
	tb.switchLanguage("ar")
	tb.open("/cases/" + number)
	tb.do("choosing the playbook", chromedp.SetValue(chromedp.ID("playbook-choice"), "lost-login"))
	tb.submit(`form[action$="/playbooks"] button[type=submit]`)
	if !strings.Contains(evalJS[string](tb, `document.querySelector("ul.tasks").innerText`), "تحقق من قناة التواصل") {
		tb.fatalf("the playbook's first task is not on the case")
	}
	tb.submit(`form.decision button[value="no"]`)
	tasks := evalJS[string](tb, `document.querySelector("ul.tasks").innerText`)
	if !strings.Contains(tasks, "ابدأ إجراءات الاسترداد") || evalJS[int](tb, `document.querySelectorAll("form.decision").length`) != 0 {
		tb.fatalf("after answering, the branch's task is missing or the decision is still open: %s", tasks)
	}
	tb.do("choosing the template", chromedp.SetValue(chromedp.ID("reply-template"), itoa(int(tpl["id"].(float64)))))
	tb.submit(`form.template-picker button[type=submit]`)
	if body := evalJS[string](tb, `document.getElementById("reply-text").value`); body != "مرحبا نور، سنبدأ إجراءات الاسترداد." {
		tb.fatalf("the inserted template: %q", body)
	}
	tb.submit(`#reply button[type=submit]`)
	_, msgs := c.do("GET", "/api/v1/cases/"+number+"/messages", nil)
	if raw := marshal(msgs); !strings.Contains(raw, "سنبدأ إجراءات الاسترداد") || !strings.Contains(raw, `"template_version":1`) {
		tb.fatalf("the reply was not recorded with its template: %s", raw)
	}
	tb.axe("case page with a playbook (ar)")
}
