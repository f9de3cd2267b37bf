package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

const goodPassword = "a long enough password" // the fixture's users' password

func loginCode(t *testing.T, f *fixture, ctx context.Context, user, password string) (string, error) {
	t.Helper()
	res, err := f.svc.Login(ctx, haven.Credentials{Username: user, Password: password})
	if err != nil {
		return "", err
	}
	return res.Token, nil
}

// events lists the events of one action, newest first. (The audit filter takes a prefix ending
// in "." or an exact action without "_", so this filters by the noun and then by action.)
func countEvents(t *testing.T, f *fixture, action string) []*haven.Event {
	t.Helper()
	noun, _, _ := strings.Cut(action, ".")
	page, err := f.svc.AuditEvents(f.admin, haven.EventFilter{Action: noun + "."})
	if err != nil {
		t.Fatal(err)
	}
	var out []*haven.Event
	for _, e := range page.Items {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

func TestLoginLockOut(t *testing.T) {
	f := newFixture(t)
	ctx := haven.WithClientIP(context.Background(), "198.51.100.7")
	for i := 1; i < haven.LoginMaxFailures; i++ {
		_, err := loginCode(t, f, ctx, "amira", "wrong password")
		if haven.ErrorMessage(err) != "wrong username or password" {
			t.Fatalf("failure %d: %v", i, err)
		}
		f.clock.t = f.clock.t.Add(time.Minute)
	}
	// The fifth failure, at 08:04, locks the account until 08:19.
	_, err := loginCode(t, f, ctx, "amira", "wrong password")
	wantCode(t, err, haven.EUNAUTHORIZED)
	const locked = "too many failed sign-ins: try again after 08:19 UTC"
	if haven.ErrorMessage(err) != locked {
		t.Fatalf("fifth failure: %v", err)
	}
	f.clock.t = f.clock.t.Add(14*time.Minute + 59*time.Second)
	if _, err := loginCode(t, f, ctx, "amira", goodPassword); haven.ErrorMessage(err) != locked {
		t.Fatalf("right password while locked: %v", err)
	}
	f.clock.t = f.clock.t.Add(time.Second)
	if _, err := loginCode(t, f, ctx, "amira", goodPassword); err != nil {
		t.Fatalf("after the lock-out: %v", err)
	}
	failed := countEvents(t, f, "user.login_failed")
	if len(failed) != haven.LoginMaxFailures+1 || failed[0].ObjectID != "amira" || failed[0].ClientIP != "198.51.100.7" {
		t.Fatalf("login_failed events: %d %+v", len(failed), failed[0])
	}
	lock := countEvents(t, f, "user.locked_out")
	if len(lock) != 1 || lock[0].ObjectID != "amira" || lock[0].ClientIP != "198.51.100.7" {
		t.Fatalf("locked_out events: %+v", lock)
	}
}

func TestLoginFailuresResetAndWindow(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	fail := func(user string, n int) {
		t.Helper()
		for range n {
			if _, err := loginCode(t, f, ctx, user, "wrong password"); haven.ErrorMessage(err) != "wrong username or password" {
				t.Fatalf("%s: %v", user, err)
			}
		}
	}
	// A successful sign-in resets the count.
	fail("lucas", 4)
	if _, err := loginCode(t, f, ctx, "lucas", goodPassword); err != nil {
		t.Fatal(err)
	}
	fail("lucas", 4)
	// Failures older than the window do not count.
	f.clock.t = f.clock.t.Add(haven.LoginFailureWindow + time.Second)
	fail("lucas", 4)
	if _, err := loginCode(t, f, ctx, "lucas", goodPassword); err != nil {
		t.Fatal(err)
	}
	// Unknown usernames count and lock like real ones, with the same answers.
	f.clock.t = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	fail("ghost", 4)
	if _, err := loginCode(t, f, ctx, "ghost", "x"); haven.ErrorMessage(err) != "too many failed sign-ins: try again after 09:15 UTC" {
		t.Fatalf("unknown username: %v", err)
	}
	// A typed name that is no username (a password in the wrong field) stays out of the trail.
	if _, err := loginCode(t, f, ctx, "My Secret Pass!", "x"); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
		t.Fatal(err)
	}
	if e := countEvents(t, f, "user.login_failed")[0]; e.ObjectID != "(not a username)" || e.Data["known_user"] != false {
		t.Fatalf("event for a non-username: %+v", e)
	}
}

func TestTokensListAndRevoke(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	secret, tok, err := f.svc.CreateToken(f.users["amira"], "amira", "laptop", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.TokenActor(ctx, secret); err != nil {
		t.Fatal(err)
	}
	list, err := f.svc.Tokens(f.users["amira"], "amira")
	if err != nil || len(list) != 1 || list[0].ID != tok.ID || list[0].LastUsed == nil || !list[0].LastUsed.Equal(f.clock.t) {
		t.Fatalf("own tokens: %+v %v", list, err)
	}
	_, err = f.svc.Tokens(f.users["lucas"], "amira")
	wantCode(t, err, haven.EFORBIDDEN)
	if list, err := f.svc.Tokens(f.admin, "amira"); err != nil || len(list) != 1 {
		t.Fatalf("admin lists: %v", err)
	}
	// Someone else's token is "not found", as is a wrong owner name or a missing id.
	wantCode(t, f.svc.RevokeToken(f.users["lucas"], "", tok.ID), haven.ENOTFOUND)
	wantCode(t, f.svc.RevokeToken(f.admin, "lucas", tok.ID), haven.ENOTFOUND)
	wantCode(t, f.svc.RevokeToken(f.admin, "", 999999), haven.ENOTFOUND)
	amiraRO := as(mustUser(t, f, "amira"), true)
	wantCode(t, f.svc.RevokeToken(amiraRO, "amira", tok.ID), haven.EFORBIDDEN)
	if err := f.svc.RevokeToken(f.users["amira"], "", tok.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RevokeToken(f.users["amira"], "amira", tok.ID); err != nil {
		t.Fatalf("revoking twice: %v", err)
	}
	_, err = f.svc.TokenActor(ctx, secret)
	wantCode(t, err, haven.EUNAUTHORIZED)
	if list, _ := f.svc.Tokens(f.users["amira"], "amira"); len(list) != 1 || !list[0].Revoked {
		t.Fatalf("revoked token must stay listed: %+v", list)
	}
	ev := countEvents(t, f, "token.revoked")
	if len(ev) != 1 || ev[0].Actor != "amira" || ev[0].ObjectID != "amira" {
		t.Fatalf("token.revoked events: %+v", ev)
	}
	// Admins revoke anyone's; an auditor may revoke their own.
	_, samTok, _ := f.svc.CreateTokenAsSystem(ctx, "sam", "ro", true)
	if err := f.svc.RevokeToken(f.users["sam"], "sam", samTok.ID); err != nil {
		t.Fatalf("auditor revoking own token: %v", err)
	}
	_, lucasTok, _ := f.svc.CreateTokenAsSystem(ctx, "lucas", "ci", false)
	if err := f.svc.RevokeToken(f.admin, "", lucasTok.ID); err != nil {
		t.Fatal(err)
	}
}

func TestSignOutEverywhere(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	login := func(user string) string {
		t.Helper()
		tok, err := loginCode(t, f, ctx, user, goodPassword)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	alive := func(tok string) bool {
		_, err := f.svc.SessionActor(ctx, tok)
		return err == nil
	}
	a1, a2, l1 := login("amira"), login("amira"), login("lucas")
	wantCode(t, f.svc.SignOutEverywhere(f.users["lucas"], "amira"), haven.EFORBIDDEN)
	if err := f.svc.SignOutEverywhere(f.users["amira"], "amira"); err != nil {
		t.Fatal(err)
	}
	if alive(a1) || alive(a2) || !alive(l1) {
		t.Fatal("sign out everywhere ended the wrong sessions")
	}
	if ev := countEvents(t, f, "user.signed_out_everywhere"); len(ev) != 1 || ev[0].Data["sessions_ended"] != float64(2) {
		t.Fatalf("event: %+v", ev)
	}
	// An admin signs others out; disabling or resetting a password ends sessions too.
	if err := f.svc.SignOutEverywhere(f.admin, "lucas"); err != nil || alive(l1) {
		t.Fatalf("admin sign-out: %v", err)
	}
	f1, l2 := login("fatou"), login("lucas")
	if _, err := f.svc.ResetPassword(f.admin, "fatou"); err != nil || alive(f1) {
		t.Fatalf("password reset kept the session: %v", err)
	}
	disabled := true
	if _, err := f.svc.UpdateUser(f.admin, "lucas", haven.UserUpdate{Disabled: &disabled}); err != nil || alive(l2) {
		t.Fatalf("disabling kept the session: %v", err)
	}
}
