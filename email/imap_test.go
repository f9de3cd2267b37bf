package email

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/haven-helpline/haven/testenv"
)

const helpAddress = "help@helpline.test"

// imapMailbox points a mailbox at the test Dovecot, or at addr when given
// (a proxy in front of it).
func imapMailbox(d *testenv.DovecotServer, addr string) Mailbox {
	host, port := d.Host, d.Port
	if addr != "" {
		h, p, _ := net.SplitHostPort(addr)
		host = h
		port, _ = strconv.Atoi(p)
	}
	return Mailbox{Address: helpAddress, IMAP: &IMAPConfig{
		Host: host, Port: port, Security: SecurityNone,
		Username: d.Username, Password: d.Password,
	}}
}

func newPoller(t *testing.T, mb Mailbox, dl Deliverer) *IMAPPoller {
	t.Helper()
	logger, _ := testLogger(t)
	p, err := NewIMAPPoller(mb, dl, logger)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func appendMessages(t *testing.T, d *testenv.DovecotServer, ids ...string) {
	for _, id := range ids {
		d.Append(t, "INBOX", testMessage(id, "Body of "+id))
	}
}

func checkFolders(t *testing.T, d *testenv.DovecotServer, inbox, processed int) {
	t.Helper()
	if got := d.Count(t, "INBOX"); got != inbox {
		t.Errorf("INBOX holds %d messages, want %d", got, inbox)
	}
	if got := d.Count(t, "Haven/Processed"); got != processed {
		t.Errorf("Haven/Processed holds %d messages, want %d", got, processed)
	}
}

func failID(id string) func(string, []byte) error {
	return func(_ string, raw []byte) error {
		if Parse(raw).MessageID == id {
			return errors.New("pipeline down for " + id)
		}
		return nil
	}
}

func TestIMAPPollOnce(t *testing.T) {
	t.Parallel() // each test has its own Dovecot
	d := testenv.Dovecot(t)
	appendMessages(t, d, "m1", "m2", "m3")
	dl := &memDeliverer{fail: failID("m2@sender.test")}
	p := newPoller(t, imapMailbox(d, ""), dl)

	n, err := p.PollOnce(context.Background())
	if n != 2 {
		t.Fatalf("first poll delivered %d, want 2 (err %v)", n, err)
	}
	if err == nil || !strings.Contains(err.Error(), "pipeline down for m2") {
		t.Errorf("first poll error %v, want the m2 failure", err)
	}
	checkFolders(t, d, 1, 2)

	dl.setFail(nil)
	n, err = p.PollOnce(context.Background())
	if n != 1 || err != nil {
		t.Fatalf("second poll: delivered %d, err %v; want 1, nil", n, err)
	}
	checkFolders(t, d, 0, 3)

	if n, err = p.PollOnce(context.Background()); n != 0 || err != nil {
		t.Fatalf("third poll: delivered %d, err %v; want 0, nil", n, err)
	}
	counts := dl.countByMessageID()
	for _, id := range []string{"m1@sender.test", "m2@sender.test", "m3@sender.test"} {
		if counts[id] != 1 {
			t.Errorf("%s delivered %d times, want once", id, counts[id])
		}
	}
	for _, got := range dl.deliveries() {
		if got.mailbox != helpAddress {
			t.Errorf("delivered to mailbox %q", got.mailbox)
		}
	}
}

func TestIMAPPollOnceRejectedStaysFlagged(t *testing.T) {
	t.Parallel() // each test has its own Dovecot
	d := testenv.Dovecot(t)
	appendMessages(t, d, "ok1", "huge")
	dl := &memDeliverer{fail: func(_ string, raw []byte) error {
		if Parse(raw).MessageID == "huge@sender.test" {
			return fmt.Errorf("over the size limit: %w", ErrRejected)
		}
		return nil
	}}
	p := newPoller(t, imapMailbox(d, ""), dl)
	if n, err := p.PollOnce(context.Background()); n != 1 || !errors.Is(err, ErrRejected) {
		t.Fatalf("delivered %d, err %v; want 1 and ErrRejected", n, err)
	}
	calls := dl.callCount()
	if n, err := p.PollOnce(context.Background()); n != 0 || err != nil {
		t.Fatalf("second poll: delivered %d, err %v", n, err)
	}
	if dl.callCount() != calls {
		t.Error("the rejected message was offered again")
	}
	checkFolders(t, d, 1, 1) // the rejected one stays visible in INBOX
}

// tcpProxy forwards to a target and can cut every connection, as a
// network failure or a crash would.
type tcpProxy struct {
	l      net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
}

func startProxy(t *testing.T, target string) *tcpProxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{l: l, target: target}
	go p.serve()
	t.Cleanup(func() { l.Close(); p.cut() })
	return p
}

