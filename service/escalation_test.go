package service_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// partnerPlatform gives Instagram an email channel and a 24-hour target for hacked accounts.
func partnerPlatform(t *testing.T, f *fixture) {
	t.Helper()
	channels := []haven.PlatformChannel{{Kind: "email", Address: "partners@instagram.example", Notes: "ask for Dana"}}
	targets := map[string]int{"hacked-account": 24}
	if _, err := f.svc.UpdatePlatform(f.admin, "instagram", haven.PlatformUpdate{Channels: &channels, Targets: &targets}); err != nil {
		t.Fatal(err)
	}
}

// escalationCase opens a case of team mena whose requester has not agreed to sharing.
func escalationCase(t *testing.T, f *fixture, restricted bool) *haven.Case {
	t.Helper()
	in := haven.CaseCreate{Title: "Instagram account taken over", Team: "mena", Priority: "P2",
		Requester: &haven.RequesterInput{Name: "Nour Haddad", Email: "nour@example.org"}}
	if restricted {
		in.TLP, in.RestrictedTo = "red", []string{"amira"}
	}
	c, err := f.svc.CreateCase(f.users["amira"], in)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func draft(t *testing.T, f *fixture, number, body string) *haven.Escalation {
	t.Helper()
	e, err := f.svc.CreateEscalation(f.users["amira"], number, haven.EscalationCreate{Platform: "instagram",
		Kind: "hacked-account", Subject: "Hijacked account of an at-risk journalist", Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func allowedOf(err error) []string {
	if he := haven.AsError(err); he != nil {
		return he.Allowed
	}
	return nil
}

// TestEscalationLifecycle: the state machine with its allowed targets, consent refused and
// overridden with a reason, the email queued with the change, reopening.
func TestEscalationLifecycle(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		partnerPlatform(t, f)
		c := escalationCase(t, f, false)
		amira := f.users["amira"]
		e := draft(t, f, c.Number, "Please help Nour Haddad recover the account @nour.")
		if e.State != haven.EscalationDraft || e.Channel != "email" || e.Address != "partners@instagram.example" || !e.PersonalData || e.TargetHours != 24 {
			t.Fatalf("draft: %+v", e)
		}
		_, err := f.svc.TransitionEscalation(amira, e.ID, haven.EscalationTransition{To: haven.EscalationAcknowledged})
		if wantCode(t, err, haven.ECONFLICT); !slices.Equal(allowedOf(err), []string{"sent", "withdrawn"}) {
			t.Fatalf("allowed from draft: %v", allowedOf(err))
		}
		_, err = f.svc.TransitionEscalation(amira, e.ID, haven.EscalationTransition{To: haven.EscalationSent})
		wantCode(t, err, haven.ECONFLICT) // no consent to share with partners
		_, err = f.svc.TransitionEscalation(amira, e.ID, haven.EscalationTransition{To: haven.EscalationSent, ConsentOverride: true})
		wantCode(t, err, haven.EINVALID) // an override needs a reason
		sent, err := f.svc.TransitionEscalation(amira, e.ID, haven.EscalationTransition{To: haven.EscalationSent,
			ConsentOverride: true, Reason: "threat to life, requester unreachable"})
		if err != nil || sent.State != haven.EscalationSent || !sent.ConsentOverride || sent.MessageID == 0 ||
			!sent.DueAt.Equal(f.clock.t.Add(24*time.Hour)) || !sent.NextReminderAt.Equal(*sent.DueAt) {
			t.Fatalf("sent with override: %+v %v", sent, err)
		}
		tl, _ := f.svc.Timeline(amira, c.Number)
		if last := tl[len(tl)-1]; last.Message == nil || last.Message.ID != sent.MessageID {
			t.Fatalf("the escalation's email is not on the timeline: %+v", last.Event)
		}
		msgs, _ := f.svc.Messages(amira, c.Number)
		if len(msgs) != 1 || msgs[0].EscalationID != e.ID || msgs[0].To[0] != "partners@instagram.example" || msgs[0].Text != e.Body {
			t.Fatalf("the escalation's email: %+v", msgs)
		}
		events, _ := f.svc.AuditEvents(f.users["sam"], haven.EventFilter{Case: c.Number, Action: "escalation.sent"})
		if len(events.Items) != 1 || events.Items[0].Data["consent_override"] != true || events.Items[0].ObjectID != fmt.Sprint(sent.MessageID) {
			t.Fatalf("the override is not in the trail: %+v", events.Items)
		}
		f.clock.t = f.clock.t.Add(3 * time.Hour)
		ack, err := f.svc.TransitionEscalation(amira, e.ID, haven.EscalationTransition{To: haven.EscalationAcknowledged, Reference: "IG-4471"})
		if err != nil || ack.FirstResponseAt == nil || ack.Reference != "IG-4471" || ack.NextReminderAt != nil {
			t.Fatalf("acknowledged: %+v %v", ack, err)
		}
		done, err := f.svc.TransitionEscalation(amira, e.ID, haven.EscalationTransition{To: haven.EscalationResolved})
		if err != nil || done.ClosedAt == nil {
			t.Fatalf("resolved: %+v %v", done, err)
		}
		_, err = f.svc.TransitionEscalation(amira, e.ID, haven.EscalationTransition{To: haven.EscalationDeclined})
		if wantCode(t, err, haven.ECONFLICT); !slices.Equal(allowedOf(err), []string{"acknowledged", "sent"}) {
			t.Fatalf("allowed from resolved: %v", allowedOf(err))
		}
		again, err := f.svc.TransitionEscalation(amira, e.ID, haven.EscalationTransition{To: haven.EscalationAcknowledged, Reason: "the account was lost again"})
		if err != nil || again.ClosedAt != nil || again.State != haven.EscalationAcknowledged {
			t.Fatalf("reopened: %+v %v", again, err)
		}
	})
}

// TestEscalationConsent: with the requester's consent no override is needed; an escalation
// declared free of personal data needs none either, unless it names them anyway.
func TestEscalationConsent(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		partnerPlatform(t, f)
		c := escalationCase(t, f, false)
		amira := f.users["amira"]
		no := false
		clean, err := f.svc.CreateEscalation(amira, c.Number, haven.EscalationCreate{Platform: "instagram", Kind: "content-removal",
			Body: "A phishing page imitates your login at https://evil.example/login", PersonalData: &no})
		if err != nil || clean.PersonalData {
			t.Fatalf("declared clean: %+v %v", clean, err)
		}
		if _, err := f.svc.TransitionEscalation(amira, clean.ID, haven.EscalationTransition{To: haven.EscalationSent}); err != nil {
			t.Fatalf("no personal data, no consent needed: %v", err)
		}
		named, _ := f.svc.CreateEscalation(amira, c.Number, haven.EscalationCreate{Platform: "instagram", Kind: "hacked-account",
			Body: "The holder's address is NOUR@example.org", PersonalData: &no})
		if !named.PersonalData {
			t.Fatal("a text naming the requester's address was taken as free of personal data")
		}
		consent := haven.Consent{ShareWithPartner: true}
		if _, err := f.svc.UpdateCase(amira, c.Number, haven.CaseUpdate{Consent: &consent}); err != nil {
			t.Fatal(err)
		}
		if s, err := f.svc.TransitionEscalation(amira, named.ID, haven.EscalationTransition{To: haven.EscalationSent}); err != nil || s.ConsentOverride {
			t.Fatalf("with consent: %+v %v", s, err)
		}
	})
}

