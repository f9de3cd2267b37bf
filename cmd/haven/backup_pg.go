package main

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/haven-helpline/haven"
)

// pgTools finds PostgreSQL's client programs (pg_dump, pg_restore), which back PostgreSQL up.
type pgTools struct {
	PGBin string `name:"pg-bin" env:"HAVEN_PG_BIN" placeholder:"DIR" help:"PostgreSQL backups: directory holding pg_dump and pg_restore (default: PATH, then the newest /usr/lib/postgresql/*/bin)."`
}

// tool returns the path of a client program: --pg-bin, else PATH, else the newest Debian install.
// pg_dump must be at least as new as the server, hence the newest.
func (p pgTools) tool(name string) (string, error) {
	if p.PGBin != "" {
		path := filepath.Join(p.PGBin, name)
		if _, err := os.Stat(path); err != nil {
			return "", haven.Errorf(haven.EINVALID, "%s not found in --pg-bin %s", name, p.PGBin)
		}
		return path, nil
	}
	if path, err := exec.LookPath(name); err == nil {
		return path, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name) // the pattern is valid
	slices.SortFunc(matches, func(a, b string) int { return pgMajor(a) - pgMajor(b) })
	if len(matches) == 0 {
		return "", haven.Errorf(haven.EINVALID, "%s not found: install PostgreSQL's client programs (Debian: postgresql-client) or give --pg-bin", name)
	}
	return matches[len(matches)-1], nil
}

// pgMajor reads the major version from /usr/lib/postgresql/17/bin/…
func pgMajor(path string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path)))) // not a number: sorts first
	return n
}

// runPG runs a client program against dsn. The password, if the URL holds one, goes in
// PGPASSWORD so that it never shows in the process list.
func runPG(ctx context.Context, bin, dsn string, args ...string) error {
	u, err := url.Parse(dsn)
	if err != nil {
		return haven.Errorf(haven.EINVALID, "bad PostgreSQL URL")
	}
	env := os.Environ()
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
	}
	cmd := exec.CommandContext(ctx, bin, append(args, "--dbname="+u.String())...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 2000 {
			msg = msg[:2000] + "…"
		}
		return &haven.Error{Code: haven.EINTERNAL, Message: filepath.Base(bin) + " failed: " + msg, Err: err}
	}
	return nil
}

// pgList checks that pg_restore can read a dump's table of contents.
func pgList(ctx context.Context, bin, dump string) error {
	cmd := exec.CommandContext(ctx, bin, "--list", dump)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = nil, &stderr
	if err := cmd.Run(); err != nil {
		return &haven.Error{Code: haven.ECONFLICT, Message: "pg_restore cannot read the database dump: " + strings.TrimSpace(stderr.String()), Err: err}
	}
	return nil
}
