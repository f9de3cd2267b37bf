package email

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/haven-helpline/haven/testenv"
)

// countingMetrics records what the hooks were told.
type countingMetrics struct {
	mu     sync.Mutex
	counts map[string]int
	up     []bool
}

func (m *countingMetrics) add(what, mailbox string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.counts == nil {
		m.counts = map[string]int{}
	}
	m.counts[what+" "+mailbox]++
}

func (m *countingMetrics) Received(mailbox string) { m.add("received", mailbox) }
func (m *countingMetrics) Refused(mailbox string)  { m.add("refused", mailbox) }
func (m *countingMetrics) IMAPConnected(mailbox string, up bool) {
	m.add(fmt.Sprintf("imap %v", up), mailbox)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.up = append(m.up, up)
}

func (m *countingMetrics) get(key string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counts[key]
}

func TestPipelineCountsPerMailbox(t *testing.T) {
	m := &countingMetrics{}
	p := &Pipeline{Intake: &recordingIntake{}, Metrics: m, MaxBytes: 200}
	ctx := context.Background()
	if err := p.Deliver(ctx, "Help@Helpline.Example", []byte("From: a@example.org\nSubject: hi\n\nhello\n")); err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 300)
	if err := p.Deliver(ctx, helpline, big); !errors.Is(err, ErrRejected) {
		t.Fatalf("oversized: %v", err)
	}
	if err := p.RecordRefusal(ctx, helpline, 1<<30, "too large at SMTP time"); err != nil {
		t.Fatal(err)
	}
	if m.get("received "+helpline) != 1 || m.get("refused "+helpline) != 2 {
		t.Errorf("counts = %v", m.counts)
	}
}

func TestIMAPPollerReportsConnection(t *testing.T) {
	t.Parallel() // each test has its own Dovecot
	d := testenv.Dovecot(t)
	proxy := startProxy(t, net.JoinHostPort(d.Host, strconv.Itoa(d.Port)))
	mb := imapMailbox(d, proxy.addr())
	mb.IMAP.PollInterval = time.Hour
	p := newPoller(t, mb, &memDeliverer{})
	m := &countingMetrics{}
	p.Metrics = m
	runPoller(t, p)
	waitFor := func(key string, n int) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for m.get(key) < n {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d times, want %d (%v)", key, m.get(key), n, m.counts)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("imap true "+helpAddress, 1)
	proxy.cut()                           // the connection drops: down, then up again after the backoff
	waitFor("imap false "+helpAddress, 2) // once at start, once at the cut
	waitFor("imap true "+helpAddress, 2)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.up[0] {
		t.Error("the first report is not 'down' before connecting")
	}
}
