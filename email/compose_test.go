package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

func replyFixture() Outgoing {
	return Outgoing{
		From:       Address{Name: "خط المساعدة الرقمية", Addr: "help@helpline.test"},
		To:         []Address{{Name: "Sara", Addr: "sara@example.test"}},
		Cc:         []Address{{Name: "Élodie Dupré", Addr: "elodie@example.test"}},
		Subject:    "Re: Mon compte a été piraté, que faire ?",
		CaseNumber: "HV-2026-000123",
		InReplyTo:  "<msg-3@example.test>",
		References: []string{"msg-1@example.test", "msg-2@example.test"},
		Text:       "Bonjour Sara,\n\nVoici les étapes à suivre.\nمع السلامة\n",
		Domain:     "helpline.test",
		Date:       time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC),
	}
}

var messageIDForm = regexp.MustCompile(`^[a-z2-7]{26}@helpline\.test$`)

func TestComposeRoundTrip(t *testing.T) {
	data := bytes.Repeat([]byte{0, 1, 2, 0xfe, 0xff, '\r', '\n', '.'}, 5000)
	o := replyFixture()
	o.Attachments = []OutAttachment{{Filename: "C:\\Users\\x\\تقرير مارس.pdf", ContentType: "application/pdf; x=1", Data: data}}
	raw, id, err := Compose(o)
	if err != nil {
		t.Fatal(err)
	}
	checkCRLF(t, raw)
	if !messageIDForm.MatchString(id) {
		t.Errorf("Message-ID %q is not 128-bit base32 at the domain", id)
	}
	p := Parse(raw)
	if p.Unparsed || p.CharsetFallback {
		t.Fatalf("parser could not read the composed message: %+v", p)
	}
	if p.MessageID != id || p.InReplyTo != "msg-3@example.test" {
		t.Errorf("Message-ID %q In-Reply-To %q", p.MessageID, p.InReplyTo)
	}
	if got := strings.Join(p.References, " "); got != "msg-1@example.test msg-2@example.test msg-3@example.test" {
		t.Errorf("References %q", got)
	}
	if p.Subject != "Re: Mon compte a été piraté, que faire ? [HV-2026-000123]" {
		t.Errorf("Subject %q", p.Subject)
	}
	if p.From != o.From || len(p.Cc) != 1 || p.Cc[0] != o.Cc[0] {
		t.Errorf("From %+v Cc %+v", p.From, p.Cc)
	}
	if !p.Date.Equal(o.Date) {
		t.Errorf("Date %v", p.Date)
	}
	if strings.TrimSpace(p.Text) != strings.TrimSpace(o.Text) {
		t.Errorf("Text %q", p.Text)
	}
	if len(p.Attachments) != 1 {
		t.Fatalf("%d attachments", len(p.Attachments))
	}
	a := p.Attachments[0]
	sum := sha256.Sum256(data)
	if a.Filename != "تقرير مارس.pdf" || a.ContentType != "application/pdf" || a.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("attachment %q %q %s", a.Filename, a.ContentType, a.SHA256)
	}
	if p.AutoReply {
		t.Errorf("a reply marked auto: %s", p.AutoReplyReason)
	}
}

// checkCRLF fails on a bare LF or a line too long for SMTP.
func checkCRLF(t *testing.T, raw []byte) {
	t.Helper()
	for i, line := range bytes.Split(raw, []byte("\r\n")) {
		if bytes.ContainsAny(line, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF: %q", i, line)
		}
		if len(line) > 998 {
			t.Fatalf("line %d is %d bytes long", i, len(line))
		}
	}
}

