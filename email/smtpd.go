package email

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/haven-helpline/haven"
)

const (
	defaultMaxMessageBytes = 50 << 20
	defaultSMTPTimeout     = 5 * time.Minute // RFC 5321 §4.5.3.2 server timeouts: writes
	// A command is waited for a minute, shorter than RFC 5321's 5 minutes as Postfix does under
	// stress: an idle client holds one of the few connection slots. The message itself may take
	// 10 minutes (RFC 5321 §4.5.3.2.5 gives 3 per data block; this bounds the whole transfer).
	defaultCommandTimeout = time.Minute
	defaultDataTimeout    = 10 * time.Minute
	defaultMaxConnections = 100
	// A client waits up to 10 minutes for the reply to the final dot
	// (RFC 5321 §4.5.3.2.6); give up on the pipeline before it does.
	smtpDeliverTimeout = 5 * time.Minute
	smtpMaxRecipients  = 100
	// RFC 5321 caps lines at 1000 octets but careless senders exceed it;
	// refusing would lose a helpline message. The cap still bounds the
	// memory a command line can take.
	smtpMaxLineLength = 64 << 10
)

// SMTPServerConfig configures the inbound SMTP listener.
type SMTPServerConfig struct {
	Addr            string    // e.g. 127.0.0.1:2525
	Domain          string    // EHLO name
	Mailboxes       []Mailbox // accepted recipients; any other RCPT gets 550 5.1.1
	MaxMessageBytes int64     // default 50 MB; a larger SIZE= or DATA gets 552 5.3.4
	// ReadTimeout (default 1 minute) is how long a command is waited for;
	// DataTimeout (default 10 minutes) bounds the whole DATA transfer;
	// WriteTimeout (default 5 minutes) bounds each reply.
	ReadTimeout  time.Duration
	DataTimeout  time.Duration
	WriteTimeout time.Duration
	// MaxConnections caps the connections open at once (default 100); the
	// ones beyond it get 421 4.7.0 and are closed (smtplimit.go).
	MaxConnections int
	Logger         *slog.Logger // default slog.Default()
}

// SMTPServer receives mail for the configured mailboxes, like an MX: no
// AUTH, no relaying. DATA is answered 250 only once the Deliverer has
// committed the message for every recipient mailbox.
//
// The size limit is enforced here rather than by go-smtp, which refuses an
// oversized MAIL FROM SIZE= before any backend code runs and so could not
// log it. The price is that EHLO advertises SIZE without its value.
type SMTPServer struct {
	cfg    SMTPServerConfig
	d      Deliverer
	log    *slog.Logger
	boxes  atomic.Pointer[map[string]bool] // normalised addresses; SetMailboxes swaps them
	srv    *smtp.Server
	drain  drainState      // Shutdown's state (smtpdrain.go)
	ctx    context.Context // cancelled by Close: aborts deliveries in flight
	cancel context.CancelFunc
}

// NewSMTPServer checks cfg and builds the server; it listens only when
// Serve or ListenAndServe is called.
func NewSMTPServer(cfg SMTPServerConfig, d Deliverer) (*SMTPServer, error) {
	if d == nil {
		return nil, haven.Errorf(haven.EINVALID, "smtp server: no Deliverer")
	}
	boxes, err := mailboxSet(cfg.Mailboxes)
	if err != nil {
		return nil, err
	}
	cfg = smtpDefaults(cfg)
	s := &SMTPServer{cfg: cfg, d: d, log: cfg.Logger}
	s.boxes.Store(&boxes)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.srv = s.newServer()
	return s, nil
}

func mailboxSet(mbs []Mailbox) (map[string]bool, error) {
	if len(mbs) == 0 {
		return nil, haven.Errorf(haven.EINVALID, "smtp server: no mailbox configured")
	}
	boxes := make(map[string]bool, len(mbs))
	for _, mb := range mbs {
		addr := normalizeAddress(mb.Address)
		if !validAddress(addr) {
			return nil, haven.Errorf(haven.EINVALID, "smtp server: invalid mailbox address %q", mb.Address)
		}
		if boxes[addr] {
			return nil, haven.Errorf(haven.EINVALID, "smtp server: mailbox %s configured twice", addr)
		}
		boxes[addr] = true
	}
	return boxes, nil
}

