package storetest

import (
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// testAccounts covers token listing and revocation, ending every session of a user, and the
// failed sign-in counters.
func testAccounts(t *testing.T, s haven.Store) {
	u := &haven.User{Username: "nadia", Role: haven.RoleHandler, PasswordHash: "h", CreatedAt: t0}
	other := &haven.User{Username: "omar", Role: haven.RoleHandler, PasswordHash: "h", CreatedAt: t0}
	var first, second *haven.APIToken
	update(t, s, func(tx haven.Tx) error {
		for _, x := range []*haven.User{u, other} {
			if err := tx.InsertUser(ctx, x); err != nil {
				return err
			}
		}
		first = &haven.APIToken{UserID: u.ID, Name: "laptop", TokenHash: "h1", CreatedAt: t0}
		second = &haven.APIToken{UserID: u.ID, Name: "ci", TokenHash: "h2", ReadOnly: true, CreatedAt: t0.Add(time.Minute)}
		for _, k := range []*haven.APIToken{first, second, {UserID: other.ID, Name: "x", TokenHash: "h3", CreatedAt: t0}} {
			if err := tx.InsertAPIToken(ctx, k); err != nil {
				return err
			}
		}
		for i, id := range []int64{u.ID, u.ID, other.ID} {
			if err := tx.InsertSession(ctx, &haven.Session{TokenHash: string(rune('a' + i)), UserID: id, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
				return err
			}
		}
		if err := tx.TouchAPIToken(ctx, first.ID, t0.Add(time.Hour)); err != nil {
			return err
		}
		return tx.RevokeAPIToken(ctx, first.ID)
	})
	wantCode(t, s.Update(ctx, func(tx haven.Tx) error { return tx.RevokeAPIToken(ctx, 999999) }), haven.ENOTFOUND)
	view(t, s, func(tx haven.Tx) error {
		list, err := tx.UserAPITokens(ctx, u.ID)
		if err != nil || len(list) != 2 || list[0].ID != second.ID || list[1].ID != first.ID {
			t.Fatalf("tokens newest first: %+v %v", list, err)
		}
		if got := list[1]; !got.Revoked || got.Username != "nadia" || got.LastUsed == nil || !got.LastUsed.Equal(t0.Add(time.Hour)) {
			t.Fatalf("revoked token: %+v", got)
		}
		if got := list[0]; got.Revoked || !got.ReadOnly || got.LastUsed != nil || got.Name != "ci" {
			t.Fatalf("live token: %+v", got)
		}
		byID, err := tx.APITokenByID(ctx, first.ID)
		if err != nil || byID.TokenHash != "h1" || !byID.Revoked {
			t.Fatalf("by id: %+v %v", byID, err)
		}
		_, err = tx.APITokenByID(ctx, 999999)
		wantCode(t, err, haven.ENOTFOUND)
		return nil
	})
	update(t, s, func(tx haven.Tx) error {
		n, err := tx.DeleteUserSessions(ctx, u.ID)
		if err != nil || n != 2 {
			t.Fatalf("deleted %d sessions: %v", n, err)
		}
		// Only the live token of nadia is revoked: not the one revoked already, not omar's.
		if n, err = tx.RevokeUserAPITokens(ctx, u.ID); err != nil || n != 1 {
			t.Fatalf("revoked %d tokens: %v", n, err)
		}
		return nil
	})
	view(t, s, func(tx haven.Tx) error {
		if k, err := tx.APITokenByID(ctx, second.ID); err != nil || !k.Revoked {
			t.Fatalf("nadia's token after revoking all: %+v %v", k, err)
		}
		if k, err := tx.APITokenByHash(ctx, "h3"); err != nil || k.Revoked {
			t.Fatalf("another user's token was revoked: %+v %v", k, err)
		}
		return nil
	})
	view(t, s, func(tx haven.Tx) error {
		_, err := tx.SessionByHash(ctx, "a")
		wantCode(t, err, haven.ENOTFOUND)
		if _, err := tx.SessionByHash(ctx, "c"); err != nil {
			t.Fatalf("another user's session was ended: %v", err)
		}
		return nil
	})
	testOneTimePassword(t, s)
	testLoginFailures(t, s)
}

// testOneTimePassword: the flag of a password to replace at the next sign-in is kept and cleared.
func testOneTimePassword(t *testing.T, s haven.Store) {
	u := &haven.User{Username: "first-admin", Role: haven.RoleAdmin, PasswordHash: "h", CreatedAt: t0, MustChangePassword: true}
	update(t, s, func(tx haven.Tx) error { return tx.InsertUser(ctx, u) })
	for _, want := range []bool{true, false} {
		view(t, s, func(tx haven.Tx) error {
			got, err := tx.UserByID(ctx, u.ID)
			if err != nil || got.MustChangePassword != want {
				t.Fatalf("must change password, want %v: %+v %v", want, got, err)
			}
			return nil
		})
		u.MustChangePassword = false
		update(t, s, func(tx haven.Tx) error { return tx.UpdateUser(ctx, u) })
	}
}

func testLoginFailures(t *testing.T, s haven.Store) {
	add := func(name string, at time.Time) *haven.LoginFailures {
		t.Helper()
		var f *haven.LoginFailures
		update(t, s, func(tx haven.Tx) error {
			var err error
			f, err = tx.AddLoginFailure(ctx, name, at, at.Add(-haven.LoginFailureWindow))
			return err
		})
		return f
	}
	read := func(name string) *haven.LoginFailures {
		t.Helper()
		var f *haven.LoginFailures
		view(t, s, func(tx haven.Tx) error {
			var err error
			f, err = tx.LoginFailures(ctx, name)
			return err
		})
		return f
	}
	if f := read("nobody"); f.Failures != 0 || !f.LockedUntil.IsZero() {
		t.Fatalf("unknown username: %+v", f)
	}
	for i := 1; i <= 3; i++ {
		if f := add("no-such-user", t0.Add(time.Duration(i)*time.Minute)); f.Failures != i || !f.FirstAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("failure %d: %+v", i, f)
		}
	}
	// Past the window the count starts again.
	if f := add("no-such-user", t0.Add(20*time.Minute)); f.Failures != 1 || !f.FirstAt.Equal(t0.Add(20*time.Minute)) {
		t.Fatalf("after the window: %+v", f)
	}
	until := t0.Add(40 * time.Minute)
	update(t, s, func(tx haven.Tx) error { return tx.LockLogin(ctx, "no-such-user", until) })
	if f := read("no-such-user"); f.Failures != 0 || !f.LockedUntil.Equal(until) {
		t.Fatalf("locked: %+v", f)
	}
	// A failure elsewhere much later purges the finished row but not a running lock-out.
	add("someone-else", until.Add(-time.Minute))
	if f := read("no-such-user"); !f.LockedUntil.Equal(until) {
		t.Fatalf("running lock-out purged: %+v", f)
	}
	add("someone-else", until.Add(time.Hour))
	if f := read("no-such-user"); f.Failures != 0 || !f.LockedUntil.IsZero() {
		t.Fatalf("finished lock-out kept: %+v", f)
	}
	update(t, s, func(tx haven.Tx) error { return tx.ClearLoginFailures(ctx, "someone-else") })
	if f := read("someone-else"); f.Failures != 0 {
		t.Fatalf("cleared: %+v", f)
	}
}
