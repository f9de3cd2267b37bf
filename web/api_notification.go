package web

import (
	"net/http"

	"github.com/haven-helpline/haven"
)

func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r.URL, "unread")
	unread := q.flag("unread")
	if err := q.err(); err != nil {
		return err
	}
	ns, err := s.svc.Notifications.Notifications(r.Context(), unread)
	return replyList(w, ns, err)
}

type readRequest struct {
	UpTo int64 `json:"up_to"`
}

// readNotifications marks the caller's notifications up to an id as read.
func (s *Server) readNotifications(w http.ResponseWriter, r *http.Request) error {
	var in readRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if err := s.svc.Notifications.MarkNotificationsRead(r.Context(), in.UpTo); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// getNotificationPrefs answers which kinds of notification the caller also receives by email.
func (s *Server) getNotificationPrefs(w http.ResponseWriter, r *http.Request) error {
	p, err := s.svc.Notifications.NotificationPrefs(r.Context())
	return reply(w, p, err)
}

// putNotificationPrefs changes the caller's choices for the kinds given.
func (s *Server) putNotificationPrefs(w http.ResponseWriter, r *http.Request) error {
	var in haven.NotificationPrefs
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	p, err := s.svc.Notifications.SetNotificationPrefs(r.Context(), in)
	return reply(w, p, err)
}