// TestEscalationReminders: the owner is reminded when the target passes, again at the interval,
// once per due reminder however many runners ask, and the escalation becomes no-response.
func TestEscalationReminders(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		partnerPlatform(t, f)
		c := escalationCase(t, f, false)
		consent := haven.Consent{ShareWithPartner: true}
		if _, err := f.svc.UpdateCase(f.users["amira"], c.Number, haven.CaseUpdate{Consent: &consent}); err != nil {
			t.Fatal(err)
		}
		e := draft(t, f, c.Number, "Please review.")
		if _, err := f.svc.TransitionEscalation(f.users["amira"], e.ID, haven.EscalationTransition{To: haven.EscalationSent}); err != nil {
			t.Fatal(err)
		}
		remind := func(want int) []haven.EscalationReminder {
			t.Helper()
			got := runTwice(t, f)
			if len(got) != want {
				t.Fatalf("at %s: %d reminders, want %d", f.clock.t, len(got), want)
			}
			return got
		}
		remind(0)
		f.clock.t = f.clock.t.Add(23 * time.Hour)
		remind(0)
		f.clock.t = f.clock.t.Add(2 * time.Hour)
		remind(1)
		f.clock.t = f.clock.t.Add(47 * time.Hour)
		remind(0)
		f.clock.t = f.clock.t.Add(time.Hour)
		remind(1)
		if n := countKind(notifications(t, f, "amira"), "escalation_overdue"); n != 2 {
			t.Fatalf("%d overdue notices, want 2", n)
		}
		f.clock.t = f.clock.t.Add(14 * 24 * time.Hour)
		if r := remind(1); !r[0].GaveUp {
			t.Fatal("not given up after 14 days")
		}
		got, _ := f.svc.Escalation(f.users["amira"], e.ID)
		if got.State != haven.EscalationNoResponse || got.ClosedAt == nil || countKind(notifications(t, f, "amira"), "escalation_no_response") != 1 {
			t.Fatalf("after giving up: %+v", got)
		}
		f.clock.t = f.clock.t.Add(100 * 24 * time.Hour)
		remind(0)
	})
}

