package haven_test

import (
	"slices"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

func TestTransitions(t *testing.T) {
	now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		from    haven.Status
		outcome haven.Outcome // already on the case
		tr      haven.Transition
		code    string
	}{
		{haven.StatusNew, "", haven.Transition{To: haven.StatusTriage}, ""},
		{haven.StatusNew, "", haven.Transition{To: haven.StatusClosed, Outcome: "spam"}, ""},
		{haven.StatusNew, "", haven.Transition{To: haven.StatusClosed}, haven.EINVALID},
		{haven.StatusNew, "", haven.Transition{To: haven.StatusResolved}, haven.ECONFLICT},
		{haven.StatusTriage, "", haven.Transition{To: haven.StatusOpen}, ""},
		{haven.StatusOpen, "", haven.Transition{To: haven.StatusWaitingRequester}, ""},
		{haven.StatusOpen, "", haven.Transition{To: haven.StatusNew}, haven.ECONFLICT},
		{haven.StatusWaitingRequester, "", haven.Transition{To: haven.StatusWaitingThirdParty}, ""},
		{haven.StatusWaitingThirdParty, "", haven.Transition{To: haven.StatusResolved}, ""},
		{haven.StatusResolved, "resolved", haven.Transition{To: haven.StatusClosed}, ""},
		{haven.StatusResolved, "", haven.Transition{To: haven.StatusClosed}, haven.EINVALID},
		{haven.StatusClosed, "resolved", haven.Transition{To: haven.StatusOpen}, ""},
		{haven.StatusClosed, "resolved", haven.Transition{To: haven.StatusTriage}, haven.ECONFLICT},
		{haven.StatusOpen, "", haven.Transition{To: "bogus"}, haven.EINVALID},
		{haven.StatusOpen, "", haven.Transition{To: haven.StatusClosed, Outcome: "bogus"}, haven.EINVALID},
	}
	for _, tc := range tests {
		c := &haven.Case{Status: tc.from, Outcome: tc.outcome}
		err := tc.tr.Check(c)
		if haven.ErrorCode(err) != tc.code {
			t.Errorf("%s → %s (outcome %q): got %v, want code %q", tc.from, tc.tr.To, tc.tr.Outcome, err, tc.code)
			continue
		}
		if tc.code == haven.ECONFLICT {
			he := haven.AsError(err)
			if !slices.Equal(he.Allowed, statuses(tc.from.NextStatuses())) {
				t.Errorf("conflict lists %v, want %v", he.Allowed, tc.from.NextStatuses())
			}
		}
		if err == nil {
			tc.tr.Apply(c, now)
			if c.Status != tc.tr.To || (c.Status == haven.StatusClosed) != (c.ClosedAt != nil) {
				t.Errorf("apply %s: status %s closed_at %v", tc.tr.To, c.Status, c.ClosedAt)
			}
			if c.Status == haven.StatusOpen && c.Outcome != "" {
				t.Errorf("reopening kept outcome %q", c.Outcome)
			}
		}
	}
}

func statuses(ss []haven.Status) []string {
	var out []string
	for _, s := range ss {
		out = append(out, string(s))
	}
	return out
}

func TestEveryStatusReachableAndClosable(t *testing.T) {
	for _, s := range haven.Statuses() {
		if len(s.NextStatuses()) == 0 {
			t.Errorf("%s is a dead end", s)
		}
	}
	// Every status can reach closed.
	for _, s := range haven.Statuses() {
		seen := map[haven.Status]bool{s: true}
		queue := []haven.Status{s}
		for len(queue) > 0 {
			cur := queue[0]
			queue = queue[1:]
			for _, n := range cur.NextStatuses() {
				if !seen[n] {
					seen[n] = true
					queue = append(queue, n)
				}
			}
		}
		if !seen[haven.StatusClosed] {
			t.Errorf("%s cannot reach closed", s)
		}
	}
}

