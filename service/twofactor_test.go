package service_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/haven-helpline/haven"
)

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enrol sets up amira's authenticator app and returns its secret and her recovery codes.
func enrol(t *testing.T, f *fixture) (string, []string) {
	t.Helper()
	ctx := f.users["amira"]
	enr, err := f.svc.BeginTOTP(ctx, goodPassword)
	if err != nil || !strings.HasPrefix(enr.URL, "otpauth://totp/Haven:amira") || !strings.Contains(enr.QRSVG, "<svg") {
		t.Fatalf("begin: %+v %v", enr, err)
	}
	_, err = f.svc.ConfirmTOTP(ctx, "000000", goodPassword)
	wantCode(t, err, haven.EINVALID)
	codes, err := f.svc.ConfirmTOTP(ctx, code(t, enr.Secret, f.clock.t), goodPassword)
	if err != nil || len(codes) != 10 {
		t.Fatalf("confirm: %v %v", codes, err)
	}
	return enr.Secret, codes
}

func TestTwoFactorSignIn(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	secret, recovery := enrol(t, f)
	creds := haven.Credentials{Username: "amira", Password: goodPassword}
	res, err := f.svc.Login(ctx, creds)
	if err != nil || res.Token != "" || res.Challenge == "" {
		t.Fatalf("password alone must give a challenge, not a session: %+v %v", res, err)
	}
	f.clock.t = f.clock.t.Add(time.Minute) // the code used to enrol is spent
	now := code(t, secret, f.clock.t)
	done, err := f.svc.CompleteLogin(ctx, res.Challenge, now)
	if err != nil || done.Token == "" {
		t.Fatalf("complete: %+v %v", done, err)
	}
	_, err = f.svc.CompleteLogin(ctx, res.Challenge, now)
	wantCode(t, err, haven.EUNAUTHORIZED) // a challenge is good once
	creds.Code = now
	_, err = f.svc.Login(ctx, creds)
	wantCode(t, err, haven.EUNAUTHORIZED) // a code is good once (replay)
	f.clock.t = f.clock.t.Add(time.Minute)
	creds.Code = code(t, secret, f.clock.t)
	if res, err := f.svc.Login(ctx, creds); err != nil || res.Token == "" {
		t.Fatalf("password and code in one step: %+v %v", res, err)
	}
	creds.Code = recovery[3]
	if res, err := f.svc.Login(ctx, creds); err != nil || res.Token == "" {
		t.Fatalf("recovery code: %+v %v", res, err)
	}
	_, err = f.svc.Login(ctx, creds)
	wantCode(t, err, haven.EUNAUTHORIZED) // used up
	st, err := f.svc.TwoFactorStatus(f.users["amira"])
	if err != nil || !st.Enabled || st.RecoveryCodesLeft != 9 {
		t.Fatalf("status: %+v %v", st, err)
	}
	ch, _ := f.svc.Login(ctx, haven.Credentials{Username: "amira", Password: goodPassword})
	f.clock.t = f.clock.t.Add(haven.LoginChallengeTTL + time.Second)
	_, err = f.svc.CompleteLogin(ctx, ch.Challenge, code(t, secret, f.clock.t))
	wantCode(t, err, haven.EUNAUTHORIZED) // expired
}

// TestTwoFactorWrongCodesLockOut: guessing codes counts towards the lock-out like passwords.
func TestTwoFactorWrongCodesLockOut(t *testing.T) {
	f := newFixture(t)
	secret, _ := enrol(t, f)
	f.clock.t = f.clock.t.Add(time.Minute)
	ctx := context.Background()
	var err error
	for range haven.LoginMaxFailures {
		_, err = f.svc.Login(ctx, haven.Credentials{Username: "amira", Password: goodPassword, Code: "123456"})
	}
	if !strings.Contains(err.Error(), "too many") {
		t.Fatalf("after %d wrong codes: %v", haven.LoginMaxFailures, err)
	}
	_, err = f.svc.Login(ctx, haven.Credentials{Username: "amira", Password: goodPassword, Code: code(t, secret, f.clock.t)})
	wantCode(t, err, haven.EUNAUTHORIZED)
}

