package service_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
)

// linkCase opens a case for the tests of this file.
func linkCase(t *testing.T, ctx context.Context, svc interface {
	CreateCase(context.Context, haven.CaseCreate) (*haven.Case, error)
}, in haven.CaseCreate) *haven.Case {
	t.Helper()
	c, err := svc.CreateCase(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// linked lists the numbers and kinds of the cases ctx sees linked to number.
func linked(t *testing.T, f *fixture, ctx context.Context, number string) []string {
	t.Helper()
	c, err := f.svc.Case(ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range c.Links {
		out = append(out, l.Number+":"+l.Kind)
	}
	return out
}

func TestLinkCasesShowsOnBoth(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		amira := f.users["amira"]
		a := linkCase(t, amira, f.svc, haven.CaseCreate{Title: "Fake profile", Team: "mena"})
		b := linkCase(t, amira, f.svc, haven.CaseCreate{Title: "Same impersonator, other platform", Team: "mena"})
		if _, err := f.svc.LinkCases(amira, a.Number, strings.ToLower(b.Number)); err != nil {
			t.Fatal(err)
		}
		if got := linked(t, f, amira, a.Number); len(got) != 1 || got[0] != b.Number+":related" {
			t.Fatalf("A lists %v", got)
		}
		if got := linked(t, f, f.users["sam"], b.Number); len(got) != 1 || got[0] != a.Number+":related" {
			t.Fatalf("B lists %v", got)
		}
		_, err := f.svc.LinkCases(amira, b.Number, a.Number)
		wantCode(t, err, haven.ECONFLICT) // the same pair, from the other side
		_, err = f.svc.LinkCases(amira, a.Number, a.Number)
		wantCode(t, err, haven.EINVALID)
		_, err = f.svc.LinkCases(f.users["sam"], a.Number, b.Number)
		wantCode(t, err, haven.EFORBIDDEN) // an auditor changes nothing
		other := linkCase(t, f.admin, f.svc, haven.CaseCreate{Title: "Other team's", Team: "latam"})
		_, err = f.svc.LinkCases(amira, a.Number, other.Number)
		wantCode(t, err, haven.EFORBIDDEN) // amira may see, not change, latam's case
		if _, err := f.svc.UnlinkCases(amira, b.Number, a.Number); err != nil {
			t.Fatal(err)
		}
		if got := linked(t, f, amira, a.Number); len(got) != 0 {
			t.Fatalf("after unlinking A lists %v", got)
		}
		_, err = f.svc.UnlinkCases(amira, a.Number, b.Number)
		wantCode(t, err, haven.ENOTFOUND)
		tl, err := f.svc.Timeline(amira, b.Number)
		if err != nil || !hasAction(tl, "case.linked") || !hasAction(tl, "case.unlinked") {
			t.Fatalf("B's timeline lacks the link events: %v", err)
		}
	})
}

// TestHiddenLinkedCaseIsNeitherNamedNorCounted: a case outside a handler's need to know answers
// like a missing one when they link to it, and is not listed on a case they see when someone
// else linked them.
func TestHiddenLinkedCaseIsNeitherNamedNorCounted(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		amira := f.users["amira"]
		open := linkCase(t, amira, f.svc, haven.CaseCreate{Title: "Doxxing"})
		hidden := linkCase(t, f.admin, f.svc, haven.CaseCreate{Title: "Detained source", Team: "latam", RestrictedTo: []string{"lucas"}})
		_, err := f.svc.LinkCases(amira, open.Number, hidden.Number)
		wantCode(t, err, haven.ENOTFOUND)
		if !strings.Contains(err.Error(), "not found") || strings.Contains(err.Error(), "latam") {
			t.Fatalf("the refusal tells more than a missing case would: %v", err)
		}
		_, err = f.svc.MarkDuplicate(amira, open.Number, hidden.Number)
		wantCode(t, err, haven.ENOTFOUND)
		if _, err := f.svc.LinkCases(f.users["lucas"], open.Number, hidden.Number); err != nil {
			t.Fatal(err)
		}
		c, err := f.svc.Case(amira, open.Number)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := json.Marshal(c)
		if len(c.Links) != 0 || strings.Contains(string(body), hidden.Number) {
			t.Fatalf("amira sees the hidden linked case: %s", body)
		}
		if got := linked(t, f, f.users["lucas"], open.Number); len(got) != 1 || got[0] != hidden.Number+":related" {
			t.Fatalf("lucas, who may see both, sees %v", got)
		}
		tl, err := f.svc.Timeline(f.users["lucas"], hidden.Number)
		if err != nil {
			t.Fatal(err)
		}
		audited := false
		for _, e := range tl {
			audited = audited || e.Event.Action == "case.viewed" && e.Event.Data["via"] == "link"
		}
		if !audited {
			t.Fatal("showing the restricted linked case was not recorded")
		}
	})
}

