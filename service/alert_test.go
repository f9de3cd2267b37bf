package service_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// alertPolicy pages amira, then lucas after 5 minutes, then team mena after 10 more.
func alertPolicy(t *testing.T, f *fixture) {
	t.Helper()
	p := haven.EscalationPolicy{Name: haven.DefaultPolicy, Levels: []haven.PolicyLevel{
		{Targets: []haven.PolicyTarget{{Kind: "user", Name: "amira"}}, DelayMinutes: 5},
		{Targets: []haven.PolicyTarget{{Kind: "user", Name: "lucas"}}, DelayMinutes: 10},
		{Targets: []haven.PolicyTarget{{Kind: "team", Name: "mena"}}, DelayMinutes: 5}}}
	if _, err := f.svc.SavePolicy(f.admin, p); err != nil {
		t.Fatal(err)
	}
}

func p1Case(t *testing.T, f *fixture, restricted bool) (*haven.Case, *haven.Alert) {
	t.Helper()
	in := haven.CaseCreate{Title: "Threat to life", Team: "mena", Priority: "P1"}
	if restricted {
		in.TLP, in.RestrictedTo = "red", []string{"amira"}
	}
	c, err := f.svc.CreateCase(f.users["amira"], in)
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.svc.CaseAlert(f.users["amira"], c.Number)
	if err != nil || a == nil || a.State != haven.AlertTriggered || a.Trigger != haven.TriggerPriority || a.Level != 0 {
		t.Fatalf("a P1 case raises an alert: %+v %v", a, err)
	}
	return c, a
}

func pages(t *testing.T, f *fixture, user string) int {
	t.Helper()
	return countKind(notifications(t, f, user), haven.NoticeAlert)
}

func step(t *testing.T, f *fixture, a *haven.Alert, level, round int) {
	t.Helper()
	if err := f.svc.RunAlertStep(f.admin, a.ID, level, round); err != nil {
		t.Fatal(err)
	}
}

// TestAlertEscalatesThroughLevels: with nobody acknowledging, each level is paged on time, once
// (a step run twice pages once), until the chain is exhausted.
func TestAlertEscalatesThroughLevels(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		alertPolicy(t, f)
		_, a := p1Case(t, f, false)
		step(t, f, a, 0, 0)
		step(t, f, a, 0, 0)
		if pages(t, f, "amira") != 1 || pages(t, f, "lucas") != 0 {
			t.Fatalf("level 0: amira %d, lucas %d pages", pages(t, f, "amira"), pages(t, f, "lucas"))
		}
		got, _ := f.svc.Alert(f.users["amira"], a.ID)
		if got.Level != 1 || !got.NextStepAt.Equal(f.clock.t.Add(5*time.Minute)) {
			t.Fatalf("after level 0: %+v", got)
		}
		f.clock.t = f.clock.t.Add(5 * time.Minute)
		step(t, f, a, 1, 0)
		f.clock.t = f.clock.t.Add(10 * time.Minute)
		step(t, f, a, 2, 0)
		if pages(t, f, "lucas") != 1 || pages(t, f, "amira") != 2 {
			t.Fatalf("levels 1 and 2: lucas %d, amira %d pages", pages(t, f, "lucas"), pages(t, f, "amira"))
		}
		got, _ = f.svc.Alert(f.users["amira"], a.ID)
		paged := 0
		for _, e := range got.History {
			if e.Kind == "paged" {
				paged++
			}
		}
		if got.Level != -1 || got.NextStepAt != nil || paged != 3 {
			t.Fatalf("the chain is exhausted after three pages: %+v", got)
		}
	})
}

