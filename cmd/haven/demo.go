package main

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/auth"
	"github.com/haven-helpline/haven/keyring"
	"github.com/haven-helpline/haven/sample"
	"github.com/haven-helpline/haven/service"
)

// DemoCmd starts a server on a throwaway database full of realistic cases.
type DemoCmd struct {
	Listen string `name:"listen" env:"HAVEN_LISTEN" default:"127.0.0.1:8080" help:"Address to listen on."`
	Cases  int    `name:"cases" default:"120" help:"How many sample cases to create."`
	Keep   bool   `name:"keep" help:"Keep the temporary data directory when stopping."`
	Lang   string `name:"lang" default:"en" enum:"en,ar,es,fr,pt,ru" help:"Interface language of the demo accounts (en, ar, es, fr, pt or ru)."`
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
	// The demo's own key, made before the first start so that nobody is asked to back it up.
	if err := throwawayKey(&flags.DBFlags); err != nil {
		return err
	}
	a, err := flags.prepare(e)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	creds, err := seedDemo(e, a, demoSeed{cases: c.Cases, lang: c.Lang, seed: uint64(time.Now().UnixNano()), now: time.Now()})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return haven.Errorf(haven.EINVALID, "cannot listen on %s: %v", c.Listen, err)
	}
	keep := "deleted when the demo stops"
	if c.Keep {
		keep = "kept with --keep; still not for real data"
	}
	e.printf("\nHaven demo with %d sample cases at http://%s\n  data:     %s\n  master key: throwaway, made for this demo (%s): nothing to back up\n"+
		"  admin:    admin / %s\n  API token: %s\n"+
		"  try:      curl -H 'Authorization: Bearer %s' 'http://%s/api/v1/cases?sort=priority&limit=5'\n"+
		"Other accounts (same password): amira (handler, mena), lucas (handler, latam), fatou (lead), sam (auditor).\n"+
		"Every account opens in %s (--lang to change). Stop with Ctrl-C; the demo database is deleted unless --keep.\n\n",
		c.Cases, ln.Addr(), dir, keep, creds.password, creds.token, creds.token, ln.Addr(), c.Lang)
	return serve(e, a, ln, webOptions{})
}

// throwawayKey writes a fresh master key into the demo's data directory, unless the environment
// gives one (HAVEN_MASTER_KEY): the key lives and dies with the demo's database.
func throwawayKey(f *DBFlags) error {
	if os.Getenv(masterKeyEnv) != "" {
		return nil
	}
	encoded, err := keyring.GenerateMasterKey()
	if err != nil {
		return haven.Internal("master key", err)
	}
	f.MasterKeyFile = f.defaultKeyFile()
	if err := os.WriteFile(f.MasterKeyFile, []byte(encoded+"\n"), 0o600); err != nil {
		return haven.Internal("master key", err)
	}
	return nil
}

type demoCreds struct{ password, token string }

// demoSeed is what the demo is filled with: how many cases, the accounts' language, the random
// seed of the cases' contents, and the present (the cases are spread over the weeks before it).
type demoSeed struct {
	cases int
	lang  string
	seed  uint64
	now   time.Time
}

// demoWeeks is how far back the demo's history goes.
const demoWeeks = 6

// demoClock is the time the demo's history is written at: set before each step, so that cases,
// their events and their SLA clocks carry the past dates the service itself gives them.
type demoClock struct{ t time.Time }

func (c *demoClock) Now() time.Time { return c.t.UTC().Truncate(time.Microsecond) }

// seedDemo creates staff, teams and cases that look like a helpline's last weeks: the history is
// written through a service whose clock walks from demoWeeks ago to now.
func seedDemo(e *env, a *app, in demoSeed) (demoCreds, error) {
	password, err := auth.GeneratePassword()
	if err != nil {
		return demoCreds{}, haven.Internal("password", err)
	}
	clock := &demoClock{t: in.now.AddDate(0, 0, -7*demoWeeks-1)}
	past := service.New(a.db, clock, a.cfg)
	admin, err := past.CreateFirstAdmin(e.ctx, "admin", password)
	if err != nil {
		return demoCreds{}, err
	}
	ctx := haven.WithActor(e.ctx, haven.Actor{User: admin})
	if err := seedStaff(ctx, past, password, in.lang); err != nil {
		return demoCreds{}, err
	}
	if err := seedLibrary(e, &app{db: a.db, svc: past, cfg: a.cfg}); err != nil {
		return demoCreds{}, err
	}
	if err := seedCases(ctx, past, clock, in); err != nil {
		return demoCreds{}, err
	}
	token, _, err := a.svc.CreateToken(ctx, "admin", "demo", false)
	return demoCreds{password: password, token: token}, err
}

