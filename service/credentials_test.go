package service_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/service"
)

// TestNoCredentialsForOthers: nobody, admins included, creates a token for someone else; the
// console still can. A token's name (free text) stays out of the trail.
func TestNoCredentialsForOthers(t *testing.T) {
	f := newFixture(t)
	for _, who := range []context.Context{f.admin, f.users["fatou"], f.users["lucas"]} {
		_, _, err := f.svc.CreateToken(who, "amira", "borrowed", true)
		wantCode(t, err, haven.EFORBIDDEN)
	}
	if _, _, err := f.svc.CreateToken(f.users["amira"], "amira", "zq laptop", false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.CreateTokenAsSystem(context.Background(), "amira", "console", false); err != nil {
		t.Fatal(err)
	}
	list, _ := f.svc.Tokens(f.users["amira"], "amira")
	if len(list) != 2 {
		t.Fatalf("amira's tokens: %+v", list)
	}
	for _, e := range countEvents(t, f, "token.created") {
		if e.ObjectID != "amira" || e.Data["name"] != nil {
			t.Fatalf("token.created event: %+v", e)
		}
	}
}

// TestReadOnlyChangesNoCredentials: a read-only token creates no token (not even a read-only
// one), revokes none, and changes no password, second factor or profile.
func TestReadOnlyChangesNoCredentials(t *testing.T) {
	f := newFixture(t)
	_, tok, err := f.svc.CreateTokenAsSystem(context.Background(), "amira", "ci", false)
	if err != nil {
		t.Fatal(err)
	}
	ro := as(mustUser(t, f, "amira"), true)
	name, pw := "Amira", "a brand new password"
	for what, err := range map[string]error{
		"create read-only token":  second3(f.svc.CreateToken(ro, "amira", "x", true)),
		"create read-write token": second3(f.svc.CreateToken(ro, "amira", "x", false)),
		"revoke":                  f.svc.RevokeToken(ro, "amira", tok.ID),
		"sign out everywhere":     f.svc.SignOutEverywhere(ro, "amira"),
		"password":                second(f.svc.UpdateMe(ro, haven.MeUpdate{Password: &pw, CurrentPassword: goodPassword})),
		"display name":            second(f.svc.UpdateMe(ro, haven.MeUpdate{DisplayName: &name})),
		"begin 2FA":               second(f.svc.BeginTOTP(ro, goodPassword)),
		"confirm 2FA":             second(f.svc.ConfirmTOTP(ro, "123456", goodPassword)),
		"remove 2FA":              f.svc.DisableTOTP(ro, "amira", goodPassword),
	} {
		if haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Errorf("%s through a read-only token: %v", what, err)
		}
	}
}

// second drops the first result of a two-result call.
func second[T any](_ T, err error) error { return err }

func second3[T, U any](_ T, _ U, err error) error { return err }