func TestCaseCreateValidation(t *testing.T) {
	long := make([]byte, haven.MaxTitle+1)
	for i := range long {
		long[i] = 'a'
	}
	tests := []struct {
		name  string
		in    haven.CaseCreate
		field string
	}{
		{"ok", haven.CaseCreate{Title: "Phishing", Priority: "P2", Language: "ar", Tags: []string{"Gmail", "gmail "}}, ""},
		{"no title", haven.CaseCreate{Title: "  "}, "title"},
		{"long title", haven.CaseCreate{Title: string(long)}, "title"},
		{"priority", haven.CaseCreate{Title: "x", Priority: "P9"}, "priority"},
		{"language", haven.CaseCreate{Title: "x", Language: "Arabic!"}, "language"},
		{"country", haven.CaseCreate{Title: "x", Country: "Egypt"}, "country"},
		{"tag", haven.CaseCreate{Title: "x", Tags: []string{"<script>"}}, "tags"},
		{"tlp", haven.CaseCreate{Title: "x", TLP: "purple"}, "tlp"},
		{"requester email", haven.CaseCreate{Title: "x", Requester: &haven.RequesterInput{Name: "A", Email: "not-an-address"}}, "requester.email"},
		{"empty requester", haven.CaseCreate{Title: "x", Requester: &haven.RequesterInput{}}, "requester.name"},
	}
	for _, tc := range tests {
		tc.in.Normalize()
		err := tc.in.Validate()
		if tc.field == "" {
			if err != nil {
				t.Errorf("%s: unexpected %v", tc.name, err)
			}
			continue
		}
		he := haven.AsError(err)
		if he == nil || he.Code != haven.EINVALID || he.Fields[tc.field] == "" {
			t.Errorf("%s: want a field error on %s, got %v", tc.name, tc.field, err)
		}
	}
	in := haven.CaseCreate{Title: " t ", Tags: []string{"B", "a", "b"}}
	in.Normalize()
	if in.Title != "t" || !slices.Equal(in.Tags, []string{"a", "b"}) || in.Priority != haven.P3 || in.TLP != "amber" {
		t.Errorf("normalize: %+v", in)
	}
}

func TestCaseUpdateApply(t *testing.T) {
	c := &haven.Case{Title: "a", Tags: []string{"x", "y"}, Priority: haven.P3}
	title, p := "b", haven.P1
	changed := (&haven.CaseUpdate{Title: &title, Priority: &p, AddTags: []string{"Z"}, RemoveTags: []string{"x"}}).Apply(c)
	if !slices.Equal(changed, []string{"title", "priority", "tags"}) || !slices.Equal(c.Tags, []string{"y", "z"}) {
		t.Fatalf("changed %v tags %v", changed, c.Tags)
	}
	if changed := (&haven.CaseUpdate{Title: &title}).Apply(c); len(changed) != 0 {
		t.Fatalf("no-op update reported %v", changed)
	}
}

func TestPermissions(t *testing.T) {
	c := &haven.Case{Team: "mena", Assignee: "amira"}
	tests := []struct {
		u    haven.User
		edit bool
	}{
		{haven.User{Username: "amira", Role: haven.RoleHandler}, true},
		{haven.User{Username: "omar", Role: haven.RoleHandler, Teams: []string{"mena"}}, true},
		{haven.User{Username: "lucas", Role: haven.RoleHandler, Teams: []string{"latam"}}, false},
		{haven.User{Username: "fatou", Role: haven.RoleLead}, true},
		{haven.User{Username: "sam", Role: haven.RoleAuditor}, false},
		{haven.User{Username: "root", Role: haven.RoleAdmin, Disabled: true}, false},
	}
	for _, tc := range tests {
		if got := tc.u.CanEditCase(c); got != tc.edit {
			t.Errorf("%s (%s) edit = %v, want %v", tc.u.Username, tc.u.Role, got, tc.edit)
		}
	}
	h := haven.User{Username: "omar", Role: haven.RoleHandler, Teams: []string{"mena"}}
	if h.CanAssign(c) {
		t.Error("a handler must not take a case assigned to a colleague")
	}
	if !(&haven.User{Username: "fatou", Role: haven.RoleLead}).CanAssign(c) {
		t.Error("a lead may reassign")
	}
}

func TestCaseNumber(t *testing.T) {
	if n := haven.FormatCaseNumber(2026, 123); n != "HV-2026-000123" || !haven.ValidCaseNumber(n) {
		t.Fatalf("got %s", n)
	}
	for _, bad := range []string{"HV-26-000123", "hv-2026-000123", "HV-2026-12", "HV-2026-000123 ", "1 OR 1=1"} {
		if haven.ValidCaseNumber(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}
