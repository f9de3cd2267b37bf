package service_test

import (
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// TestCasePresence: two people on one case see each other, viewing or replying, for as long as
// their pages ping; someone who may not see a restricted case learns nothing of it (nor who is
// on it); an auditor may view but not claim to reply; a bad state is refused.
func TestCasePresence(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		open, err := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "shared"})
		if err != nil {
			t.Fatal(err)
		}
		hidden, err := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "restricted", Team: "mena", TLP: "red", RestrictedTo: []string{"amira"}})
		if err != nil {
			t.Fatal(err)
		}
		ping := func(who, number, state string) []haven.Presence {
			t.Helper()
			others, err := f.svc.CasePresence(f.users[who], number, state)
			if err != nil {
				t.Fatalf("%s on %s (%s): %v", who, number, state, err)
			}
			return others
		}
		if others := ping("amira", open.Number, haven.PresenceViewing); len(others) != 0 {
			t.Fatalf("alone on the case: %+v", others)
		}
		if others := ping("lucas", open.Number, haven.PresenceReplying); len(others) != 1 || others[0].User != "amira" || others[0].State != haven.PresenceViewing {
			t.Fatalf("lucas sees %+v", others)
		}
		if others := ping("amira", open.Number, ""); len(others) != 1 || others[0].User != "lucas" || others[0].State != haven.PresenceReplying {
			t.Fatalf("amira sees %+v", others)
		}
		ping("amira", hidden.Number, haven.PresenceReplying)
		_, err = f.svc.CasePresence(f.users["lucas"], hidden.Number, haven.PresenceViewing)
		wantCode(t, err, haven.ENOTFOUND)
		_, err = f.svc.CasePresence(f.users["sam"], open.Number, haven.PresenceReplying)
		wantCode(t, err, haven.EFORBIDDEN)
		if others := ping("sam", open.Number, haven.PresenceViewing); len(others) != 2 {
			t.Errorf("the auditor sees %+v", others)
		}
		_, err = f.svc.CasePresence(f.users["amira"], open.Number, "typing")
		wantCode(t, err, haven.EINVALID)
		f.clock.t = f.clock.t.Add(haven.PresenceTTL + time.Second)
		if others := ping("amira", open.Number, haven.PresenceViewing); len(others) != 0 {
			t.Errorf("after their pages stopped pinging: %+v", others)
		}
	})
}
