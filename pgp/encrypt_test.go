package pgp

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-message"
)

// replyInner is an inner entity as Haven's mailer builds it.
func replyInner() []byte {
	return []byte("Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"Bonjour, nous avons re=C3=A7u votre demande.\r\n" +
		"=D9=85=D8=B1=D8=AD=D8=A8=D8=A7\r\n")
}

// buildReply puts EncryptMIME's output under a full message header.
func buildReply(t *testing.T, k *Keyring, inner []byte, keys ...[]byte) []byte {
	t.Helper()
	ct, body, err := k.EncryptMIME(inner, keys)
	if err != nil {
		t.Fatalf("EncryptMIME: %v", err)
	}
	head := "From: Haven <" + havenUID + ">\r\nTo: <" + requesterUID + ">\r\nSubject: Re: help\r\n" +
		"Message-ID: <reply@haven.example>\r\nMIME-Version: 1.0\r\nContent-Type: " + ct + "\r\n\r\n"
	return append([]byte(head), body...)
}

// encryptedPart extracts the second MIME part with a standard MIME parser,
// which also proves the structure is well-formed.
func encryptedPart(t *testing.T, raw []byte) []byte {
	t.Helper()
	m, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parsing reply: %v", err)
	}
	mt, params, _ := m.Header.ContentType()
	if mt != "multipart/encrypted" || params["protocol"] != "application/pgp-encrypted" {
		t.Fatalf("Content-Type = %s %v", mt, params)
	}
	mr := m.MultipartReader()
	var parts [][]byte
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading part: %v", err)
		}
		body, _ := io.ReadAll(p.Body)
		parts = append(parts, body)
	}
	if len(parts) != 2 || !strings.Contains(string(parts[0]), "Version: 1") {
		t.Fatalf("want version part and payload, got %q", parts)
	}
	return parts[1]
}

func TestEncryptMIMEReadByGnuPG(t *testing.T) {
	f := newFixture(t)
	inner := replyInner()
	raw := buildReply(t, f.haven, inner, f.reqPub)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "reply.eml"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	saved, err := os.ReadFile(filepath.Join(dir, "reply.eml"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "inner.bin")
	status := f.g.run(encryptedPart(t, saved), "--status-fd", "1", "--output", out, "--decrypt")
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, inner) {
		t.Errorf("gpg decrypted %q, want %q", got, inner)
	}
	for _, want := range []string{"[GNUPG:] GOODSIG ", "[GNUPG:] VALIDSIG ", f.havenFpr, "DECRYPTION_OKAY"} {
		if !strings.Contains(string(status), want) {
			t.Errorf("gpg status lacks %q:\n%s", want, status)
		}
	}
}

func TestEncryptMIMESentCopyReadable(t *testing.T) {
	f := newFixture(t)
	inner := replyInner()
	raw := buildReply(t, f.haven, toLF(inner), f.reqPub)
	res, err := f.haven.OpenMessage(raw, [][]byte{f.havenPub})
	if err != nil {
		t.Fatalf("OpenMessage of own reply: %v", err)
	}
	// The inner entity is sent with CRLF line breaks whatever the caller gave.
	checkResult(t, res, Result{Plain: inner, Decrypted: true, Signed: true, SignatureValid: true, SignerFingerprint: f.havenFpr})
}

func TestEncryptMIMERejectsUnusableKeys(t *testing.T) {
	f := newFixture(t)
	g := f.g
	past := "--faked-system-time=20200101T000000"
	expired := g.genKey("Expired <expired@example.org>", "ed25519", "sign,cert", "2020-06-01", past)
	g.addEncryptionSubkey(expired, "2020-06-01", past)

	revoked := g.genKey("Revoked <revoked@example.org>", "ed25519", "sign,cert", "never")
	g.addEncryptionSubkey(revoked, "never")
	g.revoke(revoked)

	signOnly := g.genKey("Sign Only <signonly@example.org>", "ed25519", "sign,cert", "never")

	for name, tc := range map[string]struct{ fpr, why string }{
		"expired":   {expired, "expired"},
		"revoked":   {revoked, "revoked"},
		"sign-only": {signOnly, "no usable encryption key"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := f.haven.EncryptMIME(replyInner(), [][]byte{f.reqPub, g.exportPublic(tc.fpr)})
			if err == nil {
				t.Fatal("EncryptMIME succeeded, want error")
			}
			if !strings.Contains(err.Error(), tc.fpr) || !strings.Contains(err.Error(), tc.why) {
				t.Errorf("error %q should name %s and say %q", err, tc.fpr, tc.why)
			}
		})
	}
	if _, _, err := f.haven.EncryptMIME(replyInner(), [][]byte{[]byte("garbage")}); err == nil ||
		!strings.Contains(err.Error(), "not an OpenPGP key") {
		t.Errorf("garbage key: err = %v", err)
	}
}
