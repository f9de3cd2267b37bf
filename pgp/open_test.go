package pgp

import (
	"bytes"
	"errors"
	"mime/quotedprintable"
	"strings"
	"testing"
)

// checkResult compares every field of a Result.
func checkResult(t *testing.T, got *Result, want Result) {
	t.Helper()
	if !bytes.Equal(got.Plain, want.Plain) {
		t.Errorf("Plain differs:\n got %q\nwant %q", got.Plain, want.Plain)
	}
	type flags struct {
		Inline, Decrypted, Signed, SignatureValid bool
		SignerFingerprint, SignatureError         string
	}
	g := flags{got.Inline, got.Decrypted, got.Signed, got.SignatureValid, got.SignerFingerprint, got.SignatureError}
	w := flags{want.Inline, want.Decrypted, want.Signed, want.SignatureValid, want.SignerFingerprint, want.SignatureError}
	if g != w {
		t.Errorf("result = %+v, want %+v", g, w)
	}
}

// keyIDOf is the 64-bit key ID GnuPG shows for a v4 fingerprint.
func keyIDOf(fpr string) string { return "0x" + fpr[len(fpr)-16:] }

func TestOpenPGPMIMEFromGnuPG(t *testing.T) {
	f := newFixture(t)
	inner := innerEntity()
	armored := f.g.run(inner, "--encrypt", "--sign", "--armor", "-r", havenUID, "-u", requesterUID)
	raw := pgpMIMEMessage(armored)

	res, err := f.haven.OpenMessage(raw, [][]byte{f.reqPub})
	if err != nil {
		t.Fatalf("OpenMessage: %v", err)
	}
	if !strings.Contains(string(res.Plain), arabicText) || !strings.Contains(string(res.Plain), "ça presse") {
		t.Errorf("Arabic or French text missing from %q", res.Plain)
	}
	checkResult(t, res, Result{Plain: inner, Decrypted: true, Signed: true, SignatureValid: true, SignerFingerprint: f.reqFpr})

	// Without the requester's key the content still opens; the signature
	// is reported as unverifiable, naming the key ID GnuPG users see.
	res, err = f.haven.OpenMessage(toLF(raw), nil)
	if err != nil {
		t.Fatalf("OpenMessage without verify keys: %v", err)
	}
	if !res.Decrypted || !res.Signed || res.SignatureValid {
		t.Errorf("result = %+v, want decrypted, signed, not valid", *res)
	}
	if wantErr := "no public key for signer " + keyIDOf(f.reqFpr); res.SignatureError != wantErr {
		t.Errorf("SignatureError = %q, want %q", res.SignatureError, wantErr)
	}
}

func TestOpenInlineFromGnuPG(t *testing.T) {
	f := newFixture(t)
	text := []byte(frenchText + "\n" + arabicText + "\n")
	armored := f.g.run(text, "--encrypt", "--armor", "-r", havenUID)
	body := "Hello,\r\n\r\n" + string(canonicalCRLF(armored)) + "\r\n-- \r\nsent from my phone\r\n"

	var qp bytes.Buffer
	w := quotedprintable.NewWriter(&qp)
	_, _ = w.Write([]byte(body))
	_ = w.Close()
	for name, raw := range map[string][]byte{
		"8bit":             textMessage([]byte(body), "8bit"),
		"quoted-printable": textMessage(qp.Bytes(), "quoted-printable"),
		"base64":           textMessage(b64Lines([]byte(body)), "base64"),
		"bare LF":          toLF(textMessage([]byte(body), "8bit")),
	} {
		t.Run(name, func(t *testing.T) {
			res, err := f.haven.OpenMessage(raw, [][]byte{f.reqPub})
			if err != nil {
				t.Fatalf("OpenMessage: %v", err)
			}
			checkResult(t, res, Result{Plain: text, Inline: true, Decrypted: true})
		})
	}
}

func TestOpenMultipartSignedFromGnuPG(t *testing.T) {
	f := newFixture(t)
	part := []byte("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
		arabicText + "\r\n" + frenchText + "\r\n")
	sig := f.g.run(part, "--detach-sign", "--armor", "-u", requesterUID)
	raw := signedMessage(part, sig)

	for name, msg := range map[string][]byte{"CRLF": raw, "bare LF": toLF(raw)} {
		t.Run(name, func(t *testing.T) {
			res, err := f.haven.OpenMessage(msg, [][]byte{f.reqPub})
			if err != nil {
				t.Fatalf("OpenMessage: %v", err)
			}
			checkResult(t, res, Result{Plain: part, Signed: true, SignatureValid: true, SignerFingerprint: f.reqFpr})
		})
	}

	t.Run("one byte changed", func(t *testing.T) {
		tampered := bytes.Replace(raw, []byte("urgent"), []byte("urgenT"), 1)
		res, err := f.haven.OpenMessage(tampered, [][]byte{f.reqPub})
		if err != nil {
			t.Fatalf("OpenMessage: %v", err)
		}
		if !res.Signed || res.SignatureValid || !strings.HasPrefix(res.SignatureError, "bad signature") {
			t.Errorf("result = %+v, want signed, invalid, reason \"bad signature…\"", *res)
		}
		t.Logf("reason: %s", res.SignatureError)
		if res.SignerFingerprint != f.reqFpr {
			t.Errorf("SignerFingerprint = %q, want %q", res.SignerFingerprint, f.reqFpr)
		}
	})
}

