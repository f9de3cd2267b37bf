package email

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"path"
	"slices"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"github.com/haven-helpline/haven"
)

// maxReferences bounds the References header of a long thread.
const maxReferences = 20

// Outgoing is a reply (or acknowledgement) to compose.
type Outgoing struct {
	From        Address
	To          []Address
	Cc          []Address
	Subject     string   // " [HV-…]" (CaseNumber) is appended unless already present
	CaseNumber  string   // the tag: a case number, or an escalation's HVE-… tag
	InReplyTo   string   // without <>
	References  []string // without <>; the composed References = References + InReplyTo, deduplicated, 20 newest
	Text        string   // plain text body
	Attachments []OutAttachment
	Domain      string    // Message-ID domain, e.g. "helpline.example"
	Date        time.Time // default now
	// AutoSubmitted marks automatic acknowledgements (RFC 3834) so that
	// auto-responders on the other side do not answer them.
	AutoSubmitted bool
}

// OutAttachment is a file attached to an outgoing message.
type OutAttachment struct {
	Filename    string
	ContentType string // media type; parameters are dropped; default application/octet-stream
	Data        []byte
}

// Compose renders o as an RFC 5322 MIME message with CRLF line breaks: a
// quoted-printable UTF-8 text/plain part, plus base64 attachments in a
// multipart/mixed. messageID is returned without <>.
func Compose(o Outgoing) (raw []byte, messageID string, err error) {
	fields, id, err := composeFields(o)
	if err != nil {
		return nil, "", err
	}
	entity, err := composeEntity(o)
	if err != nil {
		return nil, "", err
	}
	return assemble(fields, entity), id, nil
}

// ComposeEncrypted builds the same message PGP/MIME-encrypted (RFC 3156).
// The body (text and attachments, as a MIME entity with its own headers)
// is passed to encrypt, which returns the top-level Content-Type
// (multipart/encrypted; protocol="application/pgp-encrypted") and the body
// with its two parts, as pgp.Keyring.EncryptMIME does; package email thus
// needs no crypto.
//
// The outer header keeps From, To, Cc, Date, Message-ID, In-Reply-To,
// References and the real Subject, most PGP clients showing only that one:
// the Subject is NOT encrypted, so it must not carry anything sensitive.
func ComposeEncrypted(o Outgoing, encrypt func(inner []byte) (contentType string, body []byte, err error)) (raw []byte, messageID string, err error) {
	fields, id, err := composeFields(o)
	if err != nil {
		return nil, "", err
	}
	inner, err := composeEntity(o)
	if err != nil {
		return nil, "", err
	}
	ct, body, err := encrypt(inner)
	if err != nil {
		return nil, "", haven.Internal("compose: encrypting", err)
	}
	if err := checkEncryptedType(ct); err != nil {
		return nil, "", err
	}
	entity := append(formatFields([][2]string{{"MIME-Version", "1.0"}, {"Content-Type", ct}}), "\r\n"...)
	return assemble(fields, append(entity, body...)), id, nil
}

// assemble puts the envelope fields (Date, From…) in front of a MIME
// entity, which starts with its own MIME-Version and Content-* fields.
// Building the two apart keeps the conventional field order: go-message
// moves a field to the top whenever it is set.
func assemble(fields [][2]string, entity []byte) []byte {
	return append(formatFields(fields), entity...)
}

// formatFields renders header fields in order, folded, each ending in
// CRLF, without the blank line that ends a header.
func formatFields(fields [][2]string) []byte {
	var h textproto.Header
	// WriteHeader writes the last field added first.
	for i := len(fields) - 1; i >= 0; i-- {
		h.Add(fields[i][0], fields[i][1])
	}
	var b bytes.Buffer
	_ = textproto.WriteHeader(&b, h) // a bytes.Buffer does not fail
	return bytes.TrimSuffix(b.Bytes(), []byte("\r\n"))
}

// composeEntity is the message body as a MIME entity: a single text part,
// or multipart/mixed when there are attachments.
func composeEntity(o Outgoing) ([]byte, error) {
	var b bytes.Buffer
	if err := writeEntity(&b, o); err != nil {
		return nil, haven.Internal("compose", err)
	}
	return b.Bytes(), nil
}

func checkEncryptedType(ct string) error {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "multipart/encrypted" || params["boundary"] == "" ||
		!strings.EqualFold(params["protocol"], "application/pgp-encrypted") {
		return haven.Internal("compose", fmt.Errorf("encrypt returned content type %q, want PGP/MIME multipart/encrypted", ct))
	}
	return nil
}

func writeEntity(w io.Writer, o Outgoing) error {
	var h gomail.Header
	text := composeText(o.Text)
	if len(o.Attachments) == 0 {
		h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
		tw, err := gomail.CreateSingleInlineWriter(w, h)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(tw, text); err != nil {
			return err
		}
		return tw.Close()
	}
	mw, err := gomail.CreateWriter(w, h)
	if err != nil {
		return err
	}
	if err := writeTextPart(mw, text); err != nil {
		return err
	}
	for _, a := range o.Attachments {
		if err := writeAttachment(mw, a); err != nil {
			return err
		}
	}
	return mw.Close()
}

func writeTextPart(mw *gomail.Writer, text string) error {
	var th gomail.InlineHeader
	th.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	tw, err := mw.CreateSingleInline(th)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(tw, text); err != nil {
		return err
	}
	return tw.Close()
}

