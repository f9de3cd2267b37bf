package main

import (
	"strings"
	"testing"
)

// TestEscalationListCommand: `haven escalation list` shows escalations with their state and age,
// filters by platform and overdue, and never prints what was sent.
func TestEscalationListCommand(t *testing.T) {
	bin := buildHaven(t)
	forEachDatabase(t, bin, func(t *testing.T, db string) {
		writeSecrets(t, db, t.TempDir()).Close()
		run := func(args ...string) string {
			t.Helper()
			out, errOut, err := runHaven(t, bin, nil, append([]string{"escalation", "list", "--db", db}, args...)...)
			if err != nil {
				t.Fatalf("escalation list %v: %v %s", args, err, errOut)
			}
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Fatalf("the list printed a secret (%q):\n%s", s, out)
				}
			}
			return out
		}
		if out := run(); !strings.Contains(out, "instagram") || !strings.Contains(out, "impersonation") || !strings.Contains(out, " sent ") {
			t.Fatalf("escalation list:\n%s", out)
		}
		if out := run("--platform", "tiktok"); strings.Count(out, "\n") != 1 {
			t.Fatalf("another platform's list is not empty:\n%s", out)
		}
		if out := run("--overdue"); strings.Count(out, "\n") != 1 {
			t.Fatalf("nothing is overdue yet, but:\n%s", out)
		}
		if _, errOut, err := runHaven(t, bin, nil, "escalation", "list", "--db", db, "--state", "lost"); err == nil || !strings.Contains(errOut, "state") {
			t.Fatalf("an unknown state was accepted: %s", errOut)
		}
	})
}
