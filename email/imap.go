package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/haven-helpline/haven"
)

const (
	defaultIMAPFolder   = "INBOX"
	defaultProcessed    = "Haven/Processed"
	defaultPollInterval = time.Minute
	idleRecheck         = 10 * time.Minute // with IDLE, look again at least this often
	imapDialTimeout     = 30 * time.Second
	imapLogoutTimeout   = 5 * time.Second
	minBackoff          = time.Second
	maxBackoff          = 5 * time.Minute
	rejectedFlag        = imap.Flag("$HavenRejected")
	configFolderDelim   = "/" // separator in IMAPConfig folder names
)

// IMAPPoller fetches a mailbox's messages from an IMAP server, hands each to
// the Deliverer, and moves it to the processed folder only once Deliver
// returned nil. The order makes a crash safe: a message delivered but not
// yet moved is delivered again on the next poll, and the pipeline dedupes
// it by Message-ID; a message is never moved before it is stored.
//
// A message the pipeline rejects for good (ErrRejected) stays in the folder,
// visible to whoever reads the mailbox, flagged $HavenRejected so that it
// is not fetched again.
type IMAPPoller struct {
	mailbox string // normalised address, the Deliverer's mailbox argument
	cfg     IMAPConfig
	d       Deliverer
	log     *slog.Logger
	// Metrics, when set before Run, is told when the connection comes and goes.
	Metrics Metrics
}

// NewIMAPPoller checks mb.IMAP and builds a poller; it connects only in
// Run or PollOnce.
func NewIMAPPoller(mb Mailbox, d Deliverer, log *slog.Logger) (*IMAPPoller, error) {
	if d == nil {
		return nil, haven.Errorf(haven.EINVALID, "imap poller: no Deliverer")
	}
	addr := normalizeAddress(mb.Address)
	if !validAddress(addr) {
		return nil, haven.Errorf(haven.EINVALID, "imap poller: invalid mailbox address %q", mb.Address)
	}
	if mb.IMAP == nil {
		return nil, haven.Errorf(haven.EINVALID, "imap poller: mailbox %s has no IMAP configuration", addr)
	}
	cfg, err := imapDefaults(*mb.IMAP)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	log = log.With("mailbox", addr, "imap", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)))
	return &IMAPPoller{mailbox: addr, cfg: cfg, d: d, log: log}, nil
}

func imapDefaults(cfg IMAPConfig) (IMAPConfig, error) {
	if cfg.Host == "" || cfg.Username == "" {
		return cfg, haven.Errorf(haven.EINVALID, "imap: host and username are required")
	}
	if err := checkSecurity("imap security", cfg.Security, cfg.Host); err != nil {
		return cfg, err
	}
	if cfg.Port == 0 {
		cfg.Port = 143
		if cfg.Security == SecurityTLS {
			cfg.Port = 993
		}
	}
	if cfg.Folder == "" {
		cfg.Folder = defaultIMAPFolder
	}
	if cfg.ProcessedFolder == "" {
		cfg.ProcessedFolder = defaultProcessed
	}
	if strings.EqualFold(cfg.Folder, cfg.ProcessedFolder) {
		return cfg, haven.Errorf(haven.EINVALID, "imap: the processed folder must differ from the polled folder")
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = defaultPollInterval
	}
	return cfg, nil
}

// Mailbox is the address the poller delivers for.
func (p *IMAPPoller) Mailbox() string { return p.mailbox }

// PollOnce connects, delivers every message of the folder and moves each
// delivered one to the processed folder. A message whose delivery fails
// stays where it is for the next poll, and the others are still handled;
// err then reports the failures, and delivered counts the successes.
func (p *IMAPPoller) PollOnce(ctx context.Context) (delivered int, err error) {
	s, err := p.connect(ctx)
	if err != nil {
		return 0, err
	}
	defer s.close()
	res, err := p.process(ctx, s)
	return res.delivered, errors.Join(err, res.err(p.cfg.Folder))
}

// Run polls until ctx ends, then returns nil. It waits with IDLE when the
// server offers it (looking again at least every 10 minutes), else sleeps
// PollInterval between polls. Any connection error is logged and followed
// by a reconnection after a backoff doubling from 1 s to 5 min.
func (p *IMAPPoller) Run(ctx context.Context) error {
	delay := minBackoff
	p.connected(false)
	for {
		healthy, err := p.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if healthy {
			delay = minBackoff
		}
		p.log.Warn("imap: connection lost, reconnecting", "err", err, "in", delay)
		if !sleepCtx(ctx, delay) {
			return nil
		}
		delay = min(2*delay, maxBackoff)
	}
}

// session is one connection of Run: poll, wait, poll… until an error.
// healthy reports whether a poll completed, which resets the backoff.
func (p *IMAPPoller) session(ctx context.Context) (healthy bool, err error) {
	s, err := p.connect(ctx)
	if err != nil {
		return false, err
	}
	defer s.close()
	p.connected(true)
	defer p.connected(false)
	retry := minBackoff
	for {
		res, err := p.process(ctx, s)
		if err != nil {
			return healthy, err
		}
		healthy = true
		if err := p.wait(ctx, s, p.nextLook(s, len(res.failed) > 0, &retry)); err != nil {
			return healthy, err
		}
	}
}

