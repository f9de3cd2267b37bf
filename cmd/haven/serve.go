package main

import (
	"cmp"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/keyring"
	"github.com/haven-helpline/haven/service"
	"github.com/haven-helpline/haven/web"
)

// ServeCmd runs the server.
type ServeCmd struct {
	DBFlags
	MailFlags
	MetricsFlags
	Listen      string        `name:"listen" env:"HAVEN_LISTEN" default:"127.0.0.1:8080" help:"Address to listen on."`
	AutoMigrate bool          `name:"auto-migrate" env:"HAVEN_AUTO_MIGRATE" help:"Apply pending migrations at start instead of refusing a schema that is behind."`
	HSTS        bool          `name:"hsts" env:"HAVEN_HSTS" help:"A proxy terminates TLS: send Strict-Transport-Security on every answer and mark the session cookie Secure (both anyway on direct TLS)."`
	LoginRate   int           `name:"login-attempts-per-minute" env:"HAVEN_LOGIN_ATTEMPTS_PER_MINUTE" default:"10" help:"Sign-in attempts allowed per client address per minute (behind a proxy every client shares the proxy's address); negative disables."`
	Helpline    string        `name:"helpline-name" env:"HAVEN_HELPLINE_NAME" default:"the helpline" help:"The helpline's name, as templates' {helpline_name} writes it."`
	KeepTokens  bool          `name:"keep-tokens-on-sign-out" env:"HAVEN_KEEP_TOKENS_ON_SIGN_OUT" help:"Keep a user's API tokens working when they sign out everywhere or their password changes (by default those revoke the tokens too)."`
	PublicURL   string        `name:"public-url" env:"HAVEN_PUBLIC_URL" placeholder:"URL" help:"Haven's address as users reach it (https://haven.example.org): emergency pages carry acknowledge links under it; without it they carry none."`
	RemindEvery time.Duration `name:"escalation-reminder-every" env:"HAVEN_ESCALATION_REMINDER_EVERY" default:"48h" help:"Once a platform's response target has passed without an answer, remind the escalation's owner this often (in the app, and by email with a relay)."`
	PhoneRegion string        `name:"phone-region" env:"HAVEN_PHONE_REGION" placeholder:"CC" help:"Country (ISO 3166 code such as LB or MX) whose phone numbers people write without a country code: they become observables in E.164. Empty: only international (+…) numbers."`
	Drain       time.Duration `name:"shutdown-drain" env:"HAVEN_SHUTDOWN_DRAIN" default:"90s" help:"On SIGTERM or SIGINT: stop accepting, and give requests in flight, the SMTP transaction in progress and the running background job this long to finish (above the 60 s request timeout); jobs not finished by then go back to the queue."`
	GiveUpAfter time.Duration `name:"escalation-no-response-after" env:"HAVEN_ESCALATION_NO_RESPONSE_AFTER" default:"336h" help:"Mark an escalation no-response when the platform has not answered this long after it was sent (336h: 14 days)."`
}

// Run serves until interrupted.
func (c *ServeCmd) Run(e *env) (err error) {
	a, err := c.prepare(e)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	if c.PublicURL != "" && !strings.HasPrefix(c.PublicURL, "https://") && !strings.HasPrefix(c.PublicURL, "http://") {
		return haven.Errorf(haven.EINVALID, "--public-url is an http(s):// address")
	}
	if c.RemindEvery < time.Hour || c.GiveUpAfter < time.Hour {
		return haven.Errorf(haven.EINVALID, "--escalation-reminder-every and --escalation-no-response-after are at least 1h")
	}
	a.reconfigure(func(cfg *service.Config) {
		cfg.RevokeTokensOnSignOut, cfg.HelplineName = !c.KeepTokens, c.Helpline
		cfg.EscalationReminderEvery, cfg.EscalationGiveUpAfter = c.RemindEvery, c.GiveUpAfter
		cfg.PublicURL = strings.TrimRight(c.PublicURL, "/")
		cfg.PhoneRegion = strings.ToUpper(c.PhoneRegion)
	})
	if err := bootstrapAdmin(e, a); err != nil {
		return err
	}
	token, err := c.metricsToken()
	if err != nil {
		return err
	}
	a.observe() // before mail starts: the pollers count from their first message
	mail, err := startMail(e, a, c.MailFlags)
	if err != nil {
		return err
	}
	defer mail.stop()
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return haven.Errorf(haven.EINVALID, "cannot listen on %s: %v", c.Listen, err)
	}
	return serve(e, a, ln, webOptions{HSTS: c.HSTS, LoginRate: c.LoginRate, sender: mail.sender, mail: mail, Drain: c.Drain,
		metrics: metricsOptions{listen: c.MetricsListen, token: token, dataDir: c.Data, verifyEvery: c.AuditVerifyEvery}})
}

// webOptions are the serve flags that shape the HTTP layer.
type webOptions struct {
	HSTS      bool
	LoginRate int
	sender    *sender       // sends queued replies; nil without a relay
	Drain     time.Duration // how long shutting down waits for work in flight (default defaultDrain)
	mail      *mailRuntime  // drained with the requests at shutdown, reloaded on SIGHUP; nil without mail
	metrics   metricsOptions
}

// requestTimeout bounds reading a request and writing its answer; defaultDrain lets any request
// in flight at shutdown run to that limit.
const (
	requestTimeout = 60 * time.Second
	defaultDrain   = 90 * time.Second
)

