package metrics

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/prometheus/client_golang/prometheus"
)

// Counter reads the queue depths from storage (sqldb.DB implements it).
type Counter interface {
	OperationalCounts(ctx context.Context, now time.Time) (*haven.OperationalCounts, error)
}

var (
	jobsDesc = prometheus.NewDesc("haven_jobs",
		"Unfinished background jobs by kind and state (queued, running, retrying after a failure, dead).",
		[]string{"kind", "state"}, nil)
	jobAgeDesc = prometheus.NewDesc("haven_job_oldest_due_age_seconds",
		"How long the oldest due job of the kind has waited for a worker; 0 when none waits.",
		[]string{"kind"}, nil)
	pagesOpenDesc = prometheus.NewDesc("haven_pages_open",
		"Open emergency pages by state (triggered, acknowledged).", []string{"state"}, nil)
	pagesEscalatedDesc = prometheus.NewDesc("haven_pages_open_escalated",
		"Open emergency pages that went past the first level of their escalation policy.", nil, nil)
	escalationsDesc = prometheus.NewDesc("haven_escalations",
		"Escalations to platforms by state.", []string{"state"}, nil)
	countsUpDesc = prometheus.NewDesc("haven_queue_metrics_up",
		"1 if the scrape could read the queue depths from the database, 0 if not.", nil, nil)
)

// jobStates are reported for every kind present, 0 included, so each series stays continuous.
var jobStates = []string{"queued", "running", "retrying", "dead"}

// storeCollector queries the database at scrape time: the counts are then always right, on
// every instance, and cost nothing between scrapes.
type storeCollector struct {
	src     Counter
	log     *slog.Logger
	timeout time.Duration
	now     func() time.Time
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{jobsDesc, jobAgeDesc, pagesOpenDesc, pagesEscalatedDesc, escalationsDesc, countsUpDesc} {
		ch <- d
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	now := c.now()
	counts, err := c.src.OperationalCounts(ctx, now)
	if err != nil {
		c.log.Warn("metrics: cannot count queued work", "err", err)
		ch <- prometheus.MustNewConstMetric(countsUpDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(countsUpDesc, prometheus.GaugeValue, 1)
	collectJobs(ch, counts.Jobs, now)
	escalated := 0
	for _, p := range counts.Pages {
		escalated += p.Escalated
	}
	ch <- prometheus.MustNewConstMetric(pagesEscalatedDesc, prometheus.GaugeValue, float64(escalated))
	collectStates(ch, pagesOpenDesc, counts.Pages, []string{string(haven.AlertTriggered), string(haven.AlertAcknowledged)})
	var states []string
	for _, st := range haven.EscalationStates() {
		states = append(states, string(st))
	}
	collectStates(ch, escalationsDesc, counts.Escalations, states)
}

// collectStates reports every known state, 0 included, and any other state found.
func collectStates(ch chan<- prometheus.Metric, desc *prometheus.Desc, counts []haven.StateCount, known []string) {
	n := map[string]int{}
	for _, c := range counts {
		n[c.State] += c.Count
		if !slices.Contains(known, c.State) {
			known = append(known, c.State)
		}
	}
	for _, st := range known {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, float64(n[st]), st)
	}
}

// collectJobs fills in every state of every kind present, and the age of its oldest due job.
func collectJobs(ch chan<- prometheus.Metric, jobs []haven.JobCount, now time.Time) {
	byKind := map[string]map[string]int{}
	oldest := map[string]time.Time{}
	for _, j := range jobs {
		if byKind[j.Kind] == nil {
			byKind[j.Kind] = map[string]int{}
		}
		byKind[j.Kind][j.State] += j.Count
		if o, ok := oldest[j.Kind]; !j.OldestDue.IsZero() && (!ok || o.IsZero() || j.OldestDue.Before(o)) {
			oldest[j.Kind] = j.OldestDue
		}
	}
	for kind, states := range byKind {
		for _, st := range jobStates {
			ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(states[st]), kind, st)
		}
		age := 0.0
		if o := oldest[kind]; !o.IsZero() {
			age = max(0, now.Sub(o).Seconds())
		}
		ch <- prometheus.MustNewConstMetric(jobAgeDesc, prometheus.GaugeValue, age, kind)
	}
}
