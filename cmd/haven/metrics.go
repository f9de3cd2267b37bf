package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/metrics"
	"github.com/haven-helpline/haven/web"
)

// MetricsFlags choose where /metrics is served and who may read it. By default it is served on
// the main listener to anyone who reaches it, as it always was; it holds counts and timings,
// never personal data, but an operator may still want it off the public address.
type MetricsFlags struct {
	MetricsListen    string        `name:"metrics-listen" env:"HAVEN_METRICS_LISTEN" placeholder:"ADDR" help:"Serve /metrics on this address only (e.g. 127.0.0.1:9464); the main listener's /metrics then answers 404."`
	MetricsTokenFile string        `name:"metrics-token-file" env:"HAVEN_METRICS_TOKEN_FILE" placeholder:"FILE" help:"Require the token in FILE as 'Authorization: Bearer <token>' on /metrics (wherever it is served)."`
	AuditVerifyEvery time.Duration `name:"audit-verify-every" env:"HAVEN_AUDIT_VERIFY_EVERY" default:"24h" help:"Verify the audit trail's hash chain this often and report it as haven_audit_chain_intact; 0 turns it off."`
}

// metricsToken reads the token file; a token shorter than 16 characters is refused as guessable.
func (f MetricsFlags) metricsToken() (string, error) {
	if f.MetricsTokenFile == "" {
		return "", nil
	}
	b, err := os.ReadFile(f.MetricsTokenFile)
	if err != nil {
		return "", haven.Errorf(haven.EINVALID, "--metrics-token-file: %v", err)
	}
	token := strings.TrimSpace(string(b))
	if len(token) < 16 || strings.ContainsAny(token, " \t\r\n") {
		return "", haven.Errorf(haven.EINVALID, "--metrics-token-file holds no usable token: one line of at least 16 characters")
	}
	return token, nil
}

// observe creates the metrics of a running instance and attaches the database's hooks; mail and
// the HTTP server pick them up from the app.
func (a *app) observe() {
	a.metrics = metrics.New()
	a.db.Observe(a.metrics)
}

// registerMetrics adds the app's metrics to the server's registry, with the scrape-time readers
// of the database and of the data directory's disk.
func registerMetrics(e *env, a *app, srv *web.Server, dataDir string) error {
	if a.metrics == nil {
		return nil
	}
	src := metrics.Sources{Counts: a.db, Pools: a.db.Pools(), DataDir: dataDir, Log: e.log}
	if a.db.Dialect == "sqlite" {
		src.PendingWrites = a.db.PendingWrites
		src.SearchDocumentsWaiting = a.db.SearchDocumentsWaiting
		src.WriterBusy = a.db.WriterBusy
	}
	if err := a.metrics.Register(srv.Registry(), src); err != nil {
		return haven.Internal("register metrics", err)
	}
	return nil
}

// serveMetrics serves /metrics on a listener of its own until ctx ends.
func serveMetrics(e *env, srv *web.Server, addr string) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, haven.Errorf(haven.EINVALID, "cannot listen for metrics on %s: %v", addr, err)
	}
	hs := &http.Server{Handler: srv.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: requestTimeout, WriteTimeout: requestTimeout}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			e.log.Error("metrics listener stopped", "err", err)
		}
	}()
	e.log.Info("metrics listening", "addr", "http://"+ln.Addr().String()+"/metrics")
	return func() { _ = hs.Close() }, nil // scrapes are short: nothing to drain
}

// verifyAuditEvery checks the audit chain at start and then every period, until ctx ends, and
// reports the outcome in the metrics. Each instance verifies for itself; an intact chain's end is
// recorded as a checkpoint (haven doctor starts from the newest).
func verifyAuditEvery(ctx context.Context, e *env, a *app, every time.Duration) {
	if every <= 0 || a.metrics == nil {
		return
	}
	for {
		start := time.Now()
		report, err := a.db.VerifyAudit(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			e.log.Error("audit chain verification could not run", "err", err)
		default:
			a.metrics.AuditVerified(report.Problem == nil, time.Now())
			if report.Problem != nil {
				e.log.Error("audit chain NOT intact", "good_events", report.Events, "problem", report.Problem.String())
			} else {
				e.log.Info("audit chain intact", "events", report.Events, "duration_ms", time.Since(start).Milliseconds())
				if err := a.db.RecordAuditCheckpoint(ctx, report, time.Now()); err != nil {
					e.log.Error("audit checkpoint not recorded", "err", err)
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// countSend records the outcome of handing a message to the relay, by sending mailbox.
func (s *sender) countSend(from string, err error) error {
	if s.metrics != nil {
		if err != nil {
			s.metrics.SendFailed(from)
		} else {
			s.metrics.Sent(from)
		}
	}
	return err
}

// metricsOptions are the serve flags about metrics, resolved.
type metricsOptions struct {
	listen      string // "" serves /metrics on the main listener
	token       string // "" lets anyone who reaches /metrics read it
	dataDir     string // its file system's free space is reported
	verifyEvery time.Duration
}

// startWeb builds the HTTP application with the app's metrics registered, starts the metrics
// listener and the audit chain verifier when asked; stop ends the listener.
func startWeb(e *env, a *app, opts webOptions) (*web.Server, func(), error) {
	ws := newServer(e, a, opts)
	if err := registerMetrics(e, a, ws, opts.metrics.dataDir); err != nil {
		return nil, nil, err
	}
	stop := func() {}
	if opts.metrics.listen != "" {
		var err error
		if stop, err = serveMetrics(e, ws, opts.metrics.listen); err != nil {
			return nil, nil, err
		}
	}
	go verifyAuditEvery(e.ctx, e, a, opts.metrics.verifyEvery)
	return ws, stop, nil
}
