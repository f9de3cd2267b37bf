package service

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
)

// Notifications of work on a case (haven.CaseNotices): being assigned a case, a message coming
// in on one's case, a mention in a note, a break-glass opening. Each reaches only an active
// user who may see the case (a notification must never reveal a case to anyone without the need
// to know), never the user who acted, and is emailed too when its reader chose that for its kind.

// maxMentions bounds the users one note can notify.
const maxMentions = 20

// mentionRE finds @username in a note: not after a letter, digit or one of . _ - @ (so an email
// address is no mention). Usernames are lower-case; the name is matched without regard to case.
var mentionRE = regexp.MustCompile(`(?:^|[^\pL\pN._@-])@([A-Za-z0-9][A-Za-z0-9._-]{0,62})`)

// mentioned lists the usernames a note mentions, once each, in order, at most maxMentions.
func mentioned(body string) []string {
	var out []string
	for _, m := range mentionRE.FindAllStringSubmatch(body, -1) {
		name := strings.ToLower(strings.TrimRight(m[1], "._-")) // "@amira." ends a sentence
		if haven.ValidUsername(name) && !slices.Contains(out, name) {
			out = append(out, name)
		}
		if len(out) == maxMentions {
			break
		}
	}
	return out
}

// tell notifies u of n (its kind and text) about case c: in the app, and by email as well when u
// chose so for the kind. A disabled user, the actor and a user who may not see the case are
// not told; told reports whether u was.
func (s *Service) tell(ctx context.Context, tx haven.Tx, c *haven.Case, u, actor *haven.User, n haven.Notification, now time.Time) (told bool, err error) {
	if u == nil || u.Disabled || actor != nil && actor.ID == u.ID {
		return false, nil
	}
	if c.Restricted {
		visible, err := tx.CaseVisible(ctx, c.ID, s.viewer(u))
		if err != nil || !visible {
			return false, err
		}
	}
	n.UserID, n.CaseID, n.CaseNumber, n.Actor, n.CreatedAt = u.ID, c.ID, c.Number, actorName(actor), now
	if err := tx.InsertNotification(ctx, &n); err != nil {
		return false, err
	}
	email, err := s.wantsEmail(ctx, tx, u.ID, n.Kind)
	if err != nil || !email {
		return err == nil, err
	}
	return true, queueNotificationEmail(ctx, tx, &n, now)
}

// wantsEmail reports whether a notification of kind is emailed to the user: never when Haven
// sends no email, else as they chose, else as haven.EmailByDefault says.
func (s *Service) wantsEmail(ctx context.Context, tx haven.Tx, userID int64, kind string) (bool, error) {
	if !s.cfg.SendEmail {
		return false, nil
	}
	prefs, err := tx.NotificationPrefs(ctx, userID)
	if err != nil {
		return false, err
	}
	if email, ok := prefs[kind]; ok {
		return email, nil
	}
	return haven.EmailByDefault(kind), nil
}

// queueNotificationEmail queues a stored notification's email; the job reads it by id, so the
// payload carries no text.
func queueNotificationEmail(ctx context.Context, tx haven.Tx, n *haven.Notification, now time.Time) error {
	payload, _ := json.Marshal(map[string]int64{"notification_id": n.ID})
	_, err := tx.EnqueueJob(ctx, &haven.Job{Kind: haven.JobNotifyEmail, Payload: string(payload),
		UniqueKey: fmt.Sprintf("%s:%d", haven.JobNotifyEmail, n.ID), RunAt: now, CreatedAt: now, MaxAttempts: 6})
	return err
}

// tellByName is tell for the user named username; an unknown name tells no one.
func (s *Service) tellByName(ctx context.Context, tx haven.Tx, c *haven.Case, username string, actor *haven.User, n haven.Notification, now time.Time) (bool, error) {
	if username == "" {
		return false, nil
	}
	u, err := tx.UserByUsername(ctx, username)
	if haven.ErrorCode(err) == haven.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return s.tell(ctx, tx, c, u, actor, n, now)
}

// tellAssigned tells a case's new assignee that actor gave it to them (not when they took it).
func (s *Service) tellAssigned(ctx context.Context, tx haven.Tx, actor *haven.User, c *haven.Case, now time.Time) error {
	_, err := s.tellByName(ctx, tx, c, c.Assignee, actor, haven.Notification{Kind: haven.NoticeAssigned,
		Text: fmt.Sprintf("%s assigned %s to you", actorName(actor), c.Number)}, now)
	return err
}