func (p *tcpProxy) serve() {
	for {
		in, err := p.l.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", p.target)
		if err != nil {
			in.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, in, out)
		p.mu.Unlock()
		go func() { io.Copy(out, in); out.Close() }()
		go func() { io.Copy(in, out); in.Close() }()
	}
}

func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *tcpProxy) addr() string { return p.l.Addr().String() }

// cuttingDeliverer commits the message, then cuts the connection before
// the poller can move it: a crash between commit and MOVE.
type cuttingDeliverer struct {
	*memDeliverer
	proxy *tcpProxy
	once  sync.Once
}

func (c *cuttingDeliverer) Deliver(ctx context.Context, mailbox string, raw []byte) error {
	if err := c.memDeliverer.Deliver(ctx, mailbox, raw); err != nil {
		return err
	}
	c.once.Do(c.proxy.cut)
	return nil
}

func TestIMAPCutBeforeMoveRedelivers(t *testing.T) {
	t.Parallel() // each test has its own Dovecot
	d := testenv.Dovecot(t)
	proxy := startProxy(t, net.JoinHostPort(d.Host, strconv.Itoa(d.Port)))
	appendMessages(t, d, "cut1")
	dl := &cuttingDeliverer{memDeliverer: &memDeliverer{}, proxy: proxy}
	p := newPoller(t, imapMailbox(d, proxy.addr()), dl)

	if n, err := p.PollOnce(context.Background()); n != 0 || err == nil {
		t.Fatalf("poll with a cut connection: delivered %d, err %v; want 0 and an error", n, err)
	}
	checkFolders(t, d, 1, 0)
	if n, err := p.PollOnce(context.Background()); n != 1 || err != nil {
		t.Fatalf("poll after the cut: delivered %d, err %v", n, err)
	}
	checkFolders(t, d, 0, 1)
	if got := dl.countByMessageID()["cut1@sender.test"]; got != 2 {
		t.Fatalf("delivered %d times, want twice (once before the cut, once after)", got)
	}
}