// TestEnrolmentNeedsPassword: a session or a token alone cannot put an authenticator app on an
// account that has none (a thief's app would lock the owner out).
func TestEnrolmentNeedsPassword(t *testing.T) {
	f := newFixture(t)
	amira := f.users["amira"]
	for _, pw := range []string{"", "wrong password"} {
		_, err := f.svc.BeginTOTP(amira, pw)
		if he := haven.AsError(err); he == nil || he.Code != haven.EINVALID || he.Fields["password"] == "" {
			t.Fatalf("begin with %q: %v", pw, err)
		}
	}
	enr, err := f.svc.BeginTOTP(amira, goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.ConfirmTOTP(amira, code(t, enr.Secret, f.clock.t), "")
	wantCode(t, err, haven.EINVALID)
	if st, _ := f.svc.TwoFactorStatus(amira); st.Enabled {
		t.Fatal("a second factor was turned on without the password")
	}
}

// TestReplacingSecondFactorNeedsPassword: with a second factor on, a session or token alone can
// neither replace nor remove it; wrong passwords count towards the lock-out.
func TestReplacingSecondFactorNeedsPassword(t *testing.T) {
	f := newFixture(t)
	old, _ := enrol(t, f)
	amira := as(mustUser(t, f, "amira"), false) // reloaded: with her second factor
	for _, pw := range []string{"", "wrong password"} {
		_, err := f.svc.BeginTOTP(amira, pw)
		if he := haven.AsError(err); he == nil || he.Code != haven.EINVALID || he.Fields["password"] == "" {
			t.Fatalf("begin a replacement with %q: %v", pw, err)
		}
	}
	wantCode(t, f.svc.DisableTOTP(amira, "", ""), haven.EINVALID)
	enr, err := f.svc.BeginTOTP(amira, goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.t = f.clock.t.Add(time.Minute)
	_, err = f.svc.ConfirmTOTP(amira, code(t, enr.Secret, f.clock.t), "")
	wantCode(t, err, haven.EINVALID)
	if _, err := f.svc.ConfirmTOTP(amira, code(t, enr.Secret, f.clock.t), goodPassword); err != nil {
		t.Fatal(err)
	}
	if e := countEvents(t, f, "user.two_factor_enabled")[0]; e.Data["replaced"] != true {
		t.Fatalf("replacement event: %+v", e)
	}
	// Four wrong passwords were tried above; the fifth locks the username, and then even the
	// right password is refused.
	wantCode(t, f.svc.DisableTOTP(amira, "", "wrong again"), haven.EINVALID)
	err = f.svc.DisableTOTP(amira, "", goodPassword)
	if haven.ErrorCode(err) != haven.EINVALID || !strings.Contains(err.Error(), "too many failed sign-ins") {
		t.Fatalf("locked out, the right password: %v", err)
	}
	f.clock.t = f.clock.t.Add(haven.LoginLockout)
	_, err = f.svc.Login(context.Background(), haven.Credentials{Username: "amira", Password: goodPassword, Code: code(t, old, f.clock.t)})
	wantCode(t, err, haven.EUNAUTHORIZED) // the replaced app no longer signs in
	if err := f.svc.DisableTOTP(amira, "", goodPassword); err != nil {
		t.Fatal(err)
	}
}

// TestAdminPowersAreNotified: a reset password, a disabled or re-enabled account, a new role, a
// removed second factor, a sign-out and a revoked token are each told to the user and recorded;
// what users do to themselves is not notified.
func TestAdminPowersAreNotified(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, tok, _ := f.svc.CreateTokenAsSystem(ctx, "amira", "ci", false)
	enrol(t, f)
	off, on, lead := true, false, haven.RoleLead
	var once string
	for _, step := range []struct {
		what string
		do   func() error
	}{
		{"disable", func() error { return second(f.svc.UpdateUser(f.admin, "amira", haven.UserUpdate{Disabled: &off})) }},
		{"enable", func() error { return second(f.svc.UpdateUser(f.admin, "amira", haven.UserUpdate{Disabled: &on})) }},
		{"role", func() error { return second(f.svc.UpdateUser(f.admin, "amira", haven.UserUpdate{Role: &lead})) }},
		{"remove 2FA", func() error { return f.svc.DisableTOTP(f.admin, "amira", "") }},
		{"revoke", func() error { return f.svc.RevokeToken(f.admin, "", tok.ID) }},
		{"sign out", func() error { return f.svc.SignOutEverywhere(f.admin, "amira") }},
		{"reset", func() (err error) { once, err = f.svc.ResetPassword(f.admin, "amira"); return err }},
	} {
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.what, err)
		}
	}
	// Amira replaces the one-time password, then reads what was done to her account.
	own := "my very own password"
	if _, err := f.svc.UpdateMe(as(mustUser(t, f, "amira"), false), haven.MeUpdate{Password: &own, CurrentPassword: once}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SignOutEverywhere(f.users["lucas"], "lucas"); err != nil {
		t.Fatal(err)
	}
	// The admin's powers (a token is made by the console here; teams are told of their own).
	byAdmin := slices.DeleteFunc(haven.AccountNotices(), func(k string) bool { return k == haven.NoticeTokenCreated })
	got := map[string]bool{}
	for _, n := range notifications(t, f, "amira") {
		if !slices.Contains(byAdmin, n.Kind) {
			continue
		}
		if n.Actor != "admin" || !strings.HasPrefix(n.Text, "admin ") {
			t.Errorf("notification %+v", n)
		}
		got[n.Kind] = true
	}
	for _, k := range byAdmin {
		if !got[k] {
			t.Errorf("no %s notification", k)
		}
	}
	for _, n := range notifications(t, f, "lucas") {
		if slices.Contains(byAdmin, n.Kind) {
			t.Errorf("signing oneself out notified: %+v", n)
		}
	}
	if e := countEvents(t, f, "user.password_reset"); len(e) != 1 || e[0].Actor != "admin" || e[0].ObjectID != "amira" {
		t.Fatalf("user.password_reset: %+v", e)
	}
}

func notifications(t *testing.T, f *fixture, user string) []*haven.Notification {
	t.Helper()
	list, err := f.svc.Notifications(as(mustUser(t, f, user), false), false)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestResetPassword: only admins reset, never their own; an admin cannot set a password; the
// one-time password signs in once to a session that can only set a new one, and API tokens
// are refused until then.
func TestResetPassword(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	pw := "an admin's choice of password"
	_, err := f.svc.UpdateUser(f.admin, "amira", haven.UserUpdate{Password: &pw})
	wantCode(t, err, haven.EINVALID)
	wantCode(t, second(f.svc.ResetPassword(f.users["fatou"], "amira")), haven.EFORBIDDEN)
	wantCode(t, second(f.svc.ResetPassword(f.admin, "admin")), haven.ECONFLICT)
	session, _ := loginCode(t, f, ctx, "amira", goodPassword)
	oldToken, _, _ := f.svc.CreateTokenAsSystem(ctx, "amira", "ci", false)
	once, err := f.svc.ResetPassword(f.admin, "amira")
	if err != nil || len(once) < 12 {
		t.Fatalf("reset: %q %v", once, err)
	}
	if _, err := f.svc.SessionActor(ctx, session); err == nil {
		t.Fatal("the reset kept a session")
	}
	if _, err := loginCode(t, f, ctx, "amira", goodPassword); err == nil {
		t.Fatal("the old password still works")
	}
	_, err = f.svc.TokenActor(ctx, oldToken)
	wantCode(t, err, haven.EUNAUTHORIZED) // revoked with the reset
	newToken, _, _ := f.svc.CreateTokenAsSystem(ctx, "amira", "new", false)
	_, err = f.svc.TokenActor(ctx, newToken)
	if haven.ErrorCode(err) != haven.EPASSWORDCHANGE || !strings.Contains(err.Error(), "set a new password first") {
		t.Fatalf("a token of an account with a one-time password: %v", err)
	}
	checkOneTimeSession(t, f, "amira", once)
	// The new password revoked that token too; tokens made now work.
	_, err = f.svc.TokenActor(ctx, newToken)
	wantCode(t, err, haven.EUNAUTHORIZED)
	latest, _, _ := f.svc.CreateTokenAsSystem(ctx, "amira", "latest", false)
	if _, err := f.svc.TokenActor(ctx, latest); err != nil {
		t.Fatalf("a token after the new password: %v", err)
	}
}

// checkOneTimeSession signs in with a one-time password and walks the session through setting a
// new one: nothing else works before, everything after.
func checkOneTimeSession(t *testing.T, f *fixture, user, once string) {
	t.Helper()
	ctx := context.Background()
	res, err := f.svc.Login(ctx, haven.Credentials{Username: user, Password: once})
	if err != nil || !res.User.MustChangePassword {
		t.Fatalf("sign in with the one-time password: %+v %v", res, err)
	}
	a, err := f.svc.SessionActor(ctx, res.Token)
	if err != nil {
		t.Fatal(err)
	}
	limited := haven.WithActor(ctx, a)
	name := "New name"
	for what, err := range map[string]error{
		"cases":       second(f.svc.Cases(limited, haven.CaseFilter{})),
		"token":       second3(f.svc.CreateToken(limited, user, "x", true)),
		"begin 2FA":   second(f.svc.BeginTOTP(limited, once)),
		"profile":     second(f.svc.UpdateMe(limited, haven.MeUpdate{DisplayName: &name})),
		"same as one": second(f.svc.UpdateMe(limited, haven.MeUpdate{Password: &once, CurrentPassword: once})),
	} {
		want := haven.EPASSWORDCHANGE
		if what == "same as one" {
			want = haven.EINVALID
		}
		if haven.ErrorCode(err) != want {
			t.Errorf("%s before a new password: %v, want %s", what, err, want)
		}
	}
	lang, own := "fr", "my very own password"
	if _, err := f.svc.UpdateMe(limited, haven.MeUpdate{Language: &lang}); err != nil {
		t.Fatalf("the language, to read the page: %v", err)
	}
	if _, err := f.svc.UpdateMe(limited, haven.MeUpdate{Password: &own, CurrentPassword: once}); err != nil {
		t.Fatal(err)
	}
	res, err = f.svc.Login(ctx, haven.Credentials{Username: user, Password: own})
	if err != nil || res.User.MustChangePassword {
		t.Fatalf("sign in with the new password: %+v %v", res, err)
	}
	a, _ = f.svc.SessionActor(ctx, res.Token)
	if _, err := f.svc.Cases(haven.WithActor(ctx, a), haven.CaseFilter{}); err != nil {
		t.Fatal(err)
	}
}

// TestBootstrapAdmin: the admin that serve creates has a one-time password.
func TestBootstrapAdmin(t *testing.T) {
	f := newFixture(t)
	_, _, err := f.svc.BootstrapAdmin(context.Background(), "second")
	wantCode(t, err, haven.ECONFLICT) // users exist: no second admin this way
}

// TestTokensEndWithSessions: "sign out everywhere" and a new password revoke the user's tokens,
// unless the service is configured to keep them.
func TestTokensEndWithSessions(t *testing.T) {
	for _, revoke := range []bool{true, false} {
		cfg := service.DefaultConfig()
		cfg.RevokeTokensOnSignOut = revoke
		f := newFixtureConfig(t, cfg)
		ctx := context.Background()
		alive := func(tok string) bool {
			_, err := f.svc.TokenActor(ctx, tok)
			return err == nil
		}
		first, _, _ := f.svc.CreateToken(f.users["amira"], "amira", "one", false)
		if err := f.svc.SignOutEverywhere(f.users["amira"], "amira"); err != nil {
			t.Fatal(err)
		}
		next, _, _ := f.svc.CreateToken(f.users["amira"], "amira", "two", false)
		pw := "another long password"
		if _, err := f.svc.UpdateMe(f.users["amira"], haven.MeUpdate{Password: &pw, CurrentPassword: goodPassword}); err != nil {
			t.Fatal(err)
		}
		if alive(first) == revoke || alive(next) == revoke {
			t.Errorf("revoke tokens = %v: after sign-out %v, after a new password %v", revoke, alive(first), alive(next))
		}
		if e := countEvents(t, f, "user.signed_out_everywhere")[0]; (e.Data["tokens_revoked"] != nil) != revoke {
			t.Errorf("revoke tokens = %v: event %+v", revoke, e)
		}
	}
}

// TestColleaguesDoNotSeeCredentialState: the list of accounts without a second factor (or with a
// one-time password) is for admins; everyone else sees colleagues without it, and themselves.
func TestColleaguesDoNotSeeCredentialState(t *testing.T) {
	f := newFixture(t)
	enrol(t, f)
	if _, err := f.svc.ResetPassword(f.admin, "lucas"); err != nil {
		t.Fatal(err)
	}
	state := func(ctx context.Context) map[string][2]bool {
		users, err := f.svc.Users(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][2]bool{}
		for _, u := range users {
			out[u.Username] = [2]bool{u.TwoFactor, u.MustChangePassword}
		}
		return out
	}
	if got := state(f.admin); got["amira"] != [2]bool{true, false} || got["lucas"] != [2]bool{false, true} {
		t.Fatalf("admin's view: %v", got)
	}
	for _, who := range []string{"fatou", "sam"} {
		if got := state(f.users[who]); got["amira"] != [2]bool{} || got["lucas"] != [2]bool{} {
			t.Fatalf("%s's view: %v", who, got)
		}
	}
	if got := state(as(mustUser(t, f, "amira"), false)); got["amira"] != [2]bool{true, false} {
		t.Fatalf("amira's view of herself: %v", got)
	}
}
