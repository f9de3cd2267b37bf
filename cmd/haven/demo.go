package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"time"

	"haven"
	"haven/auth"
	"haven/sample"
)

// DemoCmd starts a server on a throwaway database full of realistic cases.
type DemoCmd struct {
	Listen string `name:"listen" env:"HAVEN_LISTEN" default:"127.0.0.1:8080" help:"Address to listen on."`
	Cases  int    `name:"cases" default:"120" help:"How many sample cases to create."`
	Keep   bool   `name:"keep" help:"Keep the temporary data directory when stopping."`
}

// Run fills a temporary database and serves it until interrupted.
func (c *DemoCmd) Run(e *env) (err error) {
	dir, err := os.MkdirTemp("", "haven-demo-")
	if err != nil {
		return haven.Internal("temp dir", err)
	}
	if !c.Keep {
		defer cleanup(&err, func() error { return os.RemoveAll(dir) })
	}
	flags := ServeCmd{DBFlags: DBFlags{Data: dir}, Listen: c.Listen}
	a, err := flags.prepare(e)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	creds, err := seedDemo(e, a, c.Cases)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return haven.Errorf(haven.EINVALID, "cannot listen on %s: %v", c.Listen, err)
	}
	e.printf("\nHaven demo with %d sample cases at http://%s\n  data:     %s\n  admin:    admin / %s\n  API token: %s\n"+
		"  try:      curl -H 'Authorization: Bearer %s' 'http://%s/api/v1/cases?sort=priority&limit=5'\n"+
		"Other accounts (same password): amira (handler, mena), lucas (handler, latam), fatou (lead), sam (auditor).\n"+
		"Stop with Ctrl-C; the demo database is deleted unless --keep.\n\n",
		c.Cases, ln.Addr(), dir, creds.password, creds.token, creds.token, ln.Addr())
	return serve(e, a, ln, webOptions{})
}

type demoCreds struct{ password, token string }

// seedDemo creates staff, teams and cases that look like a helpline's week.
func seedDemo(e *env, a *app, n int) (demoCreds, error) {
	password, err := auth.GeneratePassword()
	if err != nil {
		return demoCreds{}, haven.Internal("password", err)
	}
	admin, err := a.svc.CreateFirstAdmin(e.ctx, "admin", password)
	if err != nil {
		return demoCreds{}, err
	}
	ctx := haven.WithActor(e.ctx, haven.Actor{User: admin})
	staff := []haven.UserCreate{
		{Username: "amira", DisplayName: "Amira", Role: haven.RoleHandler, Language: "ar"},
		{Username: "lucas", DisplayName: "Lucas", Role: haven.RoleHandler, Language: "es"},
		{Username: "fatou", DisplayName: "Fatou", Role: haven.RoleLead, Language: "fr"},
		{Username: "sam", DisplayName: "Sam", Role: haven.RoleAuditor, Language: "en"},
	}
	for _, s := range staff {
		s.Password = password
		if _, err := a.svc.CreateUser(ctx, s); err != nil {
			return demoCreds{}, err
		}
	}
	for team, member := range map[string]string{"mena": "amira", "latam": "lucas", "francophone": "fatou", "global": ""} {
		if _, err := a.svc.CreateTeam(ctx, team); err != nil {
			return demoCreds{}, err
		}
		if member != "" {
			if _, err := a.svc.AddTeamMember(ctx, team, member); err != nil {
				return demoCreds{}, err
			}
		}
	}
	if err := seedLibrary(e, a); err != nil {
		return demoCreds{}, err
	}
	if err := seedCases(ctx, a, n); err != nil {
		return demoCreds{}, err
	}
	token, _, err := a.svc.CreateToken(ctx, "admin", "demo", false)
	return demoCreds{password: password, token: token}, err
}

// seedLibrary loads the starter library: templates first, as playbooks name them, then the
// articles the playbooks link to.
func seedLibrary(e *env, a *app) error {
	tpls, err := (&TemplateImportCmd{Starter: true}).inputs()
	if err != nil {
		return err
	}
	if _, err := a.svc.ImportTemplatesAsSystem(e.ctx, tpls); err != nil {
		return err
	}
	pbs, err := playbookSources("", true)
	if err != nil {
		return err
	}
	if _, err = a.svc.ImportPlaybooksAsSystem(e.ctx, pbs); err != nil {
		return err
	}
	arts, err := (&KBImportCmd{Starter: true}).inputs()
	if err != nil {
		return err
	}
	_, err = a.svc.ImportArticlesAsSystem(e.ctx, arts)
	return err
}

// seedCases creates n cases and moves some of them along the workflow.
func seedCases(ctx context.Context, a *app, n int) error {
	gen := sample.New(uint64(time.Now().UnixNano()))
	rnd := rand.New(rand.NewPCG(7, 11))
	teamOf := map[string]string{"ar": "mena", "es": "latam", "pt": "latam", "fr": "francophone"}
	for i := 0; i < n; i++ {
		s := gen.Next(0)
		c, err := a.svc.CreateCase(ctx, haven.CaseCreate{Title: s.Title, Summary: s.Summary,
			Priority: haven.Priority(s.Priority), Language: s.Language, Country: s.Country,
			Categories: []string{s.Category}, Tags: s.Tags, Team: teamOf[s.Language], Channel: "email",
			Requester: &haven.RequesterInput{Name: s.RequesterName, Email: s.RequesterEmail, Languages: []string{s.Language}}})
		if err != nil {
			return fmt.Errorf("demo case %d: %w", i, err)
		}
		for _, body := range s.Notes {
			if _, err := a.svc.AddNote(ctx, c.Number, haven.NoteCreate{Body: body}); err != nil {
				return err
			}
		}
		if err := advance(ctx, a, c, rnd); err != nil {
			return err
		}
	}
	return nil
}

// advance moves a demo case some way along new → triage → open → waiting → resolved → closed.
func advance(ctx context.Context, a *app, c *haven.Case, rnd *rand.Rand) error {
	path := []haven.Transition{{To: haven.StatusTriage}, {To: haven.StatusOpen},
		{To: haven.StatusWaitingRequester}, {To: haven.StatusResolved, Outcome: "resolved"},
		{To: haven.StatusClosed}}
	steps := rnd.IntN(len(path) + 1)
	if steps >= 2 {
		assignee := map[string]string{"mena": "amira", "latam": "lucas"}[c.Team]
		if assignee == "" {
			assignee = "fatou"
		}
		if _, err := a.svc.AssignCase(ctx, c.Number, assignee); err != nil {
			return err
		}
		if _, err := a.svc.AddTask(ctx, c.Number, haven.TaskCreate{Title: "Verify the requester through a trusted contact"}); err != nil {
			return err
		}
	}
	for _, t := range path[:steps] {
		if _, err := a.svc.TransitionCase(ctx, c.Number, t); err != nil {
			return err
		}
	}
	return nil
}
