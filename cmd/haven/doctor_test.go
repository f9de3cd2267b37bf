package main

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDoctor runs `haven doctor` on a healthy installation, then breaks one thing at a time:
// each must fail the command (exit 1) and be named in the report.
func TestDoctor(t *testing.T) {
	bin := buildHaven(t)
	forEachDatabase(t, bin, func(t *testing.T, db string) {
		data := filepath.Join(t.TempDir(), "data")
		if err := os.Mkdir(data, 0o700); err != nil {
			t.Fatal(err)
		}
		if _, errOut, err := runHaven(t, bin, nil, "migrate", "--db", db, "--data", data); err != nil {
			t.Fatalf("migrate: %v %s", err, errOut)
		}
		backups := t.TempDir()
		if err := os.WriteFile(filepath.Join(backups, "haven-1.backup"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		doctor := func(extra ...string) (map[string]doctorCheck, error) {
			// The host's free space is not the test's: the disk check is broken on purpose below.
			args := append([]string{"doctor", "--json", "--db", db, "--data", data, "--backup-dir", backups,
				"--min-free-percent", "1"}, extra...)
			out, errOut, err := runHaven(t, bin, nil, args...)
			var report struct{ Checks []doctorCheck }
			if jerr := json.Unmarshal([]byte(out), &report); jerr != nil {
				t.Fatalf("doctor output: %v %q %s", jerr, out, errOut)
			}
			byName := map[string]doctorCheck{}
			for _, c := range report.Checks {
				byName[c.Name] = c
			}
			return byName, err
		}
		checks, err := doctor()
		if err != nil {
			t.Fatalf("a healthy installation must pass: %v %+v", err, checks)
		}
		for _, name := range []string{"data dir", "disk", "database", "master key", "clock", "audit chain", "backups"} {
			if checks[name].Status != checkOK {
				t.Fatalf("check %q: %+v", name, checks[name])
			}
		}
		checkpointFirst(t, bin, db, data, doctor)
		broken := []struct {
			name, check string
			breakIt     func() []string
		}{
			{"old backup", "backups", func() []string {
				old := time.Now().Add(-72 * time.Hour)
				_ = os.Chtimes(filepath.Join(backups, "haven-1.backup"), old, old)
				return nil
			}},
			{"unreachable relay", "relay", func() []string { return []string{"--mail-config", relayConfig(t)} }},
			{"disk filling", "disk", func() []string { return []string{"--min-free-percent", "100"} }},
			{"readable data dir", "data dir", func() []string { _ = os.Chmod(data, 0o755); return nil }},
			{"wrong master key", "master key", func() []string {
				useNewMasterKey(t, bin)
				return nil
			}},
			{"schema behind", "database", func() []string { forgetLastMigration(t, db); return nil }},
		}
		for _, b := range broken {
			checks, err := doctor(b.breakIt()...)
			if err == nil || checks[b.check].Status != checkFail {
				t.Fatalf("%s: doctor must fail on %q: %v %+v", b.name, b.check, err, checks)
			}
		}
	})
}

// checkpointFirst: without a checkpoint doctor walks the whole chain and says none was recorded;
// after haven audit verify it verifies from the checkpoint that command recorded.
func checkpointFirst(t *testing.T, bin, db, data string, doctor func(...string) (map[string]doctorCheck, error)) {
	t.Helper()
	if _, errOut, err := runHaven(t, bin, nil, "user", "add", "--db", db, "--data", data, "alice"); err != nil {
		t.Fatalf("user add: %v %s", err, errOut) // some events to verify
	}
	checks, err := doctor()
	if err != nil || checks["audit checkpoint"].Status != checkWarn || !strings.Contains(checks["audit chain"].Detail, "whole chain") {
		t.Fatalf("no checkpoint yet: want a warning and a whole walk, got %v %+v", err, checks)
	}
	if _, errOut, err := runHaven(t, bin, nil, "audit", "verify", "--db", db, "--data", data); err != nil {
		t.Fatalf("audit verify: %v %s", err, errOut)
	}
	checks, err = doctor()
	if _, warned := checks["audit checkpoint"]; err != nil || warned || !strings.Contains(checks["audit chain"].Detail, "after the checkpoint") {
		t.Fatalf("want a check from the recorded checkpoint, got %v %+v", err, checks)
	}
}

// relayConfig writes a mail configuration whose relay is a closed port.
func relayConfig(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	path := filepath.Join(t.TempDir(), "mail.json")
	cfg := `{"mailboxes": [{"address": "help@example.org"}], "relay": {"host": "127.0.0.1", "port": ` + strconv.Itoa(port) + `, "security": "none"}}`
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