// runTwice runs two reminder runners at once, as two instances would.
func runTwice(t *testing.T, f *fixture) []haven.EscalationReminder {
	t.Helper()
	out := make(chan []haven.EscalationReminder, 2)
	for range 2 {
		go func() {
			r, err := f.svc.RemindEscalations(context.Background())
			if err != nil {
				t.Error(err)
			}
			out <- r
		}()
	}
	return append(<-out, <-out...)
}

func countKind(ns []*haven.Notification, kind string) int {
	n := 0
	for _, x := range ns {
		if x.Kind == kind {
			n++
		}
	}
	return n
}

// TestEscalationAnsweredByEmail: the platform's answer carrying the subject tag lands on that
// escalation and acknowledges it; a guessed tag does not; a reply to its email does too.
func TestEscalationAnsweredByEmail(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		partnerPlatform(t, f)
		c := escalationCase(t, f, false)
		amira := f.users["amira"]
		consent := haven.Consent{ShareWithPartner: true}
		if _, err := f.svc.UpdateCase(amira, c.Number, haven.CaseUpdate{Consent: &consent}); err != nil {
			t.Fatal(err)
		}
		first, second := draft(t, f, c.Number, "one"), draft(t, f, c.Number, "two")
		first, err := f.svc.TransitionEscalation(amira, first.ID, haven.EscalationTransition{To: haven.EscalationSent})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.TransitionEscalation(amira, second.ID, haven.EscalationTransition{To: haven.EscalationSent}); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		guess := email("g1@ig.example", "attacker@evil.example", "Re: [HVE-AAAAAAAAAA]", "guessed")
		guess.EscalationToken = "AAAAAAAAAA"
		if r, err := f.svc.IngestEmail(ctx, guess); err != nil || r.Threading != haven.ThreadNew || r.CaseNumber == c.Number {
			t.Fatalf("a guessed tag threaded: %+v %v", r, err)
		}
		tag := "[" + haven.EscalationTag(second.ReplyToken) + "]"
		answer := email("r1@ig.example", "noreply@support.instagram.example", "Re: Hijacked account "+tag, "We restored the account.")
		answer.EscalationToken = haven.SubjectEscalationToken(answer.Subject)
		f.clock.t = f.clock.t.Add(5 * time.Hour)
		r, err := f.svc.IngestEmail(ctx, answer)
		if err != nil || r.Threading != haven.ThreadEscalation || r.CaseNumber != c.Number || r.Acknowledge {
			t.Fatalf("the platform's answer: %+v %v", r, err)
		}
		got, _ := f.svc.Escalation(amira, second.ID)
		other, _ := f.svc.Escalation(amira, first.ID)
		if got.State != haven.EscalationAcknowledged || got.FirstResponseAt == nil || !got.FirstResponseAt.Equal(f.clock.t) || other.State != haven.EscalationSent {
			t.Fatalf("answered: %+v; the other: %+v", got, other)
		}
		if countKind(notifications(t, f, "amira"), "escalation_answered") != 1 {
			t.Fatal("the owner was not told of the answer")
		}
		if err := f.svc.MessageSent(ctx, first.MessageID, "esc-1@helpline.example"); err != nil {
			t.Fatal(err)
		}
		reply := email("r2@ig.example", "agent@instagram.example", "Your case 1234", "Looking into it")
		reply.InReplyTo = "esc-1@helpline.example"
		if r, err := f.svc.IngestEmail(ctx, reply); err != nil || r.Threading != haven.ThreadEscalation {
			t.Fatalf("a reply to the escalation's email: %+v %v", r, err)
		}
		if got, _ := f.svc.Escalation(amira, first.ID); got.State != haven.EscalationAcknowledged {
			t.Fatalf("the first escalation: %+v", got)
		}
	})
}

