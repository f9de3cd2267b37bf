package service

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/auth"
)

// Login checks a password, and the second factor of an account that has one, and opens a
// session. Unknown users and wrong passwords give the same answer, so the form does not reveal
// which usernames exist, and both count towards the lock-out: haven.LoginMaxFailures failures of
// one username within haven.LoginFailureWindow lock it for haven.LoginLockout, during which even
// the right password is refused. Wrong second factors count too.
func (s *Service) Login(ctx context.Context, c haven.Credentials) (*haven.LoginResult, error) {
	name := loginName(c.Username)
	now := s.clock.Now()
	var u *haven.User
	var fails *haven.LoginFailures
	err := s.store.View(ctx, func(tx haven.Tx) error {
		var err error
		if fails, err = tx.LoginFailures(ctx, name); err != nil {
			return err
		}
		u, err = tx.UserByUsername(ctx, name)
		if haven.ErrorCode(err) == haven.ENOTFOUND {
			u, err = nil, nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if now.Before(fails.LockedUntil) {
		return nil, s.loginRefused(ctx, name, u, now, fails.LockedUntil)
	}
	if !passwordOK(u, c.Password) {
		return nil, s.loginFailed(ctx, name, u, now, "wrong username or password")
	}
	if u.TwoFactor {
		if strings.TrimSpace(c.Code) == "" {
			return s.challenge(ctx, u, now)
		}
		if err := s.secondFactor(ctx, name, u, c.Code, now); err != nil {
			return nil, err
		}
	}
	return s.openSession(ctx, name, u, now)
}

// loginName is the name failures are counted under: the typed name as usernames are spelt,
// bounded, and storable in both databases (valid UTF-8 without NUL).
func loginName(typed string) string {
	name := strings.ToLower(strings.TrimSpace(typed))
	if len(name) > 256 {
		name = name[:256]
	}
	return strings.ToValidUTF8(strings.ReplaceAll(name, "\x00", ""), "")
}

// dummyHash is verified for unknown usernames, so they take as long to refuse as known ones.
var dummyHash = sync.OnceValue(func() string {
	h, _ := auth.HashPassword("no account has this password")
	return h
})

func passwordOK(u *haven.User, password string) bool {
	if u == nil {
		_, _ = auth.VerifyPassword(dummyHash(), password)
		return false
	}
	ok, err := auth.VerifyPassword(u.PasswordHash, password)
	return err == nil && ok && !u.Disabled
}

func lockedOut(until time.Time) error {
	shown := until.Truncate(time.Minute)
	if shown.Before(until) {
		shown = shown.Add(time.Minute)
	}
	return haven.Errorf(haven.EUNAUTHORIZED, "too many failed sign-ins: try again after %s UTC", shown.UTC().Format("15:04"))
}

// loginObject names the account of a sign-in event: a typed name that cannot be a username (a
// password typed into the wrong field, say) is not kept in the audit trail.
func loginObject(name string) string {
	if haven.ValidUsername(name) {
		return name
	}
	return "(not a username)"
}

// wrongCode is the refusal of a wrong second factor.
const wrongCode = "wrong or already used code"

// loginFailed counts a failure, and locks the username at the last one allowed.
// wrong is the refusal when the account is not locked yet.
func (s *Service) loginFailed(ctx context.Context, name string, u *haven.User, now time.Time, wrong string) error {
	var refusal error
	err := s.store.Update(ctx, func(tx haven.Tx) error {
		refusal = haven.Errorf(haven.EUNAUTHORIZED, "%s", wrong)
		f, err := tx.AddLoginFailure(ctx, name, now, now.Add(-haven.LoginFailureWindow))
		if err != nil {
			return err
		}
		// second_factor tells a wrong code from a wrong password, for auditors and the metrics.
		data := map[string]any{"failures": f.Failures, "known_user": u != nil, "second_factor": wrong == wrongCode}
		if err := record(ctx, tx, now, nil, "user.login_failed", "user", loginObject(name), 0, data); err != nil {
			return err
		}
		if f.Failures < haven.LoginMaxFailures {
			return nil
		}
		until := now.Add(haven.LoginLockout)
		refusal = lockedOut(until)
		if err := tx.LockLogin(ctx, name, until); err != nil {
			return err
		}
		return record(ctx, tx, now, nil, "user.locked_out", "user", loginObject(name), 0,
			map[string]any{"until": until, "failures": f.Failures})
	})
	if err != nil {
		return err
	}
	return refusal
}

// loginRefused records an attempt during a lock-out; the password was not even checked.
func (s *Service) loginRefused(ctx context.Context, name string, u *haven.User, now, until time.Time) error {
	err := s.store.Update(ctx, func(tx haven.Tx) error {
		return record(ctx, tx, now, nil, "user.login_failed", "user", loginObject(name), 0,
			map[string]any{"locked_until": until, "known_user": u != nil})
	})
	if err != nil {
		return err
	}
	return lockedOut(until)
}

// openSession starts a session after a good password, unless another instance locked the
// username meanwhile, and forgets the username's failures.
func (s *Service) openSession(ctx context.Context, name string, u *haven.User, now time.Time) (*haven.LoginResult, error) {
	token, err := auth.NewToken("hvs")
	if err != nil {
		return nil, haven.Internal("new session", err)
	}
	res := &haven.LoginResult{Token: token, User: u}
	sess := &haven.Session{TokenHash: auth.HashToken(token), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL)}
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		f, err := tx.LoginFailures(ctx, name)
		if err != nil {
			return err
		}
		if now.Before(f.LockedUntil) {
			return lockedOut(f.LockedUntil)
		}
		if err := tx.ClearLoginFailures(ctx, name); err != nil {
			return err
		}
		if err := tx.InsertSession(ctx, sess); err != nil {
			return err
		}
		if res.MustEnrol, err = mustEnrol(ctx, tx, u); err != nil {
			return err
		}
		return record(ctx, tx, now, u, "user.login", "user", u.Username, 0, map[string]any{"second_factor": u.TwoFactor})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.store.Update(ctx, func(tx haven.Tx) error {
		return tx.DeleteSession(ctx, auth.HashToken(token))
	})
}

// SessionActor resolves a session cookie.
func (s *Service) SessionActor(ctx context.Context, token string) (haven.Actor, error) {
	hash := auth.HashToken(token)
	gen, now := s.referenceGeneration(), s.clock.Now()
	if kept, ok := s.reads.sessions.get(hash, gen, now); ok && now.Before(kept.expires) {
		return copyActor(kept.actor), nil // keptreads.go
	}
	var a haven.Actor
	var expires time.Time
	err := s.store.View(ctx, func(tx haven.Tx) error {
		sess, err := tx.SessionByHash(ctx, hash)
		if err != nil && haven.ErrorCode(err) != haven.ENOTFOUND {
			return err // the database failed: the session may be fine, so it is not refused
		}
		if err != nil || !now.Before(sess.ExpiresAt) {
			return haven.Errorf(haven.EUNAUTHORIZED, "your session has ended; sign in again")
		}
		expires = sess.ExpiresAt
		if err := s.activeUser(ctx, tx, sess.UserID, &a); err != nil {
			return err
		}
		a.MustEnrol, err = mustEnrol(ctx, tx, a.User)
		return err
	})
	if err == nil {
		s.reads.sessions.put(hash, gen, now, keptSession{actor: copyActor(a), expires: expires})
	}
	return a, err
}

// tokenTouchEvery is how often a token's last use is written: at most once a minute per token,
// so busy API clients do not turn every read into a write.
const tokenTouchEvery = time.Minute

// TokenActor resolves an API bearer token.
func (s *Service) TokenActor(ctx context.Context, token string) (haven.Actor, error) {
	hash := auth.HashToken(token)
	gen, now := s.referenceGeneration(), s.clock.Now()
	if kept, ok := s.reads.tokens.get(hash, gen, now); ok { // keptreads.go
		return copyActor(kept.actor), s.touchToken(ctx, &kept.token, now)
	}
	a, t, err := s.readTokenActor(ctx, hash)
	if err != nil {
		return a, err
	}
	s.reads.tokens.put(hash, gen, now, keptToken{actor: copyActor(a), token: *t})
	return a, s.touchToken(ctx, t, now)
}

// readTokenActor reads an API token by its hash and the actor it stands for.
func (s *Service) readTokenActor(ctx context.Context, hash string) (haven.Actor, *haven.APIToken, error) {
	var a haven.Actor
	var t *haven.APIToken
	err := s.store.View(ctx, func(tx haven.Tx) error {
		var err error
		t, err = tx.APITokenByHash(ctx, hash)
		if err != nil && haven.ErrorCode(err) != haven.ENOTFOUND {
			return err // the database failed: the token may be fine, so it is not refused
		}
		if err != nil || t.Revoked {
			return haven.Errorf(haven.EUNAUTHORIZED, "invalid or revoked API token")
		}
		a.ReadOnly = t.ReadOnly
		if err := s.activeUser(ctx, tx, t.UserID, &a); err != nil {
			return err
		}
		if a.User.MustChangePassword {
			return mustChangePassword()
		}
		return nil
	})
	return a, t, err
}

// touchToken writes a token's last use when the one known is older than tokenTouchEvery (the
// write moves the reference generation, so the next request reads the new one).
//
// The concurrent requests of one client all find the same last use too old: one of them writes
// it, the others go on (64 writes of one row queued behind each other's lock for ~2 s on
// PostgreSQL, once a minute).
func (s *Service) touchToken(ctx context.Context, t *haven.APIToken, now time.Time) error {
	if t.LastUsed != nil && now.Sub(*t.LastUsed) < tokenTouchEvery {
		return nil
	}
	if _, busy := s.reads.touching.LoadOrStore(t.ID, struct{}{}); busy {
		return nil
	}
	defer s.reads.touching.Delete(t.ID)
	err := s.store.Update(ctx, func(tx haven.Tx) error { return tx.TouchAPIToken(ctx, t.ID, now) })
	if haven.ErrorCode(err) == haven.EFULL {
		return nil // the last use is advisory: a full disk must not stop reads, which still work
	}
	return err
}

func (s *Service) activeUser(ctx context.Context, tx haven.Tx, id int64, a *haven.Actor) error {
	u, err := tx.UserByID(ctx, id)
	if err != nil && haven.ErrorCode(err) != haven.ENOTFOUND {
		return err
	}
	if err != nil || u.Disabled {
		return haven.Errorf(haven.EUNAUTHORIZED, "this account is disabled")
	}
	a.User = u
	return nil
}

// CreateToken issues an API token for the caller. Nobody creates credentials for someone else,
// admins included: a token of a compartment member would let an admin read what the member may,
// unseen. Nor does a read-only token create any token: read-only changes no credentials.
func (s *Service) CreateToken(ctx context.Context, username, name string, readOnly bool) (string, *haven.APIToken, error) {
	me, err := reader(ctx)
	if err != nil {
		return "", nil, err
	}
	if !strings.EqualFold(me.Username, username) {
		return "", nil, haven.Errorf(haven.EFORBIDDEN, "nobody can create a token for someone else, admins included: %s creates their own", username)
	}
	if a, _ := haven.ActorFrom(ctx); a.ReadOnly {
		return "", nil, haven.Errorf(haven.EFORBIDDEN, "a read-only token cannot create tokens")
	}
	return s.createToken(ctx, me, me.Username, name, readOnly)
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
		if err := notifyTokenCreated(ctx, tx, t.CreatedAt, actor, u); err != nil {
			return err
		}
		// The token's name is free text: it stays in the token's row, out of the trail.
		return record(ctx, tx, t.CreatedAt, actor, "token.created", "user", u.Username, 0,
			map[string]any{"token_id": t.ID, "read_only": readOnly})
	})
	if err != nil {
		return "", nil, err
	}
	return token, t, nil
}
