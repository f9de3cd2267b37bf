package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runWithStdin runs the binary with stdin and returns stdout, stderr and the exit code.
func runWithStdin(t *testing.T, bin string, stdin []byte, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = os.Environ()
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return stdout.String(), stderr.String(), exit.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), 0
}

func corpus(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "email", "testdata", "corpus", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestIngestCommand: `haven ingest` from an MTA pipe on both databases: a new case from an
// Arabic message in windows-1256, a duplicate recognised, a reply threaded by its subject tag
// (from the case's correspondent; a stranger's opens a new case),
// unparseable garbage still kept, an oversized message refused (exit 1), and a temporary
// failure (the database unreachable) exits 75 so that the MTA retries.
func TestIngestCommand(t *testing.T) {
	bin := buildHaven(t)
	forEachDatabase(t, bin, func(t *testing.T, db string) {
		if _, errOut, err := runHaven(t, bin, nil, "migrate", "--db", db); err != nil {
			t.Fatalf("migrate: %v %s", err, errOut)
		}
		args := []string{"ingest", "--db", db, "--mailbox", "help@helpline.example"}
		out, errOut, code := runWithStdin(t, bin, corpus(t, "ar-cp1256.eml"), args...)
		if code != 0 || !strings.HasPrefix(out, "HV-") || !strings.Contains(out, "new") {
			t.Fatalf("ingest: %d %q %s", code, out, errOut)
		}
		number := strings.Fields(out)[0]
		if out, _, code := runWithStdin(t, bin, corpus(t, "ar-cp1256.eml"), args...); code != 0 || !strings.Contains(out, number+" duplicate") {
			t.Fatalf("the same message again: %d %q", code, out)
		}
		reply := []byte("From: Omar <omar@example.org>\r\nTo: help@helpline.example\r\nSubject: Re: [" + number + "] more\r\nMessage-ID: <r1@mail.example>\r\n\r\nmore details\r\n")
		if out, _, code := runWithStdin(t, bin, reply, args...); code != 0 || !strings.Contains(out, number+" subject-tag") {
			t.Fatalf("tagged reply from the case's correspondent: %d %q", code, out)
		}
		stranger := []byte("From: someone@mail.example\r\nTo: help@helpline.example\r\nSubject: Re: [" + number + "] more\r\nMessage-ID: <r2@mail.example>\r\n\r\nmore details\r\n")
		if out, _, code := runWithStdin(t, bin, stranger, args...); code != 0 || strings.Contains(out, number) || !strings.Contains(out, " new") {
			t.Fatalf("a stranger's tagged email must open a new case: %d %q", code, out)
		}
		if out, errOut, code := runWithStdin(t, bin, corpus(t, "garbage-binary.eml"), args...); code != 0 || !strings.Contains(out, "new") {
			t.Fatalf("garbage must still be kept: %d %q %s", code, out, errOut)
		}
		cfg := filepath.Join(t.TempDir(), "mail.json")
		os.WriteFile(cfg, []byte(`{"mailboxes":[{"address":"help@helpline.example"}],"max_message_bytes":1000}`), 0o600)
		big := append(corpus(t, "plain-ascii.eml"), bytes.Repeat([]byte("x"), 2000)...)
		if _, errOut, code := runWithStdin(t, bin, big, "ingest", "--db", db, "--mail-config", cfg); code != 1 || !strings.Contains(errOut, "refused") {
			t.Fatalf("oversized: %d %s", code, errOut)
		}
	})
	t.Run("unreachable database", func(t *testing.T) {
		useNewMasterKey(t, bin)
		_, errOut, code := runWithStdin(t, bin, corpus(t, "plain-ascii.eml"), "ingest", "--db", "postgres://nobody@127.0.0.1:1/none?connect_timeout=2", "--mailbox", "help@helpline.example")
		if code != exitTempFail {
			t.Fatalf("exit %d, want %d (EX_TEMPFAIL): %s", code, exitTempFail, errOut)
		}
	})
}

// TestPGPCommands: a generated helpline key pair is stored, listed and exported as a public key.
func TestPGPCommands(t *testing.T) {
	bin := buildHaven(t)
	useNewMasterKey(t, bin)
	db := filepath.Join(t.TempDir(), "h.db")
	if _, errOut, err := runHaven(t, bin, nil, "migrate", "--db", db); err != nil {
		t.Fatalf("migrate: %v %s", err, errOut)
	}
	pub, errOut, err := runHaven(t, bin, nil, "pgp", "generate", "--db", db, "--name", "Helpline", "--email", "help@helpline.test")
	if err != nil || !strings.Contains(pub, "BEGIN PGP PUBLIC KEY BLOCK") || strings.Contains(pub, "PRIVATE") {
		t.Fatalf("generate: %v %s %s", err, pub, errOut)
	}
	list, _, err := runHaven(t, bin, nil, "pgp", "list", "--db", db)
	if err != nil || !strings.Contains(list, "help@helpline.test") {
		t.Fatalf("list: %v %s", err, list)
	}
	fpr := strings.Fields(strings.Split(list, "\n")[1])[0]
	if out, _, err := runHaven(t, bin, nil, "pgp", "export", "--db", db, fpr[len(fpr)-16:]); err != nil || !strings.Contains(out, "BEGIN PGP PUBLIC KEY BLOCK") {
		t.Fatalf("export: %v %s", err, out)
	}
	if _, errOut, err := runHaven(t, bin, nil, "pgp", "import", "--db", db, "/etc/hostname"); err == nil || !strings.Contains(errOut, "not an OpenPGP key") {
		t.Fatalf("importing garbage: %v %s", err, errOut)
	}
}
