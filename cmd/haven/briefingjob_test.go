package main

import (
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// TestBriefingMail: with a monthly schedule, the job mails the month before's executive report on
// the 1st (an HTML attachment, the key figures in the text) to every address of the list, through
// the relay; on other days it sends nothing.
func TestBriefingMail(t *testing.T) {
	m := startMailServer(t, nil)
	if _, err := m.a.svc.CreateCase(m.admin, haven.CaseCreate{Title: "report me", Requester: &haven.RequesterInput{Name: "Zqbriefperson"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.a.svc.SetBriefingSchedule(m.admin, haven.BriefingSchedule{Every: "monthly", To: []string{"board@helpline.test", "lead@helpline.test"}, Lang: "fr"}); err != nil {
		t.Fatal(err)
	}
	_, err := m.a.svc.SetBriefingSchedule(m.admin, haven.BriefingSchedule{Every: "daily", To: []string{"x@helpline.test"}})
	if haven.ErrorCode(err) != haven.EINVALID {
		t.Fatalf("an unknown schedule: %v", err)
	}
	now := time.Now().UTC()
	first := time.Date(now.Year(), now.Month(), 1, 6, 0, 0, 0, time.UTC).AddDate(0, 1, 0) // the 1st to come: the month now ends
	if err := mailBriefing(m.e.ctx, m.a, m.rt.sender, first.AddDate(0, 0, 1)); err != nil || len(m.relay.received()) != 0 {
		t.Fatalf("the 2nd of the month mailed %d messages: %v", len(m.relay.received()), err)
	}
	if err := mailBriefing(m.e.ctx, m.a, m.rt.sender, first); err != nil {
		t.Fatal(err)
	}
	mail := m.relay.received()
	if len(mail) != 2 {
		t.Fatalf("%d messages, want one per address", len(mail))
	}
	raw := string(mail[0])
	if !strings.Contains(raw, "Rapport du") || !strings.Contains(raw, "text/html") || !strings.Contains(raw, "haven-report-") ||
		strings.Contains(raw, "Zqbriefperson") {
		t.Fatalf("the mail:\n%.3000s", raw)
	}
}
