package service_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

func visible(t *testing.T, f *fixture, ctx context.Context, number string) bool {
	t.Helper()
	_, err := f.svc.Case(ctx, number)
	if err != nil && haven.ErrorCode(err) != haven.ENOTFOUND {
		t.Fatal(err)
	}
	listed := false
	page, err := f.svc.Cases(ctx, haven.CaseFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range page.Items {
		listed = listed || c.Number == number
	}
	if listed != (err == nil && func() bool { _, e := f.svc.Case(ctx, number); return e == nil }()) {
		t.Fatalf("%s: the list and a direct read disagree about visibility", number)
	}
	return listed
}

func TestNeedToKnow(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.AddCompartmentMember(f.admin, "child-safety", "amira"); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.CreateCase(f.users["lucas"], haven.CaseCreate{Title: "x", Compartment: "child-safety"})
	wantCode(t, err, haven.EFORBIDDEN) // not a member
	c, err := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "Grooming attempt reported by a teacher",
		Compartment: "child-safety", Tags: []string{"csam-referral"}})
	if err != nil || !c.Restricted {
		t.Fatalf("create restricted: %+v %v", c, err)
	}
	if !visible(t, f, f.users["amira"], c.Number) {
		t.Fatal("a compartment member must see the case")
	}
	for _, who := range []string{"lucas", "fatou", "sam"} {
		if visible(t, f, f.users[who], c.Number) {
			t.Fatalf("%s sees a child-safety case without need to know", who)
		}
	}
	if visible(t, f, f.admin, c.Number) {
		t.Fatal("admins too need to know (or break the glass)")
	}
	_, err = f.svc.AddNote(f.users["lucas"], c.Number, haven.NoteCreate{Body: "x"})
	wantCode(t, err, haven.ENOTFOUND)
	_, err = f.svc.Timeline(f.users["lucas"], c.Number)
	wantCode(t, err, haven.ENOTFOUND)
	// Search: only number, categories and tags are indexed for a restricted case.
	if page, _ := f.svc.Cases(f.users["amira"], haven.CaseFilter{Text: "grooming"}); len(page.Items) != 0 {
		t.Fatal("a restricted case's title must not be in the search index")
	}
	if page, _ := f.svc.Cases(f.users["amira"], haven.CaseFilter{Text: "csam"}); len(page.Items) != 1 {
		t.Fatal("members find a restricted case by its tags")
	}

	// Break-glass: leads and admins only, with a reason, for four hours.
	_, err = f.svc.BreakGlass(f.users["lucas"], c.Number, "curious")
	wantCode(t, err, haven.ENOTFOUND)
	_, err = f.svc.BreakGlass(f.users["fatou"], c.Number, "  ")
	wantCode(t, err, haven.EINVALID)
	if _, err := f.svc.BreakGlass(f.users["fatou"], c.Number, "teacher called the hotline, child at risk tonight"); err != nil {
		t.Fatal(err)
	}
	if !visible(t, f, f.users["fatou"], c.Number) {
		t.Fatal("break-glass must open the case")
	}
	tl, err := f.svc.Timeline(f.users["amira"], c.Number)
	if err != nil || !hasAction(tl, "case.break_glass") {
		t.Fatalf("the break-glass must show on the case: %v", err)
	}
	// ...and the compartment's members are notified (with references only: the reason is on the
	// timeline); the lead who broke it and outsiders are not.
	notes, err := f.svc.Notifications(f.users["amira"], true)
	notes = slices.DeleteFunc(notes, func(n *haven.Notification) bool { // she was told before that she joined mena and the compartment
		return n.Kind == "team.member_added" || n.Kind == "compartment.member_added"
	})
	if err != nil || len(notes) != 1 || notes[0].Kind != "break_glass" || notes[0].CaseNumber != c.Number ||
		notes[0].Actor != "fatou" || strings.Contains(notes[0].Text, "child at risk tonight") {
		t.Fatalf("amira's notifications: %+v %v", notes, err)
	}
	for _, who := range []string{"fatou", "lucas"} {
		n, _ := f.svc.Notifications(f.users[who], false)
		if slices.ContainsFunc(n, func(n *haven.Notification) bool { return n.Kind == "break_glass" }) {
			t.Fatalf("%s was notified of the break-glass: %+v", who, n)
		}
	}
	if err := f.svc.MarkNotificationsRead(f.users["amira"], notes[0].ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.svc.Notifications(f.users["amira"], true); len(n) != 0 {
		t.Fatalf("still unread: %+v", n)
	}
	// Break-glass is no lasting access: through it, a lead can neither grant access...
	_, err = f.svc.GrantAccess(f.users["fatou"], c.Number, "fatou", 720*time.Hour)
	wantCode(t, err, haven.EFORBIDDEN)
	_, err = f.svc.GrantAccess(f.users["fatou"], c.Number, "lucas", 2*time.Hour)
	wantCode(t, err, haven.EFORBIDDEN)
	// ...nor restrict it to themself or take it out of its compartment.
	for _, up := range []haven.CaseUpdate{{RestrictedTo: &[]string{"fatou"}}, {Compartment: new(string)}} {
		_, err = f.svc.UpdateCase(f.users["fatou"], c.Number, up)
		wantCode(t, err, haven.EFORBIDDEN)
	}
	// A lead who sees it by right (here: a member for a moment) may grant a colleague access.
	if _, err := f.svc.AddCompartmentMember(f.users["amira"], "child-safety", "fatou"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.GrantAccess(f.users["fatou"], c.Number, "lucas", 2*time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RemoveCompartmentMember(f.users["amira"], "child-safety", "fatou"); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.svc.Notifications(f.users["amira"], true); len(n) != 1 || n[0].Kind != "access_granted" {
		t.Fatalf("the compartment's member was not told of the grant: %+v", n)
	}
	if !visible(t, f, f.users["lucas"], c.Number) {
		t.Fatal("a grant must open the case")
	}
	f.clock.t = f.clock.t.Add(5 * time.Hour)
	if visible(t, f, f.users["fatou"], c.Number) || visible(t, f, f.users["lucas"], c.Number) {
		t.Fatal("break-glass and grants must expire")
	}
	// Reading a restricted case is audited; the trail is under need-to-know too: an auditor sees
	// its events once made an auditor of the compartment (a member).
	page, err := f.svc.AuditEvents(f.users["sam"], haven.EventFilter{Case: "", Action: "case.viewed"})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("an auditor outside the compartment reads its case's events: %d %v", len(page.Items), err)
	}
	if _, err := f.svc.AddCompartmentMember(f.users["amira"], "child-safety", "sam"); err != nil {
		t.Fatal(err)
	}
	page, err = f.svc.AuditEvents(f.users["sam"], haven.EventFilter{Action: "case.viewed"})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("reads of a restricted case must be audited: %v", err)
	}
}