// prepare opens the database. A brand-new database (no schema at all) is initialised, so the
// first start needs no extra step; an existing one that is behind is refused unless --auto-migrate.
func (c *ServeCmd) prepare(e *env) (*app, error) {
	a, err := c.open(e, false)
	if err != nil {
		return nil, err
	}
	applied, _, err := a.db.SchemaVersion(e.ctx)
	if err == nil && applied == 0 {
		err = c.firstStartKey(e)
	}
	if err == nil && (applied == 0 || c.AutoMigrate) {
		var n int
		n, err = a.db.Migrate(e.ctx, func() int64 { return time.Now().UnixMicro() })
		if n > 0 {
			e.log.Info("database migrated", "migrations", n)
		}
	}
	if err == nil {
		err = a.unlock(e, &c.DBFlags)
	}
	if err != nil {
		_ = a.Close() // the preparation's error is the one to report
		return nil, err
	}
	return a, nil
}

// firstStartKey creates DATA/master.key for a brand-new database when no key was given, so the
// first start just works; the console says plainly where the key is and what to do with it.
func (c *ServeCmd) firstStartKey(e *env) error {
	if os.Getenv(masterKeyEnv) != "" || c.MasterKeyFile != "" {
		return nil
	}
	path := c.defaultKeyFile()
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	encoded, err := keyring.GenerateMasterKey()
	if err != nil {
		return haven.Internal("generate master key", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return haven.Internal("data directory", err)
	}
	if err := os.WriteFile(path, []byte(encoded+"\n"), 0o600); err != nil {
		return haven.Internal("write master key", err)
	}
	e.printf("\nFirst start: created the master key %s.\n"+
		"Personal data is encrypted with it: without it the database cannot be read, by anyone.\n"+
		"Back it up somewhere safe, away from the database backups, and for production move it off this\n"+
		"disk (HAVEN_MASTER_KEY or --master-key-file).\n", path)
	return nil
}

// bootstrapAdmin creates the first admin on an empty database and prints its one-time password
// to the console: on stdout, never through the logger, so it is not kept in log files. The
// password works for one sign-in, which must choose a new one before anything else (and until
// then the account's API tokens are refused too).
func bootstrapAdmin(e *env, a *app) error {
	u, password, err := a.svc.BootstrapAdmin(e.ctx, "admin")
	if haven.ErrorCode(err) == haven.ECONFLICT {
		return nil // users exist already
	}
	if err != nil {
		return err
	}
	e.printf("\nFirst start: created the admin account.\n  username: %s\n  password: %s\n"+
		"This password is shown only now and works once: sign in to the web interface, where you\n"+
		"must choose your own password before anything else (API tokens of the account are refused\n"+
		"until then), and then set up two-factor authentication.\n\n", u.Username, password)
	return nil
}

func newServer(e *env, a *app, opts webOptions) *web.Server {
	return web.NewServer(web.Services{
		Cases: a.svc, Requesters: a.svc, Notes: a.svc, Tasks: a.svc, Messages: a.svc,
		Reports: a.svc, Users: a.svc, Auth: a.svc, Audit: a.svc, Compartments: a.svc, Retention: a.svc, Attachments: a.svc, TwoFactor: a.svc, Notifications: a.svc, Account: a.svc, Correspondents: a.svc, Templates: a.svc, Playbooks: a.svc, Articles: a.svc, Categories: a.svc, Platforms: a.svc, Escalations: a.svc, Schedules: a.svc, Alerts: a.svc, PageChannels: a.svc, SLA: a.svc, Plans: a.svc, Observables: a.svc, Intel: a.svc, CaseStats: a.svc, Public: a.svc, Briefing: a.svc, Presence: a.svc,
		Ready: newReadiness(a.db).check, // ready.go: answers, schema current, writable; cached 2 s
	}, web.Config{Logger: e.log, Version: version, HSTS: opts.HSTS, LoginAttemptsPerMinute: opts.LoginRate,
		LoginCounter: loginCounter(a.db), // multiinstance.go
		MetricsToken: opts.metrics.token, MetricsElsewhere: opts.metrics.listen != ""})
}

// serve runs the HTTP server on ln until the context ends, then drains requests.
func serve(e *env, a *app, ln net.Listener, opts webOptions) error {
	ws, stopMetrics, err := startWeb(e, a, opts)
	if err != nil {
		return err
	}
	defer stopMetrics()
	srv := &http.Server{
		Handler:           ws.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       requestTimeout,
		WriteTimeout:      requestTimeout,
		IdleTimeout:       120 * time.Second,
	}
	e.log.Info("haven listening", "addr", "http://"+ln.Addr().String(), "db", string(a.db.Dialect), "version", version)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	drain := cmp.Or(opts.Drain, defaultDrain)
	defer startSealer(e.ctx, e.log, a.db)() // audit chain on PostgreSQL (auditseal.go)
	runner := newRunner(e, a, opts.sender, drain)
	jobsDone := make(chan struct{})
	go func() {
		defer close(jobsDone)
		if err := runner.Run(e.ctx); err != nil {
			e.log.Error("the job runner stopped", "err", err)
		}
	}()
	defer func() { <-jobsDone }()
	defer watchReload(e, opts.mail)()
	select {
	case err := <-errc:
		return err
	case <-e.ctx.Done():
	}
	return shutdown(e, srv, opts.mail, drain)
}

// shutdown stops accepting HTTP requests and SMTP connections at once, and waits up to drain for
// the requests and mail transactions in flight (the job runner drains on its own, with the same
// limit).
func shutdown(e *env, srv *http.Server, mail *mailRuntime, drain time.Duration) error {
	e.log.Info("shutting down", "drain_ms", drain.Milliseconds())
	ctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	mailDone := make(chan error, 1)
	go func() { mailDone <- mail.shutdown(ctx) }()
	err := srv.Shutdown(ctx)
	if merr := <-mailDone; merr != nil {
		e.log.Warn("the SMTP listener did not drain in time", "err", merr)
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
