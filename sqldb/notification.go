package sqldb

import (
	"context"
	"database/sql"
	"time"

	"github.com/haven-helpline/haven"
)

// InsertNotification stores a notification.
func (tx *Tx) InsertNotification(ctx context.Context, n *haven.Notification) error {
	var actor sql.NullInt64
	if n.Actor != "" {
		if err := tx.queryRow(ctx, `SELECT id FROM users WHERE username = $1`, n.Actor).Scan(&actor); err != nil {
			return mapError("notification actor", err)
		}
	}
	id, err := tx.insertID(ctx, "insert notification", `INSERT INTO notifications (user_id, kind, case_id, actor_id, text, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, n.UserID, n.Kind, nullID(n.CaseID), actor, n.Text, micros(n.CreatedAt))
	n.ID = id
	return err
}

const notificationColumns = `SELECT n.id, n.user_id, n.kind, COALESCE(n.case_id, 0), COALESCE(c.number, ''),
	COALESCE(u.username, ''), n.text, n.created_at, n.read_at
	FROM notifications n LEFT JOIN cases c ON c.id = n.case_id LEFT JOIN users u ON u.id = n.actor_id`

func scanNotification(row rowScanner) (*haven.Notification, error) {
	n := &haven.Notification{}
	var at int64
	var read sql.NullInt64
	err := row.Scan(&n.ID, &n.UserID, &n.Kind, &n.CaseID, &n.CaseNumber, &n.Actor, &n.Text, &at, &read)
	n.CreatedAt, n.ReadAt = fromMicros(at), timePtr(read)
	return n, err
}

// UserNotifications lists a user's notifications, newest first.
func (tx *Tx) UserNotifications(ctx context.Context, userID int64, unreadOnly bool, limit int) ([]*haven.Notification, error) {
	return queryAll(ctx, tx, "notifications", notificationColumns+`
		WHERE n.user_id = $1 AND ($2 = FALSE OR n.read_at IS NULL) ORDER BY n.id DESC LIMIT $3`,
		scanNotification, userID, unreadOnly, limit)
}

// NotificationByID reads one notification (for the job that emails it to its user).
func (tx *Tx) NotificationByID(ctx context.Context, id int64) (*haven.Notification, error) {
	n, err := scanNotification(tx.queryRow(ctx, notificationColumns+` WHERE n.id = $1`, id))
	return n, notFound(err, "notification")
}

// MarkCaseNotificationsRead marks every user's unread notifications of a kind about a case read
// (an acknowledged alert's pages, for everyone paged).
func (tx *Tx) MarkCaseNotificationsRead(ctx context.Context, caseID int64, kind string, at time.Time) error {
	_, err := tx.exec(ctx, "read case notifications", `UPDATE notifications SET read_at = $3
		WHERE case_id = $1 AND kind = $2 AND read_at IS NULL`, caseID, kind, micros(at))
	return err
}

// MarkNotificationsRead marks a user's notifications up to id as read.
func (tx *Tx) MarkNotificationsRead(ctx context.Context, userID, upTo int64, at time.Time) error {
	_, err := tx.exec(ctx, "read notifications", `UPDATE notifications SET read_at = $3
		WHERE user_id = $1 AND id <= $2 AND read_at IS NULL`, userID, upTo, micros(at))
	return err
}

// NotificationPrefs reads the email choices a user made, by kind.
func (tx *Tx) NotificationPrefs(ctx context.Context, userID int64) (map[string]bool, error) {
	type pref struct {
		kind  string
		email bool
	}
	rows, err := queryAll(ctx, tx, "notification prefs", `SELECT kind, email FROM notification_prefs WHERE user_id = $1`,
		func(row rowScanner) (pref, error) {
			var p pref
			return p, row.Scan(&p.kind, &p.email)
		}, userID)
	out := map[string]bool{}
	for _, p := range rows {
		out[p.kind] = p.email
	}
	return out, err
}

// SetNotificationPref records a user's choice for a kind, in place of any earlier one.
func (tx *Tx) SetNotificationPref(ctx context.Context, userID int64, kind string, email bool) error {
	_, err := tx.exec(ctx, "set notification pref", `INSERT INTO notification_prefs (user_id, kind, email) VALUES ($1, $2, $3)
		ON CONFLICT (user_id, kind) DO UPDATE SET email = excluded.email`, userID, kind, email)
	return err
}
