package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// browser is a cookie-keeping HTTP client that does not follow redirects, like a form post's
// first hop; get follows them.
type browser struct {
	t    testing.TB
	base string
	c    *http.Client
}

func newBrowser(t testing.TB, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar}}
}

// signIn creates a user with a role and returns a browser signed in as them.
func signIn(t testing.TB, c *apiClient, username, role string) *browser {
	t.Helper()
	password := "a long password for " + username
	if st, body := c.do("POST", "/api/v1/users", map[string]any{"username": username, "role": role, "password": password}); st != 201 {
		t.Fatalf("user %s: %d %v", username, st, body)
	}
	b := newBrowser(t, c.base)
	if st, _ := b.post("/login", url.Values{"username": {username}, "password": {password}}); st != 200 {
		t.Fatalf("sign in as %s: %d", username, st)
	}
	return b
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// post submits a form the way a browser on the page would (same-origin fetch metadata).
func (b *browser) post(path string, form url.Values) (int, string) {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestUIPagesServerSide(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	xss := `<script>alert("zqxss")</script><img src=x onerror=alert(1)>`
	_, created := c.do("POST", "/api/v1/cases", map[string]any{"title": xss, "priority": "P1", "requester": map[string]any{"name": `"><svg onload=alert(2)>`}})
	number := created["number"].(string)
	b := newBrowser(t, c.base)
	if st, body := b.get("/inbox"); st != 200 || !strings.Contains(body, `name="password"`) {
		t.Fatalf("signed out, the inbox leads to the sign-in form: %d", st)
	}
	if st, body := b.post("/login", url.Values{"username": {"admin"}, "password": {"wrong"}}); st != 401 || !strings.Contains(body, `value="admin"`) {
		t.Fatalf("wrong password: %d\n%s", st, body)
	}
	if st, _ := b.post("/login", url.Values{"username": {"admin"}, "password": {"a long admin password"}, "next": {"/inbox?queue=open"}}); st != 200 {
		t.Fatalf("sign in: %d", st)
	}
	st, body := b.get("/inbox?queue=open")
	if st != 200 || !strings.Contains(body, number) || strings.Contains(body, "<script>alert") || !strings.Contains(body, `class="p1"`) {
		t.Fatalf("inbox: %d\n%s", st, body)
	}
	if strings.Contains(body, "[[") {
		t.Fatalf("an untranslated string on the inbox: %s", body[strings.Index(body, "[["):][:80])
	}
	st, body = b.get("/cases/" + number)
	if st != 200 || strings.Contains(body, "<script>alert") || strings.Contains(body, "<svg onload") || strings.Contains(body, "[[") {
		t.Fatalf("case page: %d\n%s", st, body)
	}
	if st, body := b.post("/cases/"+number+"/note", url.Values{"body": {"zqnote called back"}, "visibility": {"team"}}); st != 200 || !strings.Contains(body, "zqnote called back") {
		t.Fatalf("note: %d", st)
	}
	if st, body := b.post("/cases/"+number+"/status", url.Values{"to": {"closed"}}); st != 422 || !strings.Contains(body, `id="err-outcome"`) {
		t.Fatalf("closing without an outcome: %d\n%s", st, body)
	}
	if st, body := b.post("/cases/"+number+"/note", url.Values{"body": {"  "}}); st != 422 || !strings.Contains(body, `id="err-body"`) {
		t.Fatalf("an empty note: %d", st)
	}
	if st, body := b.get("/search?q=zqnote"); st != 200 || !strings.Contains(body, number) {
		t.Fatalf("search: %d\n%s", st, body)
	}
	if _, body := b.get("/search?q=zqnote&status=closed"); strings.Contains(body, "/cases/"+number+`"`) || !strings.Contains(body, `<option value="closed" selected>`) {
		t.Fatalf("a search filtered by status must leave out other statuses and keep the filter selected:\n%s", body)
	}
	if st, _ := b.post("/language", url.Values{"lang": {"ar"}, "next": {"/inbox"}}); st != 200 {
		t.Fatalf("language: %d", st)
	}
	if _, body := b.get("/inbox"); !strings.Contains(body, `dir="rtl"`) || !strings.Contains(body, `lang="ar"`) {
		t.Fatal("Arabic pages are right to left")
	}
}

// TestUIConfirmAddress: a restricted case's page shows where replies go and a requester's new
// address waiting for confirmation; confirming it there makes it the case's.
func TestUIConfirmAddress(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	b := signIn(t, c, "lina", "lead")
	st, cs := c.do("POST", "/api/v1/cases", map[string]any{"title": "Detained", "restricted_to": []string{"admin", "lina"},
		"requester": map[string]any{"name": "Nour", "email": "nour@example.org"}})
	if st != 201 {
		t.Fatalf("case: %d %v", st, cs)
	}
	number := cs["number"].(string)
	if st, body := c.do("PATCH", fmt.Sprintf("/api/v1/requesters/%v", cs["requester_id"]),
		map[string]any{"contacts": []map[string]string{{"kind": "email", "value": "nour.new@example.org"}}}); st != 200 {
		t.Fatalf("new address: %d %v", st, body)
	}
	_, page := b.get("/cases/" + number)
	if !strings.Contains(page, "<bdi>nour@example.org</bdi>") || !strings.Contains(page, "<bdi>nour.new@example.org</bdi>") ||
		!strings.Contains(page, `action="/cases/`+number+`/correspondent"`) {
		t.Fatalf("the case page does not show the pending address and its confirmation:\n%s", page)
	}
	st, page = b.post("/cases/"+number+"/correspondent", url.Values{})
	if st != 200 || strings.Contains(page, `action="/cases/`+number+`/correspondent"`) || !strings.Contains(page, "<bdi>nour.new@example.org</bdi>") {
		t.Fatalf("after confirming: %d\n%s", st, page)
	}
}

// TestUITemplateInComposer: the composer offers the reply templates, inserts one filled in for
// the case (saying when the case's language had no variant), and the reply records it.
func TestUITemplateInComposer(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	st, tpl := c.do("POST", "/api/v1/templates", map[string]any{"name": "phishing-first", "categories": []string{"phishing"},
		"variants": map[string]any{"en": map[string]string{"subject": "[{case_number}] the link", "body": "Dear {requester_name}, do not click."}}})
	if st != 201 {
		t.Fatalf("template: %d %v", st, tpl)
	}
	id := fmt.Sprint(tpl["id"])
	_, cs := c.do("POST", "/api/v1/cases", map[string]any{"title": "Phishing", "language": "ar", "requester": map[string]any{"pseudonym": "heron"}})
	number := cs["number"].(string)
	b := signIn(t, c, "lina", "handler")
	_, page := b.get("/cases/" + number)
	if !strings.Contains(page, `<select id="reply-template" name="template"><option value="`+id+`">phishing-first</option>`) {
		t.Fatalf("the composer does not offer the template:\n%s", page)
	}
	_, page = b.get("/cases/" + number + "?template=" + id)
	if !strings.Contains(page, "Dear heron, do not click.</textarea>") || !strings.Contains(page, `value="[`+number+`] the link"`) ||
		!strings.Contains(page, `name="template_id" value="`+id+`"`) || !strings.Contains(page, `role="status"`) {
		t.Fatalf("the inserted template, with the fallback notice:\n%s", page)
	}
	st, _ = b.post("/cases/"+number+"/reply", url.Values{"subject": {"[" + number + "] the link"}, "text": {"Dear heron, do not click. Edited."},
		"template_id": {id}, "template_version": {"1"}})
	if st != 200 {
		t.Fatalf("reply: %d", st)
	}
	_, msgs := c.do("GET", "/api/v1/cases/"+number+"/messages", nil)
	if raw := marshal(msgs); !strings.Contains(raw, `"template_id":`+id) || !strings.Contains(raw, `"template_version":1`) {
		t.Fatalf("the reply does not name its template: %s", raw)
	}
}

// TestUITemplatesPages: a lead writes templates in the web interface (a refused placeholder is
// shown beside its field with the typed text kept); a handler reads them without a form.
func TestUITemplatesPages(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	lead, handler := signIn(t, c, "lina", "lead"), signIn(t, c, "omar", "handler")
	form := url.Values{"name": {"close-thanks"}, "kind": {"reply"}, "categories": {"phishing"},
		"subject-en": {"[{case_number}] closing"}, "body-en": {"Thank you {requester_nam}"}, "body-ar": {"شكرًا {requester_name}"}}
	st, page := lead.post("/templates/new", form)
	if st != 422 || !strings.Contains(page, `id="err-body-en"`) || !strings.Contains(page, "unknown placeholder {requester_nam}") ||
		!strings.Contains(page, "شكرًا {requester_name}</textarea>") {
		t.Fatalf("a refused placeholder: %d\n%s", st, page)
	}
	form.Set("body-en", "Thank you {requester_name}")
	if st, page = lead.post("/templates/new", form); st != 200 || !strings.Contains(page, `action="/templates/`) || !strings.Contains(page, "شكرًا {requester_name}") {
		t.Fatalf("created: %d\n%s", st, page)
	}
	_, list := handler.get("/templates")
	if !strings.Contains(list, "close-thanks") || strings.Contains(list, `href="/templates/new"`) {
		t.Fatalf("a handler's list (no way to write):\n%s", list)
	}
	id := pageFind(t, list, `href="/templates/(\d+)"`)
	if _, one := handler.get("/templates/" + id); strings.Contains(one, "<form method=\"post\" action=\"/templates/") || !strings.Contains(one, "Thank you {requester_name}") {
		t.Fatalf("a handler reads the template without a form:\n%s", one)
	}
	if st, _ := handler.post("/templates/"+id, form); st != 403 {
		t.Fatalf("a handler saved a template: %d", st)
	}
}

// TestUIPlaybookPanel: on the case page a handler applies a playbook, answers its decision with a
// button, and sees the branch's tasks and the progress; required tasks are marked.
func TestUIPlaybookPanel(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	if st, body := c.do("POST", "/api/v1/playbooks", map[string]any{"yaml": uiPlaybook}); st != 201 {
		t.Fatalf("playbook: %d %v", st, body)
	}
	_, tpl := c.do("POST", "/api/v1/templates", map[string]any{"name": "recovery-reply", "variants": map[string]any{"en": map[string]string{"body": "We start the recovery."}}})
	_, cs := c.do("POST", "/api/v1/cases", map[string]any{"title": "Locked out", "language": "ar"})
	number := cs["number"].(string)
	b := signIn(t, c, "lina", "handler")
	_, page := b.get("/cases/" + number)
	if !strings.Contains(page, `<option value="lost-login" dir="auto">Lost login</option>`) {
		t.Fatalf("the playbook is not offered, titled in the reader.s language:\n%s", page)
	}
	st, page := b.post("/cases/"+number+"/playbooks", url.Values{"playbook": {"lost-login"}})
	if st != 200 || !strings.Contains(page, "تحقق من قناة التواصل") || !strings.Contains(page, `name="answer" value="no" dir="auto">No</button>`) {
		t.Fatalf("applied: %d\n%s", st, page)
	}
	st, page = b.post("/cases/"+number+"/decisions", url.Values{"run": {"1"}, "step": {"can-login"}, "answer": {"no"}})
	if st != 200 || !strings.Contains(page, "ابدأ إجراءات الاسترداد") || strings.Contains(page, `name="answer"`) {
		t.Fatalf("answered: %d\n%s", st, page)
	}
	if !strings.Contains(page, fmt.Sprintf(`href="/cases/%s?template=%v#reply"`, number, tpl["id"])) || !strings.Contains(page, `href="/kb/vetting"`) {
		t.Fatalf("the task does not link its suggested template and article:\n%s", page)
	}
	if st, _ = b.post("/cases/"+number+"/decisions", url.Values{"run": {"1"}, "step": {"can-login"}, "answer": {"yes"}}); st != 422 {
		t.Fatalf("answering again: %d", st)
	}
}

const uiPlaybook = `name: lost-login
title: {en: "Lost login", ar: "فقدان الدخول"}
languages: [en, ar]
start: [verify, can-login]
steps:
  - id: verify
    text: {en: "Verify the requester's channel", ar: "تحقق من قناة التواصل"}
    required: true
  - id: can-login
    question: {en: "Can they still log in?", ar: "هل ما زال بإمكانهم الدخول؟"}
    answers:
      - id: "yes"
        text: {en: "Yes", ar: "Yes"}
        steps: [change-password]
      - id: "no"
        text: {en: "No", ar: "No"}
        steps: [recovery]
  - id: change-password
    text: {en: "Change the password", ar: "غيّر كلمة المرور"}
  - id: recovery
    text: {en: "Start the recovery", ar: "ابدأ إجراءات الاسترداد"}
    template: recovery-reply
    article: vetting
`

// TestUIPlaybookEditor: a lead writes a playbook's YAML in a textarea; a refused save keeps the
// text and lists each problem with its line; a handler reads the YAML without an editor.
func TestUIPlaybookEditor(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	lead, handler := signIn(t, c, "lina", "lead"), signIn(t, c, "omar", "handler")
	bad := strings.Replace(uiPlaybook, "steps: [recovery]", "steps: [nowhere]", 1)
	st, page := lead.post("/playbooks", url.Values{"yaml": {bad}})
	if st != 422 || !strings.Contains(page, `id="yaml-problems"`) || !strings.Contains(page, "line 17") || !strings.Contains(page, "nowhere") ||
		!strings.Contains(page, "        steps: [nowhere]\n") {
		t.Fatalf("a dangling step: %d\n%s", st, page)
	}
	if st, page = lead.post("/playbooks", url.Values{"yaml": {uiPlaybook}}); st != 200 || !strings.Contains(page, "name: lost-login") {
		t.Fatalf("saved: %d\n%s", st, page)
	}
	if _, page := handler.get("/playbooks/lost-login"); strings.Contains(page, "<textarea") || !strings.Contains(page, `<pre dir="ltr" class="code">name: lost-login`) {
		t.Fatalf("a handler reads the YAML without an editor:\n%s", page)
	}
	if st, _ := handler.post("/playbooks", url.Values{"yaml": {uiPlaybook}}); st != 403 {
		t.Fatalf("a handler saved a playbook: %d", st)
	}
}

// TestUIKnowledgeBase: a lead writes a policy (a script link refused beside its field), handlers
// find it by an Arabic word and read it rendered; closing a case cites it, and the article lists
// that decision.
func TestUIKnowledgeBase(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	lead, handler := signIn(t, c, "lina", "lead"), signIn(t, c, "omar", "handler")
	form := url.Values{"slug": {"out-of-scope"}, "state": {"published"}, "title-en": {"Out of scope"},
		"body-en": {"We **refer** such requests.\n\n[x](javascript:alert(1))"}, "title-ar": {"خارج النطاق"}, "body-ar": {"نحيل هذه الطلبات إلى **شركائنا**."}}
	if st, page := lead.post("/kb/new", form); st != 422 || !strings.Contains(page, `id="err-body-en"`) || !strings.Contains(page, "javascript") {
		t.Fatalf("a script link: %d\n%s", st, page)
	}
	form.Set("body-en", "We **refer** such requests.")
	if st, page := lead.post("/kb/new", form); st != 200 || !strings.Contains(page, "<strong>refer</strong>") {
		t.Fatalf("created: %d\n%s", st, page)
	}
	if _, page := handler.get("/kb?q=" + url.QueryEscape("الطلب")); !strings.Contains(page, `href="/kb/out-of-scope"`) {
		t.Fatalf("an Arabic prefix finds the policy:\n%s", page)
	}
	_, cs := c.do("POST", "/api/v1/cases", map[string]any{"title": "Not ours"})
	number := cs["number"].(string)
	c.do("POST", "/api/v1/cases/"+number+"/transitions", map[string]any{"to": "triage"})
	st, page := handler.post("/cases/"+number+"/status", url.Values{"to": {"closed"}, "outcome": {"out-of-scope"}, "cite": {"out-of-scope@1"}})
	if st != 200 || !strings.Contains(page, `href="/kb/out-of-scope"`) {
		t.Fatalf("closing with a citation: %d\n%s", st, page)
	}
	if _, page := handler.get("/kb/out-of-scope"); !strings.Contains(page, `href="/cases/`+number+`"`) || strings.Contains(page, "<textarea") {
		t.Fatalf("the article lists the decision, without an editor for a handler:\n%s", page)
	}
}

// TestUIResponsePlan: a lead puts tasks up for approval on the case page; a rejection without a
// reason is refused beside its field; approving records it; a handler sees the plan, overdue
// tasks marked, and no approval buttons.
func TestUIResponsePlan(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	lead, handler := signIn(t, c, "lina", "lead"), signIn(t, c, "omar", "handler")
	_, cs := c.do("POST", "/api/v1/cases", map[string]any{"title": "Relocation"})
	number := cs["number"].(string)
	_, task := c.do("POST", "/api/v1/cases/"+number+"/tasks", map[string]any{"title": "Find a safe house", "assignee": "omar", "due_at": "2020-01-01T00:00:00Z"})
	id := fmt.Sprint(task["id"])
	st, page := lead.post("/cases/"+number+"/plans", url.Values{"task": {id}})
	if st != 200 || !strings.Contains(page, "awaiting approval") {
		t.Fatalf("proposed: %d\n%s", st, page)
	}
	planID := pageFind(t, page, `action="/cases/`+number+`/plans/(\d+)"`)
	if st, page = lead.post("/cases/"+number+"/plans/"+planID, url.Values{"decision": {"reject"}}); st != 422 || !strings.Contains(page, "required") {
		t.Fatalf("a rejection without its reason: %d", st)
	}
	if st, page = lead.post("/cases/"+number+"/plans/"+planID, url.Values{"decision": {"approve"}}); st != 200 || !strings.Contains(page, "approved") {
		t.Fatalf("approved: %d", st)
	}
	_, page = handler.get("/cases/" + number)
	if !strings.Contains(page, "approved") || strings.Contains(page, `name="decision"`) || !strings.Contains(page, `class="badge overdue"`) {
		t.Fatalf("the handler's case page:\n%s", page)
	}
	if _, inbox := handler.get("/inbox?queue=overdue"); !strings.Contains(inbox, number) {
		t.Fatalf("the overdue-tasks queue does not list the case:\n%s", inbox)
	}
	if _, list := c.do("GET", "/api/v1/cases?overdue_tasks=true", nil); len(items(list)) != 1 {
		t.Fatalf("overdue_tasks filter: %v", list)
	}
	if _, list := c.do("GET", "/api/v1/cases?overdue_tasks=false&open=true", nil); len(items(list)) != 1 {
		t.Fatalf("without the filter: %v", list)
	}
}

// TestUITaxonomy: an admin adds a sub-category with its labels, renames it, retires a platform;
// a refused slug is shown beside its form; a handler gets 403.
func TestUITaxonomy(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	b := newBrowser(t, c.base)
	b.post("/login", url.Values{"username": {"admin"}, "password": {"a long admin password"}})
	if st, page := b.post("/admin/categories", url.Values{"slug": {"nowhere/else"}}); st != 422 || !strings.Contains(page, `role="alert"`) {
		t.Fatalf("a sub-category without its parent: %d", st)
	}
	if st, page := b.post("/admin/categories", url.Values{"slug": {"phishing/sms"}, "label-en": {"SMS phishing"}, "label-ar": {"تصيّد عبر الرسائل"}}); st != 200 || !strings.Contains(page, "تصيّد عبر الرسائل") {
		t.Fatalf("add: %d", st)
	}
	if st, page := b.post("/admin/categories/edit", url.Values{"slug": {"phishing/sms"}, "rename": {"phishing/smishing"}}); st != 200 || !strings.Contains(page, "phishing/smishing") {
		t.Fatalf("rename: %d", st)
	}
	_, cs := c.do("POST", "/api/v1/cases", map[string]any{"title": "Smished", "categories": []string{"phishing/smishing"}})
	number, _ := cs["number"].(string)
	b.post("/language", url.Values{"lang": {"ar"}, "next": {"/inbox"}})
	if _, page := b.get("/cases/" + number); !strings.Contains(page, "<dd>تصيّد عبر الرسائل</dd>") {
		t.Fatalf("the case page does not name its category in the reader's language (%v):\n%s", cs, page)
	}
	b.post("/language", url.Values{"lang": {"en"}, "next": {"/inbox"}})
	if st, page := b.post("/admin/platforms/edit", url.Values{"slug": {"linkedin"}, "retired": {"true"}}); st != 200 || !strings.Contains(page, "(linkedin, social) · 0 channels · retired") {
		t.Fatalf("retire a platform: %d\n%s", st, page)
	}
	h := signIn(t, c, "omar", "handler")
	if st, _ := h.get("/admin/taxonomy"); st != 403 {
		t.Fatalf("a handler: %d", st)
	}
}
