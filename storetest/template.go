package storetest

import (
	"testing"

	"github.com/haven-helpline/haven"
)

func testTemplates(t *testing.T, s haven.Store) {
	v1 := map[string]haven.TemplateVariant{"en": {Subject: "About {case_number}", Body: "Hello {requester_name}"}}
	tpl := &haven.Template{Name: "phishing-first", Kind: haven.TemplateReply, Categories: []string{"phishing"}, Variants: v1, CreatedAt: t0, UpdatedAt: t0}
	update(t, s, func(tx haven.Tx) error { return tx.InsertTemplate(ctx, tpl, 0) })
	again := *tpl
	wantCode(t, s.Update(ctx, func(tx haven.Tx) error { return tx.InsertTemplate(ctx, &again, 0) }), haven.ECONFLICT)
	next := *tpl
	next.Version, next.Variants = 2, map[string]haven.TemplateVariant{"en": v1["en"], "ar": {Body: "مرحبا {requester_name}"}}
	update(t, s, func(tx haven.Tx) error { return tx.UpdateTemplate(ctx, &next, 0) })
	stale := *tpl
	stale.Version = 2 // made from version 1 by someone else meanwhile
	wantCode(t, s.Update(ctx, func(tx haven.Tx) error { return tx.UpdateTemplate(ctx, &stale, 0) }), haven.ECONFLICT)
	other := &haven.Template{Name: "generic-close", Kind: haven.TemplateReply, Categories: []string{}, Variants: v1, CreatedAt: t0, UpdatedAt: t0}
	note := &haven.Template{Name: "note-escalated", Kind: haven.TemplateNote, Categories: []string{"account-compromise"}, Variants: v1, CreatedAt: t0, UpdatedAt: t0}
	update(t, s, func(tx haven.Tx) error {
		if err := tx.InsertTemplate(ctx, other, 0); err != nil {
			return err
		}
		return tx.InsertTemplate(ctx, note, 0)
	})
	view(t, s, func(tx haven.Tx) error {
		got, err := tx.TemplateByName(ctx, "phishing-first")
		if err != nil || got.Version != 2 || got.Variants["ar"].Body != "مرحبا {requester_name}" {
			t.Fatalf("current version: %+v %v", got, err)
		}
		old, err := tx.TemplateVersion(ctx, tpl.ID, 1)
		if err != nil || old.Version != 1 || len(old.Variants) != 1 {
			t.Fatalf("version 1: %+v %v", old, err)
		}
		vs, err := tx.TemplateVersions(ctx, tpl.ID)
		if err != nil || len(vs) != 2 || vs[0].Version != 2 {
			t.Fatalf("history: %+v %v", vs, err)
		}
		_, err = tx.TemplateVersion(ctx, tpl.ID, 3)
		wantCode(t, err, haven.ENOTFOUND)
		return nil
	})
	names := func(f haven.TemplateFilter) []string {
		var out []string
		view(t, s, func(tx haven.Tx) error {
			ts, err := tx.FindTemplates(ctx, f)
			for _, x := range ts {
				out = append(out, x.Name)
			}
			return err
		})
		return out
	}
	if got := names(haven.TemplateFilter{Category: "account-compromise/facebook"}); len(got) != 2 || got[0] != "generic-close" || got[1] != "note-escalated" {
		t.Fatalf("for a sub-category: %v", got)
	}
	if got := names(haven.TemplateFilter{Kind: haven.TemplateReply, Language: "ar"}); len(got) != 2 || got[0] != "phishing-first" {
		t.Fatalf("replies, Arabic first: %v", got)
	}
	update(t, s, func(tx haven.Tx) error { return tx.RetireTemplate(ctx, other.ID, t0) })
	if got := names(haven.TemplateFilter{}); len(got) != 2 {
		t.Fatalf("a retired template is listed: %v", got)
	}
	if got := names(haven.TemplateFilter{Retired: true}); len(got) != 3 {
		t.Fatalf("with retired: %v", got)
	}
	c := newCase(t, s, "templated reply", nil)
	m := &haven.Message{CaseID: c.ID, Direction: haven.Outbound, Channel: "email", Text: "Hello", Status: "recorded",
		CreatedAt: t0, TemplateID: tpl.ID, TemplateVersion: 2}
	update(t, s, func(tx haven.Tx) error { return tx.InsertMessage(ctx, m) })
	view(t, s, func(tx haven.Tx) error {
		got, err := tx.MessageByID(ctx, m.ID)
		if err != nil || got.TemplateID != tpl.ID || got.TemplateVersion != 2 {
			t.Fatalf("the message's template: %+v %v", got, err)
		}
		return nil
	})
}