// tellReply tells a case's assignee that a message came in on it; actor is who recorded it (nil
// for an email).
func (s *Service) tellReply(ctx context.Context, tx haven.Tx, actor *haven.User, c *haven.Case, now time.Time) error {
	_, err := s.tellByName(ctx, tx, c, c.Assignee, actor, haven.Notification{Kind: haven.NoticeReply,
		Text: "A message came in on " + c.Number}, now)
	return err
}

// tellMentioned tells the users a note mentions. Only those who may read the note are told: who
// may see the case, and for a note for leads, not handlers. Nothing tells the author who was
// told, so a mention reveals no hidden user or case.
func (s *Service) tellMentioned(ctx context.Context, tx haven.Tx, author *haven.User, c *haven.Case, note *haven.Note, now time.Time) error {
	for _, name := range mentioned(note.Body) {
		u, err := tx.UserByUsername(ctx, name)
		if haven.ErrorCode(err) == haven.ENOTFOUND {
			continue
		}
		if err != nil {
			return err
		}
		if note.Visibility == "leads" && u.Role == haven.RoleHandler {
			continue
		}
		if _, err := s.tell(ctx, tx, c, u, author, haven.Notification{Kind: haven.NoticeMention,
			Text: fmt.Sprintf("%s mentioned you in a note on %s", author.Username, c.Number)}, now); err != nil {
			return err
		}
	}
	return nil
}

// tellBrokenGlass tells a restricted case's owners (caseOwners) that actor broke the glass on
// it, and returns how many were told. The reason is on the case's timeline, for those who may
// see it, not in the notification (nor its email).
func (s *Service) tellBrokenGlass(ctx context.Context, tx haven.Tx, actor *haven.User, c *haven.Case, until, now time.Time) (int, error) {
	who, err := s.caseOwners(ctx, tx, c)
	if err != nil {
		return 0, err
	}
	slices.Sort(who)
	who = slices.Compact(who)
	n := haven.Notification{Kind: haven.NoticeBreakGlass,
		Text: fmt.Sprintf("%s broke the glass on %s until %s UTC", actor.Username, c.Number, until.Format("2006-01-02 15:04"))}
	told := 0
	for _, name := range who {
		ok, err := s.tellByName(ctx, tx, c, name, actor, n, now)
		if err != nil {
			return 0, err
		}
		if ok {
			told++
		}
	}
	return told, nil
}

// NotificationPrefs reads the signed-in user's choices of email, every kind given.
func (s *Service) NotificationPrefs(ctx context.Context) (*haven.NotificationPrefs, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	var out *haven.NotificationPrefs
	err = s.store.View(ctx, func(tx haven.Tx) (err error) {
		out, err = notificationPrefs(ctx, tx, u.ID)
		return err
	})
	return out, err
}

// SetNotificationPrefs changes the signed-in user's choices for the kinds given. Any role may
// choose for itself (auditors too); a read-only token may not.
func (s *Service) SetNotificationPrefs(ctx context.Context, p haven.NotificationPrefs) (*haven.NotificationPrefs, error) {
	u, err := writerOrAuditor(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var out *haven.NotificationPrefs
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		data := map[string]any{}
		for kind, email := range p.Email {
			if err := tx.SetNotificationPref(ctx, u.ID, kind, email); err != nil {
				return err
			}
			data[kind] = email
		}
		if out, err = notificationPrefs(ctx, tx, u.ID); err != nil {
			return err
		}
		return record(ctx, tx, now, u, "user.notification_prefs", "user", u.Username, 0, data)
	})
	return out, err
}

// notificationPrefs is a user's choices with the defaults filled in.
func notificationPrefs(ctx context.Context, tx haven.Tx, userID int64) (*haven.NotificationPrefs, error) {
	chosen, err := tx.NotificationPrefs(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := &haven.NotificationPrefs{Email: map[string]bool{}}
	for _, kind := range haven.CaseNotices() {
		email, ok := chosen[kind]
		out.Email[kind] = email || !ok && haven.EmailByDefault(kind)
	}
	return out, nil
}
