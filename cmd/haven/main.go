// Command haven runs the Haven case-management server and its operator tools.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/alecthomas/kong"

	"github.com/haven-helpline/haven"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// CLI is the whole command line; kong builds --help for every command from it.
type CLI struct {
	LogFormat string `name:"log-format" enum:"text,json" default:"text" env:"HAVEN_LOG_FORMAT" help:"Log format: text or json."`
	LogLevel  string `name:"log-level" enum:"debug,info,warn,error" default:"info" env:"HAVEN_LOG_LEVEL" help:"Lowest level logged."`
	// Config and ShowVersion act while parsing (config.go, version.go).
	Config      configFile  `name:"config" env:"HAVEN_CONFIG" placeholder:"FILE" help:"YAML file of settings named like the flags (deploy/haven.example.yaml); the command line, then the environment, win over it."`
	ShowVersion versionFlag `name:"version" help:"Print the version and exit."`

	Serve   ServeCmd   `cmd:"" help:"Run the Haven server (API, health and metrics)."`
	Migrate MigrateCmd `cmd:"" help:"Apply pending database migrations."`
	User    UserCmd    `cmd:"" help:"Manage staff accounts."`
	Token   TokenCmd   `cmd:"" help:"Manage personal API tokens."`
	Audit   AuditCmd   `cmd:"" help:"Verify and export the tamper-evident audit trail."`
	Key     KeyCmd     `cmd:"" help:"Manage the master key that encrypts personal data at rest."`
	Backup  BackupCmd  `cmd:"" help:"Back the database and attachments up into one file while Haven runs, or verify a backup."`
	Restore RestoreCmd `cmd:"" help:"Restore a backup into an empty data directory and database; never overwrites."`

	Compartment CompartmentCmd `cmd:"" help:"Manage compartments: who needs to know about restricted cases."`
	Requester   RequesterCmd   `cmd:"" help:"Export or erase everything Haven holds on a requester (data-subject requests)."`
	Retention   RetentionCmd   `cmd:"" help:"Set how long closed cases keep personal data, and purge what expired."`
	Demo        DemoCmd        `cmd:"" help:"Start a server on a fresh temporary database filled with realistic sample cases."`
	Bench       BenchCmd       `cmd:"" help:"Measure whole-system performance (see docs/performance.md)."`
	Ingest      IngestCmd      `cmd:"" help:"Store one email read on standard input (for an MTA pipe); exits 75 when the MTA should retry."`
	PGP         PGPCmd         `cmd:"" name:"pgp" help:"Manage the helpline's OpenPGP key pairs."`
	Template    TemplateCmd    `cmd:"" help:"Import, export and list reply, escalation and note templates (YAML)."`
	Playbook    PlaybookCmd    `cmd:"" help:"Import, export and list playbooks: procedures applied to cases as tasks (YAML)."`
	KB          KBCmd          `cmd:"" name:"kb" help:"Import, export and list knowledge-base articles: policies and guides (YAML with Markdown)."`
	Escalation  EscalationCmd  `cmd:"" help:"List escalations of cases to platforms' Trust & Safety teams."`
	OnCall      OnCallCmd      `cmd:"" name:"oncall" help:"Who is on call, and the on-call schedules (YAML)."`
	Report      ReportCmd      `cmd:"" help:"Write the executive report of a period (HTML, CSV or JSON)."`
	Stats       StatsCmd       `cmd:"" help:"The per-day roll-ups behind the dashboard and the reports."`
	Export      ExportCmd      `cmd:"" help:"Write a case's indicators for partners: a STIX 2.1 bundle or a MISP event, on standard output."`
	Import      ImportCmd      `cmd:"" help:"Take in a partner's STIX 2.1 bundle or MISP event: its indicators become known values; cases that sighted a malicious one are flagged."`
	Version     VersionCmd     `cmd:"" help:"Print the version."`
	Doctor      DoctorCmd      `cmd:"" help:"Check an installation: database and schema, master key, data directory, disk, clocks, audit chain, mail servers, backups; exits 1 on a problem (for monitoring)."`
	Healthcheck HealthcheckCmd `cmd:"" help:"Exit 0 when the server answers /readyz, 1 otherwise (a container's HEALTHCHECK)."`
}

