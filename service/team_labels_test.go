package service_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
)

// TestTeamLabels: an admin names a team in each language; readers get it back, a label that is
// not for an interface language, too long or with a control character is refused field by
// field, an empty label removes one, and the event names the languages, never the labels.
func TestTeamLabels(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		set := func(labels map[string]string) (*haven.Team, error) {
			return f.svc.UpdateTeam(f.admin, "mena", haven.TeamUpdate{Labels: &labels})
		}
		if _, err := set(map[string]string{"en": "Middle East", "ar": " الشرق الأوسط "}); err != nil {
			t.Fatal(err)
		}
		teams, err := f.svc.Teams(f.users["amira"])
		if err != nil {
			t.Fatal(err)
		}
		var mena *haven.Team
		for _, tm := range teams {
			if tm.Name == "mena" {
				mena = tm
			}
		}
		if mena == nil || mena.Labels["ar"] != "الشرق الأوسط" || mena.Labels["en"] != "Middle East" {
			t.Fatalf("labels not kept (trimmed): %+v", mena)
		}
		for lang, want := range map[string]string{"ar": "الشرق الأوسط", "fr": "Middle East", "en": "Middle East"} {
			if got := mena.Label(lang); got != want {
				t.Errorf("Label(%s) = %q, want %q", lang, got, want)
			}
		}
		events := countEvents(t, f, "team.updated")
		if len(events) != 1 || fmt.Sprint(events[0].Data["fields"]) != "[labels.ar labels.en]" {
			t.Fatalf("event: %+v", events)
		}
		for _, e := range events {
			if strings.Contains(fmt.Sprint(e.Data), "الشرق") || strings.Contains(fmt.Sprint(e.Data), "Middle") {
				t.Fatalf("the event carries a label: %v", e.Data)
			}
		}

		for _, bad := range []map[string]string{{"de": "Nahost"}, {"ar": strings.Repeat("ش", 81)}, {"fr": "Moyen\nOrient"}, {"x": "y"}} {
			_, err := set(bad)
			wantCode(t, err, haven.EINVALID)
			for lang := range bad {
				if he := haven.AsError(err); he == nil || he.Fields["labels."+lang] == "" {
					t.Errorf("%v: no message for labels.%s: %v", bad, lang, err)
				}
			}
		}
		if _, err := set(map[string]string{"ar": strings.Repeat("ش", 80)}); err != nil {
			t.Fatalf("80 characters refused: %v", err)
		}

		tm, err := set(map[string]string{"en": ""})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := tm.Labels["en"]; ok || tm.Label("fr") != "mena" {
			t.Fatalf("an empty label did not remove it, or no fall-back to the slug: %+v", tm.Labels)
		}
		// The team list is kept between writes: the change must show at once.
		if teams, err = f.svc.Teams(f.users["amira"]); err != nil {
			t.Fatal(err)
		}
		for _, tm := range teams {
			if tm.Name == "mena" && (tm.Labels["en"] != "" || tm.Labels["ar"] != strings.Repeat("ش", 80)) {
				t.Fatalf("the team list after the change: %+v", tm.Labels)
			}
		}

		_, err = f.svc.UpdateTeam(f.users["fatou"], "mena", haven.TeamUpdate{Labels: &map[string]string{"ar": "x"}})
		wantCode(t, err, haven.EFORBIDDEN)
		_, err = f.svc.UpdateTeam(f.admin, "nowhere", haven.TeamUpdate{Labels: &map[string]string{"ar": "x"}})
		wantCode(t, err, haven.ENOTFOUND)
	})
}
