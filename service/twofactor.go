package service

import (
	"context"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/auth"
)

var _ haven.TwoFactorService = (*Service)(nil)

// totpIssuer labels Haven in authenticator apps.
const totpIssuer = "Haven"

// recoveryCodeCount is how many recovery codes an enrolment hands out.
const recoveryCodeCount = 10

// mustEnrol reports whether the admins require a second factor that u does not have.
func mustEnrol(ctx context.Context, tx haven.Tx, u *haven.User) (bool, error) {
	if u.TwoFactor {
		return false, nil
	}
	v, err := tx.Setting(ctx, haven.SettingTwoFactorRequired)
	return v == "true", err
}

// enrolling returns the signed-in user, allowed even when they must enrol first (but not before
// they replaced a one-time password).
func enrolling(ctx context.Context) (*haven.User, error) {
	a, ok := haven.ActorFrom(ctx)
	if !ok || a.User.Disabled {
		return nil, haven.Errorf(haven.EUNAUTHORIZED, "sign in first")
	}
	if a.ReadOnly {
		return nil, haven.Errorf(haven.EFORBIDDEN, "this API token is read-only")
	}
	if a.User.MustChangePassword {
		return nil, mustChangePassword()
	}
	return a.User, nil
}

// enrolPassword checks the password before a second factor is set up or replaced: with a
// session or a token alone, whoever holds one could put their own app on the account (or swap
// the owner's) and lock the owner out.
func (s *Service) enrolPassword(ctx context.Context, u *haven.User, password string) error {
	return s.reauthenticate(ctx, u, password, "password", "your password is needed to set up an authenticator app")
}

// BeginTOTP makes a new secret for the signed-in user, pending until confirmed with a code. It
// needs the password, as confirming does.
func (s *Service) BeginTOTP(ctx context.Context, password string) (*haven.TOTPEnrolment, error) {
	u, err := enrolling(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.enrolPassword(ctx, u, password); err != nil {
		return nil, err
	}
	enr, err := auth.NewTOTP(totpIssuer, u.Username)
	if err != nil {
		return nil, haven.Internal("new TOTP secret", err)
	}
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		tf, err := tx.TwoFactor(ctx, u.ID)
		if err != nil {
			return err
		}
		tf.Pending = enr.Secret
		return tx.PutTwoFactor(ctx, tf)
	})
	if err != nil {
		return nil, err
	}
	return &haven.TOTPEnrolment{Secret: enr.Secret, URL: enr.URL, QRSVG: enr.QRSVG}, nil
}

// ConfirmTOTP turns the pending secret on when code matches it, and returns new recovery codes.
// It needs the password too.
func (s *Service) ConfirmTOTP(ctx context.Context, code, password string) ([]string, error) {
	u, err := enrolling(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.enrolPassword(ctx, u, password); err != nil {
		return nil, err
	}
	codes, hashes, err := auth.NewRecoveryCodes(recoveryCodeCount)
	if err != nil {
		return nil, haven.Internal("recovery codes", err)
	}
	now := s.clock.Now()
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		tf, err := tx.TwoFactor(ctx, u.ID)
		if err != nil {
			return err
		}
		if tf.Pending == "" {
			return haven.Errorf(haven.ECONFLICT, "start the set-up first: no authenticator app is being added")
		}
		replaced := tf.Secret != ""
		step, err := auth.ValidateTOTP(tf.Pending, code, now, 0)
		if err != nil {
			return &haven.Error{Code: haven.EINVALID, Message: "that code does not match: check the app's clock and try the next code",
				Fields: map[string]string{"code": "does not match"}}
		}
		tf.Secret, tf.Pending, tf.LastStep, tf.EnabledAt = tf.Pending, "", step, &now
		if err := tx.PutTwoFactor(ctx, tf); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, u.ID, hashes); err != nil {
			return err
		}
		return record(ctx, tx, now, u, "user.two_factor_enabled", "user", u.Username, 0, map[string]any{"replaced": replaced})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// DisableTOTP removes a second factor: one's own, with the password (a session or a token alone
// is not enough), or anyone's for an admin under the rules of every admin action (not while they
// must set up their own or change their password); the user is notified.
func (s *Service) DisableTOTP(ctx context.Context, username, password string) error {
	me, err := enrolling(ctx)
	if err != nil {
		return err
	}
	if username != "" && !strings.EqualFold(username, me.Username) {
		if me, err = admin(ctx); err != nil {
			return err
		}
		return s.disableTOTP(ctx, me, username)
	}
	if err := s.reauthenticate(ctx, me, password, "password", "your password is needed to remove your second factor"); err != nil {
		return err
	}
	return s.disableTOTP(ctx, me, me.Username)
}

// DisableTOTPAsSystem removes a user's second factor for the operator at the console.
func (s *Service) DisableTOTPAsSystem(ctx context.Context, username string) error {
	return s.disableTOTP(ctx, nil, username)
}

func (s *Service) disableTOTP(ctx context.Context, actor *haven.User, username string) error {
	now := s.clock.Now()
	return s.store.Update(ctx, func(tx haven.Tx) error {
		u, err := tx.UserByUsername(ctx, strings.ToLower(username))
		if err != nil {
			return err
		}
		if err := tx.PutTwoFactor(ctx, &haven.TwoFactor{UserID: u.ID}); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, u.ID, nil); err != nil {
			return err
		}
		if err := notifyAccount(ctx, tx, now, actor, u, haven.NoticeTwoFactorRemoved); err != nil {
			return err
		}
		return record(ctx, tx, now, actor, "user.two_factor_disabled", "user", u.Username, 0, nil)
	})
}

