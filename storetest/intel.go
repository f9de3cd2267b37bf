package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/haven-helpline/haven"
)

// testIntel: actors and campaigns keep their fields (the description sealed), names are unique
// per kind, and a group lists only the cases the viewer may see.
func testIntel(t *testing.T, s haven.Store) {
	ctx := context.Background()
	actor := &haven.ThreatGroup{Kind: haven.GroupActor, Name: "Group X", Aliases: []string{"GX"}, TLP: "green",
		ActorKind: "intrusion-set", Techniques: []string{}, Description: "Sends fake verification mails", CreatedAt: t0, UpdatedAt: t0}
	campaign := &haven.ThreatGroup{Kind: haven.GroupCampaign, Name: "Fake PayPal wave", Aliases: []string{}, TLP: "amber",
		Techniques: []string{"T1566.002"}, CreatedAt: t0, UpdatedAt: t0}
	update(t, s, func(tx haven.Tx) error {
		if err := tx.InsertGroup(ctx, actor); err != nil {
			return err
		}
		campaign.Actors = []int64{actor.ID}
		return tx.InsertGroup(ctx, campaign)
	})
	err := s.Update(ctx, func(tx haven.Tx) error {
		return tx.InsertGroup(ctx, &haven.ThreatGroup{Kind: haven.GroupActor, Name: "Group X", Aliases: []string{}, TLP: "amber", CreatedAt: t0, UpdatedAt: t0})
	})
	wantCode(t, err, haven.ECONFLICT)
	var outsider *haven.User
	update(t, s, func(tx haven.Tx) error {
		outsider = &haven.User{Username: "outsider", Role: haven.RoleHandler, PasswordHash: "x", CreatedAt: t0}
		return tx.InsertUser(ctx, outsider)
	})
	open := newCase(t, s, "Open", nil)
	hidden := newCase(t, s, "Hidden", func(c *haven.Case) { c.Compartment = "child-safety" })
	for _, c := range []*haven.Case{open, hidden} {
		update(t, s, func(tx haven.Tx) error {
			return tx.SetCaseIntel(ctx, c.ID, &haven.CaseIntel{Techniques: []string{"T1566", "T1078"}, Groups: []int64{campaign.ID}})
		})
	}
	view(t, s, func(tx haven.Tx) error {
		g, err := tx.GroupByID(ctx, actor.ID)
		if err != nil {
			return err
		}
		if g.Description != actor.Description || !slices.Equal(g.Aliases, []string{"GX"}) || g.ActorKind != "intrusion-set" {
			t.Errorf("actor = %+v", g)
		}
		c, err := tx.GroupByID(ctx, campaign.ID)
		if err != nil || !slices.Equal(c.Actors, []int64{actor.ID}) || !slices.Equal(c.Techniques, []string{"T1566.002"}) {
			t.Errorf("campaign = %+v, %v", c, err)
		}
		refs, err := tx.GroupCases(ctx, campaign.ID, haven.Viewer{UserID: outsider.ID, Now: t0}, 10)
		if err != nil || len(refs) != 1 || refs[0].Number != open.Number {
			t.Errorf("campaign cases for an outsider = %+v, %v; want only %s", refs, err, open.Number)
		}
		ci, err := tx.CaseIntel(ctx, open.ID)
		if err != nil || !slices.Equal(ci.Techniques, []string{"T1078", "T1566"}) || !slices.Equal(ci.Groups, []int64{campaign.ID}) {
			t.Errorf("case intel = %+v, %v", ci, err)
		}
		return nil
	})
}