func smtpDefaults(cfg SMTPServerConfig) SMTPServerConfig {
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = defaultMaxMessageBytes
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = defaultCommandTimeout
	}
	if cfg.DataTimeout <= 0 {
		cfg.DataTimeout = defaultDataTimeout
	}
	if cfg.MaxConnections <= 0 {
		cfg.MaxConnections = defaultMaxConnections
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = defaultSMTPTimeout
	}
	if cfg.Domain == "" {
		cfg.Domain = "localhost"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg
}

func (s *SMTPServer) newServer() *smtp.Server {
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Addr = s.cfg.Addr
	srv.Domain = s.cfg.Domain
	srv.ReadTimeout = s.cfg.ReadTimeout
	srv.WriteTimeout = s.cfg.WriteTimeout
	srv.MaxRecipients = smtpMaxRecipients
	srv.MaxLineLength = smtpMaxLineLength
	srv.EnableSMTPUTF8 = true // bytes are stored as received, so UTF-8 headers are fine
	srv.ErrorLog = smtpErrorLog{s.log}
	return srv
}

// Serve accepts connections on l until Close; it returns nil after Close.
func (s *SMTPServer) Serve(l net.Listener) error {
	s.log.Info("smtp: listening", "addr", l.Addr().String(), "max_connections", s.cfg.MaxConnections)
	return s.srv.Serve(newLimitListener(l, s.cfg.MaxConnections, s.cfg.Domain, s.log))
}

// ListenAndServe listens on cfg.Addr and serves until Close.
func (s *SMTPServer) ListenAndServe() error {
	l, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return haven.Internal("smtp listen", err)
	}
	return s.Serve(l)
}

// Close stops listening, closes open connections and aborts deliveries in
// flight (their clients get no 250 and will retry).
func (s *SMTPServer) Close() error {
	s.cancel()
	if err := s.srv.Close(); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
		return err
	}
	return nil
}

func (s *SMTPServer) newSession(c *smtp.Conn) (smtp.Session, error) {
	ss := &smtpSession{s: s, conn: c.Conn(), remote: c.Conn().RemoteAddr().String()}
	s.drain.track(ss)
	return ss, nil
}

// smtpSession is one SMTP connection's transaction state.
type smtpSession struct {
	s      *SMTPServer
	conn   net.Conn // to give DATA its own deadline
	remote string
	rcpts  []string    // distinct accepted mailbox addresses, in RCPT order
	busy   atomic.Bool // inside a transaction (MAIL to the end of DATA): Shutdown lets it finish
}

func (ss *smtpSession) Reset() { ss.rcpts = nil; ss.busy.Store(false) }

func (ss *smtpSession) Logout() error {
	ss.s.drain.forget(ss)
	return nil
}

// Mail refuses a declared size over the limit before the client sends it.
// The sender address is deliberately not logged: it identifies a person
// asking a helpline for help.
func (ss *smtpSession) Mail(from string, opts *smtp.MailOptions) error {
	ss.rcpts = nil
	if ss.s.drain.stopping() {
		return ss.closing()
	}
	ss.busy.Store(true)
	if opts != nil && opts.Size > ss.s.cfg.MaxMessageBytes {
		ss.s.log.Warn("smtp: refused oversized message (MAIL FROM SIZE)",
			"remote", ss.remote, "size", opts.Size, "max", ss.s.cfg.MaxMessageBytes)
		ss.recordRefusal(opts.Size)
		return errTooBig(ss.s.cfg.MaxMessageBytes)
	}
	return nil
}

// Rcpt accepts only configured mailboxes: the server is no relay.
func (ss *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	addr := normalizeAddress(to)
	if !(*ss.s.boxes.Load())[addr] {
		ss.s.log.Info("smtp: refused unknown recipient", "remote", ss.remote, "rcpt", addr)
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox here"}
	}
	if !slices.Contains(ss.rcpts, addr) {
		ss.rcpts = append(ss.rcpts, addr)
	}
	return nil
}

