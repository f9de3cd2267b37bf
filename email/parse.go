package email

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"

	"github.com/haven-helpline/haven"
)

const (
	// maxMIMEDepth bounds multipart nesting; deeper subtrees are kept whole
	// as an attachment so hostile nesting costs neither stack nor evidence.
	maxMIMEDepth = 20
	// maxForwardDepth bounds recursive parsing of message/rfc822 parts.
	maxForwardDepth = 5
)

// Parsed is what Parse understood of one message. Strings are valid UTF-8
// without NUL bytes. Parsed never aliases the raw input.
type Parsed struct {
	MessageID       string   // without <>, "" if missing
	InReplyTo       string   // without <>
	References      []string // without <>, in order
	From            Address  // first From
	To, Cc          []Address
	ReplyTo         []Address
	ReturnPath      string    // the envelope sender as the receiving server recorded it, without <>
	Subject         string    // RFC 2047 decoded, any charset
	Date            time.Time // zero if missing/unparseable
	Text            string    // text/plain body, or text derived from the HTML part when there is none
	HTML            string    // sanitised HTML, "" if none
	Attachments     []Attachment
	Forwarded       []*Parsed // message/rfc822 parts, parsed recursively (depth limit 5)
	Language        string    // "ar","fr","es","pt","ru","en" or "" when unsure
	AutoReply       bool      // auto-reply, bounce, list or loop traffic
	AutoReplyReason string
	Unparsed        bool          // structure could not be fully understood: keep and show the raw message
	CharsetFallback bool          // an unknown/invalid charset was met; bytes decoded as best effort
	Encrypted       bool          // PGP/MIME, S/MIME enveloped or inline PGP message
	Signed          bool          // multipart/signed or inline PGP signed message
	Bounce          *haven.Bounce // a delivery status notice returning the message it is about; else nil
	ContentHash     string        // hex sha256 of From/Date/Subject/To values and the body: dedupe key without Message-ID

	recovered string // a panic Parse survived; tests and fuzzing assert there is none
}

// Address is one mailbox. Addr has its domain part lower-cased; Name is decoded.
type Address struct{ Name, Addr string }

// Parse never fails on bad input: it returns what it could understand, with
// Unparsed/CharsetFallback flags set. A panic in any step is recovered and
// reported as Unparsed so the message is never lost.
func Parse(raw []byte) *Parsed {
	return parseMessage(raw, 0)
}

// DedupeKey identifies a message for duplicate detection: its Message-ID
// when present, else the content hash. It is "" only for a nil message.
func DedupeKey(p *Parsed) string {
	switch {
	case p == nil:
		return ""
	case p.MessageID != "":
		return "mid:" + p.MessageID
	}
	return "sha256:" + p.ContentHash
}

// parser carries the state of one message (not its forwarded children,
// which get their own parser).
type parser struct {
	p        *Parsed
	fwdDepth int
	hint     string   // top-level charset, used for raw 8-bit header bytes
	texts    []string // text/plain body parts in order
	htmls    []string // raw text/html body parts in order
	report   string   // auto-generated multipart/report kind, if any
	dsn      dsnState // what delivery-status and returned parts say
}

func parseMessage(raw []byte, fwdDepth int) (p *Parsed) {
	p = &Parsed{}
	defer func() {
		// Whatever went wrong, the caller still gets a result and a dedupe key.
		if r := recover(); r != nil {
			p.recovered = fmt.Sprint(r)
			p.Unparsed = true
			if p.ContentHash == "" {
				p.ContentHash = sha256Hex(raw)
			}
			if p.Text == "" {
				p.Text = fallbackText(raw)
			}
		}
	}()
	ps := &parser{p: p, fwdDepth: fwdDepth}
	ps.run(raw)
	return p
}

