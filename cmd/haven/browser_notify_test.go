package main

import (
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/haven-helpline/haven"
)

// badgeJS reads the header's unread badge: hidden or not, its count and its accessible label,
// and what the polite live region last said.
const badgeJS = `(() => { const b = document.getElementById("notify-badge");
	return {hidden: b.hidden, count: b.querySelector(".count").textContent, label: b.querySelector(".visually-hidden").textContent,
		href: b.getAttribute("href"), live: document.getElementById("notify-live").textContent}; })()`

type badgeState struct {
	Hidden bool   `json:"hidden"`
	Count  string `json:"count"`
	Label  string `json:"label"`
	Href   string `json:"href"`
	Live   string `json:"live"`
}

// TestBrowserNotificationBadge: a lead assigns a case to a handler; the handler's header badge
// shows it without a reload (the page's poll, run here at once instead of after 30 s), in
// English and in Arabic, and is announced politely once; the account page's email preferences
// save and are axe-clean in both languages.
func TestBrowserNotificationBadge(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	made := mustPost(c, "/api/v1/users", map[string]any{"username": "lena", "role": "lead", "password": "a long lead password"})
	mustPost(c, "/api/v1/users", map[string]any{"username": "hana", "role": "handler", "password": "a long handler password"})
	lena := haven.WithActor(c.env.ctx, haven.Actor{User: &haven.User{ID: int64(made["id"].(float64)), Username: "lena", Role: haven.RoleLead}})
	assign := func(number string) {
		if _, err := c.app.svc.AssignCase(lena, number, "hana"); err != nil {
			t.Fatal(err)
		}
	}
	first := mustCreateCase(c, map[string]any{"title": "Stalkerware on a phone"})
	second := mustCreateCase(c, map[string]any{"title": "Doxxed address"})

	tb := newTab(t, c.base)
	tb.open("/login")
	tb.signIn("hana", "a long handler password")
	tb.open("/inbox")
	if b := evalJS[badgeState](tb, badgeJS); !b.Hidden || b.Label != "" {
		tb.fatalf("a badge with nothing unread: %+v", b)
	}
	assign(first)
	poll := `document.dispatchEvent(new Event("visibilitychange")), true`
	evalJS[bool](tb, poll)
	tb.waitJS("the badge after the poll", `!document.getElementById("notify-badge").hidden`)
	if b := evalJS[badgeState](tb, badgeJS); b.Count != "1" || b.Label != "1 unread notification" || b.Live != b.Label || b.Href != "/account#notifications" {
		tb.fatalf("the badge after an assignment: %+v", b)
	}
	evalJS[bool](tb, `document.getElementById("notify-live").textContent = "", true`)
	evalJS[bool](tb, poll)
	tb.waitJS("a second poll", `document.getElementById("notify-badge").getAttribute("data-count") === "1"`)
	if live := evalJS[string](tb, `document.getElementById("notify-live").textContent`); live != "" {
		tb.fatalf("a poll with nothing new spoke: %q", live)
	}

	tb.switchLanguage("ar")
	if b := evalJS[badgeState](tb, badgeJS); b.Hidden || b.Count != "١" || b.Label != "إشعار واحد غير مقروء" {
		tb.fatalf("the badge at page load, in Arabic: %+v", b)
	}
	assign(second)
	evalJS[bool](tb, poll)
	tb.waitJS("the badge after the poll, in Arabic", `document.querySelector("#notify-badge .count").textContent === "٢"`)
	if b := evalJS[badgeState](tb, badgeJS); b.Label != "إشعاران غير مقروءين" || b.Live != b.Label {
		tb.fatalf("the badge after a second assignment, in Arabic: %+v", b)
	}

	// The account page: the notices and the email preferences, saved with the form.
	tb.navigateBy("following the badge", chromedp.Click(chromedp.ID("notify-badge")))
	if n := evalJS[int](tb, `document.querySelectorAll("#notifications ul.notifications li").length`); n != 2 {
		tb.fatalf("the account page lists %d notifications, want 2", n)
	}
	tb.axe("account page with email preferences (ar)")
	tb.do("choosing email for mentions", chromedp.Click(chromedp.ID("np-mention")))
	tb.submit(`form[action="/account/notification-preferences"] button[type=submit]`)
	if !evalJS[bool](tb, `document.getElementById("np-mention").checked && document.getElementById("np-break_glass").checked && !document.getElementById("np-assigned").checked`) {
		tb.fatalf("the preferences after saving")
	}
	tb.switchLanguage("en")
	if label := evalJS[string](tb, `document.querySelector("label[for=np-mention]").innerText`); label != "someone mentions me (@username) in a note" {
		tb.fatalf("the mention preference's label: %q", label)
	}
	tb.axe("account page with email preferences (en)")
}
