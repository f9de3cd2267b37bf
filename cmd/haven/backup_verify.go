package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/sqldb"
)

// backupInput is the backup a command reads, and the age identities that open an encrypted one.
type backupInput struct {
	File        string   `arg:"" placeholder:"FILE" help:"The backup file (from haven backup)."`
	AgeIdentity []string `name:"age-identity" placeholder:"FILE" help:"age identity file that decrypts an encrypted backup (repeatable)."`
}

// BackupVerifyCmd checks a backup without restoring it.
type BackupVerifyCmd struct {
	DBFlags
	pgTools
	backupInput
	ScratchDB string `name:"scratch-db" placeholder:"postgres://…" help:"PostgreSQL backups: an EMPTY database to load the dump into for the integrity and audit-chain checks (drop it afterwards)."`
	NoAudit   bool   `name:"no-audit" help:"Skip the audit-chain check, which needs the master key."`
}

// Run reads the whole backup against its manifest, extracts the database into a temporary
// directory (removed afterwards; nothing is restored) and checks it there.
func (c *BackupVerifyCmd) Run(e *env) (err error) {
	ids, err := parseIdentities(c.AgeIdentity)
	if err != nil {
		return err
	}
	stage, err := os.MkdirTemp("", "haven-verify-")
	if err != nil {
		return haven.Internal("temporary directory", err)
	}
	defer cleanup(&err, func() error { return os.RemoveAll(stage) })
	m, err := readBackupFile(c.File, ids, verifyHandler(stage))
	if err != nil {
		return err
	}
	e.printf("%s: %d entries, every checksum matches its manifest\n", c.File, len(m.Entries))
	e.printManifest(m)
	events, err := c.checkDatabase(e, stage, m)
	if err != nil {
		return err
	}
	switch {
	case c.NoAudit:
		e.println("audit chain: not verified (--no-audit)")
	case events < 0:
		e.println("audit chain: not verified (a PostgreSQL dump is verified with --scratch-db)")
	default:
		e.printf("audit chain: intact, %d events\n", events)
	}
	e.println("backup OK")
	return nil
}

// verifyHandler stages the database and lets the attachment files be hashed and dropped.
func verifyHandler(stage string) entryHandler {
	return func(name string, _ int64, r io.Reader) error {
		if strings.HasPrefix(name, "files/") {
			return nil
		}
		return writeStaged(filepath.Join(stage, filepath.FromSlash(name)), r)
	}
}

// checkDatabase checks the staged database and, unless told not to, its audit chain; it returns
// the chain's length, or -1 when the chain could not be checked (a dump without --scratch-db).
func (c *BackupVerifyCmd) checkDatabase(e *env, stage string, m *manifest) (int64, error) {
	if m.Dialect == string(sqldb.SQLite) {
		path := filepath.Join(stage, filepath.FromSlash(sqliteEntry))
		if err := checkFacts(e, path, m); err != nil {
			return 0, err
		}
		e.println("database: integrity check ok, counts and chain head match the manifest")
		return c.verifyChain(e, path, m)
	}
	pgRestore, err := c.tool("pg_restore")
	if err != nil {
		return 0, err
	}
	dump := filepath.Join(stage, filepath.FromSlash(pgdumpEntry))
	if err := pgList(e.ctx, pgRestore, dump); err != nil {
		return 0, err
	}
	if c.ScratchDB == "" {
		e.println("database: pg_restore reads the dump")
		return -1, nil
	}
	if err := c.loadScratch(e, pgRestore, dump, m); err != nil {
		return 0, err
	}
	e.println("database: loaded into --scratch-db, counts and chain head match the manifest")
	return c.verifyChain(e, c.ScratchDB, m)
}

// loadScratch restores the dump into the scratch database, which must be empty.
func (c *BackupVerifyCmd) loadScratch(e *env, pgRestore, dump string, m *manifest) error {
	if !sqldb.IsPostgresURL(c.ScratchDB) {
		return haven.Errorf(haven.EINVALID, "--scratch-db must be a postgres:// URL")
	}
	tables, err := pgTables(e, c.ScratchDB)
	if err != nil {
		return err
	}
	if len(tables) > 0 {
		return haven.Errorf(haven.ECONFLICT, "--scratch-db is not empty (it has %v): give an empty database", tables)
	}
	return restorePostgres(e, pgRestore, c.ScratchDB, dump, m)
}

// verifyChain opens the checked database with the master key and walks the audit chain.
func (c *BackupVerifyCmd) verifyChain(e *env, dsn string, m *manifest) (_ int64, err error) {
	if c.NoAudit {
		return 0, nil
	}
	kr, err := c.keyring()
	if err != nil {
		return 0, &haven.Error{Code: haven.EUNAUTHORIZED, Message: "verifying the audit chain needs the master key " + m.MasterKeyID +
			" (or pass --no-audit): " + describe(err), Err: err}
	}
	db, err := sqldb.Open(e.ctx, dsn)
	if err != nil {
		return 0, err
	}
	defer cleanup(&err, db.Close)
	if err := db.Unlock(e.ctx, kr); err != nil {
		return 0, err
	}
	report, err := db.VerifyAudit(e.ctx)
	if err != nil {
		return 0, err
	}
	if report.Problem != nil {
		return 0, haven.Errorf(haven.ECONFLICT, "audit trail in the backup NOT intact after %d good events: %s", report.Events, report.Problem)
	}
	if report.Events != m.AuditChain.Events {
		return 0, haven.Errorf(haven.ECONFLICT, "the audit chain holds %d events, the manifest says %d", report.Events, m.AuditChain.Events)
	}
	return report.Events, nil
}
