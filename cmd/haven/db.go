package main

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/blob"
	"github.com/haven-helpline/haven/email"
	"github.com/haven-helpline/haven/keyring"
	"github.com/haven-helpline/haven/metrics"
	"github.com/haven-helpline/haven/service"
	"github.com/haven-helpline/haven/sqldb"
)

// DBFlags are taken by every command that touches the database.
type DBFlags struct {
	DB            string `name:"db" env:"HAVEN_DB" placeholder:"PATH|postgres://…" help:"SQLite file path or PostgreSQL URL (default: DATA/haven.db)."`
	Data          string `name:"data" env:"HAVEN_DATA" default:"data" placeholder:"DIR" help:"Data directory (SQLite file, attachments)."`
	MasterKeyFile string `name:"master-key-file" env:"HAVEN_MASTER_KEY_FILE" placeholder:"FILE" help:"File holding the master key (mode 600). HAVEN_MASTER_KEY, when set, is used instead. Default: DATA/master.key when it exists."`
	PreviousKey   string `name:"previous-master-key-file" env:"HAVEN_PREVIOUS_MASTER_KEY_FILE" placeholder:"FILE" help:"During a key rotation: the old master key, still accepted for reading."`
	SQLiteCacheMB int    `name:"sqlite-cache-mb" env:"HAVEN_SQLITE_CACHE_MB" default:"48" placeholder:"MB" help:"SQLite only: the page cache of all the database's connections together, in MB (pages beyond it come from the system's file cache)."`
	PGConns       int    `name:"pg-max-connections" env:"HAVEN_PG_MAX_CONNECTIONS" default:"32" placeholder:"N" help:"PostgreSQL only: connections this process opens at most, besides one that listens for other instances' writes (size max_connections for instances × (N+1))."`
}

// masterKeyEnv is read directly rather than as a flag, so the key never appears in a process list.
const masterKeyEnv = "HAVEN_MASTER_KEY"

// keyring loads the master key: HAVEN_MASTER_KEY, else --master-key-file, else DATA/master.key.
func (f *DBFlags) keyring() (*keyring.Keyring, error) {
	file := f.MasterKeyFile
	if file == "" {
		file = f.defaultKeyFile()
	}
	mk, err := loadKey(os.Getenv(masterKeyEnv), file)
	if err != nil {
		return nil, err
	}
	if f.PreviousKey == "" {
		return keyring.NewKeyring(mk), nil
	}
	previous, err := loadKey("", f.PreviousKey)
	if err != nil {
		return nil, err
	}
	return keyring.NewKeyring(mk, previous), nil
}

func loadKey(env, file string) (*keyring.MasterKey, error) {
	mk, err := keyring.LoadMasterKey(env, file)
	if errors.Is(err, keyring.ErrNoMasterKey) {
		return nil, haven.Errorf(haven.EUNAUTHORIZED, "no master key: set %s or --master-key-file (create one with `haven key generate`)", masterKeyEnv)
	}
	if err != nil {
		return nil, haven.Errorf(haven.EUNAUTHORIZED, "cannot load the master key: %v", err)
	}
	return mk, nil
}

func (f *DBFlags) defaultKeyFile() string { return filepath.Join(f.Data, "master.key") }

// dsn resolves the database location, creating the data directory for SQLite.
func (f *DBFlags) dsn() (string, error) {
	if f.DB != "" && sqldb.IsPostgresURL(f.DB) {
		return f.DB, nil
	}
	path := f.DB
	if path == "" {
		path = filepath.Join(f.Data, "haven.db")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", haven.Internal("create data directory", err)
	}
	return path, nil
}

// app is an open database with the service layer over it.
type app struct {
	db  *sqldb.DB
	svc *service.Service
	cfg service.Config // the service's configuration, kept to rebuild it with more (mail)
	// metrics are the instruments of a serving instance (metrics.go); nil elsewhere.
	metrics *metrics.Set
}

// reconfigure rebuilds the service layer with a changed configuration.
func (a *app) reconfigure(change func(*service.Config)) {
	change(&a.cfg)
	a.svc = service.New(a.db, haven.SystemClock{}, a.cfg)
}

// open connects to the database; with requireSchema it refuses a schema that is not current and
// unlocks the database with the master key.
func (f *DBFlags) open(e *env, requireSchema bool) (*app, error) {
	dsn, err := f.dsn()
	if err != nil {
		return nil, err
	}
	if f.SQLiteCacheMB < 0 {
		return nil, haven.Errorf(haven.EINVALID, "--sqlite-cache-mb is a size in MB, 0 (the built-in default) or more")
	}
	if f.PGConns < 0 {
		return nil, haven.Errorf(haven.EINVALID, "--pg-max-connections is a number of connections, 0 (the built-in default) or more")
	}
	db, err := sqldb.OpenWith(e.ctx, dsn, sqldb.Options{SQLiteCacheMB: f.SQLiteCacheMB, PostgresConns: f.PGConns})
	if err != nil {
		return nil, err
	}
	a := &app{db: db, cfg: service.DefaultConfig()}
	a.svc = service.New(db, haven.SystemClock{}, a.cfg)
	if requireSchema {
		if err := a.unlock(e, f); err != nil {
			_ = db.Close() // nothing was written: the unlock error is the one to report
			return nil, err
		}
	}
	return a, nil
}

// unlock checks the schema and opens the database with the master key.
func (a *app) unlock(e *env, f *DBFlags) error {
	if err := a.db.CheckSchema(e.ctx); err != nil {
		return err
	}
	kr, err := f.keyring()
	if err != nil {
		return err
	}
	if err := a.db.Unlock(e.ctx, kr); err != nil {
		return err
	}
	files, err := blob.NewDir(filepath.Join(f.Data, "files"), maxStoredFile)
	if err != nil {
		return err
	}
	a.reconfigure(func(cfg *service.Config) {
		cfg.Files = blob.NewVault(files, kr)
		cfg.Classify = email.SuspiciousAttachment
	})
	return nil
}

// maxStoredFile bounds one encrypted file on disk: the largest email Haven accepts, with room for
// age's framing.
const maxStoredFile = 64 << 20

func (a *app) Close() error { return a.db.Close() }
