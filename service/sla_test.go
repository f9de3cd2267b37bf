package service_test

import (
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

func clockOf(t *testing.T, ks []haven.SLAStatus, target string) haven.SLAStatus {
	t.Helper()
	for _, k := range ks {
		if k.Target == target {
			return k
		}
	}
	t.Fatalf("no %s clock in %+v", target, ks)
	return haven.SLAStatus{}
}

// TestSLAClocksBusinessHoursAndPauses: a team on Beirut office hours gets its case's clocks in
// business time; waiting for the requester stops them; the first reply stops the first-response
// clock and starts the next-update one.
func TestSLAClocksBusinessHoursAndPauses(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		if _, err := f.svc.SaveCalendar(f.admin, haven.BusinessCalendar{Name: "beirut-office", TimeZone: "Asia/Beirut",
			Days: []string{"mon", "tue", "wed", "thu", "fri"}, Start: "09:00", End: "17:00", Teams: []string{"mena"}}); err != nil {
			t.Fatal(err)
		}
		amira := f.users["amira"]
		c, err := f.svc.CreateCase(amira, haven.CaseCreate{Title: "Account locked", Team: "mena", Priority: "P3"}) // Monday 10:00 in Beirut
		if err != nil {
			t.Fatal(err)
		}
		thursday := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC) // 24 business hours later: Thursday 10:00 Beirut
		if !c.FirstResponseDue.Equal(thursday) {
			t.Fatalf("first response due %s, want %s", c.FirstResponseDue, thursday)
		}
		for _, to := range []haven.Status{haven.StatusOpen, haven.StatusWaitingRequester} {
			if _, err := f.svc.TransitionCase(amira, c.Number, haven.Transition{To: to}); err != nil {
				t.Fatal(err)
			}
		}
		f.clock.t = f.clock.t.Add(2 * time.Hour)
		paused, _ := f.svc.CaseClocks(amira, c.Number)
		if k := clockOf(t, paused, haven.TargetFirstResponse); !k.Paused || k.ElapsedMinutes != 0 {
			t.Fatalf("waiting for the requester: %+v", k)
		}
		if _, err := f.svc.TransitionCase(amira, c.Number, haven.Transition{To: haven.StatusOpen}); err != nil {
			t.Fatal(err)
		}
		got, _ := f.svc.Case(amira, c.Number)
		if !got.FirstResponseDue.Equal(thursday.Add(2 * time.Hour)) {
			t.Fatalf("after two hours' wait, first response due %s", got.FirstResponseDue)
		}
		f.clock.t = f.clock.t.Add(time.Hour)
		if _, err := f.svc.AddMessage(amira, c.Number, haven.MessageCreate{Text: "Here is what to do."}); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.svc.Case(amira, c.Number); got.FirstResponseDue != nil {
			t.Fatalf("answered, yet the first response is still due %s", got.FirstResponseDue)
		}
		ks, _ := f.svc.CaseClocks(amira, c.Number)
		first, next := clockOf(t, ks, haven.TargetFirstResponse), clockOf(t, ks, haven.TargetNextUpdate)
		if !first.Met || first.ElapsedMinutes != 60 || next.Met || next.RemainingMinutes != 72*60 {
			t.Fatalf("after the reply: first %+v, next %+v", first, next)
		}
	})
}

// TestSLAWarningsAndBreaches: the check job warns the assignee at 75 % of a target and records a
// breach once, as a notice and an event.
func TestSLAWarningsAndBreaches(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		amira := f.users["amira"]
		c, err := f.svc.CreateCase(amira, haven.CaseCreate{Title: "Threat", Team: "mena", Priority: "P2", Assignee: "amira"})
		if err != nil {
			t.Fatal(err)
		}
		check := func(want int) {
			t.Helper()
			if n, err := f.svc.CheckSLAs(f.admin); err != nil || n != want {
				t.Fatalf("at %s: %d warnings and breaches (%v), want %d", f.clock.t, n, err, want)
			}
		}
		check(0)
		later, _ := f.svc.CreateCase(amira, haven.CaseCreate{Title: "Later", Team: "mena", Priority: "P4"})
		soon, err := f.svc.Cases(amira, haven.CaseFilter{BreachingSoon: true, OpenOnly: true})
		if err != nil || len(soon.Items) != 1 || soon.Items[0].Number != c.Number {
			t.Fatalf("breaching soon: %+v %v (not %s)", soon, err, later.Number)
		}
		f.clock.t = f.clock.t.Add(89 * time.Minute) // 74 % of the 2-hour first response
		check(0)
		f.clock.t = f.clock.t.Add(2 * time.Minute)
		check(1)
		check(0)
		f.clock.t = f.clock.t.Add(30 * time.Minute)
		check(1)
		if countKind(notifications(t, f, "amira"), "sla_warning") != 1 || countKind(notifications(t, f, "amira"), "sla_breached") != 1 {
			t.Fatalf("notices: %+v", notifications(t, f, "amira"))
		}
		events, _ := f.svc.AuditEvents(f.users["sam"], haven.EventFilter{Case: c.Number, Action: "sla.breached"})
		if len(events.Items) != 1 || events.Items[0].Data["target"] != haven.TargetFirstResponse {
			t.Fatalf("breach events: %+v", events.Items)
		}
		ks, _ := f.svc.CaseClocks(amira, c.Number)
		if k := clockOf(t, ks, haven.TargetFirstResponse); !k.Breached || k.RemainingMinutes >= 0 {
			t.Fatalf("the clock: %+v", k)
		}
	})
}