func (ps *parser) run(raw []byte) {
	h, body, st := readHeader(skipMboxLine(raw))
	ps.p.ContentHash = contentHash(h, body)
	if st == headerNone || h.Len() == 0 {
		ps.garbage(raw)
		return
	}
	ps.p.Unparsed = st == headerRepaired
	_, params := contentType(h)
	ps.hint = params["charset"]
	ps.readEnvelope(h)
	ps.walk(h, body, 0)
	ps.finish(h)
}

// garbage handles input without any recognisable header: the whole input
// becomes a capped text preview.
func (ps *parser) garbage(raw []byte) {
	ps.p.Unparsed = true
	ps.p.CharsetFallback = !utf8.Valid(raw)
	ps.p.Text = fallbackText(raw)
	ps.p.Language = DetectLanguage(ps.p.Text)
}

// normNewlines gives Text one line-ending convention whatever the transport
// used, and drops trailing blank space.
func normNewlines(s string) string {
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	}
	return strings.TrimRight(s, " \t\n")
}

func fallbackText(raw []byte) string {
	if len(raw) > maxFallbackText+4 {
		raw = raw[:maxFallbackText+4] // room for the rune cut below
	}
	return truncateUTF8(cleanText(bestEffort(raw)), maxFallbackText)
}

// skipMboxLine drops a leading mbox "From " separator line, which is not a
// header but is commonly left on exported messages.
func skipMboxLine(raw []byte) []byte {
	if !bytes.HasPrefix(raw, []byte("From ")) {
		return raw
	}
	if i := bytes.IndexByte(raw, '\n'); i >= 0 {
		return raw[i+1:]
	}
	return raw
}

func (ps *parser) readEnvelope(h message.Header) {
	p := ps.p
	p.MessageID = firstMsgID(h.Get("Message-Id"))
	p.InReplyTo = firstMsgID(h.Get("In-Reply-To"))
	p.References = msgIDList(h.Get("References"))
	if from := ps.addressList(h, "From"); len(from) > 0 {
		p.From = from[0]
	}
	p.To = ps.addressList(h, "To")
	p.Cc = ps.addressList(h, "Cc")
	p.ReplyTo = ps.addressList(h, "Reply-To")
	p.ReturnPath = ps.headerText(strings.Trim(strings.TrimSpace(h.Get("Return-Path")), "<>"))
	p.Subject = ps.headerText(h.Get("Subject"))
	p.Date = parseDate(h.Get("Date"))
}

// finish derives the fields that need the whole body.
func (ps *parser) finish(h message.Header) {
	p := ps.p
	p.Text = normNewlines(cleanText(strings.Join(ps.texts, "\n\n")))
	rawHTML := cleanText(strings.Join(ps.htmls, "\n"))
	if rawHTML != "" {
		p.HTML = SanitizeHTML(rawHTML)
		if strings.TrimSpace(p.Text) == "" {
			p.Text = HTMLToText(rawHTML)
		}
	}
	ps.inlinePGP(p.Text, rawHTML)
	p.Language = DetectLanguage(p.Subject + "\n" + p.Text)
	p.AutoReply, p.AutoReplyReason = autoReply(h, p.From, ps.report)
	p.Bounce = ps.bounce(h)
}

const (
	pgpMessage = "-----BEGIN PGP MESSAGE-----"
	pgpSigned  = "-----BEGIN PGP SIGNED MESSAGE-----"
)

// inlinePGP spots armored blocks pasted into bodies or attached as files.
func (ps *parser) inlinePGP(text, rawHTML string) {
	p := ps.p
	if strings.Contains(text, pgpMessage) || strings.Contains(rawHTML, pgpMessage) {
		p.Encrypted = true
	}
	if strings.Contains(text, pgpSigned) || strings.Contains(rawHTML, pgpSigned) {
		p.Signed = true
	}
	for _, a := range p.Attachments {
		if a.ContentType == "message/rfc822" {
			continue // a forwarded message's own flags live in Forwarded
		}
		head := a.Data[:min(len(a.Data), 1024)]
		if bytes.Contains(head, []byte(pgpMessage)) {
			p.Encrypted = true
		}
	}
}