// nextLook is the longest wait before the next pass. When the pipeline
// failed, the pass is retried sooner, backing off while it stays down.
func (p *IMAPPoller) nextLook(s *imapSession, failed bool, retry *time.Duration) time.Duration {
	wait := p.cfg.PollInterval
	if s.c.Caps().Has(imap.CapIdle) {
		wait = idleRecheck
	}
	if !failed {
		*retry = minBackoff
		return wait
	}
	wait = min(wait, *retry)
	*retry = min(2**retry, maxBackoff)
	return wait
}

// imapSession is one logged-in connection with the folder selected.
type imapSession struct {
	c         *imapclient.Client
	updates   chan struct{} // signalled when the server reports new messages
	stop      func() bool   // detaches the ctx watcher
	folder    string        // server-side names
	processed string
}

// connect dials, logs in, makes sure the processed folder exists and
// selects the polled folder. Cancelling ctx closes the connection.
func (p *IMAPPoller) connect(ctx context.Context) (*imapSession, error) {
	s := &imapSession{updates: make(chan struct{}, 1)}
	c, err := p.dial(ctx, s.updates)
	if err != nil {
		return nil, fmt.Errorf("imap: connecting: %w", err)
	}
	s.c = c
	// Closing a connection that is given up on: the reason is the error worth reporting.
	s.stop = context.AfterFunc(ctx, func() { _ = c.Close() })
	if err := p.setup(s); err != nil {
		s.stop()
		_ = c.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	return s, nil
}

func (p *IMAPPoller) dial(ctx context.Context, updates chan struct{}) (*imapclient.Client, error) {
	opts := &imapclient.Options{
		TLSConfig: &tls.Config{ServerName: p.cfg.Host, MinVersion: tls.VersionTLS12, InsecureSkipVerify: p.cfg.InsecureSkipVerify},
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(data *imapclient.UnilateralDataMailbox) {
				if data.NumMessages != nil {
					notify(updates)
				}
			},
		},
	}
	addr := net.JoinHostPort(p.cfg.Host, strconv.Itoa(p.cfg.Port))
	conn, err := (&net.Dialer{Timeout: imapDialTimeout}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	switch p.cfg.Security {
	case SecurityStartTLS:
		return imapclient.NewStartTLS(conn, opts)
	case SecurityTLS:
		tc := tls.Client(conn, opts.TLSConfig)
		hctx, cancel := context.WithTimeout(ctx, imapDialTimeout)
		defer cancel()
		if err := tc.HandshakeContext(hctx); err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("TLS handshake: %w", err)
		}
		conn = tc
	}
	c := imapclient.New(conn, opts)
	if err := c.WaitGreeting(); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default: // a wake-up is already pending
	}
}

func (p *IMAPPoller) setup(s *imapSession) error {
	if err := s.c.Login(p.cfg.Username, p.cfg.Password).Wait(); err != nil {
		return fmt.Errorf("imap: login as %s: %w", p.cfg.Username, err)
	}
	delim, err := hierarchyDelimiter(s.c)
	if err != nil {
		return err
	}
	s.folder = serverFolder(p.cfg.Folder, delim)
	s.processed = serverFolder(p.cfg.ProcessedFolder, delim)
	if err := ensureFolder(s.c, s.processed); err != nil {
		return err
	}
	if _, err := s.c.Select(s.folder, nil).Wait(); err != nil {
		return fmt.Errorf("imap: selecting %s: %w", s.folder, err)
	}
	return nil
}

// hierarchyDelimiter asks the server for its separator (LIST "" ""):
// Dovecot's maildir uses ".", most others "/".
func hierarchyDelimiter(c *imapclient.Client) (rune, error) {
	list, err := c.List("", "", nil).Collect()
	if err != nil {
		return 0, fmt.Errorf("imap: LIST for the hierarchy delimiter: %w", err)
	}
	if len(list) == 0 {
		return 0, nil
	}
	return list[0].Delim, nil
}

// serverFolder translates a configured name ("/"-separated) to the server's
// separator.
func serverFolder(name string, delim rune) string {
	if delim == 0 || string(delim) == configFolderDelim {
		return name
	}
	return strings.ReplaceAll(name, configFolderDelim, string(delim))
}

// ensureFolder creates the folder if missing, and subscribes to it so that
// mail clients show it.
func ensureFolder(c *imapclient.Client, name string) error {
	list, err := c.List("", name, nil).Collect()
	if err != nil {
		return fmt.Errorf("imap: LIST %s: %w", name, err)
	}
	if len(list) > 0 {
		return nil
	}
	if err := c.Create(name, nil).Wait(); err != nil {
		return fmt.Errorf("imap: creating %s: %w", name, err)
	}
	_ = c.Subscribe(name).Wait() // cosmetic: the folder works unsubscribed
	return nil
}