// TestTwoFactorWrongCodeAgain: a wrong code on the code step gives another challenge (the page
// stays on the code step), counts as a failed sign-in, and the failures still lock the account.
func TestTwoFactorWrongCodeAgain(t *testing.T) {
	f := newFixture(t)
	secret, _ := enrol(t, f)
	f.clock.t = f.clock.t.Add(time.Minute)
	ctx := context.Background()
	res, err := f.svc.Login(ctx, haven.Credentials{Username: "amira", Password: goodPassword})
	if err != nil || res.Challenge == "" {
		t.Fatalf("login: %+v %v", res, err)
	}
	again, err := f.svc.CompleteLogin(ctx, res.Challenge, "000000")
	if err != nil || !again.WrongCode || again.Challenge == "" || again.Challenge == res.Challenge || again.Token != "" || again.User != nil {
		t.Fatalf("a wrong code: %+v %v", again, err)
	}
	done, err := f.svc.CompleteLogin(ctx, again.Challenge, code(t, secret, f.clock.t))
	if err != nil || done.Token == "" || done.WrongCode {
		t.Fatalf("the right code on the new challenge: %+v %v", done, err)
	}
	challenge := again.Challenge
	for i := range haven.LoginMaxFailures {
		next, _ := f.svc.Login(ctx, haven.Credentials{Username: "amira", Password: goodPassword})
		if i > 0 {
			next.Challenge = challenge
		}
		r, err := f.svc.CompleteLogin(ctx, next.Challenge, "111111")
		if err != nil {
			if !strings.Contains(err.Error(), "too many") {
				t.Fatalf("attempt %d: %v", i, err)
			}
			return
		}
		challenge = r.Challenge
	}
	t.Fatalf("%d wrong codes and no lock-out", haven.LoginMaxFailures+1)
}

// TestTwoFactorMandatory: once admins require it, a user without a second factor can sign in but
// only set one up; with it, everything works again. Admins can remove a lost one.
func TestTwoFactorMandatory(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	wantCode(t, f.svc.SetTwoFactorRequired(f.users["fatou"], true), haven.EFORBIDDEN)
	if err := f.svc.SetTwoFactorRequired(f.admin, true); err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.Login(ctx, haven.Credentials{Username: "amira", Password: goodPassword})
	if err != nil || !res.MustEnrol {
		t.Fatalf("login: %+v %v", res, err)
	}
	a, err := f.svc.SessionActor(ctx, res.Token)
	if err != nil || !a.MustEnrol {
		t.Fatalf("session actor: %+v %v", a, err)
	}
	limited := haven.WithActor(ctx, a)
	_, err = f.svc.Cases(limited, haven.CaseFilter{})
	wantCode(t, err, haven.EFORBIDDEN)
	enr, err := f.svc.BeginTOTP(limited, goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ConfirmTOTP(limited, code(t, enr.Secret, f.clock.t), goodPassword); err != nil {
		t.Fatal(err)
	}
	if a, err = f.svc.SessionActor(ctx, res.Token); err != nil || a.MustEnrol {
		t.Fatalf("after enrolling: %+v %v", a, err)
	}
	if _, err := f.svc.Cases(haven.WithActor(ctx, a), haven.CaseFilter{}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.svc.DisableTOTP(f.users["lucas"], "amira", ""), haven.EFORBIDDEN)
	wantCode(t, f.svc.DisableTOTP(haven.WithActor(ctx, a), "amira", "wrong"), haven.EINVALID)
	if err := f.svc.DisableTOTP(f.admin, "amira", ""); err != nil {
		t.Fatal(err)
	}
	if res, err := f.svc.Login(ctx, haven.Credentials{Username: "amira", Password: goodPassword}); err != nil || !res.MustEnrol || res.Token == "" {
		t.Fatalf("after the admin removed it: %+v %v", res, err)
	}
	if n := len(countEvents(t, f, "user.two_factor_enabled")); n != 1 {
		t.Fatalf("%d enrolment events", n)
	}
}

// TestFailedSignInEventNamesTheStage: the audit event of a failed sign-in says whether the
// password or the second factor was wrong (the metrics count them apart), and nothing typed.
func TestFailedSignInEventNamesTheStage(t *testing.T) {
	f := newFixture(t)
	enrol(t, f)
	f.clock.t = f.clock.t.Add(time.Minute)
	ctx := context.Background()
	if _, err := f.svc.Login(ctx, haven.Credentials{Username: "amira", Password: "not the password at all"}); err == nil {
		t.Fatal("a wrong password signed in")
	}
	res, err := f.svc.Login(ctx, haven.Credentials{Username: "amira", Password: goodPassword})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CompleteLogin(ctx, res.Challenge, "000000"); err != nil {
		t.Fatal(err)
	}
	var stages []any
	for _, e := range countEvents(t, f, "user.login_failed") {
		stages = append(stages, e.Data["second_factor"])
	}
	if !slices.Contains(stages, true) || !slices.Contains(stages, false) || len(stages) != 2 {
		t.Errorf("second_factor of the failures: %v", stages)
	}
}
