package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// testSeesRestricted: only viewers with a way into some restricted case are told apart from
// those who see exactly the unrestricted cases (the service shares the latter's lists).
func testSeesRestricted(t *testing.T, s haven.Store) {
	ctx := context.Background()
	users := map[string]*haven.User{}
	update(t, s, func(tx haven.Tx) error {
		for _, name := range []string{"plain", "member", "assignee", "granted", "expired"} {
			u := &haven.User{Username: name, Role: haven.RoleHandler, PasswordHash: "x", CreatedAt: t0}
			if err := tx.InsertUser(ctx, u); err != nil {
				return err
			}
			users[name] = u
		}
		// child-safety exists from the start (a migration creates it)
		return tx.AddCompartmentMember(ctx, "child-safety", users["member"].ID)
	})
	restricted := newCase(t, s, "Restricted", func(c *haven.Case) {
		c.Compartment, c.Assignee = "child-safety", "assignee"
	})
	later := t0.Add(time.Hour)
	update(t, s, func(tx haven.Tx) error {
		if err := tx.InsertAccessGrant(ctx, &haven.AccessGrant{CaseID: restricted.ID, Kind: "grant", ExpiresAt: &later, CreatedAt: t0}, users["granted"].ID, 0); err != nil {
			return err
		}
		earlier := t0.Add(-time.Hour)
		return tx.InsertAccessGrant(ctx, &haven.AccessGrant{CaseID: restricted.ID, Kind: "grant", ExpiresAt: &earlier, CreatedAt: t0}, users["expired"].ID, 0)
	})
	for name, want := range map[string]bool{"plain": false, "member": true, "assignee": true, "granted": true, "expired": false} {
		view(t, s, func(tx haven.Tx) error {
			got, err := tx.SeesRestricted(ctx, haven.Viewer{UserID: users[name].ID, Now: t0})
			if err != nil {
				return err
			}
			if got != want {
				t.Errorf("%s: SeesRestricted = %v, want %v", name, got, want)
			}
			return nil
		})
	}
	view(t, s, func(tx haven.Tx) error {
		if lead, err := tx.SeesRestricted(ctx, haven.Viewer{UserID: users["plain"].ID, Lead: true, Now: t0}); err != nil || !lead {
			t.Errorf("a lead may see TLP:RED cases of their teams: %v %v", lead, err)
		}
		return nil
	})
}
