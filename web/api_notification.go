package web

import (
	"net/http"
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
