package main

import (
	"bufio"
	"cmp"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/email"
	"github.com/haven-helpline/haven/sqldb"
)

// DoctorCmd checks what an operator must know about an installation.
type DoctorCmd struct {
	DBFlags
	MailConfig     string        `name:"mail-config" env:"HAVEN_MAIL_CONFIG" placeholder:"FILE" help:"The server's mail configuration: its relay and IMAP servers are checked for reachability."`
	BackupDir      string        `name:"backup-dir" env:"HAVEN_BACKUP_DIR" placeholder:"DIR" help:"Where backups are written (haven backup --out DIR/…): the newest must be recent."`
	BackupMaxAge   time.Duration `name:"backup-max-age" default:"26h" help:"Oldest acceptable newest backup."`
	AuditMaxAge    time.Duration `name:"audit-max-age" default:"192h" help:"Oldest acceptable whole verification of the audit chain (haven doctor verifies only after its newest checkpoint)."`
	MinFreePercent int           `name:"min-free-percent" default:"10" help:"Least free space on the data directory's file system, in percent."`
	MaxClockSkew   time.Duration `name:"max-clock-skew" default:"2s" help:"Largest acceptable difference between this machine's clock and the PostgreSQL server's (every instance is compared with that one clock)."`
	Timeout        time.Duration `name:"timeout" default:"5s" help:"How long to wait for each network check."`
	JSON           bool          `name:"json" help:"Print the results as JSON."`
}

// Check states.
const (
	checkOK   = "ok"
	checkWarn = "warn" // worth knowing; not a failure
	checkFail = "fail"
)

// doctorCheck is one line of the report.
type doctorCheck struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Detail string `json:"detail"`
}

// Run checks everything, prints the report and fails when a check failed.
func (c *DoctorCmd) Run(e *env) error {
	var checks []doctorCheck
	add := func(name, status, format string, args ...any) {
		checks = append(checks, doctorCheck{Name: name, Status: status, Detail: fmt.Sprintf(format, args...)})
	}
	c.checkDataDir(add)
	c.checkDisk(add)
	c.checkDatabase(e, add)
	c.checkMail(add)
	c.checkBackups(add)
	failed := 0
	for _, ch := range checks {
		if ch.Status == checkFail {
			failed++
		}
	}
	if c.JSON {
		e.keepWriteErr(json.NewEncoder(e.stdout).Encode(map[string]any{"checks": checks, "failed": failed}))
	} else {
		for _, ch := range checks {
			e.printf("%-5s %-13s %s\n", ch.Status, ch.Name, ch.Detail)
		}
	}
	if failed > 0 {
		return haven.Errorf(haven.ECONFLICT, "%d of %d checks failed", failed, len(checks))
	}
	return nil
}

type addCheck func(name, status, format string, args ...any)

// checkDataDir: the data directory exists and only its owner can read it; so does the key file.
func (c *DoctorCmd) checkDataDir(add addCheck) {
	info, err := os.Stat(c.Data)
	switch {
	case err != nil:
		add("data dir", checkFail, "%s: %v", c.Data, err)
	case !info.IsDir():
		add("data dir", checkFail, "%s is not a directory", c.Data)
	case info.Mode().Perm()&0o077 != 0:
		add("data dir", checkFail, "%s has mode %o: others may read it (chmod 700)", c.Data, info.Mode().Perm())
	default:
		add("data dir", checkOK, "%s, mode %o", c.Data, info.Mode().Perm())
	}
	key := c.MasterKeyFile
	if key == "" {
		key = c.defaultKeyFile()
	}
	if info, err := os.Stat(key); err == nil && info.Mode().Perm()&0o077 != 0 {
		add("key file", checkFail, "%s has mode %o: others may read the master key (chmod 600)", key, info.Mode().Perm())
	}
}