// waitDelivered polls until the deliverer holds want messages.
func waitDelivered(t *testing.T, dl *memDeliverer, want int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for len(dl.deliveries()) < want {
		if time.Now().After(deadline) {
			t.Fatalf("%d messages delivered after %v, want %d", len(dl.deliveries()), within, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitCount polls until folder holds want messages: the MOVE follows the
// delivery.
func waitCount(t *testing.T, d *testenv.DovecotServer, folder string, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for d.Count(t, folder) != want {
		if time.Now().After(deadline) {
			t.Fatalf("%s holds %d messages, want %d", folder, d.Count(t, folder), want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestIMAPRunIdleAndReconnect(t *testing.T) {
	t.Parallel() // each test has its own Dovecot
	d := testenv.Dovecot(t)
	proxy := startProxy(t, net.JoinHostPort(d.Host, strconv.Itoa(d.Port)))
	appendMessages(t, d, "before")
	dl := &memDeliverer{}
	mb := imapMailbox(d, proxy.addr())
	mb.IMAP.PollInterval = time.Hour // only IDLE can notice new mail in time
	p := newPoller(t, mb, dl)
	runPoller(t, p)

	waitDelivered(t, dl, 1, 15*time.Second)
	waitCount(t, d, "Haven/Processed", 1)
	time.Sleep(300 * time.Millisecond) // let the poller enter IDLE
	appendMessages(t, d, "while-idle")
	waitDelivered(t, dl, 2, 15*time.Second)
	waitCount(t, d, "Haven/Processed", 2)

	// A dropped connection: Run reconnects after its backoff and carries on.
	proxy.cut()
	appendMessages(t, d, "after-cut")
	waitDelivered(t, dl, 3, 15*time.Second)
	waitCount(t, d, "Haven/Processed", 3)
	waitCount(t, d, "INBOX", 0) // the MOVE copies first, then expunges
	for id, n := range dl.countByMessageID() {
		if n != 1 {
			t.Errorf("%s delivered %d times", id, n)
		}
	}
}

// runPoller runs p.Run until the test ends and checks it then returns nil.
func runPoller(t *testing.T, p *IMAPPoller) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v after cancel, want nil", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
}

func TestIMAPRunRetriesFailedDelivery(t *testing.T) {
	t.Parallel() // each test has its own Dovecot
	d := testenv.Dovecot(t)
	appendMessages(t, d, "retry1")
	dl := &memDeliverer{fail: failID("retry1@sender.test")}
	p := newPoller(t, imapMailbox(d, ""), dl)
	runPoller(t, p)

	deadline := time.Now().Add(10 * time.Second)
	for dl.callCount() < 2 { // the first attempt and at least one retry
		if time.Now().After(deadline) {
			t.Fatalf("%d delivery attempts, want a retry without new mail", dl.callCount())
		}
		time.Sleep(50 * time.Millisecond)
	}
	checkFolders(t, d, 1, 0)
	dl.setFail(nil) // the pipeline is back
	waitDelivered(t, dl, 1, 15*time.Second)
	waitCount(t, d, "Haven/Processed", 1)
	waitCount(t, d, "INBOX", 0)
}

func TestNewIMAPPollerValidates(t *testing.T) {
	dl := &memDeliverer{}
	good := IMAPConfig{Host: "imap.example.org", Security: SecurityTLS, Username: "u", Password: "p"}
	cases := map[string]Mailbox{
		"no IMAP config":        {Address: helpAddress},
		"cleartext to a remote": {Address: helpAddress, IMAP: &IMAPConfig{Host: "imap.example.org", Security: SecurityNone, Username: "u"}},
		"unknown security":      {Address: helpAddress, IMAP: &IMAPConfig{Host: "127.0.0.1", Security: "ssl", Username: "u"}},
		"same folders":          {Address: helpAddress, IMAP: &IMAPConfig{Host: "127.0.0.1", Security: SecurityNone, Username: "u", ProcessedFolder: "inbox"}},
		"bad address":           {Address: "help", IMAP: &good},
	}
	for name, mb := range cases {
		if _, err := NewIMAPPoller(mb, dl, nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	p, err := NewIMAPPoller(Mailbox{Address: "Help@Helpline.test", IMAP: &good}, dl, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.cfg.Port != 993 || p.cfg.Folder != "INBOX" || p.cfg.ProcessedFolder != "Haven/Processed" ||
		p.cfg.PollInterval != time.Minute || p.mailbox != helpAddress {
		t.Fatalf("defaults not applied: %+v %s", p.cfg, p.mailbox)
	}
}

func TestServerFolder(t *testing.T) {
	for _, tc := range []struct {
		name  string
		delim rune
		want  string
	}{
		{"Haven/Processed", '.', "Haven.Processed"},
		{"Haven/Processed", '/', "Haven/Processed"},
		{"Haven/Processed", 0, "Haven/Processed"},
		{"INBOX", '.', "INBOX"},
	} {
		if got := serverFolder(tc.name, tc.delim); got != tc.want {
			t.Errorf("serverFolder(%q, %q) = %q, want %q", tc.name, tc.delim, got, tc.want)
		}
	}
}
