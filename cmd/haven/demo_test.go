package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// TestDemoHistory: the demo asks nobody to back up its throwaway key; its cases are spread over
// the past weeks, the newest least advanced, some still open past their SLA targets and others
// not; its accounts open in English, or in the language asked for.
func TestDemoHistory(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			var out bytes.Buffer
			e := &env{ctx: context.Background(), stdout: &out, stderr: io.Discard, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			dir := t.TempDir()
			flags := ServeCmd{DBFlags: DBFlags{DB: filepath.Join(dir, "demo.db"), Data: dir}}
			t.Setenv(masterKeyEnv, "")
			if err := throwawayKey(&flags.DBFlags); err != nil {
				t.Fatal(err)
			}
			a, err := flags.prepare(e)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			now := time.Now()
			creds, err := seedDemo(e, a, demoSeed{cases: 60, lang: lang, seed: 1, now: now})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(out.String(), "Back it up") || creds.token == "" {
				t.Fatalf("the demo's first start asks for a backup of its key, or made no token:\n%s", out.String())
			}
			checkDemoUsers(t, e, a, lang)
			checkDemoAges(t, e, a, now)
		})
	}
}

func checkDemoUsers(t *testing.T, e *env, a *app, lang string) {
	t.Helper()
	users, err := a.svc.UsersAsSystem(e.ctx)
	if err != nil || len(users) != 5 {
		t.Fatalf("demo users: %d %v", len(users), err)
	}
	for _, u := range users {
		if u.Language != lang || u.MustChangePassword {
			t.Errorf("%s opens in %q (want %q), one-time password %v", u.Username, u.Language, lang, u.MustChangePassword)
		}
	}
}

// checkDemoAges reads every demo case as the admin and checks their ages and SLA clocks.
func checkDemoAges(t *testing.T, e *env, a *app, now time.Time) {
	t.Helper()
	users, _ := a.svc.UsersAsSystem(e.ctx)
	var admin *haven.User
	for _, u := range users {
		if u.Username == "admin" {
			admin = u
		}
	}
	page, err := a.svc.Cases(haven.WithActor(e.ctx, haven.Actor{User: admin}), haven.CaseFilter{Limit: haven.MaxLimit})
	if err != nil || len(page.Items) != 60 {
		t.Fatalf("demo cases: %v", err)
	}
	var oldest, newest time.Time
	overdue, onTime, closed := 0, 0, 0
	for _, c := range page.Items {
		if oldest.IsZero() || c.CreatedAt.Before(oldest) {
			oldest = c.CreatedAt
		}
		if c.CreatedAt.After(newest) {
			newest = c.CreatedAt
		}
		switch due := c.DueAt(); {
		case !c.Status.IsOpen():
			closed++
		case due != nil && due.Before(now):
			overdue++
		default:
			onTime++
		}
		if c.CreatedAt.After(now) || c.UpdatedAt.After(now) || c.UpdatedAt.Before(c.CreatedAt) {
			t.Errorf("case %s created %s, updated %s: not in the past, in order", c.Number, c.CreatedAt, c.UpdatedAt)
		}
	}
	if now.Sub(oldest) < 4*7*24*time.Hour || now.Sub(newest) > 7*24*time.Hour {
		t.Errorf("the cases span %s to %s: not spread over the past weeks", oldest, newest)
	}
	if overdue == 0 || onTime == 0 || closed == 0 {
		t.Errorf("open past their targets: %d, open on time: %d, resolved or closed: %d; want some of each", overdue, onTime, closed)
	}
}