func TestComposeHeadersEncoded(t *testing.T) {
	raw, _, err := Compose(replyFixture())
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	for _, b := range head {
		if b >= 0x80 {
			t.Fatalf("raw 8-bit byte in the header:\n%s", head)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != "Re: Mon compte a été piraté, que faire ? [HV-2026-000123]" {
		t.Errorf("Subject decodes to %q (%v)", subject, err)
	}
	// The added tag stays readable in the raw header.
	if !strings.HasSuffix(msg.Header.Get("Subject"), " [HV-2026-000123]") {
		t.Errorf("raw Subject %q does not end with the plain tag", msg.Header.Get("Subject"))
	}
	from, err := msg.Header.AddressList("From")
	if err != nil || from[0].Name != "خط المساعدة الرقمية" {
		t.Errorf("From decodes to %+v (%v)", from, err)
	}
	if ct := msg.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cte := msg.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
		t.Errorf("Content-Transfer-Encoding %q", cte)
	}
	if !strings.HasPrefix(string(raw), "Date: ") {
		t.Errorf("header does not start with Date:\n%s", head)
	}
}

func TestComposeSubjectTagOnce(t *testing.T) {
	cases := map[string]string{
		"Re: Help [HV-2026-000123]":   "Re: Help [HV-2026-000123]",
		"Re: Help [ hv-2026-000123 ]": "Re: Help [ hv-2026-000123 ]",
		"Help":                        "Help [HV-2026-000123]",
		"":                            "[HV-2026-000123]",
		"Re: [HV-2026-000999] other":  "Re: [HV-2026-000999] other [HV-2026-000123]",
		"two\r\nlines":                "two lines [HV-2026-000123]",
	}
	for in, want := range cases {
		o := replyFixture()
		o.Subject = in
		raw, _, err := Compose(o)
		if err != nil {
			t.Fatal(err)
		}
		if got := Parse(raw).Subject; got != want {
			t.Errorf("subject %q → %q, want %q", in, got, want)
		}
	}
}

func TestComposeReferencesCapped(t *testing.T) {
	o := replyFixture()
	o.References = nil
	for i := 1; i <= 30; i++ {
		o.References = append(o.References, fmt.Sprintf("m%d@x.test", i))
	}
	o.References = append(o.References, "m5@x.test") // duplicate
	o.InReplyTo = "m30@x.test"                       // already listed
	raw, _, err := Compose(o)
	if err != nil {
		t.Fatal(err)
	}
	refs := Parse(raw).References
	if len(refs) != 20 || refs[0] != "m11@x.test" || refs[19] != "m30@x.test" {
		t.Fatalf("References %v", refs)
	}
}

func TestComposeAutoSubmitted(t *testing.T) {
	o := replyFixture()
	o.AutoSubmitted = true
	raw, _, err := Compose(o)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte("\r\nAuto-Submitted: auto-replied\r\n")) || !bytes.Contains(raw, []byte("\r\nX-Auto-Response-Suppress: All\r\n")) {
		t.Fatalf("auto headers missing:\n%s", raw)
	}
	if p := Parse(raw); !p.AutoReply {
		t.Fatal("Parse does not see an auto-reply")
	}
}

func TestComposeRejectsBadInput(t *testing.T) {
	cases := map[string]func(*Outgoing){
		"no recipient":     func(o *Outgoing) { o.To = nil },
		"bad from":         func(o *Outgoing) { o.From.Addr = "help" },
		"injected cc":      func(o *Outgoing) { o.Cc = []Address{{Addr: "a@x.test\r\nBcc: b@x.test"}} },
		"no domain":        func(o *Outgoing) { o.Domain = "" },
		"bad reference":    func(o *Outgoing) { o.References = []string{"a b@x"} },
		"bad in-reply-to":  func(o *Outgoing) { o.InReplyTo = "x@y>\r\nBcc: z@w" },
		"domain with an @": func(o *Outgoing) { o.Domain = "a@b" },
	}
	for name, mutate := range cases {
		o := replyFixture()
		mutate(&o)
		if _, _, err := Compose(o); haven.ErrorCode(err) != haven.EINVALID {
			t.Errorf("%s: err = %v, want EINVALID", name, err)
		}
	}
}