func TestRestrictedToAndTLPRed(t *testing.T) {
	f := newFixture(t)
	named, err := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "Staff member harassed", Team: "mena", RestrictedTo: []string{"lucas"}})
	if err != nil {
		t.Fatal(err)
	}
	if !visible(t, f, f.users["lucas"], named.Number) || visible(t, f, f.users["amira"], named.Number) {
		t.Fatal("restricted_to: only the named users (and the assignee)")
	}
	red, err := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "Source at risk", TLP: "red", Team: "mena", Assignee: "amira"})
	if err != nil {
		t.Fatal(err)
	}
	if !visible(t, f, f.users["amira"], red.Number) || visible(t, f, f.users["fatou"], red.Number) {
		t.Fatal("TLP:RED: the assigned handler, not a lead of another team")
	}
	if _, err := f.svc.AddTeamMember(f.admin, "mena", "fatou"); err != nil {
		t.Fatal(err)
	}
	if !visible(t, f, f.users["fatou"], red.Number) {
		t.Fatal("TLP:RED: the team's lead sees it")
	}
	_, err = f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "x", Compartment: "no-such"})
	wantCode(t, err, haven.EINVALID)
}

func hasAction(tl []*haven.TimelineEntry, action string) bool {
	for _, e := range tl {
		if e.Event.Action == action {
			return true
		}
	}
	return false
}

// TestLeadsNotesStayOffHandlersTimelines: a note for leads only is neither in a handler's notes
// nor on their timeline of the case.
func TestLeadsNotesStayOffHandlersTimelines(t *testing.T) {
	f := newFixture(t)
	c, err := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "Harassment", Team: "mena"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddNote(f.users["fatou"], c.Number, haven.NoteCreate{Body: "zqleadsonly concern about the handler", Visibility: "leads"}); err != nil {
		t.Fatal(err)
	}
	tl, err := f.svc.Timeline(f.users["amira"], c.Number)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range tl {
		if e.Note != nil || e.Event.Action == "note.added" {
			t.Fatalf("a leads-only note reached a handler's timeline: %+v", e)
		}
	}
	if tl, _ := f.svc.Timeline(f.users["fatou"], c.Number); !hasAction(tl, "note.added") {
		t.Fatal("the lead's own timeline lacks the note")
	}
}
