package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/sqldb"
)

// BackupCmd makes backups (the default) and verifies them.
type BackupCmd struct {
	Create BackupCreateCmd `cmd:"" default:"withargs" help:"Write a consistent backup of the database and attachments while Haven runs (the default: haven backup --out FILE)."`
	Verify BackupVerifyCmd `cmd:"" help:"Check a backup without restoring it: checksums, completeness, database integrity, audit chain."`
}

// BackupCreateCmd writes one backup file.
type BackupCreateCmd struct {
	DBFlags
	pgTools
	Out               string   `name:"out" required:"" placeholder:"FILE" help:"The backup file to write (never overwritten)."`
	AgeRecipient      []string `name:"age-recipient" placeholder:"age1…" help:"Encrypt the backup to this age recipient (repeatable)."`
	AgeRecipientsFile string   `name:"age-recipients-file" placeholder:"FILE" help:"Encrypt the backup to the age recipients listed in FILE."`
	Priority          string   `name:"priority" enum:"low,normal" default:"low" help:"low (the default) copies and compresses at the lowest CPU and I/O priority, so the server it runs beside keeps its speed; normal finishes sooner on an idle machine."`
}

// Run takes the snapshot, copies the attachments it needs, and writes the archive under a
// temporary name, renamed to --out only once complete.
func (c *BackupCreateCmd) Run(e *env) (err error) {
	recipients, err := c.recipients()
	if err != nil {
		return err
	}
	dsn, err := c.source()
	if err != nil {
		return err
	}
	out, err := createOutput(c.Out)
	if err != nil {
		return err
	}
	defer out.abort()
	db, err := sqldb.Open(e.ctx, dsn)
	if err != nil {
		return err
	}
	defer cleanup(&err, db.Close)
	stage, err := os.MkdirTemp(filepath.Dir(c.Out), ".haven-backup-")
	if err != nil {
		return haven.Internal("staging directory", err)
	}
	defer cleanup(&err, func() error { return os.RemoveAll(stage) })
	var m *manifest
	err, lowerErr := gently(c.Priority != priorityNormal, func() (err error) {
		m, err = c.write(e, db, dsn, stage, out, recipients)
		return err
	})
	if lowerErr != nil {
		e.fprintf(e.stderr, "warning: the backup runs at normal priority: %v\n", lowerErr)
	}
	if err != nil {
		return err
	}
	if err := out.commit(); err != nil {
		return err
	}
	e.printBackup(c.Out, m, len(recipients) > 0)
	return nil
}

// source is the database to back up; a SQLite file must exist (opening would create it).
func (c *BackupCreateCmd) source() (string, error) {
	dsn, err := c.dsn()
	if err != nil || sqldb.IsPostgresURL(dsn) {
		return dsn, err
	}
	if _, err := os.Stat(dsn); err != nil {
		return "", haven.Errorf(haven.ENOTFOUND, "no database at %s: give --db or --data", dsn)
	}
	return dsn, nil
}

// write snapshots the database into stage and streams the archive into out.
func (c *BackupCreateCmd) write(e *env, db *sqldb.DB, dsn, stage string, out *backupOutput, recipients []age.Recipient) (*manifest, error) {
	snap, err := c.snapshot(e, db, dsn, stage)
	if err != nil {
		return nil, err
	}
	w, err := newArchiveWriter(out.f, recipients, snap.at)
	if err != nil {
		return nil, err
	}
	if err := w.addFile(snap.entry, snap.path); err != nil {
		return nil, haven.Internal("archive the database", err)
	}
	m := newManifest(db.Dialect, snap.at, snap.facts)
	if err := c.addFiles(e, w, m, snap.facts.Blobs); err != nil {
		return nil, err
	}
	return m, w.finish(m)
}

// snapshot is a consistent copy of the database in the staging directory.
type snapshot struct {
	at    time.Time
	entry string // its name in the archive
	path  string
	facts *sqldb.BackupFacts
}

func (c *BackupCreateCmd) snapshot(e *env, db *sqldb.DB, dsn, stage string) (*snapshot, error) {
	if db.Dialect == sqldb.SQLite {
		s := &snapshot{at: time.Now(), entry: sqliteEntry, path: filepath.Join(stage, "haven.db")}
		if err := db.VacuumInto(e.ctx, s.path); err != nil {
			return nil, err
		}
		// The quick check costs a quarter of the full one, which verify and restore run; it
		// still finds a damaged page before it is saved.
		var err error
		s.facts, err = sqldb.InspectSQLite(e.ctx, s.path, true)
		return s, err
	}
	pgDump, err := c.tool("pg_dump")
	if err != nil {
		return nil, err
	}
	s := &snapshot{entry: pgdumpEntry, path: filepath.Join(stage, "haven.pgdump")}
	err = db.ExportSnapshot(e.ctx, func(id string, f *sqldb.BackupFacts) error {
		s.at, s.facts = time.Now(), f
		return runPG(e.ctx, pgDump, dsn, "--format=custom", "--compress=0", "--no-owner", "--no-privileges",
			"--snapshot="+id, "--file="+s.path)
	})
	return s, err
}

