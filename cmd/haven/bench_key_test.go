package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-helpline/haven/keyring"
)

// TestBenchReusesKeyFile checks that a benchmark database loaded once can be benchmarked again
// with its master key given as a file (HAVEN_MASTER_KEY_FILE), and that another key is refused.
func TestBenchReusesKeyFile(t *testing.T) {
	t.Setenv(masterKeyEnv, "")
	dir := t.TempDir()
	e := &env{ctx: context.Background(), stdout: io.Discard, stderr: io.Discard, log: slog.New(slog.DiscardHandler)}
	keyFile, otherKey := writeKeyFile(t, dir, "bench.key"), writeKeyFile(t, dir, "other.key")
	b := benchDB{DB: filepath.Join(dir, "bench.db"), MasterKeyFile: keyFile}
	for run := range 2 {
		a, done, err := b.open(e)
		if err != nil {
			t.Fatalf("run %d with the database's key file: %v", run, err)
		}
		if _, err := benchActor(e, a); err != nil {
			t.Fatal(err)
		}
		if err := done(); err != nil {
			t.Fatal(err)
		}
	}
	b.MasterKeyFile = otherKey
	if _, _, err := b.open(e); err == nil || !strings.Contains(err.Error(), "master key") {
		t.Fatalf("another key must be refused: %v", err)
	}
}

func writeKeyFile(t *testing.T, dir, name string) string {
	t.Helper()
	encoded, err := keyring.GenerateMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(encoded+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBenchActorSkipsOneTimePassword checks that the benchmark does not act as an admin whose
// password is one-time (haven serve's first start): that account's tokens are refused, so a run
// with --url failed after its first request. It names an admin who can instead, or says what to do.
func TestBenchActorSkipsOneTimePassword(t *testing.T) {
	t.Setenv(masterKeyEnv, "")
	dir := t.TempDir()
	e := &env{ctx: context.Background(), stdout: io.Discard, stderr: io.Discard, log: slog.New(slog.DiscardHandler)}
	b := benchDB{DB: filepath.Join(dir, "bench.db"), MasterKeyFile: writeKeyFile(t, dir, "bench.key")}
	a, done, err := b.open(e)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := done(); err != nil {
			t.Error(err)
		}
	}()
	if _, _, err := a.svc.BootstrapAdmin(e.ctx, "admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := benchActor(e, a); err == nil || !strings.Contains(err.Error(), "haven user add") {
		t.Fatalf("with only a one-time admin: %v", err)
	}
}
