package email

import (
	"context"
	"errors"
	"net"
	"net/mail"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
)

// Deliverer is the intake pipeline. Deliver returns nil only once the
// message is durably committed, and only then may a transport acknowledge
// it (250 to the SMTP client, MOVE out of the IMAP inbox). A non-nil error
// means "not stored, try again later", unless errors.Is(err, ErrRejected):
// the message will never be accepted (e.g. oversized).
type Deliverer interface {
	Deliver(ctx context.Context, mailbox string, raw []byte) error
}

// ErrRejected marks a permanent refusal by a Deliverer.
var ErrRejected = errors.New("message rejected")

// Mailbox is one helpline address Haven receives mail for.
type Mailbox struct {
	Address  string // help@example.org (lower-cased)
	Team     string // target team for new cases
	Category string // category of new cases ("" none): auto playbooks of it apply at intake
	Language string // default language
	// Emergency: a new case opened by mail to this address pages on-call at once.
	Emergency bool
	IMAP      *IMAPConfig
}

// IMAPConfig says how to poll a mailbox kept on an IMAP server. Folder names
// use "/" as the hierarchy separator whatever the server's own separator
// is; the poller translates it.
type IMAPConfig struct {
	Host               string
	Port               int    // default 993 for "tls", 143 otherwise
	Security           string // "tls", "starttls", or "none" (only for localhost)
	Username, Password string
	Folder             string        // default INBOX
	ProcessedFolder    string        // default "Haven/Processed"; created if missing
	PollInterval       time.Duration // default 60 s, used when the server has no IDLE
	InsecureSkipVerify bool          // tests only
}

// Transport security modes, shared by IMAPConfig and RelayConfig.
const (
	SecurityTLS      = "tls"
	SecurityStartTLS = "starttls"
	SecurityNone     = "none"
)

// normalizeAddress lower-cases a bare address so that envelope recipients
// match configured mailboxes however the sender capitalised them.
func normalizeAddress(addr string) string {
	return strings.ToLower(strings.TrimSpace(strings.Trim(strings.TrimSpace(addr), "<>")))
}

// validAddress accepts a bare addr-spec (no display name, no brackets).
func validAddress(addr string) bool {
	a, err := mail.ParseAddress(addr)
	return err == nil && a.Name == "" && a.Address == addr && strings.Contains(addr, "@")
}

// isLoopbackHost says whether host names this machine: cleartext and
// password authentication without TLS are only allowed there.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkSecurity validates a security mode for host.
func checkSecurity(field, mode, host string) error {
	switch mode {
	case SecurityTLS, SecurityStartTLS:
		return nil
	case SecurityNone:
		if !isLoopbackHost(host) {
			return haven.Errorf(haven.EINVALID, "%s %q is only allowed for localhost, not %s", field, mode, host)
		}
		return nil
	default:
		return haven.Errorf(haven.EINVALID, "%s must be tls, starttls or none, not %q", field, mode)
	}
}