// seedStaff adds the demo's colleagues and teams; every account, the admin too, opens in lang.
func seedStaff(ctx context.Context, svc *service.Service, password, lang string) error {
	if _, err := svc.UpdateUser(ctx, "admin", haven.UserUpdate{Language: &lang}); err != nil {
		return err
	}
	staff := []haven.UserCreate{
		{Username: "amira", DisplayName: "Amira", Role: haven.RoleHandler},
		{Username: "lucas", DisplayName: "Lucas", Role: haven.RoleHandler},
		{Username: "fatou", DisplayName: "Fatou", Role: haven.RoleLead},
		{Username: "sam", DisplayName: "Sam", Role: haven.RoleAuditor},
	}
	for _, s := range staff {
		s.Password, s.Language = password, lang
		if _, err := svc.CreateUser(ctx, s); err != nil {
			return err
		}
	}
	for team, member := range map[string]string{"mena": "amira", "latam": "lucas", "francophone": "fatou", "global": ""} {
		if _, err := svc.CreateTeam(ctx, team); err != nil {
			return err
		}
		labels := demoTeamLabels[team]
		if _, err := svc.UpdateTeam(ctx, team, haven.TeamUpdate{Labels: &labels}); err != nil {
			return err
		}
		if member != "" {
			if _, err := svc.AddTeamMember(ctx, team, member); err != nil {
				return err
			}
		}
	}
	return nil
}

