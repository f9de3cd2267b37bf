package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	auditIntactDesc = prometheus.NewDesc("haven_audit_chain_intact",
		"1 if the last verification of the audit trail's hash chain found it intact, 0 if not.", nil, nil)
	auditVerifiedDesc = prometheus.NewDesc("haven_audit_chain_verified_timestamp_seconds",
		"When this instance last verified the audit trail's hash chain (Unix time).", nil, nil)
)

// auditCollector reports the last verification of the audit chain, and nothing before the
// first: a gauge at 0 would read as a broken chain.
type auditCollector struct {
	mu     sync.Mutex
	done   bool
	intact bool
	at     time.Time
}

// AuditVerified records the outcome of a verification of the audit chain.
func (s *Set) AuditVerified(intact bool, at time.Time) {
	s.audit.mu.Lock()
	defer s.audit.mu.Unlock()
	s.audit.done, s.audit.intact, s.audit.at = true, intact, at
}

func (c *auditCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- auditIntactDesc
	ch <- auditVerifiedDesc
}

func (c *auditCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.done {
		return
	}
	ch <- prometheus.MustNewConstMetric(auditIntactDesc, prometheus.GaugeValue, boolFloat(c.intact))
	ch <- prometheus.MustNewConstMetric(auditVerifiedDesc, prometheus.GaugeValue, float64(c.at.Unix()))
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
