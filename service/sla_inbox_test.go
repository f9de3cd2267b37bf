package service_test

import (
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// TestSLANextUpdateDueOnTheCase: the inbox sorts and shows by the case's due times, so the
// next-update clock's due time is kept on the case while it runs: set by a reply, moved by the
// next one, and cleared when the case is resolved.
func TestSLANextUpdateDueOnTheCase(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		amira := f.users["amira"]
		c, err := f.svc.CreateCase(amira, haven.CaseCreate{Title: "Account locked", Priority: "P3"})
		if err != nil {
			t.Fatal(err)
		}
		if c.NextUpdateDue != nil {
			t.Fatalf("a new case has a next update due %s", c.NextUpdateDue)
		}
		for i := range 2 {
			f.clock.t = f.clock.t.Add(time.Hour)
			if _, err := f.svc.AddMessage(amira, c.Number, haven.MessageCreate{Text: "An update."}); err != nil {
				t.Fatal(err)
			}
			got, _ := f.svc.Case(amira, c.Number)
			ks, _ := f.svc.CaseClocks(amira, c.Number)
			next := clockOf(t, ks, haven.TargetNextUpdate)
			if got.NextUpdateDue == nil || !got.NextUpdateDue.Equal(next.Due) {
				t.Fatalf("reply %d: the case says the next update is due %v, its clock %s", i+1, got.NextUpdateDue, next.Due)
			}
			if target, due := got.NextDue(); due == nil || due.After(next.Due) || target == "" {
				t.Fatalf("reply %d: the most urgent clock is %s at %v, later than the next update %s", i+1, target, due, next.Due)
			}
		}
		for _, to := range []haven.Status{haven.StatusOpen, haven.StatusResolved} {
			if _, err := f.svc.TransitionCase(amira, c.Number, haven.Transition{To: to, Outcome: "resolved"}); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := f.svc.Case(amira, c.Number); got.NextUpdateDue != nil {
			t.Fatalf("resolved, yet the next update is still due %s", got.NextUpdateDue)
		}
	})
}