// demoTeamLabels name the demo's teams in each interface language.
var demoTeamLabels = map[string]map[string]string{
	"mena": {"en": "Middle East & North Africa", "ar": "الشرق الأوسط وشمال أفريقيا", "fr": "Moyen-Orient et Afrique du Nord",
		"es": "Oriente Medio y Norte de África", "pt": "Oriente Médio e Norte da África", "ru": "Ближний Восток и Северная Африка"},
	"latam": {"en": "Latin America", "ar": "أمريكا اللاتينية", "fr": "Amérique latine", "es": "América Latina", "pt": "América Latina",
		"ru": "Латинская Америка"},
	"francophone": {"en": "French-speaking", "ar": "الفرنكوفونية", "fr": "Francophonie", "es": "Francófonos", "pt": "Francófonos",
		"ru": "Франкоязычные страны"},
	"global": {"en": "Global", "ar": "عالمي", "fr": "Monde", "es": "Global", "pt": "Global", "ru": "Весь мир"},
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

// demoStep is one thing that happens to a demo case, at its time.
type demoStep struct {
	at time.Time
	do func(ctx context.Context, svc *service.Service) error
}

// seedCases creates the cases at ages spread over the last weeks and moves each some way along
// the workflow, every step some hours after the one before; steps that would fall in the future
// do not happen, so the newest cases are the least advanced, and the oldest still open are past
// their SLA targets. All steps run in time order, as they would have.
func seedCases(ctx context.Context, svc *service.Service, clock *demoClock, in demoSeed) error {
	gen := sample.New(in.seed)
	rnd := rand.New(rand.NewPCG(in.seed, 11))
	span := time.Duration(demoWeeks) * 7 * 24 * time.Hour
	ages := make([]time.Duration, in.cases)
	for i := range ages {
		ages[i] = time.Hour + time.Duration(rnd.Int64N(int64(span-time.Hour)))
	}
	slices.SortFunc(ages, func(x, y time.Duration) int { return cmp.Compare(y, x) }) // the oldest gets the first number
	var steps []demoStep
	for i, age := range ages {
		steps = append(steps, caseSteps(gen.Next(0), fmt.Sprint("demo case ", i), in.now.Add(-age), in.now, rnd)...)
	}
	slices.SortStableFunc(steps, func(x, y demoStep) int { return x.at.Compare(y.at) })
	for _, st := range steps {
		clock.t = st.at
		if err := st.do(ctx, svc); err != nil {
			return err
		}
	}
	clock.t = in.now
	return nil
}

// caseSteps is the history of one demo case created at created: its notes, and how far it moves
// along new → triage → open → waiting → resolved → closed before now.
func caseSteps(s sample.Case, label string, created, now time.Time, rnd *rand.Rand) []demoStep {
	var c *haven.Case
	at := created
	steps := []demoStep{{at: at, do: func(ctx context.Context, svc *service.Service) (err error) {
		c, err = svc.CreateCase(ctx, haven.CaseCreate{Title: s.Title, Summary: s.Summary,
			Priority: haven.Priority(s.Priority), Language: s.Language, Country: s.Country,
			Categories: []string{s.Category}, Tags: s.Tags, Team: demoTeams[s.Language], Channel: "email",
			Requester: &haven.RequesterInput{Name: s.RequesterName, Email: s.RequesterEmail, Languages: []string{s.Language}}})
		if err != nil {
			return fmt.Errorf("%s: %w", label, err)
		}
		return nil
	}}}
	later := func(minHours, maxHours int) time.Time {
		at = at.Add(time.Duration(minHours)*time.Hour + time.Duration(rnd.Int64N(int64(maxHours-minHours)*int64(time.Hour))))
		return at
	}
	for _, body := range s.Notes {
		steps = append(steps, demoStep{at: later(0, 2), do: func(ctx context.Context, svc *service.Service) error {
			_, err := svc.AddNote(ctx, c.Number, haven.NoteCreate{Body: body})
			return err
		}})
	}
	for _, st := range workflowSteps(rnd, &c, later) {
		if !st.at.Before(now) {
			break // not yet
		}
		steps = append(steps, st)
	}
	return steps
}

// demoTeams is the team of a case in each language (others have none).
var demoTeams = map[string]string{"ar": "mena", "es": "latam", "pt": "latam", "fr": "francophone"}

// workflowSteps are a case's moves, most of them to closed, the others stopping on the way; the
// one into open comes with its assignment, a task and, mostly, a first reply.
func workflowSteps(rnd *rand.Rand, c **haven.Case, later func(minHours, maxHours int) time.Time) []demoStep {
	move := func(t haven.Transition) func(ctx context.Context, svc *service.Service) error {
		return func(ctx context.Context, svc *service.Service) error {
			_, err := svc.TransitionCase(ctx, (*c).Number, t)
			return err
		}
	}
	n := 5
	if rnd.IntN(100) < 45 {
		n = rnd.IntN(5)
	}
	replies := rnd.IntN(100) < 75
	all := []demoStep{
		{at: later(0, 8), do: move(haven.Transition{To: haven.StatusTriage})},
		{at: later(1, 30), do: func(ctx context.Context, svc *service.Service) error {
			return openDemoCase(ctx, svc, *c, replies)
		}},
		{at: later(2, 72), do: move(haven.Transition{To: haven.StatusWaitingRequester})},
		{at: later(24, 10*24), do: move(haven.Transition{To: haven.StatusResolved, Outcome: "resolved"})},
		{at: later(24, 4*24), do: move(haven.Transition{To: haven.StatusClosed})},
	}
	return all[:n]
}

// openDemoCase assigns a triaged case within its team, adds a task, answers the requester (unless
// reply is false: that case's first-response clock runs on) and opens it.
func openDemoCase(ctx context.Context, svc *service.Service, c *haven.Case, reply bool) error {
	assignee := map[string]string{"mena": "amira", "latam": "lucas"}[c.Team]
	if assignee == "" {
		assignee = "fatou"
	}
	if _, err := svc.AssignCase(ctx, c.Number, assignee); err != nil {
		return err
	}
	if _, err := svc.AddTask(ctx, c.Number, haven.TaskCreate{Title: "Verify the requester through a trusted contact"}); err != nil {
		return err
	}
	if reply {
		if _, err := svc.AddMessage(ctx, c.Number, haven.MessageCreate{Direction: haven.Outbound, Channel: "email",
			Text: "Thank you for writing to us. A member of our team is looking into this and will be in touch shortly."}); err != nil {
			return err
		}
	}
	_, err := svc.TransitionCase(ctx, c.Number, haven.Transition{To: haven.StatusOpen})
	return err
}