func TestMarkDuplicateMovesCorrespondence(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		amira := f.users["amira"]
		nour := &haven.RequesterInput{Name: "Nour", Email: "nour@example.org"}
		sv := linkCase(t, amira, f.svc, haven.CaseCreate{Title: "Account taken over", Team: "mena", Requester: nour})
		d := linkCase(t, amira, f.svc, haven.CaseCreate{Title: "Cannot log in", Team: "mena", Requester: nour})
		msg, err := f.svc.AddMessage(amira, d.Number, haven.MessageCreate{Direction: haven.Inbound, Channel: "phone",
			Text: "They sent me https://paypa1-secure.com/login before the zebracorn thing"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddNote(amira, d.Number, haven.NoteCreate{Body: "Caller sounded scared"}); err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.MarkDuplicate(amira, d.Number, sv.Number)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != haven.StatusClosed || got.Outcome != "duplicate" || got.DuplicateOf != sv.Number {
			t.Fatalf("duplicate is %s/%s of %q", got.Status, got.Outcome, got.DuplicateOf)
		}
		msgs, err := f.svc.Messages(amira, sv.Number)
		if err != nil || len(msgs) != 1 || msgs[0].ID != msg.ID || !strings.Contains(msgs[0].Text, "zebracorn") {
			t.Fatalf("survivor's messages %+v %v", msgs, err)
		}
		if left, _ := f.svc.Messages(amira, d.Number); len(left) != 0 {
			t.Fatalf("the duplicate kept %d messages", len(left))
		}
		notes, _ := f.svc.Notes(amira, sv.Number)
		reports, _ := f.svc.Reports(amira, sv.Number)
		if len(notes) != 1 || len(reports) != 2 {
			t.Fatalf("survivor has %d notes, %d reports", len(notes), len(reports))
		}
		obs, err := f.svc.CaseObservables(amira, sv.Number)
		if err != nil || len(obs) == 0 {
			t.Fatalf("the sighting did not follow the message: %v %v", obs, err)
		}
		page, err := f.svc.Cases(amira, haven.CaseFilter{Text: "zebracorn"})
		if err != nil || len(page.Items) != 1 || page.Items[0].Number != sv.Number {
			t.Fatalf("search finds %+v %v", page, err)
		}
		if got := linked(t, f, amira, sv.Number); len(got) != 1 || got[0] != d.Number+":duplicate" {
			t.Fatalf("survivor lists %v", got)
		}
		tl, err := f.svc.Timeline(amira, sv.Number)
		shown := false
		for _, e := range tl {
			shown = shown || e.Message != nil && e.Message.ID == msg.ID
		}
		if err != nil || !shown {
			t.Fatalf("the moved message is not on the survivor's timeline: %v", err)
		}
		checkMergeEvents(t, f, amira, d.Number, sv.Number)
		late := email("late@mail.example", "nour@example.org", "Re: Cannot log in ["+d.Number+"]", "still locked out")
		late.CaseTag = d.Number
		if r, err := f.svc.IngestEmail(context.Background(), late); err != nil || r.CaseNumber != sv.Number || r.Threading != haven.ThreadSubjectTag {
			t.Fatalf("mail naming the merged duplicate must land on the case it was merged into: %+v %v", r, err)
		}
	})
}