func TestOpenCleartextFromGnuPG(t *testing.T) {
	f := newFixture(t)
	text := frenchText + "\n- a dashed line\n" + arabicText + "\n"
	signed := f.g.run([]byte(text), "--clearsign", "-u", requesterUID)
	raw := textMessage(canonicalCRLF(append([]byte("Please see below.\n\n"), signed...)), "8bit")

	res, err := f.haven.OpenMessage(raw, [][]byte{f.reqPub})
	if err != nil {
		t.Fatalf("OpenMessage: %v", err)
	}
	if !res.Inline || res.Decrypted || !res.Signed || !res.SignatureValid || res.SignerFingerprint != f.reqFpr {
		t.Errorf("result = %+v, want inline, signed, valid by %s", *res, f.reqFpr)
	}
	if got := strings.TrimRight(string(res.Plain), "\n"); got != strings.TrimRight(text, "\n") {
		t.Errorf("Plain = %q, want %q", got, text)
	}

	tampered := bytes.Replace(raw, []byte("urgent"), []byte("urgenT"), 1)
	res, err = f.haven.OpenMessage(tampered, [][]byte{f.reqPub})
	if err != nil {
		t.Fatalf("OpenMessage tampered: %v", err)
	}
	if !res.Signed || res.SignatureValid || !strings.HasPrefix(res.SignatureError, "bad signature") {
		t.Errorf("tampered result = %+v, want invalid with reason", *res)
	}
	t.Logf("reason: %s", res.SignatureError)
}

func TestOpenEncryptedToOtherKey(t *testing.T) {
	f := newFixture(t)
	other := f.g.genKey("Someone Else <else@example.org>", "ed25519", "sign,cert", "never")
	f.g.addEncryptionSubkey(other, "never")
	armored := f.g.run(innerEntity(), "--encrypt", "--armor", "-r", "else@example.org")

	_, err := f.haven.OpenMessage(pgpMIMEMessage(armored), [][]byte{f.reqPub})
	if !errors.Is(err, ErrNoKey) {
		t.Fatalf("err = %v, want ErrNoKey", err)
	}
	sub := subkeyID(t, f.g, other)
	if !strings.Contains(err.Error(), sub) || !strings.Contains(err.Error(), "keys Haven does not hold") {
		t.Errorf("error %q should name the recipient key %s", err, sub)
	}
	t.Logf("error: %v", err)
}

// subkeyID returns the key ID of the encryption subkey of fpr, as gpg lists it.
func subkeyID(t *testing.T, g *gnupg, fpr string) string {
	t.Helper()
	out := g.run(nil, "--with-colons", "--list-keys", fpr)
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Split(line, ":"); len(f) > 4 && f[0] == "sub" {
			return "0x" + f[4]
		}
	}
	t.Fatalf("no subkey in %s", out)
	return ""
}

func TestOpenNotPGP(t *testing.T) {
	f := newFixture(t)
	plain := textMessage([]byte("Just a normal message.\r\n> -----BEGIN PGP MESSAGE-----\r\n"), "8bit")
	mixed := []byte(mailHeader(`multipart/mixed; boundary="m"`) +
		"--m\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--m--\r\n")
	for name, raw := range map[string][]byte{"text": plain, "multipart": mixed, "empty": nil} {
		if _, err := f.haven.OpenMessage(raw, nil); !errors.Is(err, ErrNotPGP) {
			t.Errorf("%s: err = %v, want ErrNotPGP", name, err)
		}
	}
}

func TestOpenPGPMIMEInsideMixed(t *testing.T) {
	f := newFixture(t)
	armored := f.g.run(innerEntity(), "--encrypt", "--sign", "--armor", "-r", havenUID, "-u", requesterUID)
	enc := pgpMIMEMessage(armored)
	encEntity := enc[bytes.Index(enc, []byte("Content-Type: multipart/encrypted")):]
	// A mailing list wraps the encrypted message and appends a footer.
	raw := []byte(mailHeader(`multipart/mixed; boundary="list"`) +
		"--list\r\n" + string(encEntity) + "\r\n--list\r\nContent-Type: text/plain\r\n\r\nList footer\r\n--list--\r\n")
	res, err := f.haven.OpenMessage(raw, [][]byte{f.reqPub})
	if err != nil {
		t.Fatalf("OpenMessage: %v", err)
	}
	if !bytes.Equal(res.Plain, innerEntity()) || !res.SignatureValid {
		t.Errorf("result = %+v", *res)
	}
}

func TestOpenSignThenEncrypt(t *testing.T) {
	f := newFixture(t)
	part := []byte("Content-Type: text/plain; charset=utf-8\r\n\r\n" + arabicText + "\r\n")
	sig := f.g.run(part, "--detach-sign", "--armor", "-u", requesterUID)
	signed := signedMessage(part, sig)
	// RFC 3156 §6.1: the multipart/signed entity is what gets encrypted.
	entity := signed[bytes.Index(signed, []byte("Content-Type: multipart/signed")):]
	armored := f.g.run(entity, "--encrypt", "--armor", "-r", havenUID)

	res, err := f.haven.OpenMessage(pgpMIMEMessage(armored), [][]byte{f.reqPub})
	if err != nil {
		t.Fatalf("OpenMessage: %v", err)
	}
	checkResult(t, res, Result{Plain: part, Decrypted: true, Signed: true, SignatureValid: true, SignerFingerprint: f.reqFpr})
}

func TestKeyringConcurrentUse(t *testing.T) {
	f := newFixture(t)
	armored := f.g.run(innerEntity(), "--encrypt", "--sign", "--armor", "-r", havenUID, "-u", requesterUID)
	raw := pgpMIMEMessage(armored)
	errs := make(chan error, 16)
	for range 8 {
		go func() {
			_, err := f.haven.OpenMessage(raw, [][]byte{f.reqPub})
			errs <- err
		}()
		go func() {
			_, _, err := f.haven.EncryptMIME(replyInner(), [][]byte{f.reqPub})
			errs <- err
		}()
	}
	for range 16 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
