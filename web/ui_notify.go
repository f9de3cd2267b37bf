package web

import (
	"net/http"
	"slices"

	"github.com/haven-helpline/haven"
)

// The header's unread-notifications badge, and the choice of which notifications are emailed.

// unreadBadge is what haven.js polls to refresh the badge without a reload: the count, as shown
// (digits of the reader's language) and as said ("3 unread notifications").
type unreadBadge struct {
	Count int    `json:"count"`
	Text  string `json:"text"`
	Label string `json:"label"`
}

// accountUnread answers the signed-in user's unread count as JSON. It is a page route, so that
// the session (not an API token) and the reader's language apply.
func (s *Server) accountUnread(w http.ResponseWriter, r *http.Request, v *view) error {
	ns, err := s.svc.Notifications.Notifications(r.Context(), true)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, unreadBadge{Count: len(ns), Text: v.L.N(int64(len(ns))), Label: v.L.T("nav.unread", "Count", len(ns))})
	return nil
}

// notifyPref is one kind's choice on the account page.
type notifyPref struct {
	Kind  string
	Email bool
}

// notifyPrefsOf orders the choices as haven.CaseNotices does.
func notifyPrefsOf(p *haven.NotificationPrefs) []notifyPref {
	var out []notifyPref
	for _, kind := range haven.CaseNotices() {
		out = append(out, notifyPref{Kind: kind, Email: p.Email[kind]})
	}
	return out
}

// accountNotifyPrefs saves the form's choices: a kind is emailed when its box is ticked (an
// unticked box is not sent, so every kind is set).
func (s *Server) accountNotifyPrefs(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	p := haven.NotificationPrefs{Email: map[string]bool{}}
	for _, kind := range haven.CaseNotices() {
		p.Email[kind] = slices.Contains(r.PostForm["email"], kind)
	}
	if _, err := s.svc.Notifications.SetNotificationPrefs(r.Context(), p); err != nil {
		return s.accountFormFailed(w, r, v, err, nil)
	}
	http.Redirect(w, r, "/account?flash=saved#notification-preferences", http.StatusSeeOther)
	return nil
}
