package email

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// drainState lets Shutdown end each connection once its transaction is over: the live sessions,
// and whether the server is stopping.
type drainState struct {
	mu       sync.Mutex
	sessions map[*smtpSession]struct{}
	closing  bool
}

func (d *drainState) track(ss *smtpSession) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.sessions == nil {
		d.sessions = map[*smtpSession]struct{}{}
	}
	d.sessions[ss] = struct{}{}
}

func (d *drainState) forget(ss *smtpSession) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.sessions, ss)
}

func (d *drainState) stopping() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.closing
}

// begin marks the server stopping and returns the sessions between transactions.
func (d *drainState) begin() []*smtpSession {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closing = true
	var idle []*smtpSession
	for ss := range d.sessions {
		if !ss.busy.Load() {
			idle = append(idle, ss)
		}
	}
	return idle
}

// Shutdown stops accepting connections and lets each open one finish the transaction it is in:
// a connection waiting for its next command is told 421 and closed at once, and a new MAIL
// gets 421 too. Connections still open when ctx ends are cut (Close): their clients got no 250
// for the message in progress and will send it again.
func (s *SMTPServer) Shutdown(ctx context.Context) error {
	for _, ss := range s.drain.begin() {
		// The session is waiting in a read: an expired deadline ends it with go-smtp's own
		// "421 Idle timeout". A session that is just between two commands re-arms its deadline
		// and meets the 421 at its next MAIL, or the cut when ctx ends.
		_ = ss.conn.SetReadDeadline(time.Now())
	}
	err := s.srv.Shutdown(ctx)
	if err == nil || errors.Is(err, smtp.ErrServerClosed) {
		s.cancel()
		return nil
	}
	s.log.Warn("smtp: connections still open at the end of the drain, closing them")
	return s.Close()
}

// closing answers a transaction begun while the server stops: 421, then the connection closes,
// as RFC 5321 §3.8 describes. The reply is written here because go-smtp would keep reading.
func (ss *smtpSession) closing() error {
	const bye = "421 4.3.2 Service shutting down, try again later\r\n"
	_ = ss.conn.SetWriteDeadline(time.Now().Add(refuseWriteTimeout))
	_, _ = io.WriteString(ss.conn, bye) // best effort: the client retries whether or not it reads it
	_ = ss.conn.Close()
	return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Service shutting down"}
}

// SetMailboxes replaces the accepted recipients (a configuration reload); sessions check each
// RCPT against the set current at that moment.
func (s *SMTPServer) SetMailboxes(mbs []Mailbox) error {
	boxes, err := mailboxSet(mbs)
	if err != nil {
		return err
	}
	s.boxes.Store(&boxes)
	return nil
}
