package pgp

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

const (
	havenUID      = "helpline@haven.example"
	requesterUID  = "req@example.org"
	havenPass     = "correct horse battery staple"
	arabicText    = "مرحبا، نحتاج إلى مساعدة عاجلة بخصوص حسابنا."
	frenchText    = "Bonjour, nous avons besoin d'aide — c'est urgent, ça presse."
	attachmentB64 = "JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+PgplbmRvYmoK"
)

// fixture is a GnuPG home holding a requester key pair and Haven's public
// key, plus Haven's Keyring built from a key made by GenerateKey.
type fixture struct {
	g        *gnupg
	reqFpr   string
	reqPub   []byte
	haven    *Keyring
	havenPub []byte
	havenFpr string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	g := newGnuPG(t)
	f := &fixture{g: g}
	f.reqFpr = g.genKey("Requester <"+requesterUID+">", "ed25519", "sign,cert", "never")
	g.addEncryptionSubkey(f.reqFpr, "never")
	f.reqPub = g.exportPublic(f.reqFpr)

	priv, err := GenerateKey("Haven Helpline", havenUID, []byte(havenPass))
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	if f.haven, err = NewKeyring([][]byte{priv}, []byte(havenPass)); err != nil {
		t.Fatalf("NewKeyring: %v", err)
	}
	if f.havenPub, err = PublicFromAny(priv); err != nil {
		t.Fatalf("PublicFromAny: %v", err)
	}
	f.havenFpr = f.haven.Fingerprints()[0]
	g.run(f.havenPub, "--import")
	return f
}

// innerEntity is a multipart/mixed entity as a requester's client builds
// it: Arabic and French text plus a PDF attachment, CRLF line breaks.
func innerEntity() []byte {
	lines := []string{
		`Content-Type: multipart/mixed; boundary="inner-b"`,
		``,
		`--inner-b`,
		`Content-Type: text/plain; charset=utf-8`,
		`Content-Transfer-Encoding: 8bit`,
		``,
		arabicText,
		frenchText,
		``,
		`--inner-b`,
		`Content-Type: application/pdf; name="passport.pdf"`,
		`Content-Disposition: attachment; filename="passport.pdf"`,
		`Content-Transfer-Encoding: base64`,
		``,
		attachmentB64,
		`--inner-b--`,
		``,
	}
	return []byte(strings.Join(lines, "\r\n"))
}

// mailHeader is the outer header of a test message.
func mailHeader(contentType string) string {
	return "From: Requester <" + requesterUID + ">\r\n" +
		"To: Haven <" + havenUID + ">\r\n" +
		"Subject: help\r\n" +
		"Message-ID: <test@example.org>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: " + contentType + "\r\n\r\n"
}

// pgpMIMEMessage wraps an armored OpenPGP message as RFC 3156 §4 says.
func pgpMIMEMessage(armored []byte) []byte {
	return []byte(mailHeader(`multipart/encrypted; protocol="application/pgp-encrypted"; boundary="enc-b"`) +
		"This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n" +
		"--enc-b\r\n" +
		"Content-Type: application/pgp-encrypted\r\n\r\n" +
		"Version: 1\r\n\r\n" +
		"--enc-b\r\n" +
		"Content-Type: application/octet-stream; name=\"encrypted.asc\"\r\n\r\n" +
		string(canonicalCRLF(armored)) + "\r\n" +
		"--enc-b--\r\n")
}

// signedMessage wraps a signed part and its armored detached signature as
// RFC 3156 §5 says.
func signedMessage(part, sig []byte) []byte {
	return []byte(mailHeader(`multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="sig-b"`) +
		"This is an OpenPGP/MIME signed message (RFC 4880 and 3156)\r\n" +
		"--sig-b\r\n" +
		string(part) + "\r\n" +
		"--sig-b\r\n" +
		"Content-Type: application/pgp-signature; name=\"signature.asc\"\r\n\r\n" +
		string(canonicalCRLF(sig)) + "\r\n" +
		"--sig-b--\r\n")
}

// textMessage is a single text/plain message with the given encoding.
func textMessage(body []byte, cte string) []byte {
	h := mailHeader("text/plain; charset=utf-8")
	h = strings.TrimSuffix(h, "\r\n") + "Content-Transfer-Encoding: " + cte + "\r\n\r\n"
	return append([]byte(h), body...)
}

// toLF mimics an mbox or Maildir copy stored with bare LF line breaks.
func toLF(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
}

// b64Lines base64-encodes with 76-character lines, as mail clients do.
func b64Lines(b []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(enc) > 76 {
		out.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	out.WriteString(enc + "\r\n")
	return []byte(out.String())
}
