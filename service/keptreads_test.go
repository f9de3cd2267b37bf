package service_test

import (
	"context"
	"slices"
	"testing"

	"github.com/haven-helpline/haven"
)

// What every signed-in page reads first (the session, saved views, unread notifications) is
// kept between writes, and a write shows at once: a sign-out, a disabled account, a changed
// role, a new notification or view. What a caller does to what it gets stays its own.
func TestKeptUserReadsFollowWrites(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		signIn := func() string {
			t.Helper()
			res, err := f.svc.Login(ctx, haven.Credentials{Username: "amira", Password: "a long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			return res.Token
		}
		tok := signIn()
		a, err := f.svc.SessionActor(ctx, tok)
		if err != nil || a.User.Role != haven.RoleHandler {
			t.Fatalf("session: %+v %v", a.User, err)
		}
		a.User.Role, a.User.Teams = haven.RoleAdmin, append(a.User.Teams, "everyone")
		if again, err := f.svc.SessionActor(ctx, tok); err != nil || again.User.Role != haven.RoleHandler || len(again.User.Teams) != 1 {
			t.Fatalf("a caller's change reached the kept session: %+v %v", again.User, err)
		}
		me := haven.WithActor(ctx, a)
		before, err := f.svc.Notifications(me, true)
		if err != nil {
			t.Fatal(err)
		}
		if vs, err := f.svc.SavedViews(me); err != nil || len(vs) != 0 {
			t.Fatalf("saved views: %d %v", len(vs), err)
		}

		lead := haven.RoleLead
		if _, err := f.svc.UpdateUser(f.admin, "amira", haven.UserUpdate{Role: &lead}); err != nil {
			t.Fatal(err)
		}
		a, err = f.svc.SessionActor(ctx, tok)
		if err != nil || a.User.Role != haven.RoleLead {
			t.Fatalf("after the role changed, the session says %+v %v", a.User, err)
		}
		me = haven.WithActor(ctx, a)
		ns, err := f.svc.Notifications(me, true)
		if err != nil || len(ns) <= len(before) || !slices.ContainsFunc(ns, func(n *haven.Notification) bool { return n.Kind == haven.NoticeRoleChanged }) {
			t.Fatalf("the role change's notification is not listed: %d, %d before (%v)", len(ns), len(before), err)
		}
		if _, err := f.svc.SaveView(me, haven.SavedView{Name: "Mine", Query: "queue=mine"}); err != nil {
			t.Fatal(err)
		}
		if vs, err := f.svc.SavedViews(me); err != nil || len(vs) != 1 {
			t.Fatalf("the new view is not listed: %d %v", len(vs), err)
		}

		if err := f.svc.Logout(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SessionActor(ctx, tok); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			t.Fatalf("a signed-out session: %v", err)
		}
		tok = signIn()
		if _, err := f.svc.SessionActor(ctx, tok); err != nil {
			t.Fatal(err)
		}
		off := true
		if _, err := f.svc.UpdateUser(f.admin, "amira", haven.UserUpdate{Disabled: &off}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SessionActor(ctx, tok); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			t.Fatalf("the session of a disabled account: %v", err)
		}
	})
}
