package metrics

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

func TestCommittedEventsCount(t *testing.T) {
	s := New()
	for _, e := range []haven.Event{
		{Action: "user.login_failed", Data: map[string]any{"second_factor": false}},
		{Action: "user.login_failed", Data: map[string]any{"second_factor": true}},
		{Action: "user.login_failed"}, // recorded before the field existed: a password
		{Action: "user.locked_out"},
		{Action: "user.login", Data: map[string]any{"second_factor": true}},
		{Action: "user.login", Data: map[string]any{"second_factor": false}},
		{Action: "alert.triggered", Data: map[string]any{"trigger": "p1"}},
		{Action: "alert.triggered", Data: map[string]any{"again": true}},
		{Action: "alert.acknowledged"}, {Action: "alert.resolved"},
		{Action: "escalation.sent"}, {Action: "escalation.answered"}, {Action: "escalation.answered"},
		{Action: "case.created"},
	} {
		s.Committed(&e)
	}
	for _, c := range []struct {
		got  prometheus.Collector
		want float64
	}{
		{s.signinFailures.WithLabelValues("password"), 2},
		{s.signinFailures.WithLabelValues("second_factor"), 1},
		{s.lockouts, 1}, {s.secondFactorOK, 1},
		{s.pages.WithLabelValues("raised"), 1},
		{s.pages.WithLabelValues("acknowledged"), 1},
		{s.pages.WithLabelValues("resolved"), 1},
		{s.escalations.WithLabelValues("sent"), 1},
		{s.escalations.WithLabelValues("answered"), 2},
	} {
		if v := value(t, c.got); v != c.want {
			t.Errorf("%v = %v, want %v", c.got, v, c.want)
		}
	}
}

type fakeCounts struct {
	counts *haven.OperationalCounts
	err    error
}

func (f fakeCounts) OperationalCounts(context.Context, time.Time) (*haven.OperationalCounts, error) {
	return f.counts, f.err
}

