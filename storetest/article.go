package storetest

import (
	"testing"

	"github.com/haven-helpline/haven"
)

func testArticles(t *testing.T, s haven.Store) {
	a := &haven.Article{Slug: "vetting", State: haven.ArticlePublished, Categories: []string{"harassment"},
		Variants: map[string]haven.ArticleVariant{"en": {Title: "Vetting", Body: "How we vet"}}, CreatedAt: t0, UpdatedAt: t0}
	update(t, s, func(tx haven.Tx) error { return tx.InsertArticle(ctx, a, "vetting how we vet عمل", 0) })
	dup := *a
	wantCode(t, s.Update(ctx, func(tx haven.Tx) error { return tx.InsertArticle(ctx, &dup, "", 0) }), haven.ECONFLICT)
	next := *a
	next.Version, next.State = 2, haven.ArticleDraft
	update(t, s, func(tx haven.Tx) error { return tx.UpdateArticle(ctx, &next, "rewritten", 0) })
	c := newCase(t, s, "cites", nil)
	hidden := newCase(t, s, "hidden", func(c *haven.Case) { c.RestrictedTo = []string{"nobody"} })
	update(t, s, func(tx haven.Tx) error {
		if err := tx.InsertCitation(ctx, c.ID, a.ID, 1, "referred", t0, 0); err != nil {
			return err
		}
		if err := tx.InsertCitation(ctx, hidden.ID, a.ID, 1, "referred", t0, 0); err != nil {
			return err
		}
		return tx.SetCitationRules(ctx, []haven.Outcome{"referred", "out-of-scope"})
	})
	view(t, s, func(tx haven.Tx) error {
		if got, err := tx.ArticleBySlug(ctx, "vetting"); err != nil || got.Version != 2 || got.State != haven.ArticleDraft {
			t.Fatalf("current: %+v %v", got, err)
		}
		if v1, err := tx.ArticleVersion(ctx, a.ID, 1); err != nil || v1.State != haven.ArticlePublished || v1.Variants["en"].Title != "Vetting" {
			t.Fatalf("version 1: %+v %v", v1, err)
		}
		if found, err := tx.FindArticles(ctx, haven.ArticleFilter{Text: "rewrit", Drafts: true}); err != nil || len(found) != 1 {
			t.Fatalf("search a draft's words with drafts: %d %v", len(found), err)
		}
		if found, err := tx.FindArticles(ctx, haven.ArticleFilter{Text: "rewrit"}); err != nil || len(found) != 0 {
			t.Fatalf("a draft is not found without drafts: %d %v", len(found), err)
		}
		cited, err := tx.CaseCitations(ctx, c.ID)
		if err != nil || len(cited) != 1 || cited[0].Article != "vetting" || cited[0].Version != 1 {
			t.Fatalf("case citations: %+v %v", cited, err)
		}
		seen, err := tx.ArticleCitations(ctx, a.ID, haven.Viewer{Now: t0})
		if err != nil || len(seen) != 1 || seen[0].CaseNumber != c.Number {
			t.Fatalf("citations on visible cases only: %+v %v", seen, err)
		}
		rules, err := tx.CitationRules(ctx)
		if err != nil || len(rules) != 2 || rules[0] != "out-of-scope" {
			t.Fatalf("rules: %v %v", rules, err)
		}
		return nil
	})
}
