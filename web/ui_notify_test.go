package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
)

// unreadNotices is the fake's notifications with a given number unread.
type unreadNotices struct {
	*fake
	unread int
}

func (u *unreadNotices) Notifications(ctx context.Context, unreadOnly bool) ([]*haven.Notification, error) {
	var out []*haven.Notification
	for i := range u.unread {
		out = append(out, &haven.Notification{ID: int64(i + 1), Kind: haven.NoticeAssigned, CaseNumber: "HV-2026-000001", Actor: "lena"})
	}
	return out, u.call(ctx, unreadOnly)
}

func TestNotificationPrefsAPI(t *testing.T) {
	f := &fake{}
	s, _ := testServer(t, f)
	w := serve(t, s, req{method: "GET", path: "/api/v1/account/notification-preferences"})
	var got haven.NotificationPrefs
	if err := json.Unmarshal(w.Body.Bytes(), &got); w.Code != 200 || err != nil || !got.Email["break_glass"] || got.Email["mention"] {
		t.Fatalf("GET: %d %s", w.Code, w.Body)
	}
	w = serve(t, s, req{method: "PUT", path: "/api/v1/account/notification-preferences", body: `{"email":{"mention":true,"reply":false}}`})
	want := haven.NotificationPrefs{Email: map[string]bool{"mention": true, "reply": false}}
	if args := f.lastArgs(); w.Code != 200 || len(args) != 1 || !reflect.DeepEqual(args[0], want) {
		t.Fatalf("PUT: %d %s, service given %v", w.Code, w.Body, args)
	}
	for _, body := range []string{`{"email":{"mention":true},"sms":true}`, `{"email":{"mention":"yes"}}`} {
		if w := serve(t, s, req{method: "PUT", path: "/api/v1/account/notification-preferences", body: body}); w.Code != 400 {
			t.Fatalf("PUT %s: %d, want 400", body, w.Code)
		}
	}
}

func TestUnreadBadge(t *testing.T) {
	s, _ := inboxServer(t)
	n := &unreadNotices{fake: &fake{}, unread: 3}
	s.svc.Notifications = n
	for lang, label := range map[string]string{"en": "3 unread notifications", "ar": "٣"} {
		w := inboxGet(s, "GET", "/account/unread", nil, lang)
		var got unreadBadge
		if err := json.Unmarshal(w.Body.Bytes(), &got); w.Code != 200 || err != nil || got.Count != 3 ||
			!strings.Contains(got.Label+got.Text, label) || w.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("%s: %d %s %+v", lang, w.Code, w.Body, w.Header())
		}
	}
	// At page load the badge is right without JavaScript: shown with its count, or hidden.
	page := inboxGet(s, "GET", "/inbox", nil, "en").Body.String()
	if !strings.Contains(page, `href="/account#notifications"`) || !strings.Contains(page, ">3 unread notifications<") ||
		strings.Contains(page, `id="notify-badge" data-poll="/account/unread" data-count="3" hidden`) {
		t.Fatalf("the badge with 3 unread:\n%s", page)
	}
	n.unread = 0
	if page := inboxGet(s, "GET", "/inbox", nil, "en").Body.String(); !strings.Contains(page, `data-count="0" hidden`) || strings.Contains(page, "unread notification") {
		t.Fatalf("the badge with none unread:\n%s", page)
	}
	if w := inboxGet(s, "GET", "/account/unread", nil, "en"); w.Code != 200 || !strings.Contains(w.Body.String(), `"count":0`) {
		t.Fatalf("none unread: %d %s", w.Code, w.Body)
	}
}

func TestNotificationPrefsForm(t *testing.T) {
	s, _ := inboxServer(t)
	f := &fake{}
	s.svc.Notifications = f
	w := inboxGet(s, "POST", "/account/notification-preferences", url.Values{"email": {"mention", "reply", "bogus"}}, "en")
	want := haven.NotificationPrefs{Email: map[string]bool{"assigned": false, "reply": true, "mention": true, "break_glass": false}}
	if args := f.lastArgs(); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/account?flash=saved#notification-preferences" ||
		len(args) != 1 || !reflect.DeepEqual(args[0], want) {
		t.Fatalf("form: %d %v, service given %v", w.Code, w.Header(), args)
	}
}
