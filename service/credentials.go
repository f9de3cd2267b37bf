package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/auth"
)

// ResetPassword gives username a generated password that works once: they must replace it at
// their next sign-in. Admins only, and not for themselves (they change their own with the
// current one). The password is returned once, for the admin to pass on; the user is notified.
func (s *Service) ResetPassword(ctx context.Context, username string) (string, error) {
	me, err := admin(ctx)
	if err != nil {
		return "", err
	}
	if strings.EqualFold(me.Username, username) {
		return "", haven.Errorf(haven.ECONFLICT, "change your own password under My account, with your current one")
	}
	return s.resetPassword(ctx, me, username)
}

// ResetPasswordAsSystem is `haven user reset-password` for the operator at the console.
func (s *Service) ResetPasswordAsSystem(ctx context.Context, username string) (string, error) {
	return s.resetPassword(ctx, nil, username)
}

func (s *Service) resetPassword(ctx context.Context, actor *haven.User, username string) (string, error) {
	password, err := auth.GeneratePassword()
	if err != nil {
		return "", haven.Internal("generate password", err)
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return "", haven.Internal("hash password", err)
	}
	now := s.clock.Now()
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		u, err := tx.UserByUsername(ctx, strings.ToLower(username))
		if err != nil {
			return err
		}
		u.PasswordHash, u.MustChangePassword = hash, true
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		data, err := s.endCredentials(ctx, tx, u)
		if err != nil {
			return err
		}
		if err := notifyAccount(ctx, tx, now, actor, u, haven.NoticePasswordReset); err != nil {
			return err
		}
		return record(ctx, tx, now, actor, "user.password_reset", "user", u.Username, 0, data)
	})
	if err != nil {
		return "", err
	}
	return password, nil
}

// endCredentials ends every browser session of u and, unless configured otherwise, revokes their
// API tokens; it returns the counts for the event.
func (s *Service) endCredentials(ctx context.Context, tx haven.Tx, u *haven.User) (map[string]any, error) {
	n, err := tx.DeleteUserSessions(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	data := map[string]any{"sessions_ended": n}
	if s.cfg.RevokeTokensOnSignOut {
		t, err := tx.RevokeUserAPITokens(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		data["tokens_revoked"] = t
	}
	return data, nil
}

// notifyAccount tells u that someone else (an admin, or the operator at the console when actor
// is nil) used a power over their account. The text is for the API; the web interface words it
// in the reader's language from the kind.
func notifyAccount(ctx context.Context, tx haven.Tx, now time.Time, actor, u *haven.User, kind string) error {
	if actor != nil && actor.ID == u.ID {
		return nil
	}
	who := "the operator at the console"
	n := &haven.Notification{UserID: u.ID, Kind: kind, CreatedAt: now}
	if actor != nil {
		who, n.Actor = actor.Username, actor.Username
	}
	n.Text = fmt.Sprintf("%s %s", who, noticeWords(kind))
	return tx.InsertNotification(ctx, n)
}

// notifyTokenCreated tells u of a new token of theirs, even one they made: whoever holds a
// stolen session or token could make one, and the owner is the one to notice.
func notifyTokenCreated(ctx context.Context, tx haven.Tx, now time.Time, actor, u *haven.User) error {
	n := &haven.Notification{UserID: u.ID, Kind: haven.NoticeTokenCreated, CreatedAt: now}
	who := "the operator at the console"
	if actor != nil {
		who, n.Actor = actor.Username, actor.Username
	}
	n.Text = who + " " + noticeWords(haven.NoticeTokenCreated)
	return tx.InsertNotification(ctx, n)
}

// noticeWords says what was done, after who did it.
func noticeWords(kind string) string {
	switch kind {
	case haven.NoticePasswordReset:
		return "reset your password: sign in with the one-time password they give you, then choose your own"
	case haven.NoticeDisabled:
		return "disabled your account"
	case haven.NoticeEnabled:
		return "enabled your account again"
	case haven.NoticeRoleChanged:
		return "changed your role"
	case haven.NoticeTwoFactorRemoved:
		return "removed your second factor: set up an authenticator app again under My account"
	case haven.NoticeSignedOut:
		return "signed you out everywhere"
	case haven.NoticeTokenRevoked:
		return "revoked one of your API tokens"
	case haven.NoticeTokenCreated:
		return "created an API token for your account: if that was not you, revoke it and change your password"
	}
	return "changed your account"
}

// reauthenticate checks the password of the signed-in user u before a change that a session or
// a token alone must not make. A wrong password counts towards the username's lock-out like a
// failed sign-in (so a stolen session cannot be used to guess it), and during a lock-out even the
// right one is refused. The refusal is a field error on field; need says what the password is for.
func (s *Service) reauthenticate(ctx context.Context, u *haven.User, password, field, need string) error {
	now := s.clock.Now()
	var fails *haven.LoginFailures
	err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		fails, err = tx.LoginFailures(ctx, u.Username)
		return err
	})
	if err != nil {
		return err
	}
	if now.Before(fails.LockedUntil) {
		return &haven.Error{Code: haven.EINVALID, Message: lockedOut(fails.LockedUntil).Error(),
			Fields: map[string]string{field: "wrong password"}}
	}
	if passwordOK(u, password) {
		return nil
	}
	err = s.loginFailed(ctx, u.Username, u, now, need)
	if haven.ErrorCode(err) != haven.EUNAUTHORIZED {
		return err
	}
	return &haven.Error{Code: haven.EINVALID, Message: haven.ErrorMessage(err), Fields: map[string]string{field: "wrong password"}}
}
