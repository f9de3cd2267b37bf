package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"haven"
	"haven/auth"
	"haven/web"
)

// ServeCmd runs the server.
type ServeCmd struct {
	DBFlags
	Listen      string `name:"listen" env:"HAVEN_LISTEN" default:"127.0.0.1:8080" help:"Address to listen on."`
	AutoMigrate bool   `name:"auto-migrate" env:"HAVEN_AUTO_MIGRATE" help:"Apply pending migrations at start instead of refusing a schema that is behind."`
}

// Run serves until interrupted.
func (c *ServeCmd) Run(e *env) error {
	a, err := c.prepare(e)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := bootstrapAdmin(e, a); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return haven.Errorf(haven.EINVALID, "cannot listen on %s: %v", c.Listen, err)
	}
	return serve(e, a, ln)
}

// prepare opens the database. A brand-new database (no schema at all) is initialised, so the
// first start needs no extra step; an existing one that is behind is refused unless --auto-migrate.
func (c *ServeCmd) prepare(e *env) (*app, error) {
	a, err := c.open(e, false)
	if err != nil {
		return nil, err
	}
	applied, _, err := a.db.SchemaVersion(e.ctx)
	if err == nil && (applied == 0 || c.AutoMigrate) {
		var n int
		n, err = a.db.Migrate(e.ctx, func() int64 { return time.Now().UnixMicro() })
		if n > 0 {
			e.log.Info("database migrated", "migrations", n)
		}
	}
	if err == nil {
		err = a.db.CheckSchema(e.ctx)
	}
	if err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// bootstrapAdmin creates the first admin on an empty database and prints its one-time password
// to the console: on stdout, never through the logger, so it is not kept in log files.
func bootstrapAdmin(e *env, a *app) error {
	password, err := auth.GeneratePassword()
	if err != nil {
		return haven.Internal("generate password", err)
	}
	u, err := a.svc.CreateFirstAdmin(e.ctx, "admin", password)
	if haven.ErrorCode(err) == haven.ECONFLICT {
		return nil // users exist already
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nFirst start: created the admin account.\n  username: %s\n  password: %s\n"+
		"This password is shown only now. Sign in and change it, or create a token with\n"+
		"  haven token create --user %s\n\n", u.Username, password, u.Username)
	return nil
}

func newServer(e *env, a *app) *web.Server {
	return web.NewServer(web.Services{
		Cases: a.svc, Requesters: a.svc, Notes: a.svc, Tasks: a.svc, Messages: a.svc,
		Reports: a.svc, Users: a.svc, Auth: a.svc, Audit: a.svc,
		Ready: func(ctx context.Context) error {
			if err := a.db.Ping(ctx); err != nil {
				return err
			}
			return a.db.CheckSchema(ctx)
		},
	}, web.Config{Logger: e.log, Version: version})
}

// serve runs the HTTP server on ln until the context ends, then drains requests.
func serve(e *env, a *app, ln net.Listener) error {
	srv := &http.Server{
		Handler:           newServer(e, a).Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	e.log.Info("haven listening", "addr", "http://"+ln.Addr().String(), "db", string(a.db.Dialect), "version", version)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-e.ctx.Done():
	}
	e.log.Info("shutting down")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