// checkDisk: room left on the data directory's file system.
func (c *DoctorCmd) checkDisk(add addCheck) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(c.Data, &st); err != nil {
		add("disk", checkFail, "%s: %v", c.Data, err)
		return
	}
	free, total := st.Bavail*uint64(st.Bsize), st.Blocks*uint64(st.Bsize)
	percent := 100 * float64(free) / float64(max(total, 1))
	status := checkOK
	if percent < float64(c.MinFreePercent) {
		status = checkFail
	}
	add("disk", status, "%.1f GiB free of %.1f GiB (%.0f %%; at least %d %% wanted)", gib(free), gib(total), percent, c.MinFreePercent)
}

func gib(n uint64) float64 { return float64(n) / (1 << 30) }

// checkDatabase: reachable, migrated, the master key matches, clocks agree, the audit chain holds.
func (c *DoctorCmd) checkDatabase(e *env, add addCheck) {
	ctx, cancel := context.WithTimeout(e.ctx, 10*c.Timeout)
	defer cancel()
	dsn, err := c.dsn()
	if err != nil {
		add("database", checkFail, "%v", err)
		return
	}
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		add("database", checkFail, "unreachable: %v", describe(err))
		return
	}
	defer func() { _ = db.Close() }() // read-only checks: nothing to lose
	applied, latest, err := db.SchemaVersion(ctx)
	switch {
	case err != nil:
		add("database", checkFail, "%s: cannot read the schema version: %v", db.Dialect, err)
		return
	case applied < latest:
		add("database", checkFail, "%s schema at migration %d of %d: run haven migrate", db.Dialect, applied, latest)
		return
	case applied > latest:
		add("database", checkFail, "%s schema at migration %d, newer than this haven (%d): upgrade haven", db.Dialect, applied, latest)
		return
	}
	add("database", checkOK, "%s reachable, schema at migration %d (current)", db.Dialect, applied)
	if !c.checkKey(ctx, db, add) {
		return
	}
	c.checkClock(ctx, db, add)
	c.checkAudit(ctx, db, add)
}

func (c *DoctorCmd) checkKey(ctx context.Context, db *sqldb.DB, add addCheck) bool {
	kr, err := c.keyring()
	if err == nil {
		err = db.Unlock(ctx, kr)
	}
	if err != nil {
		add("master key", checkFail, "%s", describe(err))
		return false
	}
	add("master key", checkOK, "matches the database (key %s)", kr.CurrentID())
	return true
}

func (c *DoctorCmd) checkClock(ctx context.Context, db *sqldb.DB, add addCheck) {
	before := time.Now()
	server, shared, err := db.ServerTime(ctx)
	switch {
	case !shared:
		add("clock", checkOK, "one instance (SQLite): nothing to compare")
	case err != nil:
		add("clock", checkFail, "cannot read the database server's clock: %v", err)
	default:
		local := before.Add(time.Since(before) / 2) // the middle of the round trip
		skew := server.Sub(local).Abs()
		status := checkOK
		if skew > c.MaxClockSkew {
			status = checkFail
		}
		add("clock", status, "%s off the PostgreSQL server's clock (at most %s wanted)", skew.Round(time.Millisecond), c.MaxClockSkew)
	}
}

func (c *DoctorCmd) checkAudit(ctx context.Context, db *sqldb.DB, add addCheck) {
	report, err := db.VerifyAuditSince(ctx)
	switch {
	case err != nil:
		add("audit chain", checkFail, "cannot verify: %v", describe(err))
	case report.Problem != nil:
		add("audit chain", checkFail, "NOT intact%s after %d good events: %s", sinceCheckpoint(report), report.Events, report.Problem)
	case report.Pending > 0:
		add("audit chain", checkOK, "%d events intact%s; %d recorded since %s not sealed yet", report.Events, sinceCheckpoint(report),
			report.Pending, report.OldestPending.UTC().Format(time.RFC3339))
	default:
		add("audit chain", checkOK, "%d events intact%s", report.Events, sinceCheckpoint(report))
	}
	c.checkWholeVerification(report, add)
}

// sinceCheckpoint names the checkpoint a check started from.
func sinceCheckpoint(r *sqldb.AuditReport) string {
	if r.From == nil {
		return " (whole chain)"
	}
	return fmt.Sprintf(" after the checkpoint at position %d (whole chain verified %s)", r.From.Seq, r.From.VerifiedAt.Format(time.RFC3339))
}

