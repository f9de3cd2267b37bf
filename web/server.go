// Package web serves Haven over HTTP: the JSON API at /api/v1, its OpenAPI document, health and
// readiness probes and Prometheus metrics. It talks to the haven service interfaces only; it never
// reaches storage, and it never decides who may do what (the service layer does).
package web

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/i18n"
)

// Services are the use cases the web layer calls.
type Services struct {
	Cases         haven.CaseService
	Requesters    haven.RequesterService
	Audit         haven.AuditService
	Compartments  haven.CompartmentService
	Retention     haven.RetentionService
	Attachments   haven.AttachmentService
	TwoFactor     haven.TwoFactorService
	Notifications haven.NotificationService
	Account       haven.AccountService
	Notes         haven.NoteService
	Tasks         haven.TaskService
	Messages      haven.MessageService
	Reports       haven.ReportService
	Users         haven.UserService
	Auth          haven.AuthService
	// Plans are response plans put up for a lead's approval.
	Plans haven.PlanService
	// Categories and Platforms are the taxonomy and the platforms escalated to.
	Categories haven.CategoryService
	Platforms  haven.PlatformService
	// Escalations are cases escalated to platforms, and how the platforms answer.
	Escalations haven.EscalationService
	// Schedules are the on-call rotations; Alerts the emergency pages and their policies.
	Schedules    haven.ScheduleService
	Alerts       haven.AlertService
	PageChannels haven.PageChannelService
	SLA          haven.SLAService
	// Articles are the knowledge base, cited by decisions.
	Articles haven.ArticleService
	// Playbooks are the helpline's procedures, applied to cases as tasks.
	Playbooks haven.PlaybookService
	// Templates are the helpline's canned texts.
	Templates haven.TemplateService
	// Correspondents shows and confirms where a case's replies go.
	Correspondents haven.CorrespondentService
	// Observables are the values seen in cases (URLs, domains, hashes…); Intel the actors,
	// campaigns, ATT&CK tagging and sharing in STIX and MISP.
	Observables haven.ObservableService
	Intel       haven.IntelService
	// CaseStats are the leads' dashboard figures; Public the public statistics.
	CaseStats haven.CaseStatsService
	Public    haven.PublicStatsService
	Briefing  haven.BriefingService
	// Presence is who is on which case's page.
	Presence haven.PresenceService
	// Ready reports whether the instance can serve (database reachable, schema current); nil means
	// always ready.
	Ready func(context.Context) error
}

// Config tunes the server.
type Config struct {
	Logger       *slog.Logger // nil discards logs
	Version      string       // shown in the haven_build_info metric
	MaxBodyBytes int64        // largest accepted request body; 0 means DefaultMaxBodyBytes
	// HSTS sends Strict-Transport-Security on every answer, for when a trusted proxy terminates
	// TLS. Requests that arrive over TLS get it anyway.
	HSTS bool
	// LoginAttemptsPerMinute bounds sign-in attempts per client address (all of them at once at
	// most); 0 means DefaultLoginAttemptsPerMinute, a negative value turns the limit off.
	LoginAttemptsPerMinute int
	// LoginCounter, when set, counts sign-in attempts for the limit above in a place every
	// instance shares (the PostgreSQL database), so that several instances enforce one limit.
	LoginCounter LoginCounter
	// MetricsToken, when set, is required as "Authorization: Bearer <token>" on /metrics.
	MetricsToken string
	// MetricsElsewhere serves /metrics only through MetricsHandler (a listener of its own): the
	// application's /metrics then answers 404.
	MetricsElsewhere bool
}

// DefaultLoginAttemptsPerMinute is the per-address sign-in limit when the Config leaves it zero.
const DefaultLoginAttemptsPerMinute = 10

// DefaultMaxBodyBytes bounds request bodies when Config.MaxBodyBytes is zero.
const DefaultMaxBodyBytes = 10 << 20

// Route is one entry of the route table: a ServeMux method and path pattern, and whether it needs a
// bearer token.
type Route struct {
	Method  string
	Pattern string
	Auth    bool
}

// Server is Haven's HTTP application. It holds no global state: each Server has its own mux and
// its own metrics registry, so several can run in one process (as tests do).
type Server struct {
	svc     Services
	cfg     Config
	log     *slog.Logger
	routes  []route
	mux     *http.ServeMux
	reg     *prometheus.Registry
	metrics *metrics
	handler http.Handler
	logins  *ipLimiter     // nil when sign-ins are not limited
	shared  *sharedLimiter // the limit shared by instances, when Config.LoginCounter is set
	catalog *i18n.Catalog
	pages   map[string]pages // language tag -> page name -> template
	counts  *countCache      // the inbox's queue counts, per user, for a few seconds
	public  *publicCache     // the public statistics, per year, for a few minutes
}

