package main

import (
	"bytes"
	"context"
	"fmt"
	"mime/quotedprintable"
	"net"
	"strings"

	"github.com/emersion/go-smtp"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/bench"
	"github.com/haven-helpline/haven/email"
	"github.com/haven-helpline/haven/sample"
)

// BenchEmailCmd measures the intake of email: the pipeline as `haven ingest` runs it, and the
// SMTP listener with concurrent senders.
type BenchEmailCmd struct {
	benchDB
	profileFlag
	Messages int `name:"messages" default:"4000" help:"Messages per run."`
	Clients  int `name:"clients" default:"8" help:"Concurrent senders."`
	Bytes    int `name:"bytes" default:"5000" help:"Approximate message size."`
}

// Run delivers messages through the pipeline, then through SMTP, and prints figures.
func (c *BenchEmailCmd) Run(e *env) (err error) {
	ctx, a, done, err := c.setup(e, c.profileFlag)
	if err != nil {
		return err
	}
	defer cleanup(&err, done)
	mb := email.Mailbox{Address: "help@helpline.test", Language: "en"}
	pipe := &email.Pipeline{Intake: a.svc, Mailboxes: []email.Mailbox{mb}, SenderKeys: a.svc.SenderPGPKeys}
	label := fmt.Sprintf("(%s, %d senders, %d B)", a.db.Dialect, c.Clients, c.Bytes)
	msgs := benchMessages(c.Messages, c.Bytes, 1)
	direct, err := bench.Run(ctx, "email via pipeline/ingest "+label, len(msgs), c.Clients, func(ctx context.Context, i int) error {
		return pipe.Deliver(ctx, mb.Address, msgs[i])
	})
	if err != nil {
		return err
	}
	viaSMTP, err := c.viaSMTP(e, pipe, mb, label)
	if err != nil {
		return err
	}
	return bench.Print(e.stdout, direct, viaSMTP)
}

func (c *BenchEmailCmd) viaSMTP(e *env, pipe *email.Pipeline, mb email.Mailbox, label string) (bench.Result, error) {
	srv, err := email.NewSMTPServer(email.SMTPServerConfig{Addr: "127.0.0.1:0", Domain: "helpline.test",
		Mailboxes: []email.Mailbox{mb}, Logger: newLogger(e.stderr, "text", "error")}, pipe)
	if err != nil {
		return bench.Result{}, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return bench.Result{}, haven.Internal("listen", err)
	}
	// Serve ends when the listener closes; any other failure shows in the deliveries.
	go func() { _ = srv.Serve(ln) }()
	defer func() { _ = srv.Close() }()
	msgs := benchMessages(c.Messages, c.Bytes, 2)
	addr := ln.Addr().String()
	return bench.Run(e.ctx, "email via SMTP listener "+label, len(msgs), c.Clients, func(ctx context.Context, i int) error {
		c, err := smtp.Dial(addr) // loopback, no TLS: what is measured is Haven
		if err != nil {
			return err
		}
		defer func() { _ = c.Close() }() // after QUIT, or after the error returned
		if err := c.SendMail("sender@mail.example", []string{mb.Address}, bytes.NewReader(msgs[i])); err != nil {
			return err
		}
		return c.Quit()
	})
}

// benchMessages builds n realistic messages of about size bytes in the six languages: a third are
// replies to earlier ones (by In-Reply-To), the rest open cases.
func benchMessages(n, size int, seed uint64) [][]byte {
	g := sample.New(seed)
	out := make([][]byte, n)
	for i := range out {
		c := g.Next(size - 600)
		var b bytes.Buffer
		fmt.Fprintf(&b, "From: %s <%s>\r\nTo: help@helpline.test\r\nSubject: %s\r\nMessage-ID: <bench-%d-%d@mail.example>\r\n",
			c.RequesterName, c.RequesterEmail, mimeWord(c.Title), seed, i)
		if i%3 == 2 {
			fmt.Fprintf(&b, "In-Reply-To: <bench-%d-%d@mail.example>\r\n", seed, i-1)
		}
		b.WriteString("Date: Mon, 23 Nov 2026 09:00:00 +0000\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
		qp := quotedprintable.NewWriter(&b)
		_, _ = qp.Write([]byte(c.Summary + evidenceLines(i))) // into a bytes.Buffer, which does not fail
		_ = qp.Close()
		b.WriteString("\r\n")
		out[i] = b.Bytes()
	}
	return out
}

// evidenceLines is what a phishing report quotes, for extraction to find: a defanged link to one
// of 200 kits (so values recur across cases), the sender's address, and now and then a number to
// call and the server's address.
func evidenceLines(i int) string {
	kit := fmt.Sprintf("secure-login-%d.com", i%200)
	s := fmt.Sprintf("\n\n> From: support@%s\n> Verify now: hxxps://%s/verify?id=%d\n", kit, strings.Replace(kit, ".", "[.]", 1), i)
	if i%4 == 0 {
		s += fmt.Sprintf("> Or call +961 71 %03d %03d. Server 203.0.113.%d\n", i%1000, (i*7)%1000, i%250)
	}
	return s
}

// mimeWord encodes a header value as an RFC 2047 word when it is not ASCII.
func mimeWord(s string) string {
	for _, r := range s {
		if r > 127 {
			return "=?utf-8?q?" + strings.ReplaceAll(qpWord(s), " ", "_") + "?="
		}
	}
	return s
}

func qpWord(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c > 127 || c == '=' || c == '?' || c == '_' {
			fmt.Fprintf(&b, "=%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}