// TestEscalationNeedToKnow: an escalation on a case the reader may not see is not found, not
// listed and not counted.
func TestEscalationNeedToKnow(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		partnerPlatform(t, f)
		hidden := escalationCase(t, f, true)
		e := draft(t, f, hidden.Number, "restricted")
		if _, err := f.svc.TransitionEscalation(f.users["amira"], e.ID, haven.EscalationTransition{To: haven.EscalationSent,
			ConsentOverride: true, Reason: "urgent"}); err != nil {
			t.Fatal(err)
		}
		lucas := f.users["lucas"]
		_, err := f.svc.Escalation(lucas, e.ID)
		wantCode(t, err, haven.ENOTFOUND)
		_, err = f.svc.TransitionEscalation(lucas, e.ID, haven.EscalationTransition{To: haven.EscalationWithdrawn})
		wantCode(t, err, haven.ENOTFOUND)
		_, err = f.svc.CaseEscalations(lucas, hidden.Number)
		wantCode(t, err, haven.ENOTFOUND)
		if page, err := f.svc.Escalations(lucas, haven.EscalationFilter{}); err != nil || len(page.Items) != 0 {
			t.Fatalf("listed to an outsider: %+v %v", page, err)
		}
		st, err := f.svc.EscalationStats(lucas, haven.StatsQuery{})
		if err != nil || st.Total.Sent != 0 || len(st.Rows) != 0 {
			t.Fatalf("counted for an outsider: %+v %v", st, err)
		}
		mine, _ := f.svc.EscalationStats(f.users["amira"], haven.StatsQuery{})
		if mine.Total.Sent != 1 {
			t.Fatalf("the case's own handler: %+v", mine.Total)
		}
	})
}

