package main

import (
	"os"
	"path/filepath"

	"haven"
	"haven/service"
	"haven/sqldb"
)

// DBFlags are taken by every command that touches the database.
type DBFlags struct {
	DB   string `name:"db" env:"HAVEN_DB" placeholder:"PATH|postgres://…" help:"SQLite file path or PostgreSQL URL (default: DATA/haven.db)."`
	Data string `name:"data" env:"HAVEN_DATA" default:"data" placeholder:"DIR" help:"Data directory (SQLite file, attachments)."`
}

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
}

// open connects to the database; with requireSchema it refuses a schema that is not current.
func (f *DBFlags) open(e *env, requireSchema bool) (*app, error) {
	dsn, err := f.dsn()
	if err != nil {
		return nil, err
	}
	db, err := sqldb.Open(e.ctx, dsn)
	if err != nil {
		return nil, err
	}
	if requireSchema {
		if err := db.CheckSchema(e.ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	return &app{db: db, svc: service.New(db, haven.SystemClock{}, service.DefaultConfig())}, nil
}

func (a *app) Close() error { return a.db.Close() }