// addFiles copies the attachments' ciphertext. A file shredded between the snapshot and its copy
// (an erasure or a purge meanwhile) is gone for good: it is listed in the manifest, not an error.
func (c *BackupCreateCmd) addFiles(e *env, w *archiveWriter, m *manifest, blobs []string) error {
	root := filepath.Join(c.Data, "files")
	if _, err := os.Stat(root); err != nil && len(blobs) > 0 {
		return haven.Errorf(haven.EINVALID, "the database has %d attachment files but there is no attachment store at %s: give the server's --data", len(blobs), root)
	}
	for _, b := range blobs {
		if !fileEntry.MatchString(blobEntry(b)) {
			return haven.Errorf(haven.ECONFLICT, "the database names an attachment file %q that is not a sha256", b)
		}
		err := w.addFile(blobEntry(b), filepath.Join(root, b[0:2], b[2:4], b))
		if errors.Is(err, fs.ErrNotExist) {
			m.MissingFiles = append(m.MissingFiles, b)
			e.fprintf(e.stderr, "warning: attachment file %s is missing from %s (erased since the snapshot?)\n", b, root)
			continue
		}
		if err != nil {
			return haven.Internal("archive attachment "+b, err)
		}
	}
	return nil
}

// blobEntry is the archive name of a blob: its path under DATA/files.
func blobEntry(sum string) string {
	if len(sum) < 4 {
		return sum
	}
	return "files/" + sum[0:2] + "/" + sum[2:4] + "/" + sum
}

// recipients parses --age-recipient and --age-recipients-file.
func (c *BackupCreateCmd) recipients() ([]age.Recipient, error) {
	var out []age.Recipient
	for _, s := range c.AgeRecipient {
		r, err := age.ParseRecipients(strings.NewReader(s))
		if err != nil {
			return nil, &haven.Error{Code: haven.EINVALID, Message: "bad age recipient", Fields: map[string]string{"age-recipient": err.Error()}, Err: err}
		}
		out = append(out, r...)
	}
	if c.AgeRecipientsFile != "" {
		f, err := os.Open(c.AgeRecipientsFile)
		if err != nil {
			return nil, haven.Errorf(haven.EINVALID, "cannot read --age-recipients-file: %v", err)
		}
		defer func() { _ = f.Close() }() // only read from
		r, err := age.ParseRecipients(f)
		if err != nil {
			return nil, &haven.Error{Code: haven.EINVALID, Message: "bad age recipients file", Fields: map[string]string{"age-recipients-file": err.Error()}, Err: err}
		}
		out = append(out, r...)
	}
	return out, nil
}

// printBackup tells what was written.
func (e *env) printBackup(path string, m *manifest, encrypted bool) {
	var size int64
	for _, x := range m.Entries {
		size += x.Size
	}
	st, err := os.Stat(path)
	if err == nil {
		e.printf("wrote %s: %d bytes (%d before compression), %d entries\n", path, st.Size(), size, len(m.Entries))
	}
	e.printManifest(m)
	if encrypted {
		e.println("encrypted with age: restoring or verifying needs one of the recipients' identities (--age-identity)")
	}
	e.printf("the master key (id %s) is NOT in the backup: keep it separately (docs/operations.md)\n", m.MasterKeyID)
}

// printManifest prints what a backup holds.
func (e *env) printManifest(m *manifest) {
	e.printf("created at:  %s (haven %s, %s, schema version %d)\n", m.CreatedAt.Format(time.RFC3339), m.HavenVersion, m.Dialect, m.SchemaVersion)
	e.printf("holds:       %d cases, %d messages, %d attachments\n", m.Counts.Cases, m.Counts.Messages, m.Counts.Attachments)
	e.printf("audit chain: %d events, head %s\n", m.AuditChain.Events, m.AuditChain.Head)
	if len(m.MissingFiles) > 0 {
		e.printf("missing:     %d attachment file(s) shredded between the snapshot and their copy\n", len(m.MissingFiles))
	}
}

// backupOutput is the backup being written: a temporary file beside the final one, made private.
type backupOutput struct {
	f     *os.File
	final string
	done  bool
}

// createOutput refuses an existing path: an old backup is never overwritten.
func createOutput(path string) (*backupOutput, error) {
	if _, err := os.Lstat(path); err == nil {
		return nil, haven.Errorf(haven.ECONFLICT, "refusing to overwrite %s: it exists", path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return nil, haven.Errorf(haven.EINVALID, "cannot write the backup beside %s: %v", path, err)
	}
	return &backupOutput{f: f, final: path}, nil
}

// commit syncs the file and gives it its name, without replacing a file that appeared meanwhile.
func (o *backupOutput) commit() error {
	if err := errors.Join(o.f.Sync(), o.f.Close()); err != nil {
		return haven.Internal("write backup", err)
	}
	if err := os.Link(o.f.Name(), o.final); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return haven.Errorf(haven.ECONFLICT, "refusing to overwrite %s: it appeared while the backup was written", o.final)
		}
		return haven.Internal("name the backup", err)
	}
	o.done = true
	return haven.Internal("remove temporary file", os.Remove(o.f.Name()))
}

// abort removes an unfinished backup.
func (o *backupOutput) abort() {
	if !o.done {
		_ = o.f.Close()           // may be closed already
		_ = os.Remove(o.f.Name()) // a partial backup is worthless; nothing to report
	}
}