// checkWholeVerification warns when no whole walk of the chain is recent: a check from a
// checkpoint does not see an edit made before it.
func (c *DoctorCmd) checkWholeVerification(r *sqldb.AuditReport, add addCheck) {
	switch {
	case r.Problem != nil:
	case r.From == nil:
		add("audit checkpoint", checkWarn, "none yet: run haven audit verify, or serve with --audit-verify-every, to record one")
	case time.Since(r.From.VerifiedAt) > c.AuditMaxAge:
		add("audit checkpoint", checkWarn, "the whole chain was last verified %s, more than %s ago: run haven audit verify",
			r.From.VerifiedAt.Format(time.RFC3339), c.AuditMaxAge)
	}
}

// checkMail: the relay and every IMAP server answer with their greeting.
func (c *DoctorCmd) checkMail(add addCheck) {
	if c.MailConfig == "" {
		return
	}
	mc, err := (&MailFlags{MailConfig: c.MailConfig}).load()
	if err != nil {
		add("mail config", checkFail, "%s", describe(err))
		return
	}
	if r := mc.relay(); r != nil {
		port := cmp.Or(r.Port, map[string]int{email.SecurityTLS: 465, email.SecurityStartTLS: 587}[r.Security], 25)
		c.checkGreeting(add, "relay", r.Host, port, r.Security, "220")
	} else {
		add("relay", checkWarn, "none configured: replies are recorded, not sent")
	}
	for _, mb := range mc.mailboxes() {
		if mb.IMAP != nil {
			port := cmp.Or(mb.IMAP.Port, map[string]int{email.SecurityTLS: 993}[mb.IMAP.Security], 143)
			c.checkGreeting(add, "imap "+mb.Address, mb.IMAP.Host, port, mb.IMAP.Security, "* OK")
		}
	}
}

// checkGreeting connects (over TLS when security is "tls") and reads the server's first line.
func (c *DoctorCmd) checkGreeting(add addCheck, name, host string, port int, security, want string) {
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	dialer := &net.Dialer{Timeout: c.Timeout}
	var conn net.Conn
	var err error
	if security == email.SecurityTLS {
		conn, err = tls.DialWithDialer(dialer, "tcp", addr, &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12})
	} else {
		conn, err = dialer.Dial("tcp", addr)
	}
	if err != nil {
		add(name, checkFail, "%s unreachable: %v", addr, err)
		return
	}
	defer func() { _ = conn.Close() }() // only the greeting was read
	_ = conn.SetReadDeadline(time.Now().Add(c.Timeout))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, want) {
		add(name, checkFail, "%s answered %q (%v), not a %q greeting", addr, strings.TrimSpace(line), err, want)
		return
	}
	add(name, checkOK, "%s answers", addr)
}

// checkBackups: the newest file in the backup directory is recent enough.
func (c *DoctorCmd) checkBackups(add addCheck) {
	if c.BackupDir == "" {
		add("backups", checkWarn, "no --backup-dir given: cannot tell when the last backup was made")
		return
	}
	entries, err := os.ReadDir(c.BackupDir)
	if err != nil {
		add("backups", checkFail, "%v", err)
		return
	}
	var newest time.Time
	var name string
	for _, d := range entries {
		info, err := d.Info()
		if err == nil && info.Mode().IsRegular() && !strings.HasPrefix(d.Name(), ".") && info.ModTime().After(newest) {
			newest, name = info.ModTime(), d.Name()
		}
	}
	age := time.Since(newest)
	switch {
	case name == "":
		add("backups", checkFail, "no backup in %s", c.BackupDir)
	case age > c.BackupMaxAge:
		add("backups", checkFail, "newest backup %s is %s old (at most %s wanted)", filepath.Join(c.BackupDir, name), age.Round(time.Minute), c.BackupMaxAge)
	default:
		add("backups", checkOK, "newest backup %s is %s old", filepath.Join(c.BackupDir, name), age.Round(time.Minute))
	}
}