// TestSLAStats: compliance by priority counts met and missed targets and the business minutes
// of the met ones, only for the cases the reader may see.
func TestSLAStats(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		amira := f.users["amira"]
		quick, _ := f.svc.CreateCase(amira, haven.CaseCreate{Title: "Quick", Team: "mena", Priority: "P2"})
		slow, _ := f.svc.CreateCase(amira, haven.CaseCreate{Title: "Slow", Team: "mena", Priority: "P2"})
		hidden, _ := f.svc.CreateCase(amira, haven.CaseCreate{Title: "Hidden", Team: "mena", Priority: "P2", TLP: "red", RestrictedTo: []string{"amira"}})
		f.clock.t = f.clock.t.Add(30 * time.Minute)
		if _, err := f.svc.AddMessage(amira, quick.Number, haven.MessageCreate{Text: "on it"}); err != nil {
			t.Fatal(err)
		}
		f.clock.t = f.clock.t.Add(3 * time.Hour) // the slow one is now past its 2-hour target
		for _, n := range []string{slow.Number, hidden.Number} {
			if _, err := f.svc.AddMessage(amira, n, haven.MessageCreate{Text: "sorry for the wait"}); err != nil {
				t.Fatal(err)
			}
		}
		q, err := haven.ParseStatsQuery("2026-11-01", "2026-11-30", "priority", haven.SLAGroupings()...)
		if err != nil {
			t.Fatal(err)
		}
		mine, err := f.svc.SLAStats(amira, q)
		if err != nil {
			t.Fatal(err)
		}
		theirs, _ := f.svc.SLAStats(f.users["lucas"], q)
		if len(mine.Rows) != 1 || mine.Rows[0].Key != "P2" || mine.Rows[0].Cases != 3 || mine.Rows[0].FirstResponseMet != 1 ||
			mine.Rows[0].FirstResponseMissed != 2 || *mine.Rows[0].MedianFirstResponseMinutes != 210 {
			t.Fatalf("amira's report: %+v", mine.Rows)
		}
		if theirs.Total.Cases != 2 || theirs.Total.FirstResponseMissed != 1 || *theirs.Total.MedianFirstResponseMinutes != 120 {
			t.Fatalf("an outsider counts the restricted case: %+v", theirs.Total)
		}
	})
}

// TestSLASettings: admins change the targets; new clocks follow; anything incomplete is refused.
func TestSLASettings(t *testing.T) {
	f := newFixture(t)
	set, err := f.svc.SLASettings(f.users["amira"])
	if err != nil || set.Targets[haven.P2].FirstResponse != 120 || set.WarnAt != 0.75 {
		t.Fatalf("defaults: %+v %v", set, err)
	}
	p2 := set.Targets[haven.P2]
	p2.FirstResponse = 30
	set.Targets[haven.P2] = p2
	_, err = f.svc.SetSLASettings(f.users["fatou"], *set)
	wantCode(t, err, haven.EFORBIDDEN)
	if _, err := f.svc.SetSLASettings(f.admin, *set); err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "Quick", Team: "mena", Priority: "P2"})
	if err != nil || !c.FirstResponseDue.Equal(f.clock.t.Add(30*time.Minute)) {
		t.Fatalf("a new P2 case: due %v %v", c.FirstResponseDue, err)
	}
	delete(set.Targets, haven.P4)
	_, err = f.svc.SetSLASettings(f.admin, *set)
	wantCode(t, err, haven.EINVALID)
}
