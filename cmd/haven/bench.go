package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/bench"
	"github.com/haven-helpline/haven/keyring"
	"github.com/haven-helpline/haven/sample"
	"github.com/haven-helpline/haven/sqldb"
	"github.com/haven-helpline/haven/web"
)

// BenchCmd groups the whole-system benchmarks.
type BenchCmd struct {
	Intake BenchIntakeCmd `cmd:"" help:"Create cases through the service layer and the HTTP API with concurrent clients (on SQLite, also how long its single writer worked per case)."`
	Search BenchSearchCmd `cmd:"" help:"Load cases (six languages) and measure full-text search latency by query class, as an admin and as a handler."`
	UI     BenchUICmd     `cmd:"" name:"ui" help:"Load cases and measure the web interface's inbox and case pages with concurrent browsers."`
	Email  BenchEmailCmd  `cmd:"" name:"email" help:"Measure email intake: the pipeline (as haven ingest) and the SMTP listener with concurrent senders."`
}

// profileFlag adds --cpu-profile to a benchmark.
type profileFlag struct {
	CPUProfile string `name:"cpu-profile" placeholder:"FILE" help:"Write a CPU profile of the run to FILE (go tool pprof)."`
}

// start begins profiling when asked and returns the function that ends it and closes the file.
func (p profileFlag) start() (func() error, error) {
	if p.CPUProfile == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(p.CPUProfile)
	if err != nil {
		return nil, haven.Internal("cpu profile", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close() // empty: the profile failed to start
		return nil, haven.Internal("cpu profile", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return haven.Internal("cpu profile", err)
		}
		return nil
	}, nil
}

// benchDB opens --db, or a fresh SQLite database in a temp dir when --db is not given.
type benchDB struct {
	DB            string `name:"db" env:"HAVEN_BENCH_DB" placeholder:"PATH|postgres://…" help:"Database to benchmark (default: a fresh temporary SQLite file). Use an empty database: the benchmark writes to it."`
	MasterKeyFile string `name:"master-key-file" env:"HAVEN_MASTER_KEY_FILE" placeholder:"FILE" help:"Master key of --db, to reuse a loaded database across runs (HAVEN_MASTER_KEY, when set, is used instead). Default: a throwaway key."`
	PGConns       int    `name:"pg-max-connections" env:"HAVEN_PG_MAX_CONNECTIONS" default:"32" placeholder:"N" help:"PostgreSQL only: connections the benchmark's process opens at most, as serve's flag."`
}

// A fresh database gets a throwaway master key in the temp dir; to reuse a loaded --db across
// runs, give its key as HAVEN_MASTER_KEY or --master-key-file (HAVEN_MASTER_KEY_FILE).
func (b benchDB) open(e *env) (_ *app, done func() error, err error) {
	dir, err := os.MkdirTemp("", "haven-bench-")
	if err != nil {
		return nil, nil, haven.Internal("temp dir", err)
	}
	removeDir := func() error { return os.RemoveAll(dir) }
	defer func() {
		if err != nil {
			_ = removeDir() // the error returned is the one to report
		}
	}()
	flags := DBFlags{DB: b.DB, Data: dir, MasterKeyFile: b.MasterKeyFile, PGConns: b.PGConns}
	if os.Getenv(masterKeyEnv) == "" && b.MasterKeyFile == "" { // a throwaway key binds a database that has none yet
		encoded, err := keyring.GenerateMasterKey()
		if err != nil {
			return nil, nil, haven.Internal("master key", err)
		}
		if err := os.WriteFile(flags.defaultKeyFile(), []byte(encoded), 0o600); err != nil {
			return nil, nil, haven.Internal("master key", err)
		}
	}
	if b.DB == "" {
		flags.DB = filepath.Join(dir, "bench.db")
	}
	cmd := ServeCmd{DBFlags: flags, AutoMigrate: true}
	a, err := cmd.prepare(e)
	if err != nil {
		return nil, nil, err
	}
	return a, func() error { return errors.Join(a.Close(), removeDir()) }, nil
}

// setup opens the database, acts as its admin and starts profiling when asked; done undoes it all.
func (b benchDB) setup(e *env, p profileFlag) (ctx context.Context, a *app, done func() error, err error) {
	a, closeDB, err := b.open(e)
	if err != nil {
		return nil, nil, nil, err
	}
	defer func() {
		if err != nil {
			_ = closeDB() // the error returned is the one to report
		}
	}()
	if ctx, err = benchActor(e, a); err != nil {
		return nil, nil, nil, err
	}
	stop, err := p.start()
	if err != nil {
		return nil, nil, nil, err
	}
	stopSealer := startSealer(e.ctx, e.log, a.db) // as haven serve does: sealing is part of the cost
	return ctx, a, func() error { stopSealer(); return errors.Join(stop(), closeDB()) }, nil
}

// benchActor returns a context acting as a bench admin, created when the database has no user.
func benchActor(e *env, a *app) (context.Context, error) {
	u, err := a.svc.CreateFirstAdmin(e.ctx, "admin", "bench-password-not-for-use")
	if haven.ErrorCode(err) == haven.ECONFLICT {
		var users []*haven.User
		if users, err = a.svc.UsersAsSystem(e.ctx); err == nil {
			for _, candidate := range users {
				// A one-time password (haven serve's first start) makes the account's tokens refused.
				if candidate.Role == haven.RoleAdmin && !candidate.Disabled && !candidate.MustChangePassword {
					u = candidate
				}
			}
		}
	}
	if err != nil || u == nil {
		return nil, haven.Errorf(haven.EINTERNAL, "no admin to run the benchmark as (one with a one-time password, "+
			"as haven serve's first start makes, cannot use tokens: add one with HAVEN_PASSWORD=… haven user add NAME --role admin): %v", err)
	}
	return haven.WithActor(e.ctx, haven.Actor{User: u}), nil
}

// BenchIntakeCmd measures case creation.
type BenchIntakeCmd struct {
	benchDB
	profileFlag
	instancesFlag
	Cases        int  `name:"cases" default:"5000" help:"Cases to create per run."`
	Clients      int  `name:"clients" default:"16" help:"Concurrent clients."`
	SummaryBytes int  `name:"summary-bytes" default:"1500" help:"Summary size in bytes."`
	Metrics      bool `name:"metrics" negatable:"" default:"true" help:"Count in the metrics as haven serve does (--no-metrics measures without them)."`
}

// Run creates cases via the service, then via HTTP on a loopback listener, and prints figures.
func (c *BenchIntakeCmd) Run(e *env) (err error) {
	ctx, a, done, err := c.setup(e, c.profileFlag)
	if err != nil {
		return err
	}
	defer cleanup(&err, done)
	if c.Metrics {
		a.observe()
	}
	in := bench.Intake{Cases: c.Cases, Clients: c.Clients, SummaryBytes: c.SummaryBytes, Seed: 1}
	label := fmt.Sprintf("%s, %d clients", a.db.Dialect, c.Clients)
	if len(c.URLs) > 0 {
		return c.viaInstances(ctx, e, a, in, label)
	}
	busy0 := a.db.WriterBusy()
	viaService, err := in.ViaService(ctx, "intake via service ("+label+")", a.svc)
	if err != nil {
		return err
	}
	busy1 := a.db.WriterBusy()
	viaHTTP, err := c.viaHTTP(e, ctx, a, in, "intake via HTTP API ("+label+")")
	if err != nil {
		return err
	}
	if err := bench.Print(e.stdout, viaService, viaHTTP); err != nil {
		return err
	}
	if a.db.Dialect != sqldb.SQLite {
		return nil
	}
	if err := printWriterBusy(e.stdout, viaService, busy1-busy0); err != nil {
		return err
	}
	return printWriterBusy(e.stdout, viaHTTP, a.db.WriterBusy()-busy1)
}

// printWriterBusy says how long SQLite's single writer worked for a result: a case's cost
// inside it bounds the intake, and its share of the run says whether it was the bottleneck.
func printWriterBusy(w io.Writer, r bench.Result, busy time.Duration) error {
	_, err := fmt.Fprintf(w, "%s: SQLite writer %.0f µs a case, busy %.0f %% of the run\n", r.Name,
		float64(busy.Microseconds())/float64(r.Ops), 100*busy.Seconds()/r.Elapsed.Seconds())
	return err
}

func (c *BenchIntakeCmd) viaHTTP(e *env, ctx context.Context, a *app, in bench.Intake, name string) (bench.Result, error) {
	actor, _ := haven.ActorFrom(ctx)
	token, _, err := a.svc.CreateTokenAsSystem(ctx, actor.User.Username, "bench", false)
	if err != nil {
		return bench.Result{}, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return bench.Result{}, haven.Internal("listen", err)
	}
	quiet := *e
	quiet.log = newLogger(e.stderr, "text", "error") // request logs would dominate the measurement
	ws := newServer(&quiet, a, webOptions{})
	if err := registerMetrics(&quiet, a, ws, ""); err != nil {
		return bench.Result{}, err
	}
	srv := &http.Server{Handler: ws.Handler()}
	// Serve returns http.ErrServerClosed at Close; any other failure shows in the requests.
	go func() { _ = srv.Serve(ln) }()
	defer func() { _ = srv.Close() }()
	in.Seed = 2
	return in.ViaHTTP(ctx, name, []string{"http://" + ln.Addr().String()}, token)
}

// BenchSearchCmd measures full-text search on a loaded database.
type BenchSearchCmd struct {
	benchDB
	profileFlag
	Cases       int    `name:"cases" default:"100000" help:"Cases to load before searching (skipped when the database already has cases)."`
	Queries     int    `name:"queries" default:"2000" help:"Queries to run per query class and searcher role."`
	LoadClients int    `name:"load-clients" default:"32" help:"Concurrent clients while loading through the service."`
	Clients     int    `name:"clients" default:"2" help:"Concurrent searchers."`
	Loader      string `name:"loader" default:"bulk" enum:"bulk,service" help:"bulk: many cases per transaction through the store, six languages (for a million cases; on PostgreSQL the search index is built once after); service: one case per call, English, French, Arabic."`
	Classes     string `name:"classes" default:"words,rare words,arabic prefixes,words+filter" help:"Query classes to run, comma-separated; also: status filter, priority filter, team filter, category filter (every word with that one filter)."`
}

// benchTeams are the teams the bulk loader spreads cases over (created when missing).
var benchTeams = []string{"bench-team-a", "bench-team-b", "bench-team-c"}

// Run loads the cases and runs each query class as an admin and as a handler, to whom the
// visibility rule applies.
func (c *BenchSearchCmd) Run(e *env) (err error) {
	ctx, a, done, err := c.setup(e, c.profileFlag)
	if err != nil {
		return err
	}
	defer cleanup(&err, done)
	for _, t := range benchTeams {
		if _, err := a.svc.CreateTeam(ctx, t); err != nil && haven.ErrorCode(err) != haven.ECONFLICT {
			return err
		}
	}
	results, err := c.load(ctx, e, a)
	if err != nil {
		return err
	}
	handler, err := benchHandler(ctx, a, "bench-searcher")
	if err != nil {
		return err
	}
	for _, class := range bench.SearchClasses(benchTeams, sample.Categories()) {
		if !slices.Contains(strings.Split(c.Classes, ","), class.Name) {
			continue
		}
		for _, as := range []struct {
			role string
			ctx  context.Context
		}{{"admin", ctx}, {"handler", handler}} {
			name := fmt.Sprintf("search %s as %s (%s, %d clients)", class.Name, as.role, a.db.Dialect, c.Clients)
			r, err := bench.Search(as.ctx, name, a.svc, class, c.Queries, c.Clients)
			if err != nil {
				return err
			}
			results = append(results, r)
		}
	}
	return bench.Print(e.stdout, results...)
}

// load fills an empty database with the chosen loader.
func (c *BenchSearchCmd) load(ctx context.Context, e *env, a *app) ([]bench.Result, error) {
	if c.Loader == "service" {
		return loadUnlessLoaded(ctx, e, a, c.Cases, c.LoadClients, 3)
	}
	page, err := a.svc.Cases(ctx, haven.CaseFilter{Limit: 1})
	if err != nil || len(page.Items) > 0 {
		return nil, err
	}
	e.fprintf(e.stderr, "loading %d cases in bulk…\n", c.Cases)
	writers := 1
	if a.db.Dialect == sqldb.Postgres {
		writers = 2
	}
	load := bench.BulkLoad{Cases: c.Cases, Batch: 2000, Writers: writers, Teams: benchTeams, Seed: 3,
		Span: 10 * 365 * 24 * time.Hour, Now: time.Now()}
	var r bench.Result
	start := time.Now()
	err = a.db.WithoutSearchIndex(ctx, func() (err error) {
		r, err = load.Run(ctx, fmt.Sprintf("bulk load %d cases", c.Cases), a.db)
		return err
	})
	r.Elapsed = time.Since(start) // on PostgreSQL, with building the search index
	return []bench.Result{r}, err
}

// benchHandler returns a context acting as a handler (no lead, no compartment), created once.
func benchHandler(admin context.Context, a *app, name string) (context.Context, error) {
	u, err := a.svc.CreateUser(admin, haven.UserCreate{Username: name, Role: haven.RoleHandler, Password: benchHandlerPassword})
	if haven.ErrorCode(err) == haven.ECONFLICT {
		var users []*haven.User
		if users, err = a.svc.UsersAsSystem(admin); err == nil {
			for _, candidate := range users {
				if candidate.Username == name {
					u = candidate
				}
			}
		}
	}
	if err != nil || u == nil {
		return nil, haven.Errorf(haven.EINTERNAL, "no handler to search as: %v", err)
	}
	return haven.WithActor(admin, haven.Actor{User: u}), nil
}

// loadUnlessLoaded loads n generated cases (from seed) when the database has none, and
// returns the load's result, if it ran.
func loadUnlessLoaded(ctx context.Context, e *env, a *app, n, clients int, seed uint64) ([]bench.Result, error) {
	page, err := a.svc.Cases(ctx, haven.CaseFilter{Limit: 1})
	if err != nil || len(page.Items) > 0 {
		return nil, err
	}
	e.fprintf(e.stderr, "loading %d cases…\n", n)
	load, err := bench.Load(ctx, a.svc, n, clients, seed)
	if err != nil {
		return nil, err
	}
	return []bench.Result{load}, nil
}

// BenchUICmd measures the web interface's inbox and case pages on a loaded database.
type BenchUICmd struct {
	benchDB
	profileFlag
	Cases       int           `name:"cases" default:"100000" help:"Cases to load first (skipped when the database already has cases)."`
	Requests    int           `name:"requests" default:"3000" help:"Requests per page kind."`
	LoadClients int           `name:"load-clients" default:"32" help:"Concurrent clients while loading."`
	Clients     int           `name:"clients" default:"64" help:"Concurrent browsers, each signed in as a handler of its own."`
	Writes      int           `name:"writes" default:"0" help:"Case changes per second made meanwhile (a tag added), as colleagues working would."`
	Pause       time.Duration `name:"pause" default:"0s" help:"Mean pause of each browser between its pages (random, exponential); 0 fetches without pause."`
	Accept      string        `name:"accept-encoding" default:"gzip, deflate, br, zstd" help:"The codings the browsers accept, as Chromium asks; \"identity\" fetches pages uncompressed."`
	URL         string        `name:"url" placeholder:"http://HOST:PORT" help:"Fetch the pages from a running haven serve on --db, and make the --writes through its API, instead of serving them in the benchmark's process: the server's memory and CPU can then be measured on their own."`
	CaseReqs    int           `name:"case-requests" default:"-1" help:"Case page requests (default: as many as --requests; 0 measures the inbox alone)."`
}

// Run loads the cases, signs the handlers in, and fetches inbox pages, then case pages, over
// loopback, optionally while cases change.
func (c *BenchUICmd) Run(e *env) (err error) {
	ctx, a, done, err := c.setup(e, c.profileFlag)
	if err != nil {
		return err
	}
	defer cleanup(&err, done)
	results, err := loadUnlessLoaded(ctx, e, a, c.Cases, c.LoadClients, 4)
	if err != nil {
		return err
	}
	page, err := a.svc.Cases(ctx, haven.CaseFilter{Limit: 500, Sort: haven.SortCreated})
	if err != nil {
		return err
	}
	base, cookies, stop, err := c.serveSignedIn(e, a)
	if err != nil {
		return err
	}
	defer stop()
	write, err := c.writer(ctx, a, base, page.Items)
	if err != nil {
		return err
	}
	inbox := []string{"/inbox?queue=open", "/inbox?queue=unassigned", "/inbox?queue=emergencies", "/inbox?queue=open&sort=due"}
	var cases []string
	for _, x := range page.Items {
		cases = append(cases, "/cases/"+x.Number)
	}
	label := fmt.Sprintf("(%s, %d clients, %d writes/s)", a.db.Dialect, c.Clients, c.Writes)
	if c.Pause > 0 {
		label = fmt.Sprintf("(%s, %d clients pausing %s, %d writes/s)", a.db.Dialect, c.Clients, c.Pause, c.Writes)
	}
	for _, run := range []struct {
		name  string
		paths []string
		n     int
	}{{"inbox page " + label, inbox, c.Requests}, {"case page " + label, cases, c.caseRequests()}} {
		if run.n == 0 {
			continue
		}
		wctx, endWrites := context.WithCancel(ctx)
		writes := bench.Background(wctx, c.Writes, write)
		r, err := bench.Pages(ctx, run.name, base, cookies, run.paths, run.n, c.Clients, c.Pause, c.Accept)
		endWrites()
		if _, werr := writes(); err == nil && werr != nil {
			err = fmt.Errorf("background writes: %w", werr)
		}
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	return bench.Print(e.stdout, results...)
}

// caseRequests is --case-requests, which defaults to --requests.
func (c *BenchUICmd) caseRequests() int {
	if c.CaseReqs < 0 {
		return c.Requests
	}
	return c.CaseReqs
}

// benchHandlerPassword is the bench handlers' password (bench databases only).
const benchHandlerPassword = "bench-handler-password-not-for-use"

// serveSignedIn starts the web server on loopback and signs in one handler per client (created
// the first time), returning their session cookies.
func (c *BenchUICmd) serveSignedIn(e *env, a *app) (base string, cookies []string, stop func(), err error) {
	admin, err := benchActor(e, a)
	if err != nil {
		return "", nil, nil, err
	}
	for i := range max(c.Clients, 1) {
		name := fmt.Sprintf("bench-handler-%02d", i+1)
		_, err := a.svc.CreateUser(admin, haven.UserCreate{Username: name, Role: haven.RoleHandler, Password: benchHandlerPassword})
		if err != nil && haven.ErrorCode(err) != haven.ECONFLICT {
			return "", nil, nil, err
		}
		res, err := a.svc.Login(e.ctx, haven.Credentials{Username: name, Password: benchHandlerPassword})
		if err != nil {
			return "", nil, nil, fmt.Errorf("sign %s in (use a database benchmarked before, or a fresh one): %w", name, err)
		}
		cookies = append(cookies, web.SessionCookie+"="+res.Token)
	}
	if c.URL != "" {
		return strings.TrimSuffix(c.URL, "/"), cookies, func() {}, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, nil, haven.Internal("listen", err)
	}
	quiet := *e
	quiet.log = newLogger(e.stderr, "text", "error")
	srv := &http.Server{Handler: newServer(&quiet, a, webOptions{LoginRate: -1}).Handler()}
	// Serve returns http.ErrServerClosed at Close; any other failure shows in the requests.
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), cookies, func() { _ = srv.Close() }, nil
}
