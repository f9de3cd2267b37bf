package haven

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Notification tells one user of something that concerns them, e.g. that a lead broke the glass
// on a restricted case of theirs. It is shown in the web interface (and, when those channels
// exist, sent by email or pager).
type Notification struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"-"`
	Kind       string     `json:"kind"` // e.g. break_glass
	CaseID     int64      `json:"-"`
	CaseNumber string     `json:"case,omitempty"`
	Actor      string     `json:"actor,omitempty"`
	Text       string     `json:"text"`
	CreatedAt  time.Time  `json:"created_at"`
	ReadAt     *time.Time `json:"read_at,omitempty"`
}

// Notification kinds of changes made to a user's account by someone else (an admin, or the
// operator at the console), so that no admin power over an account goes unseen by its owner.
const (
	NoticePasswordReset    = "password_reset"
	NoticeDisabled         = "account_disabled"
	NoticeEnabled          = "account_enabled"
	NoticeRoleChanged      = "role_changed"
	NoticeTwoFactorRemoved = "two_factor_removed"
	NoticeSignedOut        = "signed_out"
	NoticeTokenRevoked     = "token_revoked"
	// NoticeTokenCreated is sent to a token's owner whoever made it (themselves included): a
	// stolen session must not mint a lasting way in unseen.
	NoticeTokenCreated = "token_created"
)

// NoticeAlert pages a user about an emergency: the interface shows it as a banner until the
// alert is acknowledged.
const NoticeAlert = "alert"

// Notification kinds of work on a case that concerns a user. Their text holds references only
// (the case's number and who acted): the interface and the emails word them from the catalog.
const (
	// NoticeAssigned: someone else assigned the user a case (never when one takes a case oneself).
	NoticeAssigned = "assigned"
	// NoticeReply: a message came in on a case assigned to the user.
	NoticeReply = "reply"
	// NoticeMention: a note on a case the user may see names them as @username.
	NoticeMention = "mention"
	// NoticeBreakGlass: a lead or admin broke the glass on a restricted case of the user's.
	NoticeBreakGlass = "break_glass"
)

// CaseNotices lists the kinds of work on a case, in the order the preferences show them: each
// user chooses for each whether it is emailed too.
func CaseNotices() []string {
	return []string{NoticeAssigned, NoticeReply, NoticeMention, NoticeBreakGlass}
}

// EmailByDefault reports whether a kind is emailed to a user who has not chosen: only a
// break-glass opening, which a user must learn of even when not signed in.
func EmailByDefault(kind string) bool {
	return kind == NoticeBreakGlass
}

// NotificationPrefs is how a user wants to be told of each kind of CaseNotices besides the app:
// Email maps a kind to whether it is emailed as well.
type NotificationPrefs struct {
	Email map[string]bool `json:"email"`
}

// Validate refuses kinds that have no preference.
func (p *NotificationPrefs) Validate() error {
	v := Validation{}
	v.Check(p.Email != nil, "email", "required: an object of kind to true or false")
	for kind := range p.Email {
		v.Check(slices.Contains(CaseNotices(), kind), "email."+kind, "no such kind; one of "+strings.Join(CaseNotices(), ", "))
	}
	return v.Err()
}

// Worded words a notification in the reader's language with t, a catalog's lookup: ids
// notify.<kind>, the actor named (notify.console when it was the operator at the console). Kinds
// without a catalog entry keep the text they were written with.
func (n *Notification) Worded(t func(id string, args ...any) string) string {
	if strings.HasPrefix(n.Kind, "escalation_") || strings.HasPrefix(n.Kind, "sla_") || n.Kind == NoticeAlert || n.Kind == NoticeReply {
		return t("notify." + n.Kind) // the case's number is shown beside it
	}
	if !slices.Contains(AccountNotices(), n.Kind) && !slices.Contains(CaseNotices(), n.Kind) {
		return n.Text
	}
	actor := n.Actor
	if actor == "" {
		actor = t("notify.console")
	}
	return t("notify."+n.Kind, "Actor", actor)
}

// AccountNotices lists the account kinds above.
func AccountNotices() []string {
	return []string{NoticePasswordReset, NoticeDisabled, NoticeEnabled, NoticeRoleChanged, NoticeTwoFactorRemoved,
		NoticeSignedOut, NoticeTokenRevoked, NoticeTokenCreated}
}

// NotificationService lists and acknowledges the signed-in user's notifications.
type NotificationService interface {
	// Notifications lists the user's notifications, newest first (at most 100).
	Notifications(ctx context.Context, unreadOnly bool) ([]*Notification, error)
	// MarkNotificationsRead marks every notification of the user up to id as read.
	MarkNotificationsRead(ctx context.Context, upTo int64) error
	// NotificationPrefs reads the user's choices, every kind of CaseNotices given (the default
	// for those never chosen).
	NotificationPrefs(ctx context.Context) (*NotificationPrefs, error)
	// SetNotificationPrefs changes the choices for the kinds given, and returns them all.
	SetNotificationPrefs(ctx context.Context, p NotificationPrefs) (*NotificationPrefs, error)
}

// NotificationStore is what the service layer needs from storage for notifications.
type NotificationStore interface {
	InsertNotification(ctx context.Context, n *Notification) error
	UserNotifications(ctx context.Context, userID int64, unreadOnly bool, limit int) ([]*Notification, error)
	NotificationByID(ctx context.Context, id int64) (*Notification, error)
	MarkCaseNotificationsRead(ctx context.Context, caseID int64, kind string, at time.Time) error
	MarkNotificationsRead(ctx context.Context, userID, upTo int64, at time.Time) error
	// NotificationPrefs reads the email choices a user made (kinds never chosen are absent).
	NotificationPrefs(ctx context.Context, userID int64) (map[string]bool, error)
	SetNotificationPref(ctx context.Context, userID int64, kind string, email bool) error
}
