package email

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/emersion/go-message"

	"github.com/haven-helpline/haven"
)

// Delivery status notifications (RFC 3464, RFC 6533): a multipart/report whose
// message/delivery-status part says what became of each recipient, with the
// returned message (message/rfc822) or its header (text/rfc822-headers).
// Only each recipient's Action and Status are read: addresses and diagnostic
// text are personal data, and the raw message keeps them anyway.

const (
	// dsnReport is the report kind of a multipart/report of delivery status.
	dsnReport = "delivery status report"
	// maxDSNBytes bounds how much of a delivery-status part is read: a real
	// one takes a few hundred bytes per recipient.
	maxDSNBytes = 64 << 10
)

// statusRE is an RFC 3463 status code: class, subject, detail.
var statusRE = regexp.MustCompile(`^[245]\.[0-9]{1,3}\.[0-9]{1,3}$`)

// dsnState is what a message's own parts say about a delivery (its
// forwarded messages have their own).
type dsnState struct {
	original string // Message-ID of the first returned message or header block that has one
	read     bool   // a delivery-status part was read: only the first one counts
	failed   bool
	status   string
}

// noteReport reads the machine-readable parts of a report.
func (ps *parser) noteReport(mt string, data []byte) {
	switch mt {
	case "message/delivery-status", "message/global-delivery-status":
		if !ps.dsn.read {
			ps.dsn.read = true
			ps.dsn.failed, ps.dsn.status = deliveryStatus(data)
		}
	case "text/rfc822-headers", "message/rfc822-headers", "message/global-headers":
		if ps.dsn.original == "" {
			h, _, _ := readHeader(data)
			ps.noteReturned(h)
		}
	}
}

// noteReturned keeps the Message-ID of a returned (or forwarded) message.
func (ps *parser) noteReturned(h message.Header) {
	if ps.dsn.original == "" {
		ps.dsn.original = firstMsgID(h.Get("Message-Id"))
	}
}

// bounce describes a delivery status notification: a multipart/report of
// delivery status, or the common non-standard notice from a mailer daemon or
// a null sender that returns the original as message/rfc822 (Failed is then
// only set by a delivery-status part, if it has one). Without the original's
// Message-ID it is about nothing Haven can find: nil.
func (ps *parser) bounce(h message.Header) *haven.Bounce {
	if ps.dsn.original == "" {
		return nil
	}
	if ps.report != dsnReport && nullSender(h, ps.p.From) == "" {
		return nil
	}
	return &haven.Bounce{OriginalMessageID: ps.dsn.original, Failed: ps.dsn.failed, Status: ps.dsn.status}
}

// deliveryStatus reads a message/delivery-status body: a block of
// per-message fields, then a block per recipient, separated by blank lines.
// failed is true when a recipient's Action is "failed"; status is the first
// failed recipient's Status, else the first recipient's, "" when it is not a
// valid code. Junk lines are skipped; blocks run together without their blank
// line are told apart by a repeated field.
func deliveryStatus(data []byte) (failed bool, status string) {
	data = data[:min(len(data), maxDSNBytes)]
	var s dsnScan
	for pos := 0; pos < len(data) && !s.failed; {
		line, next := restOfLine(data, pos)
		pos = next
		line = bytes.TrimRight(line, " \t\r")
		switch {
		case len(line) == 0:
			s.flush()
		case line[0] == ' ' || line[0] == '\t':
			s.continued(string(line))
		default:
			if k, v, ok := splitField(line); ok {
				s.field(strings.ToLower(k), v)
			} else {
				s.last = nil
			}
		}
	}
	s.flush()
	if !s.failed {
		s.status = s.firstStatus
	}
	if !statusRE.MatchString(s.status) {
		return s.failed, ""
	}
	return s.failed, s.status
}

// dsnRecipient is what is kept of one per-recipient block.
type dsnRecipient struct {
	final          bool // a Final-Recipient field was met (its address is not kept)
	action, status string
}

type dsnScan struct {
	cur         dsnRecipient
	last        *string // the field a folded line continues, if kept
	recipients  int
	firstStatus string
	failed      bool
	status      string
}

func (s *dsnScan) field(k, v string) {
	s.last = nil
	switch k {
	case "final-recipient":
		if s.cur.final {
			s.flush()
		}
		s.cur.final = true
	case "action":
		if s.cur.action != "" {
			s.flush()
		}
		s.cur.action, s.last = v, &s.cur.action
	case "status":
		if s.cur.status != "" {
			s.flush()
		}
		s.cur.status, s.last = v, &s.cur.status
	}
}

// continued appends a folded line to the Action or Status it belongs to.
func (s *dsnScan) continued(line string) {
	if s.last != nil && len(*s.last) < 200 {
		*s.last += " " + strings.TrimSpace(line)
	}
}

// flush ends the current block. A block without Action or Status (the
// per-message block) says nothing about a recipient.
func (s *dsnScan) flush() {
	r := s.cur
	s.cur, s.last = dsnRecipient{}, nil
	r.action, r.status = strings.ToLower(dsnToken(r.action)), dsnToken(r.status)
	if r.action == "" && r.status == "" {
		return
	}
	if s.recipients == 0 {
		s.firstStatus = r.status
	}
	s.recipients++
	if r.action == "failed" && !s.failed {
		s.failed, s.status = true, r.status
	}
}

// dsnToken is a field's value without comments: "5.0.0 (permanent failure)"
// is "5.0.0".
func dsnToken(v string) string {
	f := strings.Fields(commentRE.ReplaceAllString(v, " "))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