// NewServer builds the application around s. Every service must be set (a nil one makes its routes
// answer 500); Ready may be nil. The result is ready for http.Server or httptest.NewServer:
//
//	ts := httptest.NewServer(web.NewServer(services, web.Config{}).Handler())
func NewServer(s Services, cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Logger = slog.New(RequestIDHandler(cfg.Logger.Handler()))
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.LoginAttemptsPerMinute == 0 {
		cfg.LoginAttemptsPerMinute = DefaultLoginAttemptsPerMinute
	}
	srv := &Server{svc: s, cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(), reg: prometheus.NewRegistry()}
	if cfg.LoginAttemptsPerMinute > 0 {
		srv.logins = newIPLimiter(cfg.LoginAttemptsPerMinute)
		if cfg.LoginCounter != nil {
			srv.shared = newSharedLimiter(cfg.LoginCounter, cfg.LoginAttemptsPerMinute, srv.logins, srv.log)
		}
	}
	srv.metrics = newMetrics(srv.reg, cfg.Version)
	srv.routes = srv.table()
	for _, rt := range srv.routes {
		srv.mux.Handle(rt.Method+" "+rt.Pattern, srv.adapt(rt))
	}
	srv.catalog, srv.pages = mustLoadUI()
	srv.counts = newCountCache(countTTL)
	srv.public = &publicCache{entries: map[int]publicEntry{}}
	srv.uiRoutes()
	// Compression sits inside observe, which so logs the bytes sent on the wire and answers a
	// panic on the writer beneath it.
	srv.handler = srv.observe(newCompressor().wrap(secure(cfg.HSTS, srv.crossOriginProtection(http.HandlerFunc(srv.dispatch)))))
	return srv
}

// mustLoadUI loads the embedded catalogs and templates: both are part of the binary, so a
// failure is a programming error that every test catches.
func mustLoadUI() (*i18n.Catalog, map[string]pages) {
	cat, err := i18n.Load()
	if err != nil {
		panic(err)
	}
	p, err := loadPages(cat)
	if err != nil {
		panic(err)
	}
	return cat, p
}

// crossOriginProtection refuses state-changing requests that a browser marks as cross-site
// (Sec-Fetch-Site, Origin): the CSRF defence for the session cookie. Clients that are not
// browsers send neither header and pass.
func (s *Server) crossOriginProtection(next http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, haven.Errorf(haven.EFORBIDDEN, "cross-origin request refused"))
	}))
	return p.Handler(next)
}

// Handler returns the whole application.
func (s *Server) Handler() http.Handler { return s.handler }

// Routes returns the route table, in registration order.
func (s *Server) Routes() []Route {
	out := make([]Route, len(s.routes))
	for i, rt := range s.routes {
		out[i] = rt.Route
	}
	return out
}

// Registry is the server's own Prometheus registry, served at /metrics; other parts of the
// program may register their collectors in it.
func (s *Server) Registry() *prometheus.Registry { return s.reg }

// dispatch hands the request to the mux, answering unmatched requests with a JSON error.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	h, pattern := s.mux.Handler(r)
	if pattern == "" {
		s.unmatched(w, r, h)
		return
	}
	if info := infoFrom(r.Context()); info != nil {
		info.route = routeLabel(pattern)
	}
	s.mux.ServeHTTP(w, r)
}

// unmatched answers 404, or 405 with the allowed methods when the path exists. fallback is the
// mux's own answer, which is plain text; it is run only to learn its status and Allow header.
func (s *Server) unmatched(w http.ResponseWriter, r *http.Request, fallback http.Handler) {
	probe := &probeWriter{header: http.Header{}}
	fallback.ServeHTTP(probe, r)
	if probe.status == http.StatusMethodNotAllowed {
		allow := probe.header.Get("Allow")
		w.Header().Set("Allow", allow)
		s.writeError(w, r, withStatus(http.StatusMethodNotAllowed, &haven.Error{Code: haven.EINVALID,
			Message: "method " + r.Method + " is not allowed here", Allowed: splitList(allow)}))
		return
	}
	s.writeError(w, r, haven.Errorf(haven.ENOTFOUND, "no such endpoint"))
}

// probeWriter records what the mux's fallback handler would answer, discarding the body.
type probeWriter struct {
	header http.Header
	status int
}

func (p *probeWriter) Header() http.Header { return p.header }

func (p *probeWriter) Write(b []byte) (int, error) { return len(b), nil }

func (p *probeWriter) WriteHeader(status int) { p.status = status }
