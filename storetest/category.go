package storetest

import (
	"slices"
	"testing"

	"github.com/haven-helpline/haven"
)

func testTaxonomy(t *testing.T, s haven.Store) {
	update(t, s, func(tx haven.Tx) error {
		for _, c := range []*haven.Category{{Slug: "tax", Name: "Tax", Labels: map[string]string{"en": "Tax"}},
			{Slug: "tax/fb", Name: "FB", Parent: "tax", Labels: map[string]string{"ar": "فيسبوك"}}} {
			if err := tx.InsertCategory(ctx, c); err != nil {
				return err
			}
		}
		return tx.PutRetentionPolicy(ctx, &haven.RetentionPolicy{Category: "tax/fb", Days: 30, UpdatedAt: t0})
	})
	c := newCase(t, s, "filed", func(c *haven.Case) { c.Categories = []string{"tax/fb", "phishing"} })
	member := &haven.User{Username: "rania", Role: haven.RoleHandler, PasswordHash: "h", CreatedAt: t0}
	update(t, s, func(tx haven.Tx) error { return tx.InsertUser(ctx, member) })
	secret := newCase(t, s, "hidden", func(c *haven.Case) {
		c.Categories, c.TLP, c.Assignee = []string{"tax"}, "red", member.Username
	})
	var moved int
	update(t, s, func(tx haven.Tx) (err error) {
		if err := tx.SetCategoryLabels(ctx, "tax", map[string]string{"en": "Taxes", "fr": "Impôts"}); err != nil {
			return err
		}
		moved, err = tx.RenameCategory(ctx, "tax", "levy")
		return err
	})
	view(t, s, func(tx haven.Tx) error {
		got, err := tx.CaseByID(ctx, c.ID)
		if err != nil || moved != 2 || !slices.Equal(got.Categories, []string{"levy/fb", "phishing"}) {
			t.Fatalf("the case after the rename: %v (%d moved) %v", got.Categories, moved, err)
		}
		child, err := tx.CategoryBySlug(ctx, "levy/fb")
		if err != nil || child.Parent != "levy" || child.Labels["ar"] != "فيسبوك" {
			t.Fatalf("the sub-category: %+v %v", child, err)
		}
		if _, err := tx.CategoryBySlug(ctx, "tax"); haven.ErrorCode(err) != haven.ENOTFOUND {
			t.Fatalf("the old slug stayed: %v", err)
		}
		parent, _ := tx.CategoryBySlug(ctx, "levy")
		if parent.Name != "Taxes" || parent.Labels["fr"] != "Impôts" {
			t.Fatalf("labels: %+v", parent)
		}
		ps, _ := tx.RetentionPolicies(ctx)
		if !slices.ContainsFunc(ps, func(p *haven.RetentionPolicy) bool { return p.Category == "levy/fb" }) {
			t.Fatalf("the retention policy did not follow: %+v", ps)
		}
		return nil
	})
	// A restricted case is found by its categories' words: the new ones, no longer the old.
	for q, want := range map[string]int{"levy": 1, "tax": 0} {
		found := collect(t, s, haven.CaseFilter{Text: q, Limit: 10, Viewer: haven.Viewer{UserID: member.ID, Now: t0}})
		if len(found) != want || want == 1 && found[0].ID != secret.ID {
			t.Fatalf("search %q after the rename: %d cases, want %d", q, len(found), want)
		}
	}
	update(t, s, func(tx haven.Tx) error { return tx.SetCategoryRetired(ctx, "levy", &t0) })
	view(t, s, func(tx haven.Tx) error {
		if got, _ := tx.CategoryBySlug(ctx, "levy"); got.RetiredAt == nil {
			t.Fatal("not retired")
		}
		return nil
	})
}
