package email

import (
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// limitListener caps the SMTP connections open at once, as MTAs do (Postfix's
// smtpd_client_connection_count_limit, Exim's smtp_accept_max): an idle or slow client holds a
// goroutine and a socket, and without a cap a flood of them takes every file descriptor. A
// connection beyond the cap is greeted with 421 (RFC 5321 §3.8: the server is closing the
// transmission channel) and closed, so a well-behaved MTA queues the message and retries later.
type limitListener struct {
	net.Listener
	slots   chan struct{}
	busy    []byte
	log     *slog.Logger
	refused atomic.Int64
}

// refuseWriteTimeout bounds writing the 421 to a refused client: it fits in any socket buffer,
// so only a broken peer waits, and Accept is not held up by it for long.
const refuseWriteTimeout = time.Second

func newLimitListener(l net.Listener, max int, domain string, log *slog.Logger) *limitListener {
	return &limitListener{Listener: l, slots: make(chan struct{}, max), log: log,
		busy: []byte("421 4.7.0 " + domain + " Too many connections, try again later\r\n")}
}

// Accept returns the next connection that fits under the cap, refusing the others meanwhile.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		select {
		case l.slots <- struct{}{}:
			return &slotConn{Conn: c, free: func() { <-l.slots }}, nil
		default:
			l.refuse(c)
		}
	}
}

func (l *limitListener) refuse(c net.Conn) {
	_ = c.SetWriteDeadline(time.Now().Add(refuseWriteTimeout))
	_, _ = c.Write(l.busy) // best effort: the client retries whether or not it read the reason
	_ = c.Close()
	// A flood must not flood the log too: the first refusal and then every hundredth.
	if n := l.refused.Add(1); n == 1 || n%100 == 0 {
		l.log.Warn("smtp: connection limit reached, refusing with 421", "limit", cap(l.slots), "refused_total", n)
	}
}

// slotConn gives its slot back when closed, once however often Close is called.
type slotConn struct {
	net.Conn
	once sync.Once
	free func()
}

func (c *slotConn) Close() error {
	c.once.Do(c.free) // first: once the client sees the close, the slot is free for the next
	return c.Conn.Close()
}