// Data reads the message and hands it to the pipeline once per mailbox.
// If one mailbox fails after another succeeded, the client still gets a
// 4xx and resends to both: the pipeline dedupes by Message-ID, whereas a
// 250 would lose the message for the failed one.
func (ss *smtpSession) Data(r io.Reader) error {
	defer ss.busy.Store(false)
	// go-smtp armed the read deadline for the DATA command line only; the message gets its own,
	// longer one, and the next command line re-arms the short one.
	if err := ss.conn.SetReadDeadline(time.Now().Add(ss.s.cfg.DataTimeout)); err != nil {
		return fmt.Errorf("data deadline: %w", err)
	}
	raw, err := readAtMost(r, ss.s.cfg.MaxMessageBytes)
	if errors.Is(err, errMessageTooBig) {
		ss.s.log.Warn("smtp: refused oversized message (DATA)", "remote", ss.remote, "max", ss.s.cfg.MaxMessageBytes)
		ss.recordRefusal(ss.s.cfg.MaxMessageBytes + 1)
		return errTooBig(ss.s.cfg.MaxMessageBytes)
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return ss.dataTimedOut()
	}
	if err != nil {
		return fmt.Errorf("reading message: %w", err)
	}
	ctx, cancel := context.WithTimeout(ss.s.ctx, smtpDeliverTimeout)
	defer cancel()
	for _, mb := range ss.rcpts {
		if err := ss.s.d.Deliver(ctx, mb, raw); err != nil {
			return ss.deliverError(mb, err)
		}
	}
	ss.s.log.Info("smtp: message accepted", "remote", ss.remote, "mailboxes", ss.rcpts, "bytes", len(raw))
	return nil
}

// dataTimedOut ends a connection whose message did not arrive within DataTimeout, as MTAs do
// ("timeout after DATA"): go-smtp would answer and then wait for the next command, keeping the
// slot of a client that has stalled. The 421 is written here, before closing.
func (ss *smtpSession) dataTimedOut() error {
	ss.s.log.Warn("smtp: message not received within the data timeout, closing", "remote", ss.remote,
		"timeout", ss.s.cfg.DataTimeout.String())
	const bye = "421 4.4.2 Timeout receiving the message, closing connection\r\n"
	_ = ss.conn.SetWriteDeadline(time.Now().Add(refuseWriteTimeout))
	_, _ = io.WriteString(ss.conn, bye) // best effort: the client retries whether or not it reads it
	_ = ss.conn.Close()
	return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 4, 2}, Message: "Timeout receiving the message"}
}

func (ss *smtpSession) deliverError(mailbox string, err error) error {
	if errors.Is(err, ErrRejected) {
		ss.s.log.Warn("smtp: message rejected by the pipeline", "remote", ss.remote, "mailbox", mailbox, "err", err)
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Message rejected"}
	}
	ss.s.log.Error("smtp: delivery failed, client told to retry", "remote", ss.remote, "mailbox", mailbox, "err", err)
	return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure storing the message, try again later"}
}

var errMessageTooBig = errors.New("message exceeds the size limit")

func errTooBig(max int64) error {
	return &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4},
		Message: fmt.Sprintf("Message exceeds the fixed maximum size of %d bytes", max)}
}

// readAtMost reads all of r, or fails with errMessageTooBig past max bytes.
func readAtMost(r io.Reader, max int64) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(raw)) > max {
		return nil, errMessageTooBig
	}
	return raw, nil
}

// smtpErrorLog routes go-smtp's internal error log to slog.
type smtpErrorLog struct{ l *slog.Logger }

func (e smtpErrorLog) Printf(format string, v ...any) {
	e.l.Error("smtp: " + fmt.Sprintf(format, v...))
}
func (e smtpErrorLog) Println(v ...any) { e.l.Error("smtp: " + fmt.Sprint(v...)) }

// Refuser is implemented by a Deliverer that keeps a record of refused messages (the pipeline
// audits them): a refusal at SMTP time must leave a trace beyond the log.
type Refuser interface {
	RecordRefusal(ctx context.Context, mailbox string, size int64, reason string) error
}

func (ss *smtpSession) recordRefusal(size int64) {
	r, ok := ss.s.d.(Refuser)
	if !ok {
		return
	}
	mailbox := ""
	if len(ss.rcpts) > 0 {
		mailbox = ss.rcpts[0]
	}
	reason := fmt.Sprintf("larger than %d bytes", ss.s.cfg.MaxMessageBytes)
	if err := r.RecordRefusal(ss.s.ctx, mailbox, size, reason); err != nil {
		ss.s.log.Error("smtp: could not record a refusal", "err", err)
	}
}
