package service

import (
	"context"
	"strings"

	"haven"
	"haven/auth"
)

// Login checks a password and opens a session. Unknown users and wrong passwords give the same
// answer, so the form does not reveal which usernames exist.
func (s *Service) Login(ctx context.Context, username, password string) (string, *haven.User, error) {
	bad := haven.Errorf(haven.EUNAUTHORIZED, "wrong username or password")
	var u *haven.User
	err := s.store.View(ctx, func(tx haven.Tx) error {
		var err error
		u, err = tx.UserByUsername(ctx, strings.ToLower(strings.TrimSpace(username)))
		return err
	})
	if haven.ErrorCode(err) == haven.ENOTFOUND {
		return "", nil, bad
	}
	if err != nil {
		return "", nil, err
	}
	if ok, err := auth.VerifyPassword(u.PasswordHash, password); err != nil || !ok || u.Disabled {
		return "", nil, bad
	}
	token, err := auth.NewToken("hvs")
	if err != nil {
		return "", nil, haven.Internal("new session", err)
	}
	now := s.clock.Now()
	sess := &haven.Session{TokenHash: auth.HashToken(token), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL)}
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		if err := tx.InsertSession(ctx, sess); err != nil {
			return err
		}
		return record(ctx, tx, now, u, "user.login", "user", u.Username, 0, nil)
	})
	if err != nil {
		return "", nil, err
	}
	return token, u, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.store.Update(ctx, func(tx haven.Tx) error {
		return tx.DeleteSession(ctx, auth.HashToken(token))
	})
}

// SessionActor resolves a session cookie.
func (s *Service) SessionActor(ctx context.Context, token string) (haven.Actor, error) {
	var a haven.Actor
	err := s.store.View(ctx, func(tx haven.Tx) error {
		sess, err := tx.SessionByHash(ctx, auth.HashToken(token))
		if err != nil || !s.clock.Now().Before(sess.ExpiresAt) {
			return haven.Errorf(haven.EUNAUTHORIZED, "your session has ended; sign in again")
		}
		return s.activeUser(ctx, tx, sess.UserID, &a)
	})
	return a, err
}

// TokenActor resolves an API bearer token.
func (s *Service) TokenActor(ctx context.Context, token string) (haven.Actor, error) {
	var a haven.Actor
	err := s.store.View(ctx, func(tx haven.Tx) error {
		t, err := tx.APITokenByHash(ctx, auth.HashToken(token))
		if err != nil || t.Revoked {
			return haven.Errorf(haven.EUNAUTHORIZED, "invalid or revoked API token")
		}
		a.ReadOnly = t.ReadOnly
		return s.activeUser(ctx, tx, t.UserID, &a)
	})
	return a, err
}

func (s *Service) activeUser(ctx context.Context, tx haven.Tx, id int64, a *haven.Actor) error {
	u, err := tx.UserByID(ctx, id)
	if err != nil || u.Disabled {
		return haven.Errorf(haven.EUNAUTHORIZED, "this account is disabled")
	}
	a.User = u
	return nil
}

// CreateToken issues an API token for the caller, or for anyone when the caller is an admin.
func (s *Service) CreateToken(ctx context.Context, username, name string, readOnly bool) (string, *haven.APIToken, error) {
	me, err := reader(ctx)
	if err != nil {
		return "", nil, err
	}
	if me.Username != username && !me.IsAdmin() {
		return "", nil, haven.Errorf(haven.EFORBIDDEN, "only admins can create tokens for others")
	}
	if a, _ := haven.ActorFrom(ctx); a.ReadOnly && !readOnly {
		return "", nil, haven.Errorf(haven.EFORBIDDEN, "a read-only token cannot create a read-write token")
	}
	return s.createToken(ctx, me, username, name, readOnly)
}

// CreateTokenAsSystem issues a token from the console (`haven token create`).
func (s *Service) CreateTokenAsSystem(ctx context.Context, username, name string, readOnly bool) (string, *haven.APIToken, error) {
	return s.createToken(ctx, nil, username, name, readOnly)
}

func (s *Service) createToken(ctx context.Context, actor *haven.User, username, name string, readOnly bool) (string, *haven.APIToken, error) {
	token, err := auth.NewToken("hvt")
	if err != nil {
		return "", nil, haven.Internal("new token", err)
	}
	var t *haven.APIToken
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		u, err := tx.UserByUsername(ctx, username)
		if err != nil {
			return err
		}
		if u.Disabled {
			return haven.Errorf(haven.ECONFLICT, "user %s is disabled", username)
		}
		t = &haven.APIToken{UserID: u.ID, Username: u.Username, Name: name, TokenHash: auth.HashToken(token),
			ReadOnly: readOnly, CreatedAt: s.clock.Now()}
		if err := tx.InsertAPIToken(ctx, t); err != nil {
			return err
		}
		return record(ctx, tx, t.CreatedAt, actor, "token.created", "user", u.Username, 0,
			map[string]any{"token_id": t.ID, "read_only": readOnly, "name": name})
	})
	if err != nil {
		return "", nil, err
	}
	return token, t, nil
}
