package email

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

// TestSMTPShutdownFinishesTransaction: told to shut down, the listener stops accepting, tells an
// idle connection 421 at once, lets the message being delivered finish with its 250, and answers
// that connection's next MAIL with 421.
func TestSMTPShutdownFinishesTransaction(t *testing.T) {
	d := &memDeliverer{gate: make(chan struct{}), called: make(chan struct{}, 1)}
	logger, _ := testLogger(t)
	srv, err := NewSMTPServer(SMTPServerConfig{Mailboxes: testMailboxes, Domain: "mx.helpline.test", Logger: logger}, d)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	addr, to := l.Addr().String(), testMailboxes[0].Address

	idle, busy := dialSMTP(t, addr), dialSMTP(t, addr)
	for _, c := range []*smtpClient{idle, busy} {
		c.line() // greeting
		c.reply("EHLO client.test")
	}
	busy.reply("MAIL FROM:<someone@example.org>")
	busy.reply("RCPT TO:<" + to + ">")
	if r := busy.reply("DATA"); !strings.HasPrefix(r, "354") {
		t.Fatalf("DATA: %q", r)
	}
	if _, err := busy.conn.Write([]byte("Subject: help\r\nMessage-ID: <drain@example.org>\r\n\r\nplease\r\n.\r\n")); err != nil {
		t.Fatal(err)
	}
	<-d.called // the message is being stored

	stopped := make(chan error, 1)
	go func() { stopped <- srv.Shutdown(context.Background()) }()
	if r := idle.line(); !strings.HasPrefix(r, "421 ") || !idle.closed() {
		t.Fatalf("an idle connection must get 421 and be closed: %q", r)
	}
	close(d.gate)
	if r := busy.line(); !strings.HasPrefix(r, "250 ") {
		t.Fatalf("the transaction in progress must finish: %q", r)
	}
	if r := busy.reply("MAIL FROM:<someone@example.org>"); !strings.HasPrefix(r, "421 4.3.2") || !busy.closed() {
		t.Fatalf("a new transaction while stopping: %q, want 421 and close", r)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve after Shutdown: %v", err)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatal("the listener must be closed")
	}
	if len(d.stored) != 1 {
		t.Fatalf("stored %d messages, want 1", len(d.stored))
	}
}

// TestSMTPSetMailboxes: a reload changes the accepted recipients of the running listener.
func TestSMTPSetMailboxes(t *testing.T) {
	logger, _ := testLogger(t)
	srv, err := NewSMTPServer(SMTPServerConfig{Mailboxes: testMailboxes, Domain: "mx.helpline.test", Logger: logger}, &memDeliverer{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	if err := srv.SetMailboxes([]Mailbox{{Address: "new@helpline.test"}}); err != nil {
		t.Fatal(err)
	}
	if err := srv.SetMailboxes(nil); err == nil {
		t.Fatal("an empty set must be refused, keeping the current one")
	}
	c := dialSMTP(t, l.Addr().String())
	c.line()
	c.reply("EHLO client.test")
	c.reply("MAIL FROM:<someone@example.org>")
	if r := c.reply("RCPT TO:<new@helpline.test>"); !strings.HasPrefix(r, "250") {
		t.Fatalf("the new mailbox: %q", r)
	}
	if r := c.reply("RCPT TO:<" + testMailboxes[0].Address + ">"); !strings.HasPrefix(r, "550") {
		t.Fatalf("a mailbox no longer configured: %q", r)
	}
}
