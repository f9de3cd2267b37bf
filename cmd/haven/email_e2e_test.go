package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/email"
	"github.com/haven-helpline/haven/pgp"
	"github.com/haven-helpline/haven/testenv"
)

// relay is a real SMTP server (go-smtp) standing in for the helpline's outgoing relay.
type relay struct {
	mu   sync.Mutex
	mail [][]byte
	fail string // when set, RCPT answers this permanent error
}

func (r *relay) NewSession(*smtp.Conn) (smtp.Session, error) { return &relaySess{r: r}, nil }

type relaySess struct{ r *relay }

func (s *relaySess) Mail(string, *smtp.MailOptions) error { return nil }
func (s *relaySess) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.r.fail != "" && strings.Contains(to, s.r.fail) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	return nil
}
func (s *relaySess) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	s.r.mu.Lock()
	s.r.mail = append(s.r.mail, raw)
	s.r.mu.Unlock()
	return err
}
func (s *relaySess) Reset()        {}
func (s *relaySess) Logout() error { return nil }

func (r *relay) received() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte{}, r.mail...)
}

func startRelay(t *testing.T) (*relay, int) {
	r := &relay{}
	srv := smtp.NewServer(r)
	srv.Domain = "relay.test"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return r, ln.Addr().(*net.TCPAddr).Port
}

// mailServer is a Haven server with its email channel: SMTP listener, IMAP poller on a real
// Dovecot, relay, and the job runner ticked by the test.
type mailServer struct {
	t      *testing.T
	e      *env
	a      *app
	rt     *mailRuntime
	smtp   string
	admin  context.Context
	relay  *relay
	runner interface {
		Tick(context.Context) (int, error)
	}
}

func startMailServer(t *testing.T, dove *testenv.DovecotServer) *mailServer {
	return startMailServerOn(t, dove, filepath.Join(t.TempDir(), "h.db"))
}