// env carries what every command needs: output streams and the logger.
type env struct {
	ctx     context.Context
	stdout  io.Writer
	stderr  io.Writer
	stdin   *os.File
	log     *slog.Logger
	level   *slog.LevelVar       // the logger's level, which a reload may change (nil in tests)
	reparse func() (*CLI, error) // the command line read again (SIGHUP); nil in tests

	writeErr error // the first error printing through env (output.go)
}

func main() {
	tuneGC()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// defaultGCPercent lets the heap grow to five times the live data between collections. Haven's
// live heap is small (tens of megabytes) and pages allocate quickly, so Go's default (100) spent
// a tenth of the CPU collecting at full load; at 400 the inbox serves 20-30 % more pages.
const defaultGCPercent = 400

// defaultMemoryLimit is the Go runtime's soft memory limit unless GOMEMLIMIT is set. Left
// alone, the heap at GOGC 400 grew to 330 MB on 100,000 cases for ~50 MB of live data; near the
// limit the collector runs more often instead, and below it GOGC 400 keeps its speed. With the
// SQLite cache (--sqlite-cache-mb) it held a server at 285 MiB there, down from 480-575
// (docs/performance.md, "Memory").
const defaultMemoryLimit = 160 << 20

// tuneGC applies defaultGCPercent unless GOGC is set, which always wins, and defaultMemoryLimit
// unless GOMEMLIMIT is set.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}

func run(args []string, stdout, stderr io.Writer) int {
	var cli CLI
	parser, err := newParser(&cli, stdout, stderr)
	// Errors are told on stderr; when that fails too, the exit status still tells.
	if err != nil {
		_, _ = fmt.Fprintln(stderr, "haven:", err)
		return 2
	}
	kctx, err := parser.Parse(args)
	if errors.Is(err, errVersionShown) {
		return 0
	}
	if err != nil {
		_, _ = fmt.Fprintln(stderr, "haven:", describe(err)) // a config file's mistakes are haven errors
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	level := levelOf(cli.LogLevel)
	e := &env{ctx: ctx, stdout: stdout, stderr: stderr, stdin: os.Stdin, log: newLevelLogger(stderr, cli.LogFormat, level), level: level,
		reparse: func() (*CLI, error) { return reparse(args) }}
	err = kctx.Run(e)
	if err == nil {
		err = e.writeErr
	}
	if err != nil {
		_, _ = fmt.Fprintln(stderr, "haven:", describe(err))
		if errors.As(err, new(tempFail)) {
			return exitTempFail
		}
		return 1
	}
	return 0
}

// newParser builds the command line over cli.
func newParser(cli *CLI, stdout, stderr io.Writer) (*kong.Kong, error) {
	return kong.New(cli, kong.Name("haven"),
		kong.Description("Haven: case management and incident response for digital-safety helplines."),
		kong.UsageOnError(), kong.Writers(stdout, stderr),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}))
}

// reparse reads the command line again, with the configuration file as it is now: a running
// server reloads what can change without a restart from it (SIGHUP).
func reparse(args []string) (*CLI, error) {
	var fresh CLI
	parser, err := newParser(&fresh, io.Discard, io.Discard)
	if err == nil {
		_, err = parser.Parse(args)
	}
	return &fresh, err
}

func newLogger(w io.Writer, format, level string) *slog.Logger {
	return newLevelLogger(w, format, levelOf(level))
}

// levelOf turns a --log-level value into a level a reload can change.
func levelOf(level string) *slog.LevelVar {
	v := new(slog.LevelVar)
	v.Set(parseLevel(level))
	return v
}

func parseLevel(level string) slog.Level {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(level)) // kong allowed only valid names
	return lvl
}

func newLevelLogger(w io.Writer, format string, level *slog.LevelVar) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// describe renders an error for the console: the user-facing message with field details.
func describe(err error) string {
	he := haven.AsError(err)
	if he == nil || he.Code == haven.EINTERNAL {
		return err.Error()
	}
	msg := he.Message
	for f, m := range he.Fields {
		msg += fmt.Sprintf("\n  %s: %s", f, m)
	}
	return msg
}
