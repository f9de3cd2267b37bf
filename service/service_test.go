package service_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/service"
	"github.com/haven-helpline/haven/sqldb"
	"github.com/haven-helpline/haven/testenv"
)

// fixedClock lets tests control "now".
type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }

type fixture struct {
	svc   *service.Service
	clock *fixedClock
	admin context.Context
	users map[string]context.Context
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureConfig(t, service.DefaultConfig())
}

// newFixtureConfig is newFixture with a service configured by cfg.
func newFixtureConfig(t *testing.T, cfg service.Config) *fixture {
	t.Helper()
	return newFixtureOn(t, filepath.Join(t.TempDir(), "h.db"), cfg)
}

// forEachFixture runs fn on a fixture over SQLite and over PostgreSQL.
func forEachFixture(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newFixture(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, newFixtureOn(t, testenv.Postgres(t), service.DefaultConfig())) })
}

// newFixtureOn is a fixture over the database at dsn.
func newFixtureOn(t *testing.T, dsn string, cfg service.Config) *fixture {
	t.Helper()
	db := openTestDB(t, dsn)
	return fixtureOver(t, db, cfg)
}

// openTestDB opens the database at dsn, migrated and unlocked, for the test.
func openTestDB(t *testing.T, dsn string) *sqldb.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx, func() int64 { return 0 }); err != nil {
		t.Fatal(err)
	}
	unlock(t, db)
	return db
}