// checkMergeEvents: both cases record the merge, with numbers and counts and no content.
func checkMergeEvents(t *testing.T, f *fixture, ctx context.Context, dup, survivor string) {
	t.Helper()
	for number, action := range map[string]string{dup: "case.marked_duplicate", survivor: "case.merged_duplicate"} {
		tl, err := f.svc.Timeline(ctx, number)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range tl {
			if e.Event.Action != action {
				continue
			}
			found = true
			data, _ := json.Marshal(e.Event.Data)
			if strings.Contains(string(data), "zebracorn") || strings.Contains(string(data), "scared") || e.Event.Data["messages"] != float64(1) {
				t.Fatalf("%s event data %s", action, data)
			}
		}
		if !found || (number == dup && !hasAction(tl, "case.transitioned")) {
			t.Fatalf("%s lacks %s or its closing", number, action)
		}
	}
}

func TestMarkDuplicateRefusals(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		amira := f.users["amira"]
		nour := &haven.RequesterInput{Name: "Nour", Email: "nour@example.org"}
		sv := linkCase(t, amira, f.svc, haven.CaseCreate{Title: "Survivor", Team: "mena", Requester: nour})
		d := linkCase(t, amira, f.svc, haven.CaseCreate{Title: "Duplicate", Team: "mena", Requester: nour})
		e := linkCase(t, amira, f.svc, haven.CaseCreate{Title: "Third", Team: "mena", Requester: nour})
		stranger := linkCase(t, amira, f.svc, haven.CaseCreate{Title: "Someone else", Team: "mena",
			Requester: &haven.RequesterInput{Name: "Omar", Email: "omar@example.org"}})
		_, err := f.svc.MarkDuplicate(amira, d.Number, d.Number)
		wantCode(t, err, haven.EINVALID)
		_, err = f.svc.MarkDuplicate(amira, stranger.Number, sv.Number)
		wantCode(t, err, haven.ECONFLICT) // different requesters: erasure would lose track
		if _, err := f.svc.MarkDuplicate(amira, d.Number, sv.Number); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.MarkDuplicate(amira, e.Number, d.Number)
		wantCode(t, err, haven.ECONFLICT)
		if !strings.Contains(err.Error(), sv.Number) {
			t.Fatalf("the refusal does not point to the survivor: %v", err)
		}
		_, err = f.svc.MarkDuplicate(amira, sv.Number, e.Number)
		wantCode(t, err, haven.ECONFLICT) // a survivor would chain
		_, err = f.svc.MarkDuplicate(amira, d.Number, e.Number)
		wantCode(t, err, haven.ECONFLICT) // already a duplicate
		_, err = f.svc.MarkDuplicate(f.users["sam"], e.Number, sv.Number)
		wantCode(t, err, haven.EFORBIDDEN)
		if c, err := f.svc.Case(amira, d.Number); err != nil || c.DuplicateOf != sv.Number {
			t.Fatalf("the old number does not resolve to its survivor: %+v %v", c, err)
		}
	})
}

// TestMarkDuplicateKeepsNeedToKnow: a restricted case's correspondence never moves into a case
// that people may see who may not see it.
func TestMarkDuplicateKeepsNeedToKnow(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		amira := f.users["amira"]
		secret := linkCase(t, amira, f.svc, haven.CaseCreate{Title: "Restricted", Team: "mena", RestrictedTo: []string{"amira"}})
		open := linkCase(t, amira, f.svc, haven.CaseCreate{Title: "Open", Team: "mena"})
		_, err := f.svc.MarkDuplicate(amira, secret.Number, open.Number)
		wantCode(t, err, haven.ECONFLICT)
		if !strings.Contains(err.Error(), "may not see") {
			t.Fatalf("unclear refusal: %v", err)
		}
		if msgs, _ := f.svc.Messages(amira, open.Number); len(msgs) != 0 {
			t.Fatal("something moved despite the refusal")
		}
		// The other way round only narrows who sees the open case's content.
		if _, err := f.svc.MarkDuplicate(amira, open.Number, secret.Number); err != nil {
			t.Fatal(err)
		}
		c, err := f.svc.Case(f.users["lucas"], open.Number)
		if err != nil || c.DuplicateOf != "" {
			t.Fatalf("lucas, who may not see the survivor, is told of it: %+v %v", c, err)
		}
		twin := linkCase(t, amira, f.svc, haven.CaseCreate{Title: "Restricted too", Team: "mena", RestrictedTo: []string{"amira"}})
		if _, err := f.svc.MarkDuplicate(amira, twin.Number, secret.Number); err != nil {
			t.Fatalf("equally restricted cases merge: %v", err)
		}
	})
}
