package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlaybookCommands: the starter library imports whole (templates, then playbooks) and again
// changes nothing; a file with a dangling step is refused naming the file and the line; export
// prints what was saved.
func TestPlaybookCommands(t *testing.T) {
	bin := buildHaven(t)
	forEachDatabase(t, bin, func(t *testing.T, db string) {
		run := migratedDB(t, bin, db)
		if out, errOut, err := run("template", "import", "--starter"); err != nil || strings.Count(out, "added ") < 15 {
			t.Fatalf("starter templates: %v %q %s", err, out, errOut)
		}
		out, errOut, err := run("playbook", "import", "--starter")
		if err != nil || strings.Count(out, "added ") != 8 || !strings.Contains(out, "added child-safety-report") {
			t.Fatalf("starter playbooks: %v %q %s", err, out, errOut)
		}
		if out, _, err := run("playbook", "import", "--starter"); err != nil || strings.Contains(out, "added") || strings.Count(out, "unchanged ") != 8 {
			t.Fatalf("importing again: %v %q", err, out)
		}
		exported, _, err := run("playbook", "export", "phishing-triage")
		if err != nil || !strings.Contains(exported, "\nname: phishing-triage\n") {
			t.Fatalf("export: %v (%d bytes)", err, len(exported))
		}
		dir := t.TempDir()
		bad := strings.Replace(exported, "start: [", "start: [no-such-step, ", 1)
		os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte(bad), 0o600)
		if _, errOut, err := run("playbook", "import", dir); err == nil || !strings.Contains(errOut, "bad.yaml") || !strings.Contains(errOut, "no-such-step") {
			t.Fatalf("a dangling step: %v %s", err, errOut)
		}
		if out, _, err := run("playbook", "list"); err != nil || strings.Count(out, "\n") != 9 {
			t.Fatalf("list: %v %q", err, out)
		}
	})
}
