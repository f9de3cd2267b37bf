package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

const defaultRelayTimeout = 30 * time.Second

// RelayConfig says how to hand outgoing mail to the helpline's relay
// (submission server).
type RelayConfig struct {
	Host string
	Port int // default 465 for "tls", 587 for "starttls", 25 for "none"
	// "tls" (implicit TLS), "starttls" (required: Send refuses to go on in
	// clear when the server does not offer it), or "none" (localhost only).
	Security           string
	Username, Password string // AUTH PLAIN when set
	HeloName           string // default "localhost"
	Timeout            time.Duration
	InsecureSkipVerify bool // tests only
}

// SendError is Send's failure. Permanent is true for a 5xx reply or an
// unusable configuration: retrying the same message will not help. 4xx
// replies, network and TLS failures are temporary.
type SendError struct {
	Permanent bool
	Code      int // SMTP reply code, 0 when the failure was not a reply
	Err       error
}

func (e *SendError) Error() string {
	kind := "temporary"
	if e.Permanent {
		kind = "permanent"
	}
	if e.Code != 0 {
		return fmt.Sprintf("send: %s failure (%d): %v", kind, e.Code, e.Err)
	}
	return fmt.Sprintf("send: %s failure: %v", kind, e.Err)
}

func (e *SendError) Unwrap() error { return e.Err }

// Send delivers raw to the relay for the envelope from and to. It returns
// nil once the relay accepted the message, else a *SendError. All
// recipients are accepted or none: one refused recipient aborts the
// transaction, so a retry never duplicates the message for the others.
func Send(ctx context.Context, cfg RelayConfig, from string, to []string, raw []byte) error {
	cfg, err := relayDefaults(cfg)
	if err != nil {
		return &SendError{Permanent: true, Err: err}
	}
	if err := checkEnvelope(from, to); err != nil {
		return &SendError{Permanent: true, Err: err}
	}
	c, err := dialRelay(ctx, cfg)
	if err != nil {
		return sendFailure("connecting to relay", err)
	}
	// Closing is the cleanup after QUIT or a failure already reported: its error adds nothing.
	defer func() { _ = c.Close() }()
	// Abort a blocked exchange when the caller gives up.
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	if err := transact(c, cfg, from, to, raw); err != nil {
		if ctx.Err() != nil {
			return &SendError{Err: fmt.Errorf("send cancelled: %w", ctx.Err())}
		}
		return err
	}
	_ = c.Quit() // the message is accepted; a failed QUIT changes nothing
	return nil
}

func relayDefaults(cfg RelayConfig) (RelayConfig, error) {
	if cfg.Host == "" {
		return cfg, errors.New("relay host not configured")
	}
	if err := checkSecurity("relay security", cfg.Security, cfg.Host); err != nil {
		return cfg, err
	}
	if cfg.Port == 0 {
		cfg.Port = map[string]int{SecurityTLS: 465, SecurityStartTLS: 587, SecurityNone: 25}[cfg.Security]
	}
	if cfg.HeloName == "" {
		cfg.HeloName = "localhost"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultRelayTimeout
	}
	return cfg, nil
}

func checkEnvelope(from string, to []string) error {
	if from != "" && !validAddress(from) {
		return fmt.Errorf("invalid envelope sender %q", from)
	}
	if len(to) == 0 {
		return errors.New("no recipient")
	}
	for _, rcpt := range to {
		if !validAddress(rcpt) {
			return fmt.Errorf("invalid recipient %q", rcpt)
		}
	}
	return nil
}

// dialRelay connects and, for "starttls", upgrades before anything else is
// said. go-smtp has no way to name ourselves before STARTTLS, so the EHLO
// in clear says "localhost" and HeloName is used from TLS on.
func dialRelay(ctx context.Context, cfg RelayConfig) (*smtp.Client, error) {
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	dialer := &net.Dialer{Timeout: cfg.Timeout}
	tlsConfig := &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.InsecureSkipVerify}
	if cfg.Security == SecurityTLS {
		conn, err := (&tls.Dialer{NetDialer: dialer, Config: tlsConfig}).DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		return newRelayClient(conn, cfg), nil
	}
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if cfg.Security == SecurityNone {
		return newRelayClient(conn, cfg), nil
	}
	if err := conn.SetDeadline(time.Now().Add(cfg.Timeout)); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("relay %s: %w", addr, err)
	}
	c, err := smtp.NewClientStartTLS(conn, tlsConfig)
	if err != nil {
		return nil, fmt.Errorf("relay %s: STARTTLS required but failed, nothing sent: %w", addr, err)
	}
	if err := conn.SetDeadline(time.Time{}); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("relay %s: %w", addr, err)
	}
	c.CommandTimeout, c.SubmissionTimeout = cfg.Timeout, cfg.Timeout
	return c, nil
}

func newRelayClient(conn net.Conn, cfg RelayConfig) *smtp.Client {
	c := smtp.NewClient(conn)
	c.CommandTimeout, c.SubmissionTimeout = cfg.Timeout, cfg.Timeout
	return c
}

// transact runs EHLO, AUTH, MAIL, RCPT and DATA.
func transact(c *smtp.Client, cfg RelayConfig, from string, to []string, raw []byte) error {
	if err := c.Hello(cfg.HeloName); err != nil {
		return sendFailure("EHLO", err)
	}
	if err := authenticate(c, cfg); err != nil {
		return err
	}
	opts := &smtp.MailOptions{Size: int64(len(raw)), UTF8: !isASCII(from) || !allASCIIStrings(to)}
	if err := c.Mail(from, opts); err != nil {
		return sendFailure("MAIL FROM", err)
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt, nil); err != nil {
			return sendFailure("RCPT TO <"+rcpt+">", err)
		}
	}
	return sendData(c, raw)
}

// authenticate uses AUTH PLAIN. The password only travels over TLS or to
// localhost: relayDefaults refused "none" for any other host.
func authenticate(c *smtp.Client, cfg RelayConfig) error {
	if cfg.Username == "" {
		return nil
	}
	if !c.SupportsAuth(sasl.Plain) {
		return &SendError{Permanent: true, Err: errors.New("relay does not offer AUTH PLAIN")}
	}
	if err := c.Auth(sasl.NewPlainClient("", cfg.Username, cfg.Password)); err != nil {
		return sendFailure("AUTH", err)
	}
	return nil
}

func sendData(c *smtp.Client, raw []byte) error {
	w, err := c.Data()
	if err != nil {
		return sendFailure("DATA", err)
	}
	if _, err := io.Copy(w, bytes.NewReader(raw)); err != nil {
		return sendFailure("sending message", err)
	}
	if err := w.Close(); err != nil {
		return sendFailure("end of DATA", err)
	}
	return nil
}

// sendFailure classifies err: an SMTP reply by its code, anything else
// (network, TLS) as temporary.
func sendFailure(step string, err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return &SendError{Permanent: se.Code >= 500, Code: se.Code, Err: fmt.Errorf("%s: %w", step, err)}
	}
	return &SendError{Err: fmt.Errorf("%s: %w", step, err)}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func allASCIIStrings(ss []string) bool {
	for _, s := range ss {
		if !isASCII(s) {
			return false
		}
	}
	return true
}
