package service

import (
	"context"

	"github.com/haven-helpline/haven"
)

var _ haven.NotificationService = (*Service)(nil)

// Notifications lists the signed-in user's notifications, newest first.
func (s *Service) Notifications(ctx context.Context, unreadOnly bool) ([]*haven.Notification, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	key := notificationsKey{userID: u.ID, unreadOnly: unreadOnly}
	gen, now := s.readGeneration(), s.clock.Now()
	if kept, ok := s.reads.notifications.get(key, gen, now); ok {
		return copyEach(kept), nil // keptreads.go
	}
	var out []*haven.Notification
	err = s.store.View(ctx, func(tx haven.Tx) (err error) {
		out, err = tx.UserNotifications(ctx, u.ID, unreadOnly, 100)
		return err
	})
	if err == nil {
		s.reads.notifications.put(key, gen, now, copyEach(out))
	}
	return out, err
}

// MarkNotificationsRead marks the user's notifications up to id as read. Reading one's own
// notifications is allowed to every role, read-only tokens excepted.
func (s *Service) MarkNotificationsRead(ctx context.Context, upTo int64) error {
	u, err := reader(ctx)
	if err != nil {
		return err
	}
	if a, _ := haven.ActorFrom(ctx); a.ReadOnly {
		return haven.Errorf(haven.EFORBIDDEN, "this API token is read-only")
	}
	return s.store.Update(ctx, func(tx haven.Tx) error {
		return tx.MarkNotificationsRead(ctx, u.ID, upTo, s.clock.Now())
	})
}