// TestAlertStopsOnAcknowledge: acknowledging stops the escalation, records who and when, and
// takes the banner down.
func TestAlertStopsOnAcknowledge(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		alertPolicy(t, f)
		c, a := p1Case(t, f, false)
		step(t, f, a, 0, 0)
		f.clock.t = f.clock.t.Add(2 * time.Minute)
		acked, err := f.svc.AcknowledgeAlert(f.users["amira"], a.ID)
		if err != nil || acked.State != haven.AlertAcknowledged || acked.AcknowledgedBy != "amira" || !acked.AcknowledgedAt.Equal(f.clock.t) {
			t.Fatalf("acknowledge: %+v %v", acked, err)
		}
		f.clock.t = f.clock.t.Add(5 * time.Minute)
		step(t, f, a, 1, 0)
		if pages(t, f, "lucas") != 0 {
			t.Fatal("the next level was paged after the acknowledgement")
		}
		unread, _ := f.svc.Notifications(f.users["amira"], true)
		if countKind(unread, haven.NoticeAlert) != 0 {
			t.Fatal("the banner stays after the acknowledgement")
		}
		_, err = f.svc.AcknowledgeAlert(f.users["amira"], a.ID)
		wantCode(t, err, haven.ECONFLICT)
		again, err := f.svc.CreateAlert(f.users["amira"], haven.AlertCreate{Case: c.Number, Message: "still in danger"})
		if err != nil || again.ID != a.ID || again.Triggers != 2 {
			t.Fatalf("a second trigger adds to the open alert: %+v %v", again, err)
		}
		if _, err := f.svc.ResolveAlert(f.users["amira"], a.ID); err != nil {
			t.Fatal(err)
		}
		fresh, err := f.svc.CreateAlert(f.users["amira"], haven.AlertCreate{Case: c.Number})
		if err != nil || fresh.ID == a.ID || fresh.Trigger != haven.TriggerManual {
			t.Fatalf("after resolution a new alert: %+v %v", fresh, err)
		}
	})
}

// TestAlertNeedToKnow: a restricted case is paged only to those who may see it (the others are
// skipped, on the history), and its alert is hidden from everyone else.
func TestAlertNeedToKnow(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		alertPolicy(t, f)
		_, a := p1Case(t, f, true)
		step(t, f, a, 0, 0)
		f.clock.t = f.clock.t.Add(5 * time.Minute)
		step(t, f, a, 1, 0)
		if pages(t, f, "lucas") != 0 {
			t.Fatal("lucas, who may not see the case, was paged about it")
		}
		got, _ := f.svc.Alert(f.users["amira"], a.ID)
		if !slices.ContainsFunc(got.History, func(e haven.AlertEntry) bool { return e.Kind == "skipped" && e.User == "lucas" }) {
			t.Fatalf("the skip is not on the history: %+v", got.History)
		}
		_, err := f.svc.Alert(f.users["lucas"], a.ID)
		wantCode(t, err, haven.ENOTFOUND)
		_, err = f.svc.AcknowledgeAlert(f.users["lucas"], a.ID)
		wantCode(t, err, haven.ENOTFOUND)
		if list, _ := f.svc.Alerts(f.users["lucas"], ""); len(list) != 0 {
			t.Fatalf("lucas lists %d alerts", len(list))
		}
		_, err = f.svc.CreateAlert(f.users["sam"], haven.AlertCreate{Case: got.CaseNumber})
		if code := haven.ErrorCode(err); code != haven.EFORBIDDEN && code != haven.ENOTFOUND {
			t.Fatalf("an auditor paged: %v", err)
		}
		_, err = f.svc.CreateAlert(f.users["amira"], haven.AlertCreate{Case: got.CaseNumber, Policy: "nobody"})
		wantCode(t, err, haven.EINVALID)
		_, err = f.svc.ReassignAlert(f.users["amira"], a.ID, "lucas")
		wantCode(t, err, haven.EINVALID) // lucas may not see the case: no page tells him it exists
		if pages(t, f, "lucas") != 0 {
			t.Fatal("a refused reassignment paged")
		}
		if _, err := f.svc.ReassignAlert(f.users["amira"], a.ID, "amira"); err != nil || pages(t, f, "amira") != 2 {
			t.Fatalf("reassign to someone who sees the case: %v, %d pages", err, pages(t, f, "amira"))
		}
	})
}

