package email

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

var testMailboxes = []Mailbox{
	{Address: "help@helpline.test", Team: "intake", Language: "en"},
	{Address: "aide@helpline.test", Team: "fr", Language: "fr"},
}

// startSMTP runs an SMTP listener on a free loopback port.
func startSMTP(t *testing.T, cfg SMTPServerConfig, d Deliverer) (string, *syncBuffer) {
	t.Helper()
	logger, logs := testLogger(t)
	cfg.Logger = logger
	if cfg.Mailboxes == nil {
		cfg.Mailboxes = testMailboxes
	}
	cfg.Domain = "mx.helpline.test"
	srv, err := NewSMTPServer(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return l.Addr().String(), logs
}

// swaks runs the real swaks client against addr and returns its transcript
// and whether it reported success.
func swaks(t *testing.T, addr string, args ...string) (string, error) {
	t.Helper()
	bin, err := exec.LookPath("swaks")
	if err != nil {
		t.Fatal("swaks not found: install Debian package swaks")
	}
	host, port, _ := net.SplitHostPort(addr)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	base := []string{"--server", host, "--port", port, "--helo", "client.test", "--from", "someone@sender.test", "--timeout", "30"}
	out, err := exec.CommandContext(ctx, bin, append(base, args...)...).CombinedOutput()
	return string(out), err
}

// swaksAsync starts swaks in the background.
func swaksAsync(t *testing.T, addr string, args ...string) <-chan error {
	done := make(chan error, 1)
	go func() {
		out, err := swaks(t, addr, args...)
		if err != nil {
			err = fmt.Errorf("%w\n%s", err, out)
		}
		done <- err
	}()
	return done
}

func writeTemp(t *testing.T, name string, data []byte) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func testMessage(id, body string) []byte {
	return []byte("From: Someone <someone@sender.test>\r\nTo: help@helpline.test\r\n" +
		"Subject: test " + id + "\r\nMessage-ID: <" + id + "@sender.test>\r\n" +
		"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\n\r\n" + body + "\r\n")
}

func TestSMTPServerAcknowledgesOnlyAfterCommit(t *testing.T) {
	d := &memDeliverer{gate: make(chan struct{}), called: make(chan struct{}, 1)}
	addr, _ := startSMTP(t, SMTPServerConfig{}, d)
	msg := writeTemp(t, "m.eml", testMessage("commit-1", "Hello, I need help."))

	done := swaksAsync(t, addr, "--to", "Help@Helpline.test", "--data", "@"+msg)
	select {
	case <-d.called:
	case err := <-done:
		t.Fatalf("swaks finished before the pipeline was called: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("Deliver never called")
	}
	// The pipeline has not committed yet: the client must still be waiting.
	select {
	case err := <-done:
		t.Fatalf("swaks finished before the commit: %v", err)
	case <-time.After(500 * time.Millisecond):
	}
	close(d.gate)
	if err := <-done; err != nil {
		t.Fatalf("swaks: %v", err)
	}
	got := d.deliveries()
	if len(got) != 1 || got[0].mailbox != "help@helpline.test" {
		t.Fatalf("deliveries = %+v", got)
	}
	if p := Parse(got[0].raw); p.MessageID != "commit-1@sender.test" || !strings.Contains(p.Text, "I need help") {
		t.Fatalf("stored message: id %q text %q", p.MessageID, p.Text)
	}
}

func TestSMTPServerUnknownRecipient(t *testing.T) {
	d := &memDeliverer{}
	addr, logs := startSMTP(t, SMTPServerConfig{}, d)
	out, err := swaks(t, addr, "--to", "someone-else@elsewhere.test")
	if err == nil {
		t.Fatalf("swaks succeeded for an unknown recipient:\n%s", out)
	}
	if !strings.Contains(out, "550 5.1.1") {
		t.Fatalf("no 550 5.1.1 in transcript:\n%s", out)
	}
	if n := len(d.deliveries()); n != 0 {
		t.Fatalf("%d deliveries for a refused recipient", n)
	}
	if !strings.Contains(logs.String(), "unknown recipient") {
		t.Errorf("refusal not logged:\n%s", logs)
	}
}

func TestSMTPServerOversizedData(t *testing.T) {
	d := &memDeliverer{}
	addr, logs := startSMTP(t, SMTPServerConfig{MaxMessageBytes: 512 << 10}, d)
	body := strings.Repeat(strings.Repeat("x", 76)+"\r\n", (1<<20)/78)
	msg := writeTemp(t, "big.eml", testMessage("big-1", body))

	out, err := swaks(t, addr, "--to", "help@helpline.test", "--data", "@"+msg)
	if err == nil {
		t.Fatalf("swaks succeeded with 1 MB over a 512 KB limit:\n%s", lastLines(out, 5))
	}
	if !strings.Contains(out, "552 5.3.4") {
		t.Fatalf("no 552 5.3.4 in transcript:\n%s", lastLines(out, 10))
	}
	if n := len(d.deliveries()); n != 0 {
		t.Fatalf("%d deliveries of an oversized message", n)
	}
	if !strings.Contains(logs.String(), "oversized message (DATA)") {
		t.Errorf("refusal not logged:\n%s", logs)
	}
}

// lastLines keeps failure output short: the 1 MB transcript is mostly body.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func TestSMTPServerOversizedDeclaredSize(t *testing.T) {
	d := &memDeliverer{}
	addr, logs := startSMTP(t, SMTPServerConfig{MaxMessageBytes: 512 << 10}, d)
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.Mail("someone@sender.test", &smtp.MailOptions{Size: 1 << 20})
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != 552 || se.EnhancedCode != (smtp.EnhancedCode{5, 3, 4}) {
		t.Fatalf("MAIL FROM SIZE=1MB: %v, want 552 5.3.4", err)
	}
	if !strings.Contains(logs.String(), "MAIL FROM SIZE") {
		t.Errorf("refusal not logged:\n%s", logs)
	}
}

func TestSMTPServerDeliverFailure(t *testing.T) {
	cases := []struct {
		name string
		err  error
		code string
	}{
		{"temporary", errors.New("database unavailable"), "451 4.3.0"},
		{"rejected", fmt.Errorf("too many attachments: %w", ErrRejected), "554 5.6.0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := &memDeliverer{fail: func(string, []byte) error { return tc.err }}
			addr, _ := startSMTP(t, SMTPServerConfig{}, d)
			out, err := swaks(t, addr, "--to", "help@helpline.test")
			if err == nil {
				t.Fatalf("swaks succeeded although the pipeline failed:\n%s", out)
			}
			if !strings.Contains(out, "<** "+tc.code) {
				t.Fatalf("no %s in transcript:\n%s", tc.code, out)
			}
			if strings.Contains(out, "<-  250 2.0.0 OK: queued") {
				t.Fatalf("250 after a failed delivery:\n%s", out)
			}
		})
	}
}