// TestEscalationStats builds escalations whose figures are known in advance and checks every
// group, the gaps ranking and the defaults.
func TestEscalationStats(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		partnerPlatform(t, f)
		c := escalationCase(t, f, false)
		amira := f.users["amira"]
		consent := haven.Consent{ShareWithPartner: true}
		if _, err := f.svc.UpdateCase(amira, c.Number, haven.CaseUpdate{Consent: &consent}); err != nil {
			t.Fatal(err)
		}
		t0 := f.clock.t
		at := func(h time.Duration) { f.clock.t = t0.Add(h * time.Hour) }
		move := func(e *haven.Escalation, to haven.EscalationState) {
			t.Helper()
			if _, err := f.svc.TransitionEscalation(amira, e.ID, haven.EscalationTransition{To: to}); err != nil {
				t.Fatal(err)
			}
		}
		send := func(platform, kind string) *haven.Escalation {
			t.Helper()
			e, err := f.svc.CreateEscalation(amira, c.Number, haven.EscalationCreate{Platform: platform, Kind: kind, Body: "x"})
			if err != nil {
				t.Fatal(err)
			}
			move(e, haven.EscalationSent)
			return e
		}
		var ig []*haven.Escalation
		for range 5 {
			ig = append(ig, send("instagram", "hacked-account"))
		}
		fb := []*haven.Escalation{send("facebook", "doxxing"), send("facebook", "doxxing")}
		for i, e := range ig[:4] {
			at(time.Duration(i + 1))
			move(e, haven.EscalationAcknowledged)
		}
		at(6)
		for _, e := range ig[:3] {
			move(e, haven.EscalationResolved)
		}
		at(10)
		move(fb[0], haven.EscalationAcknowledged)
		at(30)
		move(ig[4], haven.EscalationAcknowledged)
		at(31)
		move(ig[3], haven.EscalationDeclined)
		at(18 * 24)
		send("instagram", "hacked-account")
		at(20 * 24)
		if _, err := f.svc.RemindEscalations(context.Background()); err != nil {
			t.Fatal(err)
		}
		q, err := haven.ParseStatsQuery("2026-10-01", "2026-12-31", "platform")
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.svc.EscalationStats(f.users["fatou"], q)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Rows) != 2 || st.Rows[0].Key != "instagram" || st.Rows[1].Key != "facebook" {
			t.Fatalf("rows: %+v", st.Rows)
		}
		wantRow(t, st.Rows[0], haven.EscalationStatsRow{Sent: 6, Responded: 5, Resolved: 3, Declined: 1, Open: 2, Overdue: 1,
			MissedTarget: 2, ResolvedShare: 0.5, DeclinedShare: 0.167, MissedTargetShare: 0.333}, 3, 19.6, 6)
		wantRow(t, st.Rows[1], haven.EscalationStatsRow{Sent: 2, Responded: 1, NoResponse: 1, Open: 1, MissedTarget: 1,
			NoResponseShare: 0.5, MissedTargetShare: 0.5}, 10, 10, -1)
		if st.Total.Sent != 8 || st.Total.Responded != 6 || len(st.Gaps) != 2 || st.Gaps[0].Platform != "facebook" || st.Gaps[1].Platform != "instagram" {
			t.Fatalf("total %+v, gaps %+v", st.Total, st.Gaps)
		}
		q.By = "month"
		months, _ := f.svc.EscalationStats(f.users["fatou"], q)
		if len(months.Rows) != 3 || months.Rows[0].Key != "2026-10" || months.Rows[1].Sent != 7 || months.Rows[2].Sent != 1 || months.Rows[2].Overdue != 1 {
			t.Fatalf("months: %+v", months.Rows)
		}
		q.By = "kind"
		kinds, _ := f.svc.EscalationStats(f.users["fatou"], q)
		if len(kinds.Rows) != 2 || kinds.Rows[0].Key != "hacked-account" || kinds.Rows[1].Sent != 2 {
			t.Fatalf("kinds: %+v", kinds.Rows)
		}
		recent, _ := f.svc.EscalationStats(f.users["fatou"], haven.StatsQuery{})
		if recent.To != f.clock.t.Format(time.DateOnly) || recent.Total.Sent != 8 {
			t.Fatalf("the default period: %s–%s, %d sent", recent.From, recent.To, recent.Total.Sent)
		}
	})
}

// wantRow compares a row's counts and shares, and its hours (-1: not measured).
func wantRow(t *testing.T, got, want haven.EscalationStatsRow, median, p90, resolution float64) {
	t.Helper()
	hours := func(h *float64) float64 {
		if h == nil {
			return -1
		}
		return *h
	}
	if hours(got.MedianFirstResponseHours) != median || hours(got.P90FirstResponseHours) != p90 || hours(got.MedianResolutionHours) != resolution {
		t.Fatalf("%s hours: median %v p90 %v resolution %v", got.Key, hours(got.MedianFirstResponseHours),
			hours(got.P90FirstResponseHours), hours(got.MedianResolutionHours))
	}
	got.Key, got.Label, got.MedianFirstResponseHours, got.P90FirstResponseHours, got.MedianResolutionHours = "", "", nil, nil, nil
	if got != want {
		t.Fatalf("row\n got %+v\nwant %+v", got, want)
	}
}