func TestStoreCollector(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c := &storeCollector{log: nil, timeout: time.Second, now: func() time.Time { return now },
		src: fakeCounts{counts: &haven.OperationalCounts{
			Jobs: []haven.JobCount{
				{Kind: "email.send", State: "queued", Count: 3, OldestDue: now.Add(-90 * time.Second)},
				{Kind: "email.send", State: "retrying", Count: 1, OldestDue: now.Add(-10 * time.Second)},
				{Kind: "email.send", State: "running", Count: 2},
				{Kind: "retention.purge", State: "dead", Count: 1},
			},
			Pages:       []haven.StateCount{{State: "triggered", Count: 2, Escalated: 1}, {State: "acknowledged", Count: 1}},
			Escalations: []haven.StateCount{{State: "sent", Count: 4}},
		}}}
	want := `
# HELP haven_job_oldest_due_age_seconds How long the oldest due job of the kind has waited for a worker; 0 when none waits.
# TYPE haven_job_oldest_due_age_seconds gauge
haven_job_oldest_due_age_seconds{kind="email.send"} 90
haven_job_oldest_due_age_seconds{kind="retention.purge"} 0
# HELP haven_jobs Unfinished background jobs by kind and state (queued, running, retrying after a failure, dead).
# TYPE haven_jobs gauge
haven_jobs{kind="email.send",state="dead"} 0
haven_jobs{kind="email.send",state="queued"} 3
haven_jobs{kind="email.send",state="retrying"} 1
haven_jobs{kind="email.send",state="running"} 2
haven_jobs{kind="retention.purge",state="dead"} 1
haven_jobs{kind="retention.purge",state="queued"} 0
haven_jobs{kind="retention.purge",state="retrying"} 0
haven_jobs{kind="retention.purge",state="running"} 0
# HELP haven_pages_open_escalated Open emergency pages that went past the first level of their escalation policy.
# TYPE haven_pages_open_escalated gauge
haven_pages_open_escalated 1
# HELP haven_queue_metrics_up 1 if the scrape could read the queue depths from the database, 0 if not.
# TYPE haven_queue_metrics_up gauge
haven_queue_metrics_up 1
`
	if got := exposition(t, c, "haven_jobs", "haven_job_oldest_due_age_seconds", "haven_pages_open_escalated", "haven_queue_metrics_up"); got != strings.TrimLeft(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	c.src = fakeCounts{err: errors.New("database down")}
	c.log = discard()
	if got := exposition(t, c); got != `# HELP haven_queue_metrics_up 1 if the scrape could read the queue depths from the database, 0 if not.
# TYPE haven_queue_metrics_up gauge
haven_queue_metrics_up 0
` {
		t.Errorf("database down: %s", got)
	}
}

func TestAuditGaugesOnlyAfterAVerification(t *testing.T) {
	s := New()
	if got := exposition(t, &s.audit); got != "" {
		t.Fatalf("audit series before any verification: %s", got)
	}
	s.AuditVerified(false, time.Unix(1700000000, 0))
	if got := exposition(t, &s.audit); got != `# HELP haven_audit_chain_intact 1 if the last verification of the audit trail's hash chain found it intact, 0 if not.
# TYPE haven_audit_chain_intact gauge
haven_audit_chain_intact 0
# HELP haven_audit_chain_verified_timestamp_seconds When this instance last verified the audit trail's hash chain (Unix time).
# TYPE haven_audit_chain_verified_timestamp_seconds gauge
haven_audit_chain_verified_timestamp_seconds 1.7e+09
` {
		t.Errorf("after a failed verification: %s", got)
	}
}

func TestRegisterLintsClean(t *testing.T) {
	s := New()
	reg := prometheus.NewPedanticRegistry()
	src := Sources{DataDir: t.TempDir(), PendingWrites: func() int64 { return 3 }, SearchDocumentsWaiting: func() int64 { return 7 },
		WriterBusy: func() time.Duration { return 2500 * time.Millisecond }}
	if err := s.Register(reg, src); err != nil {
		t.Fatal(err)
	}
	s.Mailboxes("help@example.org")
	s.Received("help@example.org")
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if problems, err := promlint.NewWithMetricFamilies(mfs).Lint(); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", err, problems)
	}
	if got := exposition(t, reg, "haven_data_dir_free_bytes", "haven_db_writes_waiting", "haven_search_documents_waiting",
		"haven_db_writer_busy_seconds_total"); !strings.Contains(got, "haven_db_writes_waiting 3") ||
		!strings.Contains(got, "haven_data_dir_free_bytes ") || !strings.Contains(got, "haven_search_documents_waiting 7") ||
		!strings.Contains(got, "haven_db_writer_busy_seconds_total 2.5") {
		t.Errorf("disk, writer and search gauges: %s", got)
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// exposition renders what c collects (only the named families, if any) in the text format.
func exposition(t *testing.T, c prometheus.Collector, names ...string) string {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	if g, ok := c.(*prometheus.Registry); ok {
		return render(t, g, names)
	}
	if err := reg.Register(c); err != nil {
		t.Fatal(err)
	}
	return render(t, reg, names)
}

func render(t *testing.T, g prometheus.Gatherer, names []string) string {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, mf := range mfs {
		if len(names) > 0 && !slices.Contains(names, mf.GetName()) {
			continue
		}
		if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// value is the value of a single counter or gauge.
func value(t *testing.T, c prometheus.Collector) float64 {
	t.Helper()
	ch := make(chan prometheus.Metric, 1)
	c.Collect(ch)
	var m dto.Metric
	if err := (<-ch).Write(&m); err != nil {
		t.Fatal(err)
	}
	if m.Counter != nil {
		return m.Counter.GetValue()
	}
	return m.Gauge.GetValue()
}

// BenchmarkHooksPerIntake is what the hooks add to one case created through the API: one write
// transaction, two reads, four audit events (case, report, requester, message) and the scrape-free
// path of every counter. Compare with ~400 µs per case (docs/performance.md).
func BenchmarkHooksPerIntake(b *testing.B) {
	s := New()
	events := []haven.Event{{Action: "case.created"}, {Action: "report.received"},
		{Action: "requester.created"}, {Action: "message.received"}}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			s.Transaction(true, 3*time.Millisecond)
			s.Transaction(false, 200*time.Microsecond)
			s.Transaction(false, 150*time.Microsecond)
			for i := range events {
				s.Committed(&events[i])
			}
		}
	})
}
