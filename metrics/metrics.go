// Package metrics holds Haven's Prometheus instruments beyond HTTP: the mail, database, sign-in,
// paging and escalation counters fed by small hooks (email.Metrics, sqldb.Observer), and the
// collectors that read queue depths and disk space when Prometheus scrapes. It never labels a
// series with anything a person wrote or with a person's identity: labels are job kinds, states,
// the helpline's own mailbox addresses and fixed words.
package metrics

import (
	"time"

	"github.com/haven-helpline/haven"
	"github.com/prometheus/client_golang/prometheus"
)

// Set is the hooks' side of the metrics. Its methods are safe for concurrent use and cheap: a
// map lookup and an atomic add.
type Set struct {
	mailReceived, mailRefused, mailSent, mailFailed *prometheus.CounterVec
	imapUp                                          *prometheus.GaugeVec
	txDuration                                      *prometheus.HistogramVec
	txRead, txWrite                                 prometheus.Observer // looked up once: every transaction observes
	signinFailures                                  *prometheus.CounterVec
	lockouts, secondFactorOK                        prometheus.Counter
	pages, escalations                              *prometheus.CounterVec
	audit                                           auditCollector
}

// New builds the instruments; Register adds them to a registry.
func New() *Set {
	s := &Set{
		mailReceived: counterVec("haven_mail_received_total", "Messages received and committed, by mailbox.", "mailbox"),
		mailRefused:  counterVec("haven_mail_refused_total", "Messages refused for good (too large, rejected), by mailbox.", "mailbox"),
		mailSent:     counterVec("haven_mail_sent_total", "Messages accepted by the outbound relay, by sending mailbox.", "mailbox"),
		mailFailed:   counterVec("haven_mail_send_failures_total", "Failed attempts to hand a message to the outbound relay, by sending mailbox.", "mailbox"),
		imapUp: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "haven_mail_imap_connected",
			Help: "1 while the mailbox's IMAP poller holds a connection, 0 while it reconnects."}, []string{"mailbox"}),
		txDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "haven_db_transaction_duration_seconds",
			Help:    "Time from the start of a database transaction to its commit or rollback, by mode (read, write).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"mode"}),
		signinFailures: counterVec("haven_signin_failures_total", "Failed sign-ins, by stage (password, second_factor).", "stage"),
		lockouts:       counter("haven_signin_lockouts_total", "Usernames locked after too many failed sign-ins."),
		secondFactorOK: counter("haven_signin_second_factor_successes_total", "Sign-ins completed with a second factor (code or recovery code)."),
		pages:          counterVec("haven_pages_total", "Emergency pages by event (raised, acknowledged, resolved).", "event"),
		escalations:    counterVec("haven_escalations_total", "Escalations to platforms by event (sent, answered).", "event"),
	}
	for _, v := range []struct {
		vec    *prometheus.CounterVec
		values []string
	}{{s.signinFailures, []string{"password", "second_factor"}},
		{s.pages, []string{"raised", "acknowledged", "resolved"}}, {s.escalations, []string{"sent", "answered"}}} {
		for _, value := range v.values {
			v.vec.WithLabelValues(value) // a series at 0 from the start, so rate() and alerts see it
		}
	}
	s.txRead, s.txWrite = s.txDuration.WithLabelValues("read"), s.txDuration.WithLabelValues("write")
	return s
}

func counter(name, help string) prometheus.Counter {
	return prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
}

func counterVec(name, help, label string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{label})
}

func (s *Set) collectors() []prometheus.Collector {
	return []prometheus.Collector{s.mailReceived, s.mailRefused, s.mailSent, s.mailFailed, s.imapUp,
		s.txDuration, s.signinFailures, s.lockouts, s.secondFactorOK, s.pages, s.escalations, &s.audit}
}

// Mailboxes starts the mail series of the helpline's mailboxes at 0.
func (s *Set) Mailboxes(addresses ...string) {
	for _, a := range addresses {
		s.mailReceived.WithLabelValues(a)
		s.mailRefused.WithLabelValues(a)
		s.mailSent.WithLabelValues(a)
		s.mailFailed.WithLabelValues(a)
	}
}

// Received implements email.Metrics.
func (s *Set) Received(mailbox string) { s.mailReceived.WithLabelValues(mailbox).Inc() }

// Refused implements email.Metrics.
func (s *Set) Refused(mailbox string) { s.mailRefused.WithLabelValues(mailbox).Inc() }

// IMAPConnected implements email.Metrics.
func (s *Set) IMAPConnected(mailbox string, up bool) {
	s.imapUp.WithLabelValues(mailbox).Set(boolFloat(up))
}

// Sent counts a message the relay accepted.
func (s *Set) Sent(mailbox string) { s.mailSent.WithLabelValues(mailbox).Inc() }

// SendFailed counts a failed attempt to hand a message to the relay.
func (s *Set) SendFailed(mailbox string) { s.mailFailed.WithLabelValues(mailbox).Inc() }

// Transaction implements sqldb.Observer.
func (s *Set) Transaction(write bool, d time.Duration) {
	if write {
		s.txWrite.Observe(d.Seconds())
	} else {
		s.txRead.Observe(d.Seconds())
	}
}

// Committed implements sqldb.Observer: the audit events of committed transactions are the one
// exact record of sign-ins, pages and escalations, however many instances there are and however
// often SQLite's group commit retried the work.
func (s *Set) Committed(e *haven.Event) {
	switch e.Action {
	case "user.login_failed":
		stage := "password"
		if e.Data["second_factor"] == true {
			stage = "second_factor"
		}
		s.signinFailures.WithLabelValues(stage).Inc()
	case "user.locked_out":
		s.lockouts.Inc()
	case "user.login":
		if e.Data["second_factor"] == true {
			s.secondFactorOK.Inc()
		}
	case "alert.triggered":
		if e.Data["again"] != true { // a trigger on a page already open raises no new page
			s.pages.WithLabelValues("raised").Inc()
		}
	case "alert.acknowledged", "alert.resolved":
		s.pages.WithLabelValues(e.Action[len("alert."):]).Inc()
	case "escalation.sent", "escalation.answered":
		s.escalations.WithLabelValues(e.Action[len("escalation."):]).Inc()
	}
}
