package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// testEscalations: an escalation round-trips with its sealed text, is found by its reply token,
// is listed only to those who may see its case, claims each reminder once, and gives its facts
// for the period and viewer asked.
func testEscalations(t *testing.T, s haven.Store) {
	ctx := context.Background()
	open := newCase(t, s, "Open case", nil)
	hidden := newCase(t, s, "Hidden case", func(c *haven.Case) { c.Compartment = "child-safety" })
	sent, due := t0.Add(time.Hour), t0.Add(25*time.Hour)
	mk := func(c *haven.Case, token string) *haven.Escalation {
		return &haven.Escalation{CaseID: c.ID, Platform: "instagram", Kind: "hacked-account", Channel: "email",
			Address: "partners@instagram.example", Subject: "Hijacked", Body: "Account of Leila", State: haven.EscalationSent,
			ReplyToken: token, TargetHours: 24, PersonalData: true, CreatedAt: t0, SentAt: &sent, DueAt: &due, NextReminderAt: &due}
	}
	a, b := mk(open, "AAAAAAAAAA"), mk(hidden, "BBBBBBBBBB")
	update(t, s, func(tx haven.Tx) error {
		if err := tx.InsertEscalation(ctx, a); err != nil {
			return err
		}
		return tx.InsertEscalation(ctx, b)
	})
	view(t, s, func(tx haven.Tx) error {
		got, err := tx.EscalationByToken(ctx, "AAAAAAAAAA")
		if err != nil || got.ID != a.ID || got.Body != "Account of Leila" || got.CaseNumber != open.Number ||
			got.PlatformName != "Instagram" || !got.DueAt.Equal(due) {
			t.Fatalf("by token: %+v %v", got, err)
		}
		_, err = tx.EscalationByToken(ctx, "CCCCCCCCCC")
		wantCode(t, err, haven.ENOTFOUND)
		outsider := haven.Viewer{UserID: 999, Now: t0}
		list, err := tx.Escalations(ctx, haven.EscalationFilter{Limit: 10}, outsider)
		if err != nil || len(list) != 1 || list[0].ID != a.ID {
			t.Fatalf("an outsider lists %d escalations (%v)", len(list), err)
		}
		all, _ := tx.Escalations(ctx, haven.EscalationFilter{Limit: 10, Console: true}, outsider)
		overdue, _ := tx.Escalations(ctx, haven.EscalationFilter{Limit: 10, Overdue: true, Console: true}, haven.Viewer{Now: due.Add(time.Minute)})
		if len(all) != 2 || len(overdue) != 2 {
			t.Fatalf("console: %d, overdue %d", len(all), len(overdue))
		}
		var facts []haven.EscalationFact
		err = tx.EscalationFacts(ctx, t0, t0.Add(48*time.Hour), outsider, func(f *haven.EscalationFact) { facts = append(facts, *f) })
		if err != nil || len(facts) != 1 || facts[0].Platform != "instagram" || !facts[0].SentAt.Equal(sent) || !facts[0].FirstResponseAt.IsZero() {
			t.Fatalf("facts for an outsider: %+v %v", facts, err)
		}
		return nil
	})
	claimOnce(t, s, a, due)
}

// claimOnce: a due reminder is claimed by one runner only.
func claimOnce(t *testing.T, s haven.Store, e *haven.Escalation, due time.Time) {
	ctx := context.Background()
	next := due.Add(48 * time.Hour)
	update(t, s, func(tx haven.Tx) error {
		list, err := tx.DueEscalationReminders(ctx, due, 10)
		if err != nil || len(list) != 2 {
			t.Fatalf("due reminders: %d %v", len(list), err)
		}
		first, err := tx.ClaimEscalationReminder(ctx, e.ID, &due, &next)
		if err != nil || !first {
			t.Fatalf("first claim: %v %v", first, err)
		}
		again, err := tx.ClaimEscalationReminder(ctx, e.ID, &due, &next)
		if err != nil || again {
			t.Fatalf("second claim of the same reminder: %v %v", again, err)
		}
		got, err := tx.EscalationByID(ctx, e.ID)
		if err != nil || got.Reminders != 1 || !got.NextReminderAt.Equal(next) {
			t.Fatalf("after the claim: %+v %v", got, err)
		}
		return nil
	})
}