// startMailServerOn is startMailServer over the database at dsn.
func startMailServerOn(t *testing.T, dove *testenv.DovecotServer, dsn string) *mailServer {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e := &env{ctx: ctx, stdout: io.Discard, stderr: io.Discard, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	cmd := ServeCmd{DBFlags: DBFlags{DB: dsn, Data: t.TempDir()}}
	a, err := cmd.prepare(e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	admin, err := a.svc.CreateFirstAdmin(ctx, "admin", "a long admin password")
	if err != nil {
		t.Fatal(err)
	}
	rl, relayPort := startRelay(t)
	imap := ""
	if dove != nil {
		imap = fmt.Sprintf(`,"imap":{"host":"127.0.0.1","port":%d,"security":"none","username":%q,"password":%q}`, dove.Port, dove.Username, dove.Password)
	}
	conf := filepath.Join(t.TempDir(), "mail.json")
	os.WriteFile(conf, []byte(fmt.Sprintf(`{"domain":"helpline.test","from_name":"Helpline","auto_acknowledge":true,
		"mailboxes":[{"address":"help@helpline.test","language":"fr"%s}],
		"relay":{"host":"127.0.0.1","port":%d,"security":"none"}}`, imap, relayPort)), 0o600)
	addr := freeAddr(t)
	rt, err := startMail(e, a, MailFlags{SMTPListen: addr, MailConfig: conf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); rt.stop() })
	return &mailServer{t: t, e: e, a: a, rt: rt, smtp: addr, relay: rl, runner: newRunner(e, a, rt.sender, 0),
		admin: haven.WithActor(ctx, haven.Actor{User: admin})}
}

// work runs due jobs until none is left.
func (m *mailServer) work() {
	for i := 0; i < 20; i++ {
		n, err := m.runner.Tick(m.e.ctx)
		if err != nil {
			m.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

func (m *mailServer) swaks(args ...string) string {
	m.t.Helper()
	host, port, _ := net.SplitHostPort(m.smtp)
	out, err := exec.Command("swaks", append([]string{"--server", host, "--port", port, "--from", "amira@mail.example"}, args...)...).CombinedOutput()
	if err != nil {
		m.t.Fatalf("swaks: %v\n%s", err, out)
	}
	return string(out)
}

func (m *mailServer) onlyCase() *haven.Case {
	m.t.Helper()
	page, err := m.a.svc.Cases(m.admin, haven.CaseFilter{})
	if err != nil || len(page.Items) != 1 {
		m.t.Fatalf("cases: %+v %v", page, err)
	}
	return page.Items[0]
}

// TestEmailEndToEnd: a message sent with swaks to the SMTP listener opens a case and is
// acknowledged in the case's language; a handler's reply goes out through the relay threaded and
// tagged; the requester's answer threads back; with PGP keys on both sides the reply is encrypted
// to the requester, and a permanent refusal shows on the message.
func TestEmailEndToEnd(t *testing.T) {
	if _, err := exec.LookPath("swaks"); err != nil {
		t.Fatal("swaks is missing: install the Debian package swaks")
	}
	m := startMailServer(t, nil)
	out := m.swaks("--to", "help@helpline.test", "--header", "Subject: Mon compte a été piraté",
		"--header", "Message-Id: <first@mail.example>", "--body", "Bonjour, quelqu'un a changé mon mot de passe et je ne peux plus me connecter.")
	if !strings.Contains(out, "250") {
		t.Fatalf("swaks: %s", out)
	}
	c := m.onlyCase()
	if c.Title != "Mon compte a été piraté" || c.Language != "fr" {
		t.Fatalf("case: %+v", c)
	}
	if out := exec.Command("swaks", "--server", strings.Split(m.smtp, ":")[0], "--port", strings.Split(m.smtp, ":")[1], "--to", "nobody@elsewhere.test"); out != nil {
		b, _ := out.CombinedOutput()
		if !strings.Contains(string(b), "550") {
			t.Fatalf("an unknown recipient must get 550: %s", b)
		}
	}
	m.work()
	sent := m.relay.received()
	if len(sent) != 1 {
		t.Fatalf("%d messages at the relay, want the acknowledgement", len(sent))
	}
	ack := email.Parse(sent[0])
	if !ack.AutoReply || !strings.Contains(ack.Subject, "["+c.Number+"]") || !strings.Contains(ack.Text, c.Number) {
		t.Fatalf("acknowledgement: %+v", ack)
	}
	if _, err := m.a.svc.AddMessage(m.admin, c.Number, haven.MessageCreate{Text: "Changez votre mot de passe depuis un autre appareil."}); err != nil {
		t.Fatal(err)
	}
	m.work()
	sent = m.relay.received()
	reply := email.Parse(sent[len(sent)-1])
	if reply.InReplyTo != "first@mail.example" || !strings.Contains(reply.Subject, "["+c.Number+"]") ||
		!strings.HasSuffix(reply.MessageID, "@helpline.test") || reply.From.Addr != "help@helpline.test" || reply.AutoReply {
		t.Fatalf("reply: %+v", reply)
	}
	m.swaks("--to", "help@helpline.test", "--header", "Subject: Re: merci", "--header", "In-Reply-To: <"+reply.MessageID+">", "--body", "Merci, c'est réglé.")
	if m.onlyCase().Number != c.Number {
		t.Fatal("the answer to Haven's reply opened a new case")
	}
	checkEncryptedReply(t, m, c)
}

// checkEncryptedReply gives the helpline and the requester key pairs: the reply must reach the
// relay as PGP/MIME that only the requester's key (or the helpline's) opens.
func checkEncryptedReply(t *testing.T, m *mailServer, c *haven.Case) {
	helpline, _ := pgp.GenerateKey("Helpline", "help@helpline.test", nil)
	info, _ := pgp.Inspect(helpline)
	if err := m.a.svc.ImportPGPKeyAsSystem(m.e.ctx, info.Fingerprint, string(helpline)); err != nil {
		t.Fatal(err)
	}
	requester, _ := pgp.GenerateKey("Amira", "amira@mail.example", nil)
	pub, _ := pgp.PublicFromAny(requester)
	key, yes := string(pub), true
	if _, err := m.a.svc.UpdateRequester(m.admin, c.RequesterID, haven.RequesterUpdate{PGPKey: &key, EncryptedOnly: &yes}); err != nil {
		t.Fatal(err)
	}
	keys, err := loadPGPKeyring(m.e.ctx, m.a)
	if err != nil {
		t.Fatal(err)
	}
	m.rt.sender.keys = keys
	if _, err := m.a.svc.AddMessage(m.admin, c.Number, haven.MessageCreate{Text: "zqsecret: nouvelle procédure"}); err != nil {
		t.Fatal(err)
	}
	m.work()
	sent := m.relay.received()
	raw := sent[len(sent)-1]
	if bytes.Contains(raw, []byte("zqsecret")) || !bytes.Contains(raw, []byte("multipart/encrypted")) {
		t.Fatalf("the reply to an encrypted-only requester went out readable:\n%s", raw)
	}
	theirs, err := pgp.NewKeyring([][]byte{requester}, nil)
	if err != nil {
		t.Fatal(err)
	}
	opened, err := theirs.OpenMessage(raw, [][]byte{[]byte(mustPublic(t, helpline))})
	if err != nil || !bytes.Contains(opened.Plain, []byte("nouvelle proc")) || !opened.SignatureValid {
		t.Fatalf("the requester cannot read the reply: %+v %v", opened, err)
	}
}

func mustPublic(t *testing.T, priv []byte) string {
	pub, err := pgp.PublicFromAny(priv)
	if err != nil {
		t.Fatal(err)
	}
	return string(pub)
}

// TestEmailFromIMAP: a message put in a real Dovecot mailbox is fetched (IDLE), opens a case, and
// is moved to the processed folder only once stored. The poller works on its own goroutine, so the
// test waits for the outcome itself, however slowly a loaded machine gets there; and it looks at
// both folders together, because Dovecot's MOVE copies the message before it expunges the
// original (a moment when both folders hold it).
func TestEmailFromIMAP(t *testing.T) {
	dove := testenv.Dovecot(t)
	m := startMailServer(t, dove)
	dove.Append(t, "INBOX", []byte("From: Rania <rania@mail.example>\r\nTo: help@helpline.test\r\nSubject: حسابي على فيسبوك مخترق\r\n"+
		"Message-ID: <imap-1@mail.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nلا أستطيع الدخول إلى حسابي منذ الأمس\r\n"))
	var cases []*haven.Case
	testenv.Eventually(t, "the IMAP message to become a case and move to Haven/Processed", func() (bool, string) {
		page, err := m.a.svc.Cases(m.admin, haven.CaseFilter{})
		if err != nil {
			return false, err.Error()
		}
		cases = page.Items
		inbox, processed := dove.Count(t, "INBOX"), dove.Count(t, "Haven/Processed")
		// Dovecot's log is printed by testenv when the test fails.
		return len(cases) > 0 && inbox == 0 && processed == 1,
			fmt.Sprintf("%d case(s), INBOX %d, processed %d", len(cases), inbox, processed)
	})
	if c := cases[0]; len(cases) != 1 || c.Title != "حسابي على فيسبوك مخترق" || c.Language != "ar" {
		t.Fatalf("cases: %d, first: %+v", len(cases), c)
	}
}

// TestSMTPSenderAsActor: an anonymous sender at the SMTP listener, the one actor without an
// account, cannot put a message into a restricted case by writing its tag in the subject, and
// learns nothing of it from the answers; the case's own correspondent still can.
func TestSMTPSenderAsActor(t *testing.T) {
	m := startMailServer(t, nil)
	c, err := m.a.svc.CreateCase(m.admin, haven.CaseCreate{Title: "zqsecrettitle", RestrictedTo: []string{"admin"},
		Requester: &haven.RequesterInput{Name: "Zqsecretperson", Email: "amira@mail.example"}})
	if err != nil {
		t.Fatal(err)
	}
	messages := func() string {
		msgs, err := m.a.svc.Messages(m.admin, c.Number)
		if err != nil {
			t.Fatal(err)
		}
		return marshal(msgs)
	}
	out := m.swaks("--from", "spoof@evil.test", "--to", "help@helpline.test", "--header", "Subject: Re: ["+c.Number+"] update",
		"--body", "zqinjected by a stranger")
	if !strings.Contains(out, "250") || strings.Contains(strings.ToLower(out), "zqsecret") {
		t.Fatalf("the listener's answers: %s", out)
	}
	if strings.Contains(messages(), "zqinjected") {
		t.Fatal("a stranger's tagged email went into the restricted case")
	}
	m.swaks("--to", "help@helpline.test", "--header", "Subject: Re: ["+c.Number+"] update", "--body", "zqfromthecorrespondent")
	if !strings.Contains(messages(), "zqfromthecorrespondent") {
		t.Fatal("the case's correspondent's tagged email did not thread into it")
	}
}