// TestAlertFromEmergencyCategoryAndMailbox: a case opened in an emergency category (or under
// one), or by mail to an emergency mailbox, pages on-call though it is not P1.
func TestAlertFromEmergencyCategoryAndMailbox(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		alertPolicy(t, f)
		sub, err := f.svc.CreateCategory(f.admin, haven.CategoryInput{Slug: "threats/detention"})
		if err != nil || sub.Emergency {
			t.Fatalf("sub-category: %+v %v", sub, err)
		}
		c, err := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "Detained at the border", Team: "mena",
			Categories: []string{"threats/detention"}})
		if err != nil {
			t.Fatal(err)
		}
		if a, _ := f.svc.CaseAlert(f.users["amira"], c.Number); a == nil || a.Trigger != haven.TriggerCategory {
			t.Fatalf("an emergency category's case: %+v", a)
		}
		plain, _ := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "Phished", Team: "mena", Categories: []string{"phishing"}})
		if a, _ := f.svc.CaseAlert(f.users["amira"], plain.Number); a != nil {
			t.Fatalf("an ordinary case paged: %+v", a)
		}
		no := false
		if _, err := f.svc.UpdateCategory(f.admin, "threats", haven.CategoryUpdate{Emergency: &no}); err != nil {
			t.Fatal(err)
		}
		quiet, _ := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "Later", Team: "mena", Categories: []string{"threats"}})
		if a, _ := f.svc.CaseAlert(f.users["amira"], quiet.Number); a != nil {
			t.Fatalf("a category no longer marked emergency paged: %+v", a)
		}
		mail := email("sos1@mail.example", "rania@mail.example", "They are at my door", "please help")
		mail.Emergency = true
		res, err := f.svc.IngestEmail(context.Background(), mail)
		if err != nil {
			t.Fatal(err)
		}
		if a, _ := f.svc.CaseAlert(f.admin, res.CaseNumber); a == nil || a.Trigger != haven.TriggerMailbox {
			t.Fatalf("mail to an emergency mailbox: %+v", a)
		}
	})
}

// TestPageChannelTestMessage: a channel's test message can be sent again; while unverified, the
// new code replaces the old one. Someone else's channel answers like none.
func TestPageChannelTestMessage(t *testing.T) {
	f := newFixture(t)
	amira := f.users["amira"]
	ch, err := f.svc.AddPageChannel(amira, haven.PageChannelInput{Kind: "webhook", Address: "https://gateway.example/hook"})
	if err != nil {
		t.Fatal(err)
	}
	code := func(delivery int64) string {
		t.Helper()
		d, err := f.svc.PageDelivery(context.Background(), delivery)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		_ = json.Unmarshal(d.JSON, &body)
		return body["code"].(string)
	}
	first := code(1)
	if err := f.svc.TestPageChannel(amira, ch.ID); err != nil {
		t.Fatal(err)
	}
	second := code(2)
	if first != second { // one chance in a million that the new code is the old one
		_, err = f.svc.VerifyPageChannel(amira, ch.ID, first)
		wantCode(t, err, haven.EINVALID)
	}
	wantCode(t, f.svc.TestPageChannel(f.users["lucas"], ch.ID), haven.ENOTFOUND)
	if got, err := f.svc.VerifyPageChannel(amira, ch.ID, second); err != nil || got.VerifiedAt == nil {
		t.Fatalf("verify with the new code: %+v %v", got, err)
	}
}

// TestStaffEmailsInTheirLanguage: the emails Haven sends its own people (a channel's test code,
// an emailed notification of a page) are worded in the language each one chose, and carry
// references only.
func TestStaffEmailsInTheirLanguage(t *testing.T) {
	f := newFixture(t)
	amira := f.users["amira"]
	fr := "fr"
	if _, err := f.svc.UpdateMe(amira, haven.MeUpdate{Language: &fr}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddPageChannel(amira, haven.PageChannelInput{Kind: "webhook", Address: "https://gateway.example/hook"}); err != nil {
		t.Fatal(err)
	}
	d, err := f.svc.PageDelivery(context.Background(), 1)
	if err != nil || d.Subject != "Haven : vérifiez votre canal d’alerte" || !strings.Contains(d.Text, "Votre code de vérification Haven est ") {
		t.Fatalf("the test message in French: %+v %v", d, err)
	}
	alertPolicy(t, f)
	c, a := p1Case(t, f, false)
	step(t, f, a, 0, 0)
	ns := notifications(t, f, "amira")
	if len(ns) == 0 {
		t.Fatal("amira was not paged")
	}
	n, err := f.svc.NotificationEmail(context.Background(), ns[0].ID)
	if err != nil || n.Subject != "Haven "+c.Number+" : Urgence : vous avez été appelé pour ce dossier." ||
		n.Text != c.Number+" : Urgence : vous avez été appelé pour ce dossier.\n" {
		t.Fatalf("the page's email in French: %+v %v", n, err)
	}
}
