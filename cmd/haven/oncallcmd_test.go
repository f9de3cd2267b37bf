package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOnCallCommands: `haven oncall schedule import` reads a YAML schedule (refusing a bad one
// whole) and `haven oncall now` prints who is on call, on both databases.
func TestOnCallCommands(t *testing.T) {
	bin := buildHaven(t)
	forEachDatabase(t, bin, func(t *testing.T, db string) {
		run := migratedDB(t, bin, db)
		if _, errOut, err := run("user", "add", "--role", "handler", "rami"); err != nil {
			t.Fatalf("user add: %v %s", err, errOut)
		}
		dir := t.TempDir()
		good := filepath.Join(dir, "primary.yaml")
		os.WriteFile(good, []byte("name: primary\ntime_zone: UTC\nlayers:\n  - name: all\n    users: [rami]\n    start: \"2020-01-06T00:00\"\n    rotation: weekly\n"), 0o600)
		if out, errOut, err := run("oncall", "schedule", "import", good); err != nil || !strings.Contains(out, "primary: saved") {
			t.Fatalf("import: %v %s %s", err, out, errOut)
		}
		bad := filepath.Join(dir, "bad.yaml")
		os.WriteFile(bad, []byte("name: bad\ntime_zone: Mars/Olympus\nlayers: []\n"), 0o600)
		if _, errOut, err := run("oncall", "schedule", "import", bad); err == nil || !strings.Contains(errOut, "time_zone") {
			t.Fatalf("a bad schedule was accepted: %s", errOut)
		}
		out, _, err := run("oncall", "now")
		if err != nil || !strings.Contains(out, "primary") || !strings.Contains(out, "rami") {
			t.Fatalf("oncall now: %v\n%s", err, out)
		}
		if _, errOut, err := run("oncall", "now", "nowhere"); err == nil || !strings.Contains(errOut, "no schedule") {
			t.Fatalf("an unknown schedule: %s", errOut)
		}
	})
}
