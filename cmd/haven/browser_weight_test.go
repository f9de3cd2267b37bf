package main

import (
	"fmt"
	"path/filepath"
	"testing"
)

// maxInboxWeight is issue 16's budget: the 50-row inbox, with its stylesheet and script,
// transferred compressed.
const maxInboxWeight = 15 << 10

// TestBrowserInboxWeight loads the inbox of a busy helpline in Chromium, which negotiates
// compression as any browser does, and weighs what crossed the network.
func TestBrowserInboxWeight(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	titles := []string{"Compte Facebook piraté", "حسابي على فيسبوك مخترق", "Instagram account taken over after a phishing SMS",
		"Stalkerware suspected on a shared Android phone", "تهديدات عبر واتساب لناشطة", "Cuenta de Facebook robada",
		"Fake profile impersonating a lawyer", "Взлом почты правозащитника", "Sextortion email quoting an old password"}
	cats := []string{"account-compromise", "phishing", "spyware", "harassment", "impersonation"}
	var last string
	for i := range 55 {
		last = mustCreateCase(c, map[string]any{"title": fmt.Sprintf("%s (%d)", titles[i%len(titles)], i+1),
			"priority": []string{"P1", "P2", "P3", "P3", "P4"}[i%5], "assignee": "admin", "categories": []string{cats[i%len(cats)]},
			"language":  []string{"fr", "ar", "en", "es", "ru"}[i%5],
			"requester": map[string]any{"name": fmt.Sprintf("Requester %d", i+1), "email": fmt.Sprintf("r%d@example.org", i+1)}})
	}
	for i := range 20 {
		mustPost(c, "/api/v1/cases/"+last+"/messages", map[string]any{"direction": []string{"in", "out"}[i%2],
			"from": "r55@example.org", "to": []string{"r55@example.org"}, "subject": fmt.Sprintf("Re: the account (%d)", i+1),
			"text": "We checked the recovery options and the sessions still open; please confirm the new password is set."})
	}

	tb := newTab(t, c.base)
	tb.open("/login")
	tb.signIn("admin", adminPassword)

	w := tb.measure("/inbox")
	rows := evalJS[int](tb, `document.querySelectorAll("table.cases tbody tr[data-href]").length`)
	t.Logf("page weight, inbox (%d rows): %s", rows, w)
	if rows < 50 {
		tb.errorf("the inbox shows %d rows, want 50: not the page meant to be weighed", rows)
	}
	if w.total > maxInboxWeight {
		t.Errorf("the 50-row inbox weighs %.1f KB, over %d KB: %s", w.total/1024, maxInboxWeight>>10, w)
	}
	resp := tb.open("/inbox")
	enc := header(resp, "Content-Encoding")
	t.Logf("the inbox page came with Content-Encoding %q", enc)
	if enc != "gzip" && enc != "zstd" {
		t.Errorf("the inbox page came with Content-Encoding %q, want gzip or zstd", enc)
	}
	tb.axe("the 50-row inbox")

	cw := tb.measure("/cases/" + last)
	t.Logf("page weight, case with 20 messages: %s", cw)
	if enc := header(tb.open("/cases/"+last), "Content-Encoding"); enc != "gzip" && enc != "zstd" {
		t.Errorf("the case page came with Content-Encoding %q, want gzip or zstd", enc)
	}
	tb.noDialogsNorExceptions()
}