// close logs out politely but does not wait long for a server that hangs. The session is over
// either way, so a failed LOGOUT or close changes nothing.
func (s *imapSession) close() {
	s.stop()
	done := make(chan struct{})
	go func() {
		_ = s.c.Logout().Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(imapLogoutTimeout):
	}
	_ = s.c.Close()
}

// wait blocks until new mail is reported (IDLE), d elapses, ctx ends or the
// connection drops.
func (p *IMAPPoller) wait(ctx context.Context, s *imapSession, d time.Duration) error {
	if !s.c.Caps().Has(imap.CapIdle) {
		return waitFor(ctx, s, d)
	}
	idle, err := s.c.Idle()
	if err != nil {
		return fmt.Errorf("imap: IDLE: %w", err)
	}
	werr := waitFor(ctx, s, d)
	if err := idle.Close(); err != nil {
		return errors.Join(werr, fmt.Errorf("imap: ending IDLE: %w", err))
	}
	if err := idle.Wait(); err != nil {
		return errors.Join(werr, fmt.Errorf("imap: IDLE: %w", err))
	}
	return werr
}

func waitFor(ctx context.Context, s *imapSession, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-s.c.Closed():
		return errors.New("imap: connection closed")
	case <-s.updates:
	case <-t.C:
	}
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// pollResult sums up one pass over the folder.
type pollResult struct {
	delivered int
	failed    []error // messages left in the folder
}

func (r pollResult) err(folder string) error {
	if len(r.failed) == 0 {
		return nil
	}
	return fmt.Errorf("imap: %d message(s) not delivered, left in %s: %w", len(r.failed), folder, errors.Join(r.failed...))
}

// deliveryError is a message the pipeline did not take; the pass goes on.
type deliveryError struct {
	uid imap.UID
	err error
}

func (e *deliveryError) Error() string { return fmt.Sprintf("uid %d: %v", e.uid, e.err) }
func (e *deliveryError) Unwrap() error { return e.err }

// process delivers every message of the selected folder, oldest first. It
// stops at the first connection or server error; delivery failures are
// collected instead.
func (p *IMAPPoller) process(ctx context.Context, s *imapSession) (pollResult, error) {
	var res pollResult
	search := &imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagDeleted, rejectedFlag}}
	data, err := s.c.UIDSearch(search, nil).Wait()
	if err != nil {
		return res, fmt.Errorf("imap: searching %s: %w", s.folder, err)
	}
	for _, uid := range data.AllUIDs() {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		err := p.processOne(ctx, s, uid)
		var de *deliveryError
		switch {
		case err == nil:
			res.delivered++
		case errors.As(err, &de):
			res.failed = append(res.failed, err)
		case errors.Is(err, errMessageGone):
			// Expunged by someone else: nothing to deliver.
		default:
			return res, err
		}
	}
	return res, nil
}

var errMessageGone = errors.New("message gone")

// processOne fetches, delivers and moves one message.
func (p *IMAPPoller) processOne(ctx context.Context, s *imapSession, uid imap.UID) error {
	raw, err := fetchMessage(s.c, uid)
	if err != nil {
		return err
	}
	if err := p.d.Deliver(ctx, p.mailbox, raw); err != nil {
		return p.deliveryFailed(s, uid, err)
	}
	if _, err := s.c.Move(imap.UIDSetNum(uid), s.processed).Wait(); err != nil {
		// It will be delivered again next time; the pipeline dedupes.
		return fmt.Errorf("imap: uid %d delivered but not moved to %s: %w", uid, s.processed, err)
	}
	p.log.Info("imap: message delivered", "uid", uid, "bytes", len(raw))
	return nil
}

// fetchMessage returns the full message (BODY.PEEK[]: \Seen stays as it
// was, for whoever else reads the mailbox).
func fetchMessage(c *imapclient.Client, uid imap.UID) ([]byte, error) {
	section := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		return nil, fmt.Errorf("imap: fetching uid %d: %w", uid, err)
	}
	for _, m := range msgs {
		if m.UID == uid {
			if raw := m.FindBodySection(section); raw != nil {
				return raw, nil
			}
		}
	}
	return nil, errMessageGone // expunged meanwhile by another client
}

// deliveryFailed logs a delivery failure and, for a permanent rejection,
// flags the message so that later polls skip it.
func (p *IMAPPoller) deliveryFailed(s *imapSession, uid imap.UID, err error) error {
	if !errors.Is(err, ErrRejected) {
		p.log.Warn("imap: delivery failed, message left for the next poll", "uid", uid, "err", err)
		return &deliveryError{uid: uid, err: err}
	}
	p.log.Warn("imap: message rejected by the pipeline, flagged "+string(rejectedFlag), "uid", uid, "err", err)
	store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{rejectedFlag}}
	if ferr := s.c.Store(imap.UIDSetNum(uid), store, nil).Close(); ferr != nil {
		return fmt.Errorf("imap: flagging rejected uid %d: %w", uid, ferr)
	}
	return &deliveryError{uid: uid, err: err}
}