func TestSMTPServerOncePerMailbox(t *testing.T) {
	d := &memDeliverer{}
	addr, _ := startSMTP(t, SMTPServerConfig{}, d)
	out, err := swaks(t, addr, "--to", "help@helpline.test,aide@helpline.test,HELP@helpline.test")
	if err != nil {
		t.Fatalf("swaks: %v\n%s", err, out)
	}
	got := d.deliveries()
	if len(got) != 2 {
		t.Fatalf("%d deliveries, want one per mailbox (2)", len(got))
	}
	if got[0].mailbox != "help@helpline.test" || got[1].mailbox != "aide@helpline.test" {
		t.Fatalf("mailboxes %q, %q", got[0].mailbox, got[1].mailbox)
	}
	if !bytes.Equal(got[0].raw, got[1].raw) {
		t.Fatal("the two mailboxes got different bytes")
	}
}

func TestSMTPServerUTF8BodyByteExact(t *testing.T) {
	d := &memDeliverer{}
	addr, _ := startSMTP(t, SMTPServerConfig{}, d)
	raw := []byte("From: =?utf-8?b?2LPYp9ix2Kk=?= <sara@sender.test>\r\nTo: help@helpline.test\r\n" +
		"Subject: =?utf-8?b?2YXYs9in2LnYr9ip?=\r\nMessage-ID: <ar-1@sender.test>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
		"مرحبا، أحتاج إلى مساعدة. حسابي مخترق.\r\n.Leading dot line stays.\r\n")

	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("client.test"); err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{"8BITMIME", "SMTPUTF8"} {
		if ok, _ := c.Extension(ext); !ok {
			t.Fatalf("%s not advertised", ext)
		}
	}
	if err := c.Mail("sara@sender.test", &smtp.MailOptions{UTF8: true, Size: int64(len(raw))}); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("help@helpline.test", nil); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
	got := d.deliveries()
	if len(got) != 1 {
		t.Fatalf("%d deliveries, want 1", len(got))
	}
	if !bytes.Equal(got[0].raw, raw) {
		t.Fatalf("stored bytes differ from the sent ones:\n%q\nwant\n%q", got[0].raw, raw)
	}
}

func TestNewSMTPServerValidates(t *testing.T) {
	d := &memDeliverer{}
	bad := []SMTPServerConfig{
		{},
		{Mailboxes: []Mailbox{{Address: "not an address"}}},
		{Mailboxes: []Mailbox{{Address: "a@x.test"}, {Address: "A@x.test"}}},
	}
	for _, cfg := range bad {
		if _, err := NewSMTPServer(cfg, d); err == nil {
			t.Errorf("NewSMTPServer(%+v) accepted", cfg)
		}
	}
	if _, err := NewSMTPServer(SMTPServerConfig{Mailboxes: testMailboxes}, nil); err == nil {
		t.Error("nil Deliverer accepted")
	}
}
