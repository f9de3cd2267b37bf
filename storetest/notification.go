package storetest

import (
	"context"
	"maps"
	"testing"

	"github.com/haven-helpline/haven"
)

// testNotificationPrefs: a user's email choices are kept per kind, a second choice replaces the
// first, and one user's choices are not another's.
func testNotificationPrefs(t *testing.T, s haven.Store) {
	ctx := context.Background()
	nour, omar := &haven.User{Username: "nour", Role: haven.RoleHandler, PasswordHash: "x", CreatedAt: t0},
		&haven.User{Username: "omar", Role: haven.RoleLead, PasswordHash: "x", CreatedAt: t0}
	update(t, s, func(tx haven.Tx) error {
		if err := tx.InsertUser(ctx, nour); err != nil {
			return err
		}
		return tx.InsertUser(ctx, omar)
	})
	prefs := func(u *haven.User) (out map[string]bool) {
		t.Helper()
		view(t, s, func(tx haven.Tx) (err error) {
			out, err = tx.NotificationPrefs(ctx, u.ID)
			return err
		})
		return out
	}
	if got := prefs(nour); len(got) != 0 {
		t.Fatalf("choices before any: %v", got)
	}
	update(t, s, func(tx haven.Tx) error {
		for kind, email := range map[string]bool{haven.NoticeMention: true, haven.NoticeBreakGlass: true, haven.NoticeReply: true} {
			if err := tx.SetNotificationPref(ctx, nour.ID, kind, email); err != nil {
				return err
			}
		}
		return tx.SetNotificationPref(ctx, nour.ID, haven.NoticeBreakGlass, false) // changes her mind
	})
	want := map[string]bool{haven.NoticeMention: true, haven.NoticeBreakGlass: false, haven.NoticeReply: true}
	if got := prefs(nour); !maps.Equal(got, want) {
		t.Fatalf("nour's choices: %v, want %v", got, want)
	}
	if got := prefs(omar); len(got) != 0 {
		t.Fatalf("omar has nour's choices: %v", got)
	}
}
