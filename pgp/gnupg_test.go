package pgp

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gnupg drives the real gpg binary in a throw-away home directory, so the
// tests prove interoperability with what requesters actually run.
type gnupg struct {
	t    *testing.T
	home string
}

// newGnuPG creates a fresh GNUPGHOME. The path is kept short (under /tmp)
// because gpg-agent's socket path must stay under ~100 characters.
func newGnuPG(t *testing.T) *gnupg {
	t.Helper()
	if _, err := exec.LookPath("gpg"); err != nil {
		t.Fatalf("gpg is required for these tests (%v): install Debian package gnupg", err)
	}
	home, err := os.MkdirTemp("/tmp", "gpgt")
	if err != nil {
		t.Fatalf("creating GNUPGHOME: %v", err)
	}
	t.Cleanup(func() {
		// Stop the agent this home started before removing its sockets.
		_ = exec.Command("gpgconf", "--homedir", home, "--kill", "all").Run()
		_ = os.RemoveAll(home)
	})
	return &gnupg{t: t, home: home}
}

// try runs gpg and returns stdout, stderr and the exit error.
func (g *gnupg) try(stdin []byte, args ...string) ([]byte, []byte, error) {
	base := []string{"--homedir", g.home, "--batch", "--no-tty", "--yes",
		"--pinentry-mode", "loopback", "--passphrase", "", "--trust-model", "always"}
	cmd := exec.Command("gpg", append(base, args...)...)
	cmd.Env = append(os.Environ(), "GNUPGHOME="+g.home, "LC_ALL=C")
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.Bytes(), stderr.Bytes(), err
}

// run runs gpg and fails the test on a non-zero exit.
func (g *gnupg) run(stdin []byte, args ...string) []byte {
	g.t.Helper()
	out, errOut, err := g.try(stdin, args...)
	if err != nil {
		g.t.Fatalf("gpg %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

// genKey creates a primary key and returns its fingerprint. extra holds
// options placed before the command (e.g. --faked-system-time).
func (g *gnupg) genKey(uid, algo, usage, expire string, extra ...string) string {
	g.t.Helper()
	g.run(nil, append(extra, "--quick-gen-key", uid, algo, usage, expire)...)
	return g.fingerprint(uid)
}

// addEncryptionSubkey adds a Curve25519 encryption subkey.
func (g *gnupg) addEncryptionSubkey(fpr, expire string, extra ...string) {
	g.t.Helper()
	g.run(nil, append(extra, "--quick-add-key", fpr, "cv25519", "encr", expire)...)
}

// fingerprint returns the primary fingerprint of the key matching uid.
func (g *gnupg) fingerprint(uid string) string {
	g.t.Helper()
	out := g.run(nil, "--with-colons", "--list-keys", uid)
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Split(line, ":"); len(f) > 9 && f[0] == "fpr" {
			return f[9]
		}
	}
	g.t.Fatalf("no fingerprint for %q in:\n%s", uid, out)
	return ""
}

// exportPublic returns the armored public key.
func (g *gnupg) exportPublic(fpr string) []byte {
	g.t.Helper()
	return g.run(nil, "--armor", "--export", fpr)
}

// revoke imports the revocation certificate gpg wrote at key creation.
func (g *gnupg) revoke(fpr string) {
	g.t.Helper()
	cert, err := os.ReadFile(filepath.Join(g.home, "openpgp-revocs.d", fpr+".rev"))
	if err != nil {
		g.t.Fatalf("reading revocation certificate: %v", err)
	}
	// gpg prefixes the armor line with ":" so the file is not imported by accident.
	cert = bytes.Replace(cert, []byte(":-----BEGIN"), []byte("-----BEGIN"), 1)
	g.run(cert, "--import")
}
