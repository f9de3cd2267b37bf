package service_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/service"
)

func TestRetentionPolicies(t *testing.T) {
	f := newErasureFixture(t)
	_, err := f.svc.SetRetentionPolicy(f.lead, haven.RetentionPolicy{Category: "spyware", Days: 365})
	wantCode(t, err, haven.EFORBIDDEN)
	_, err = f.svc.SetRetentionPolicy(f.admin, haven.RetentionPolicy{Category: "no-such-category", Days: 365})
	wantCode(t, err, haven.ENOTFOUND)
	_, err = f.svc.SetRetentionPolicy(f.admin, haven.RetentionPolicy{Category: "spyware", Days: -1})
	wantCode(t, err, haven.EINVALID)
	for _, p := range []haven.RetentionPolicy{{Category: "spyware", Days: 365}, {Category: "*", Days: 1000}, {Category: "spyware", Days: 400}} {
		if _, err := f.svc.SetRetentionPolicy(f.admin, p); err != nil {
			t.Fatal(err)
		}
	}
	got, err := f.svc.RetentionPolicies(f.handler)
	if err != nil || len(got) != 2 || got[0].Category != "*" || got[1].Days != 400 {
		t.Fatalf("policies: %+v %v", got, err)
	}
	if _, err := f.svc.SetRetentionPolicy(f.admin, haven.RetentionPolicy{Category: "*"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.svc.RetentionPolicies(f.handler); len(got) != 1 {
		t.Fatalf("after removing the default: %+v", got)
	}
	if n := countEventsIn(t, f, "retention."); n != 4 {
		t.Fatalf("%d retention events, want 4", n)
	}
}

// TestPurgeExpired: a case closed longer ago than its policy loses its personal data and its
// requester (who has no other case); its statistics and the audit chain stay; it is read-only.
func TestPurgeExpired(t *testing.T) {
	f := newErasureFixture(t)
	if _, err := f.svc.TransitionCase(f.handler, f.number, haven.Transition{To: haven.StatusClosed, Outcome: "resolved"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SetRetentionPolicy(f.admin, haven.RetentionPolicy{Category: "spyware", Days: 365}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	early := service.New(f.db, &fixedClock{t: time.Date(2027, 11, 22, 8, 0, 0, 0, time.UTC)}, service.DefaultConfig())
	if p, err := early.PurgeExpired(ctx); err != nil || len(p.Cases) != 0 {
		t.Fatalf("a day before expiry: %+v %v", p, err)
	}
	later := service.New(f.db, &fixedClock{t: time.Date(2027, 11, 24, 8, 0, 0, 0, time.UTC)}, service.DefaultConfig())
	p, err := later.PurgeExpired(ctx)
	if err != nil || len(p.Cases) != 1 || p.Cases[0] != f.number || p.Notes != 1 || p.Messages != 1 || p.Reports != 2 || p.Requesters != 1 {
		t.Fatalf("purge: %+v %v", p, err)
	}
	f.checkPurged(t)
	if again, err := later.PurgeExpired(ctx); err != nil || len(again.Cases) != 0 {
		t.Fatalf("second purge: %+v %v", again, err)
	}
	_, err = f.svc.UpdateCase(f.lead, f.number, haven.CaseUpdate{Title: ptr("back from the dead")})
	wantCode(t, err, haven.ECONFLICT)
	_, err = f.svc.TransitionCase(f.lead, f.number, haven.Transition{To: haven.StatusOpen})
	wantCode(t, err, haven.ECONFLICT)
	page, err := f.svc.AuditEvents(f.admin, haven.EventFilter{Action: "case.purged", Limit: 10})
	if err != nil || len(page.Items) != 1 || page.Items[0].Data["notes"] != float64(1) {
		t.Fatalf("case.purged events: %+v %v", page, err)
	}
	if report, err := f.db.VerifyAudit(ctx); err != nil || report.Problem != nil {
		t.Fatalf("audit chain after the purge: %+v %v", report, err)
	}
	all, err := f.svc.AuditEvents(f.admin, haven.EventFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	trail, _ := json.Marshal(all.Items)
	for _, secret := range []string{person.name, person.email, person.note, "Stalkerware suspected"} {
		if strings.Contains(string(trail), secret) {
			t.Errorf("the audit trail still holds %q after the purge", secret)
		}
	}
}

func (f *erasureFixture) checkPurged(t *testing.T) {
	t.Helper()
	c, err := f.svc.Case(f.lead, f.number)
	if err != nil || c.Title != "" || c.RequesterID != 0 || c.PurgedAt == nil {
		t.Fatalf("purged case: %+v %v", c, err)
	}
	if c.Outcome != "resolved" || c.Country != "FR" || len(c.Categories) != 1 || c.ClosedAt == nil || c.CreatedAt.IsZero() {
		t.Fatalf("the purge lost statistics: %+v", c)
	}
	r, err := f.svc.Requester(f.lead, f.requesterID)
	if err == nil && (r.Name != "" || len(r.Contacts) != 0) {
		t.Fatalf("requester after the purge: %+v", r)
	}
	notes, _ := f.svc.Notes(f.lead, f.number)
	msgs, _ := f.svc.Messages(f.lead, f.number)
	if len(notes) != 1 || notes[0].Body != "" || len(msgs) != 1 || msgs[0].Text != "" {
		t.Fatalf("notes %+v messages %+v", notes, msgs)
	}
	if found, _ := f.svc.Cases(f.lead, haven.CaseFilter{Text: "laundromat"}); len(found.Items) != 0 {
		t.Fatal("the purged note is still searchable")
	}
	if found, _ := f.svc.Cases(f.lead, haven.CaseFilter{Text: "stalkerware"}); len(found.Items) != 0 {
		t.Fatal("the purged title is still searchable")
	}
}
func ptr[T any](v T) *T { return &v }