// fakePGPMIME lays out RFC 3156 parts around a stand-in ciphertext, as
// pgp.Keyring.EncryptMIME does, and keeps what it was asked to encrypt.
func fakePGPMIME(seen *[]byte) func([]byte) (string, []byte, error) {
	return func(inner []byte) (string, []byte, error) {
		*seen = bytes.Clone(inner)
		const boundary = "fake-pgp-boundary"
		body := "--" + boundary + "\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n" +
			"--" + boundary + "\r\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\r\n\r\n" +
			"-----BEGIN PGP MESSAGE-----\r\n\r\n" + base64.StdEncoding.EncodeToString(inner[:64]) + "\r\n-----END PGP MESSAGE-----\r\n" +
			"\r\n--" + boundary + "--\r\n"
		ct := mime.FormatMediaType("multipart/encrypted", map[string]string{"protocol": "application/pgp-encrypted", "boundary": boundary})
		return ct, []byte(body), nil
	}
}

func TestComposeEncrypted(t *testing.T) {
	o := replyFixture()
	data := []byte("secret evidence \x00\x01\x02")
	o.Attachments = []OutAttachment{{Filename: "preuve.bin", Data: data}}
	var inner []byte
	raw, id, err := ComposeEncrypted(o, fakePGPMIME(&inner))
	if err != nil {
		t.Fatal(err)
	}
	checkCRLF(t, raw)
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/encrypted" || params["protocol"] != "application/pgp-encrypted" {
		t.Fatalf("outer Content-Type %q", msg.Header.Get("Content-Type"))
	}
	checkPGPParts(t, msg.Body, params["boundary"])
	if bytes.Contains(raw, []byte("Voici les")) || bytes.Contains(raw, []byte("preuve.bin")) {
		t.Fatal("plaintext body or attachment name outside the encrypted part")
	}

	p := Parse(raw)
	if !p.Encrypted || p.MessageID != id || p.InReplyTo != "msg-3@example.test" || len(p.References) != 3 {
		t.Fatalf("outer message: encrypted %v id %q irt %q refs %v", p.Encrypted, p.MessageID, p.InReplyTo, p.References)
	}
	if p.Subject != "Re: Mon compte a été piraté, que faire ? [HV-2026-000123]" || p.From != o.From {
		t.Errorf("outer Subject %q From %+v", p.Subject, p.From)
	}

	in := Parse(inner)
	if !strings.Contains(in.Text, "Voici les étapes à suivre.") || len(in.Attachments) != 1 ||
		in.Attachments[0].Filename != "preuve.bin" || !bytes.Equal(in.Attachments[0].Data, data) {
		t.Fatalf("inner entity: text %q attachments %+v", in.Text, in.Attachments)
	}
	if bytes.Contains(inner, []byte("Subject:")) || bytes.Contains(inner, []byte("From:")) {
		t.Errorf("inner entity carries envelope headers:\n%s", inner)
	}
}

// checkPGPParts checks the RFC 3156 layout: a version part, then the
// octet-stream ciphertext.
func checkPGPParts(t *testing.T, body io.Reader, boundary string) {
	t.Helper()
	mr := multipart.NewReader(body, boundary)
	var types, bodies []string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(part)
		types = append(types, part.Header.Get("Content-Type"))
		bodies = append(bodies, string(b))
	}
	if len(types) != 2 || types[0] != "application/pgp-encrypted" || !strings.HasPrefix(types[1], "application/octet-stream") {
		t.Fatalf("parts %q", types)
	}
	if strings.TrimSpace(bodies[0]) != "Version: 1" || !strings.Contains(bodies[1], "BEGIN PGP MESSAGE") {
		t.Fatalf("part bodies %q", bodies)
	}
}

func TestComposeEncryptedRefusesOtherTypes(t *testing.T) {
	bogus := func([]byte) (string, []byte, error) { return "text/plain", []byte("oops"), nil }
	if _, _, err := ComposeEncrypted(replyFixture(), bogus); err == nil {
		t.Fatal("a non-PGP/MIME content type was accepted")
	}
}