// writeAttachment names the file with RFC 2231 parameters (filename*=),
// which mime.FormatMediaType produces for non-ASCII names; go-message's own
// setters would put RFC 2047 words inside the parameter instead.
func writeAttachment(mw *gomail.Writer, a OutAttachment) error {
	name := attachmentName(a.Filename)
	var ah gomail.AttachmentHeader
	ah.Set("Content-Type", mime.FormatMediaType(attachmentType(a.ContentType), map[string]string{"name": name}))
	ah.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	aw, err := mw.CreateAttachment(ah)
	if err != nil {
		return err
	}
	if _, err := aw.Write(a.Data); err != nil {
		return err
	}
	return aw.Close()
}

func attachmentType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || !strings.Contains(mt, "/") || mime.FormatMediaType(mt, nil) == "" {
		return "application/octet-stream"
	}
	return mt
}

// attachmentName keeps the last path element: a name is not a path on the
// recipient's disk.
func attachmentName(name string) string {
	name = path.Base(strings.ReplaceAll(strings.TrimSpace(name), `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if name == "" || name == "." || name == "/" {
		return "attachment"
	}
	return name
}

// composeText normalises line breaks; the quoted-printable writer turns
// each \n into CRLF.
func composeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if s != "" && !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}

// composeFields validates o and returns its header fields (all but the
// MIME ones) and a new Message-ID.
func composeFields(o Outgoing) ([][2]string, string, error) {
	if err := checkOutgoing(o); err != nil {
		return nil, "", err
	}
	id, err := newMessageID(o.Domain)
	if err != nil {
		return nil, "", err
	}
	return envelopeFields(o, id), id, nil
}

// envelopeFields are the message's header fields in display order.
func envelopeFields(o Outgoing, id string) [][2]string {
	date := o.Date
	if date.IsZero() {
		date = time.Now()
	}
	fields := [][2]string{
		{"Date", date.Format(time.RFC1123Z)},
		{"From", mailAddress(o.From).String()},
		{"To", formatAddresses(o.To)},
	}
	if len(o.Cc) > 0 {
		fields = append(fields, [2]string{"Cc", formatAddresses(o.Cc)})
	}
	fields = append(fields, [2]string{"Subject", taggedSubject(o.Subject, o.CaseNumber)}, [2]string{"Message-ID", "<" + id + ">"})
	if irt := cleanMsgID(o.InReplyTo); irt != "" {
		fields = append(fields, [2]string{"In-Reply-To", "<" + irt + ">"})
	}
	if refs := composeReferences(o.References, o.InReplyTo); len(refs) > 0 {
		fields = append(fields, [2]string{"References", "<" + strings.Join(refs, "> <") + ">"})
	}
	if o.AutoSubmitted {
		fields = append(fields, [2]string{"Auto-Submitted", "auto-replied"}, [2]string{"X-Auto-Response-Suppress", "All"})
	}
	return fields
}

func checkOutgoing(o Outgoing) error {
	if !validAddress(o.From.Addr) {
		return haven.Errorf(haven.EINVALID, "invalid From address %q", o.From.Addr)
	}
	if len(o.To) == 0 {
		return haven.Errorf(haven.EINVALID, "no recipient")
	}
	for _, a := range append(slices.Clone(o.To), o.Cc...) {
		if !validAddress(a.Addr) {
			return haven.Errorf(haven.EINVALID, "invalid recipient address %q", a.Addr)
		}
	}
	if !validDomain(o.Domain) {
		return haven.Errorf(haven.EINVALID, "invalid Message-ID domain %q", o.Domain)
	}
	for _, id := range append(slices.Clone(o.References), o.InReplyTo) {
		if strings.ContainsAny(cleanMsgID(id), " \t\r\n<>") {
			return haven.Errorf(haven.EINVALID, "invalid message id %q", id)
		}
	}
	return nil
}

func validDomain(d string) bool {
	return d != "" && len(d) <= 253 && !strings.ContainsAny(d, " \t\r\n<>@()[]\\,;:\"")
}

// newMessageID is 128 random bits in base32, at Domain.
func newMessageID(domain string) (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", haven.Internal("message id", err)
	}
	enc := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
	return strings.ToLower(enc) + "@" + domain, nil
}

func mailAddress(a Address) *gomail.Address {
	return &mail.Address{Name: oneLine(a.Name), Address: a.Addr}
}

func formatAddresses(as []Address) string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, mailAddress(a).String())
	}
	return strings.Join(out, ", ")
}

// taggedSubject encodes the subject (RFC 2047) and appends the case tag (or
// an escalation's [HVE-…] tag) unless the subject already carries it (a reply keeps "Re: …
// [HV-2026-000123]" as it is). An added tag stays outside the encoded
// words, so it can be found in the raw header too.
func taggedSubject(subject, caseNumber string) string {
	subject = oneLine(subject)
	caseNumber = strings.ToUpper(strings.TrimSpace(caseNumber))
	encoded := mime.QEncoding.Encode("utf-8", subject)
	if caseNumber == "" || strings.Contains(strings.ToUpper(subject), "["+caseNumber+"]") || SubjectCaseNumber(subject) == caseNumber {
		return encoded
	}
	return strings.TrimSpace(encoded + " [" + caseNumber + "]")
}

// composeReferences is References + InReplyTo, first occurrence kept, then
// the newest maxReferences.
func composeReferences(refs []string, inReplyTo string) []string {
	var out []string
	for _, id := range append(slices.Clone(refs), inReplyTo) {
		if id = cleanMsgID(id); id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out) > maxReferences {
		out = out[len(out)-maxReferences:]
	}
	return out
}

func cleanMsgID(id string) string {
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(id), "<"), ">"))
}

// oneLine keeps a header value on one line: a CR or LF from user input
// must not start a new header field.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)), " ")
}
