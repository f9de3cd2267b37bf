package email

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// testDelivery is one message the test pipeline stored.
type testDelivery struct {
	mailbox string
	raw     []byte
	at      time.Time
}

// memDeliverer stands in for the intake pipeline: it stores messages in
// memory, optionally after a delay, behind a gate, or failing on demand.
type memDeliverer struct {
	mu     sync.Mutex
	stored []testDelivery
	calls  int
	fail   func(mailbox string, raw []byte) error // nil: always succeed
	gate   chan struct{}                          // non-nil: Deliver waits until it is closed
	called chan struct{}                          // non-nil: signalled when Deliver is entered
}

func (m *memDeliverer) Deliver(ctx context.Context, mailbox string, raw []byte) error {
	m.mu.Lock()
	m.calls++
	gate, called, fail := m.gate, m.called, m.fail
	m.mu.Unlock()
	if called != nil {
		select {
		case called <- struct{}{}:
		default:
		}
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if fail != nil {
		if err := fail(mailbox, raw); err != nil {
			return err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stored = append(m.stored, testDelivery{mailbox: mailbox, raw: bytes.Clone(raw), at: time.Now()})
	return nil
}

func (m *memDeliverer) setFail(f func(mailbox string, raw []byte) error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fail = f
}

func (m *memDeliverer) callCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls
}

func (m *memDeliverer) deliveries() []testDelivery {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]testDelivery(nil), m.stored...)
}

// countByMessageID counts stored deliveries per Message-ID.
func (m *memDeliverer) countByMessageID() map[string]int {
	counts := map[string]int{}
	for _, d := range m.deliveries() {
		counts[Parse(d.raw).MessageID]++
	}
	return counts
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testLogger logs to a buffer the test can inspect, and to the test log.
func testLogger(t testing.TB) (*slog.Logger, *syncBuffer) {
	buf := &syncBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log:\n%s", buf.String())
		}
	})
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
