package email

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// smtpClient is a raw SMTP connection, to see exactly what the listener answers.
type smtpClient struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

// dialSMTP connects; the client gives up after 10 s so a broken server fails the test instead
// of hanging it (the timeouts under test are far shorter).
func dialSMTP(t *testing.T, addr string) *smtpClient {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	return &smtpClient{t: t, conn: c, r: bufio.NewReader(c)}
}

// line reads one reply line ("" at the end of the connection).
func (c *smtpClient) line() string {
	c.t.Helper()
	l, err := c.r.ReadString('\n')
	if err == io.EOF && l == "" {
		return ""
	}
	if err != nil {
		c.t.Fatalf("read: %v (got %q)", err, l)
	}
	return strings.TrimRight(l, "\r\n")
}

// reply sends a command and reads its reply, skipping EHLO's continuation lines.
func (c *smtpClient) reply(cmd string) string {
	c.t.Helper()
	if _, err := io.WriteString(c.conn, cmd+"\r\n"); err != nil {
		c.t.Fatal(err)
	}
	for {
		l := c.line()
		if len(l) < 4 || l[3] != '-' {
			return l
		}
	}
}

// closed reports whether the server ended the connection (EOF on the next read).
func (c *smtpClient) closed() bool {
	_, err := c.r.ReadByte()
	return err == io.EOF
}

func TestSMTPConnectionLimit(t *testing.T) {
	addr, logs := startSMTP(t, SMTPServerConfig{MaxConnections: 3}, &memDeliverer{})
	var open []*smtpClient
	for range 3 {
		c := dialSMTP(t, addr)
		if g := c.line(); !strings.HasPrefix(g, "220 ") {
			t.Fatalf("greeting within the limit: %q", g)
		}
		open = append(open, c)
	}
	extra := dialSMTP(t, addr)
	if g := extra.line(); !strings.HasPrefix(g, "421 4.7.0 ") || !strings.Contains(g, "Too many connections") {
		t.Fatalf("connection over the limit: %q, want 421 4.7.0", g)
	}
	if !extra.closed() {
		t.Fatal("the refused connection was left open")
	}
	if !strings.Contains(logs.String(), "connection limit reached") {
		t.Fatalf("refusal not logged: %s", logs.String())
	}
	// The connections within the limit still work, and a closed one frees its slot.
	if r := open[0].reply("EHLO client.test"); !strings.HasPrefix(r, "250") {
		t.Fatalf("EHLO on an accepted connection: %q", r)
	}
	if r := open[1].reply("QUIT"); !strings.HasPrefix(r, "221") || !open[1].closed() {
		t.Fatalf("QUIT: %q", r)
	}
	if g := dialSMTP(t, addr).line(); !strings.HasPrefix(g, "220 ") {
		t.Fatalf("after a QUIT the slot is free again: %q", g)
	}
	if g := dialSMTP(t, addr).line(); !strings.HasPrefix(g, "421 ") {
		t.Fatalf("the freed slot is taken again, the next one is refused: %q", g)
	}
}

func TestSMTPIdleConnectionClosed(t *testing.T) {
	addr, _ := startSMTP(t, SMTPServerConfig{ReadTimeout: 200 * time.Millisecond, MaxConnections: 1}, &memDeliverer{})
	c := dialSMTP(t, addr)
	if g := c.line(); !strings.HasPrefix(g, "220 ") {
		t.Fatalf("greeting: %q", g)
	}
	// Say nothing: the server gives up after its command timeout (the client's own deadline,
	// 10 s, would fail the read instead).
	if l := c.line(); !strings.HasPrefix(l, "421 4.4.2") {
		t.Fatalf("idle connection: %q, want 421 4.4.2", l)
	}
	if !c.closed() {
		t.Fatal("idle connection left open")
	}
	// The idle connection's slot (the only one) is free again.
	if g := dialSMTP(t, addr).line(); !strings.HasPrefix(g, "220 ") {
		t.Fatalf("after the idle close: %q", g)
	}
}

// startData opens a transaction up to the DATA command's 354.
func startData(t *testing.T, addr string) *smtpClient {
	t.Helper()
	c := dialSMTP(t, addr)
	c.line()
	for _, step := range [][2]string{{"EHLO client.test", "250"}, {"MAIL FROM:<a@example.org>", "250"},
		{"RCPT TO:<help@helpline.test>", "250"}, {"DATA", "354"}} {
		if r := c.reply(step[0]); !strings.HasPrefix(r, step[1]) {
			t.Fatalf("%s: %q", step[0], r)
		}
	}
	return c
}

func TestSMTPDataHasItsOwnTimeout(t *testing.T) {
	t.Run("a message may take longer than a command", func(t *testing.T) {
		d := &memDeliverer{}
		addr, _ := startSMTP(t, SMTPServerConfig{ReadTimeout: 100 * time.Millisecond, DataTimeout: 10 * time.Second}, d)
		c := startData(t, addr)
		// A pause of three command timeouts inside the message does not end it.
		time.Sleep(300 * time.Millisecond)
		if r := c.reply("Subject: slow\r\n\r\nbody\r\n."); !strings.HasPrefix(r, "250") {
			t.Fatalf("slow message: %q", r)
		}
		d.mu.Lock()
		defer d.mu.Unlock()
		if len(d.stored) != 1 {
			t.Fatalf("stored %d messages", len(d.stored))
		}
	})
	t.Run("a stalled message ends at the data timeout", func(t *testing.T) {
		d := &memDeliverer{}
		addr, _ := startSMTP(t, SMTPServerConfig{ReadTimeout: 10 * time.Second, DataTimeout: 200 * time.Millisecond}, d)
		c := startData(t, addr)
		start := time.Now()
		if _, err := io.WriteString(c.conn, "Subject: stalled\r\n"); err != nil {
			t.Fatal(err)
		}
		if l := c.line(); !strings.HasPrefix(l, "421 4.4.2") {
			t.Fatalf("stalled message: %q, want 421 4.4.2", l)
		}
		if !c.closed() {
			t.Fatal("the stalled connection was left open")
		}
		if waited := time.Since(start); waited >= 10*time.Second {
			t.Fatalf("closed after %v: the command timeout, not the data timeout", waited)
		}
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.calls != 0 {
			t.Fatalf("a stalled message was delivered %d times", d.calls)
		}
	})
}