// TwoFactorStatus describes the signed-in user's second factor.
func (s *Service) TwoFactorStatus(ctx context.Context) (*haven.TwoFactorStatus, error) {
	u, err := enrolling(ctx)
	if err != nil {
		return nil, err
	}
	st := &haven.TwoFactorStatus{}
	err = s.store.View(ctx, func(tx haven.Tx) error {
		tf, err := tx.TwoFactor(ctx, u.ID)
		if err != nil {
			return err
		}
		codes, err := tx.RecoveryCodes(ctx, u.ID)
		if err != nil {
			return err
		}
		v, err := tx.Setting(ctx, haven.SettingTwoFactorRequired)
		st.Enabled, st.EnabledAt, st.RecoveryCodesLeft, st.Required = tf.Secret != "", tf.EnabledAt, len(codes), v == "true"
		return err
	})
	return st, err
}

// SetTwoFactorRequired makes a second factor mandatory, or optional again (admins).
func (s *Service) SetTwoFactorRequired(ctx context.Context, required bool) error {
	u, err := admin(ctx)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	return s.store.Update(ctx, func(tx haven.Tx) error {
		v := "false"
		if required {
			v = "true"
		}
		if err := tx.PutSetting(ctx, haven.SettingTwoFactorRequired, v, now); err != nil {
			return err
		}
		return record(ctx, tx, now, u, "settings.two_factor_required", "settings", haven.SettingTwoFactorRequired, 0,
			map[string]any{"required": required})
	})
}

// challenge remembers a right password for LoginChallengeTTL, to be completed with a code.
func (s *Service) challenge(ctx context.Context, u *haven.User, now time.Time) (*haven.LoginResult, error) {
	token, err := auth.NewToken("hvc")
	if err != nil {
		return nil, haven.Internal("new challenge", err)
	}
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		return tx.InsertLoginChallenge(ctx, &haven.LoginChallenge{TokenHash: auth.HashToken(token), UserID: u.ID,
			ExpiresAt: now.Add(haven.LoginChallengeTTL)})
	})
	if err != nil {
		return nil, err
	}
	return &haven.LoginResult{Challenge: token, User: u}, nil
}

// CompleteLogin finishes a two-step sign-in. A challenge is good for one attempt: a wrong code
// answers a new one (WrongCode set) until the failures lock the account.
func (s *Service) CompleteLogin(ctx context.Context, challenge, code string) (*haven.LoginResult, error) {
	now := s.clock.Now()
	var u *haven.User
	var fails *haven.LoginFailures
	err := s.store.Update(ctx, func(tx haven.Tx) error {
		c, err := tx.TakeLoginChallenge(ctx, auth.HashToken(challenge))
		if err != nil || !now.Before(c.ExpiresAt) {
			return haven.Errorf(haven.EUNAUTHORIZED, "this sign-in expired: enter your password again")
		}
		if u, err = tx.UserByID(ctx, c.UserID); err != nil {
			return err
		}
		fails, err = tx.LoginFailures(ctx, u.Username)
		return err
	})
	if err != nil {
		return nil, err
	}
	if now.Before(fails.LockedUntil) {
		return nil, s.loginRefused(ctx, u.Username, u, now, fails.LockedUntil)
	}
	if err := s.secondFactor(ctx, u.Username, u, code, now); err != nil {
		return s.anotherTry(ctx, u, now, err)
	}
	return s.openSession(ctx, u.Username, u, now)
}

// anotherTry answers a wrong code (already counted as a failed sign-in): a new challenge, so
// that the person stays on the code step and types it again, unless the account is now locked
// (or the failure was anything else), which is refused as it is.
func (s *Service) anotherTry(ctx context.Context, u *haven.User, now time.Time, wrong error) (*haven.LoginResult, error) {
	if haven.ErrorCode(wrong) != haven.EUNAUTHORIZED {
		return nil, wrong
	}
	var fails *haven.LoginFailures
	err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		fails, err = tx.LoginFailures(ctx, u.Username)
		return err
	})
	if err != nil {
		return nil, err
	}
	if now.Before(fails.LockedUntil) {
		return nil, wrong
	}
	again, err := s.challenge(ctx, u, now)
	if err != nil {
		return nil, err
	}
	again.User, again.WrongCode = nil, true // not signed in: nothing of the account yet
	return again, nil
}

// secondFactor accepts a current TOTP code (never one already used) or an unused recovery code;
// anything else counts as a failed sign-in.
func (s *Service) secondFactor(ctx context.Context, name string, u *haven.User, code string, now time.Time) error {
	ok := false
	err := s.store.Update(ctx, func(tx haven.Tx) error {
		ok = false
		tf, err := tx.TwoFactor(ctx, u.ID)
		if err != nil {
			return err
		}
		if step, err := auth.ValidateTOTP(tf.Secret, code, now, tf.LastStep); err == nil {
			ok, tf.LastStep = true, step
			return tx.PutTwoFactor(ctx, tf)
		}
		hashes, err := tx.RecoveryCodes(ctx, u.ID)
		if err != nil {
			return err
		}
		if i, found := auth.MatchRecoveryCode(code, hashes); found {
			ok = true
			if err := tx.UseRecoveryCode(ctx, u.ID, hashes[i], now); err != nil {
				return err
			}
			return record(ctx, tx, now, u, "user.recovery_code_used", "user", u.Username, 0,
				map[string]any{"left": len(hashes) - 1})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !ok {
		return s.loginFailed(ctx, name, u, now, wrongCode)
	}
	return nil
}
