package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// BenchmarkPageLatency measures, on SQLite with the job runner's default polling (1 s), the time
// from a P1 case's creation to its page reaching a webhook receiver: the alert's first step is a
// job due at once, and every later level is the same job due at its time, so this is also how
// late an escalation fires after its due time. Reports p50 and p99 (docs/performance.md).
func BenchmarkPageLatency(b *testing.B) {
	e := &env{ctx: context.Background(), stdout: io.Discard, stderr: io.Discard, log: slog.New(slog.DiscardHandler)}
	a, err := (&ServeCmd{DBFlags: DBFlags{DB: filepath.Join(b.TempDir(), "h.db"), Data: b.TempDir()}}).prepare(e)
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	admin, err := a.svc.CreateFirstAdmin(e.ctx, "admin", "a long admin password")
	if err != nil {
		b.Fatal(err)
	}
	ctx := haven.WithActor(e.ctx, haven.Actor{User: admin})
	arrived := &arrivals{at: map[string]time.Time{}}
	gateway := httptest.NewServer(arrived)
	defer gateway.Close()
	runCtx, stop := context.WithCancel(e.ctx)
	defer stop()
	go func() { _ = newRunner(e, a, nil, 0).Run(runCtx) }()
	verifyWebhook(b, ctx, a, gateway.URL, arrived)
	if _, err := a.svc.SavePolicy(ctx, haven.EscalationPolicy{Name: haven.DefaultPolicy, Levels: []haven.PolicyLevel{
		{Targets: []haven.PolicyTarget{{Kind: "user", Name: "admin"}}, DelayMinutes: 5}}}); err != nil {
		b.Fatal(err)
	}
	var lat []time.Duration
	for b.Loop() {
		start := time.Now()
		c, err := a.svc.CreateCase(ctx, haven.CaseCreate{Title: "Emergency", Priority: "P1"})
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, arrived.wait(b, c.Number).Sub(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "p99-ms")
}

// arrivals records when each case's page reached the webhook, and the test message's code.
type arrivals struct {
	mu   sync.Mutex
	at   map[string]time.Time
	code string
}

func (a *arrivals) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := body["code"].(string); ok {
		a.code = c
	}
	if n, ok := body["case"].(string); ok {
		a.at[n] = time.Now()
	}
}

func (a *arrivals) wait(b *testing.B, key string) time.Time {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		a.mu.Lock()
		at, ok := a.at[key]
		a.mu.Unlock()
		if ok {
			return at
		}
	}
	b.Fatalf("no page for %s within 10 s", key)
	return time.Time{}
}

// verifyWebhook adds the admin's webhook channel and verifies it with its test's code.
func verifyWebhook(b *testing.B, ctx context.Context, a *app, url string, arrived *arrivals) {
	ch, err := a.svc.AddPageChannel(ctx, haven.PageChannelInput{Kind: "webhook", Address: url})
	if err != nil {
		b.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		arrived.mu.Lock()
		code := arrived.code
		arrived.mu.Unlock()
		if code != "" {
			if _, err := a.svc.VerifyPageChannel(ctx, ch.ID, code); err != nil {
				b.Fatal(err)
			}
			return
		}
	}
	b.Fatal("the webhook's test message never came")
}