// fixtureOver is the fixture's service and staff over an open, migrated database.
func fixtureOver(t *testing.T, db *sqldb.DB, cfg service.Config) *fixture {
	t.Helper()
	ctx := context.Background()
	clock := &fixedClock{t: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)}
	svc := service.New(db, clock, cfg)
	admin, err := svc.CreateFirstAdmin(ctx, "admin", "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{svc: svc, clock: clock, admin: as(admin, false), users: map[string]context.Context{}}
	for _, u := range []struct {
		name string
		role haven.Role
		team string
	}{{"amira", haven.RoleHandler, "mena"}, {"lucas", haven.RoleHandler, "latam"}, {"fatou", haven.RoleLead, ""}, {"sam", haven.RoleAuditor, ""}} {
		created, err := svc.CreateUser(f.admin, haven.UserCreate{Username: u.name, Role: u.role, Password: "a long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		if u.team != "" {
			if _, err := svc.CreateTeam(f.admin, u.team); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.AddTeamMember(f.admin, u.team, u.name); err != nil {
				t.Fatal(err)
			}
			created.Teams = []string{u.team}
		}
		f.users[u.name] = as(created, false)
	}
	return f
}

// unlock gives the database a fresh master key.
func unlock(t testing.TB, db *sqldb.DB) {
	t.Helper()
	if err := db.Unlock(context.Background(), testenv.Keyring(t)); err != nil {
		t.Fatal(err)
	}
}

func as(u *haven.User, readOnly bool) context.Context {
	return haven.WithActor(context.Background(), haven.Actor{User: u, ReadOnly: readOnly})
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if haven.ErrorCode(err) != code {
		t.Fatalf("want %q, got %v", code, err)
	}
}

func TestCreateCaseReusesRequesterAndRecordsEvents(t *testing.T) {
	f := newFixture(t)
	in := haven.CaseCreate{Title: "Hacked account", Priority: "P1", Team: "mena", Categories: []string{"account-compromise"},
		Requester: &haven.RequesterInput{Name: "Nour", Email: "nour@example.org"}}
	c1, err := f.svc.CreateCase(f.users["amira"], in)
	if err != nil {
		t.Fatal(err)
	}
	in.Requester.Email = "NOUR@example.org"
	in.Title = "Second incident"
	c2, err := f.svc.CreateCase(f.users["amira"], in)
	if err != nil {
		t.Fatal(err)
	}
	if c1.RequesterID == 0 || c1.RequesterID != c2.RequesterID || c1.Number == c2.Number {
		t.Fatalf("requester %d vs %d, numbers %s %s", c1.RequesterID, c2.RequesterID, c1.Number, c2.Number)
	}
	if c1.FirstResponseDue == nil || !c1.FirstResponseDue.Equal(f.clock.t.Add(15*time.Minute)) {
		t.Fatalf("P1 first response due = %v", c1.FirstResponseDue)
	}
	reports, err := f.svc.Reports(f.users["sam"], c1.Number)
	if err != nil || len(reports) != 1 || reports[0].Channel != "api" {
		t.Fatalf("reports %+v %v", reports, err)
	}
	if _, err := f.svc.AddNote(f.users["amira"], c1.Number, haven.NoteCreate{Body: "Called back on Signal"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.TransitionCase(f.users["amira"], c1.Number, haven.Transition{To: haven.StatusOpen}); err != nil {
		t.Fatal(err)
	}
	tl, err := f.svc.Timeline(f.users["sam"], c1.Number)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range tl {
		actions = append(actions, e.Event.Action)
	}
	// A P1 case pages on-call at once (alert.triggered).
	if strings.Join(actions, ",") != "case.created,alert.triggered,note.added,case.transitioned" || tl[2].Note == nil || tl[2].Note.Body != "Called back on Signal" {
		t.Fatalf("timeline %v", actions)
	}
}

func TestAuthorization(t *testing.T) {
	f := newFixture(t)
	c, err := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "MENA case", Team: "mena", Assignee: "amira"})
	if err != nil {
		t.Fatal(err)
	}
	open := haven.Transition{To: haven.StatusTriage}
	note := haven.NoteCreate{Body: "x"}
	// lucas (other team) can read but not change; sam (auditor) reads only; a read-only token too.
	if _, err := f.svc.Case(f.users["lucas"], c.Number); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.TransitionCase(f.users["lucas"], c.Number, open)
	wantCode(t, err, haven.EFORBIDDEN)
	_, err = f.svc.AddNote(f.users["sam"], c.Number, note)
	wantCode(t, err, haven.EFORBIDDEN)
	amiraRO := haven.WithActor(context.Background(), haven.Actor{User: mustUser(t, f, "amira"), ReadOnly: true})
	_, err = f.svc.AddNote(amiraRO, c.Number, note)
	wantCode(t, err, haven.EFORBIDDEN)
	_, err = f.svc.Case(context.Background(), c.Number)
	wantCode(t, err, haven.EUNAUTHORIZED)
	// Handlers cannot take a colleague's case; a lead can reassign.
	omar, err := f.svc.CreateUser(f.admin, haven.UserCreate{Username: "omar", Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddTeamMember(f.admin, "mena", "omar"); err != nil {
		t.Fatal(err)
	}
	omar.Teams = []string{"mena"}
	_, err = f.svc.AssignCase(as(omar, false), c.Number, "omar")
	wantCode(t, err, haven.EFORBIDDEN)
	if got, err := f.svc.AssignCase(f.users["fatou"], c.Number, "omar"); err != nil || got.Assignee != "omar" {
		t.Fatalf("lead reassign: %v", err)
	}
	// Only admins manage users.
	_, err = f.svc.CreateUser(f.users["fatou"], haven.UserCreate{Username: "x", Password: "a long enough password"})
	wantCode(t, err, haven.EFORBIDDEN)
	// Failed changes leave no event behind.
	tl, _ := f.svc.Timeline(f.users["sam"], c.Number)
	if len(tl) != 2 {
		t.Fatalf("timeline has %d events, want 2 (created, reassigned)", len(tl))
	}
}

func mustUser(t *testing.T, f *fixture, name string) *haven.User {
	u, err := f.svc.User(f.admin, name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestTransitionErrorsAndUpdate(t *testing.T) {
	f := newFixture(t)
	c, err := f.svc.CreateCase(f.admin, haven.CaseCreate{Title: "t"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.TransitionCase(f.admin, c.Number, haven.Transition{To: haven.StatusResolved})
	wantCode(t, err, haven.ECONFLICT)
	if he := haven.AsError(err); len(he.Allowed) == 0 {
		t.Fatal("409 must list the allowed statuses")
	}
	stale := c.Version
	title := "new title"
	if _, err := f.svc.UpdateCase(f.admin, c.Number, haven.CaseUpdate{Title: &title, Version: &stale}); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.UpdateCase(f.admin, c.Number, haven.CaseUpdate{Title: &title, Version: &stale})
	wantCode(t, err, haven.ECONFLICT)
	bad := "nobody"
	_, err = f.svc.UpdateCase(f.admin, c.Number, haven.CaseUpdate{Assignee: &bad})
	wantCode(t, err, haven.EINVALID)
	_, err = f.svc.Case(f.admin, "HV-2026-999999")
	wantCode(t, err, haven.ENOTFOUND)
	_, err = f.svc.Case(f.admin, "'; DROP TABLE cases; --")
	wantCode(t, err, haven.ENOTFOUND)
}

func TestMergeRequesters(t *testing.T) {
	f := newFixture(t)
	a, err := f.svc.CreateRequester(f.users["amira"], haven.RequesterInput{Name: "Layla", Email: "layla@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.svc.CreateRequester(f.users["amira"], haven.RequesterInput{Pseudonym: "sparrow", Contacts: []haven.Contact{{Kind: "signal", Value: "+20 100 000 0000"}}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "b's case", RequesterID: b.ID})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.MergeRequesters(f.users["amira"], a.ID, b.ID)
	wantCode(t, err, haven.EFORBIDDEN)
	merged, err := f.svc.MergeRequesters(f.users["fatou"], a.ID, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if merged.Pseudonym != "sparrow" || len(merged.Contacts) != 2 {
		t.Fatalf("merged %+v", merged)
	}
	got, _ := f.svc.Case(f.admin, c.Number)
	if got.RequesterID != a.ID {
		t.Fatalf("case still on requester %d", got.RequesterID)
	}
	page, _ := f.svc.Requesters(f.admin, haven.RequesterFilter{})
	if len(page.Items) != 1 {
		t.Fatalf("merged requester still listed: %d", len(page.Items))
	}
}

func TestLoginAndTokens(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.svc.Login(ctx, haven.Credentials{Username: "admin", Password: "wrong"}); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
		t.Fatalf("wrong password: %v", err)
	}
	res, err := f.svc.Login(ctx, haven.Credentials{Username: "ADMIN ", Password: "correct horse battery staple"})
	if err != nil || res.User.Username != "admin" {
		t.Fatal(err)
	}
	tok := res.Token
	if a, err := f.svc.SessionActor(ctx, tok); err != nil || a.User.Username != "admin" {
		t.Fatal(err)
	}
	f.clock.t = f.clock.t.Add(13 * time.Hour)
	if _, err := f.svc.SessionActor(ctx, tok); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
		t.Fatal("expired session accepted")
	}
	api, _, err := f.svc.CreateTokenAsSystem(ctx, "lucas", "cli", true)
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.svc.TokenActor(ctx, api)
	if err != nil || !a.ReadOnly || a.User.Username != "lucas" {
		t.Fatalf("token actor %+v %v", a, err)
	}
	disabled := true
	if _, err := f.svc.UpdateUser(f.admin, "lucas", haven.UserUpdate{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.TokenActor(ctx, api); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
		t.Fatal("disabled user's token still works")
	}
	if _, err := f.svc.CreateFirstAdmin(ctx, "second", "another long password"); haven.ErrorCode(err) != haven.ECONFLICT {
		t.Fatal("first-admin bootstrap must refuse when users exist")
	}
}

func TestAuditTrailAccess(t *testing.T) {
	f := newFixture(t)
	r, err := f.svc.CreateRequester(f.users["amira"], haven.RequesterInput{Name: "Salma", Email: "salma@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Requester(f.users["lucas"], r.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.AuditEvents(f.users["lucas"], haven.EventFilter{})
	wantCode(t, err, haven.EFORBIDDEN)
	page, err := f.svc.AuditEvents(f.users["sam"], haven.EventFilter{Action: "requester."})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range page.Items {
		actions = append(actions, e.Actor+":"+e.Action)
	}
	if strings.Join(actions, ",") != "lucas:requester.viewed,amira:requester.created" {
		t.Fatalf("requester events, newest first: %v", actions)
	}
	if page, _ := f.svc.AuditEvents(f.users["sam"], haven.EventFilter{Action: "audit.read"}); len(page.Items) != 1 {
		t.Fatal("reading the audit trail must itself be recorded")
	}
	_, err = f.svc.AuditEvents(f.users["sam"], haven.EventFilter{Limit: 9999})
	wantCode(t, err, haven.EINVALID)
}
