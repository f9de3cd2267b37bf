package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/testenv"
	"github.com/haven-helpline/haven/web"
)

// TestAuthorizationMatrix calls every authenticated route as every role, against a real service
// and database, and checks the need-to-know and read-only rules of docs/security.md:
//
//	(a) a non-member gets 404 for every route naming a restricted case, and no answer (body or
//	    header) to a non-member ever contains a marker of the restricted case: its title, note,
//	    message, requester, report or an event's detail;
//	(b) an auditor or a read-only token never gets 2xx on POST/PATCH/DELETE (the exceptions the
//	    service allows on purpose are listed in matrixWriteExempt);
//	(c) non-admins get 403 on admin-only routes;
//	(d) a compartment member reads the restricted case, its timeline, notes and messages.
//
// The actors: a handler in the cases' team and one outside it, a compartment member, a lead, an
// admin, an auditor and a read-only token. Break-glass by a lead or admin (which legitimately
// opens the case) is checked last: the holder reads every route naming the case and may change
// nothing of who sees it. The email path is an actor too: TestSMTPSenderAsActor and
// TestNeedToKnowProbes.
func TestAuthorizationMatrix(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { runMatrix(t, filepath.Join(t.TempDir(), "h.db")) })
	t.Run("postgres", func(t *testing.T) { runMatrix(t, testenv.Postgres(t)) })
}

// Markers are unique words planted in the fixtures; a restricted one must never reach a
// non-member.
const (
	mkOpenTitle   = "zqopentitle"
	mkOpenNote    = "zqopennote"
	mkOpenMessage = "zqopenmessage"
	mkOpenPerson  = "Zqopenperson"
	mkRestTitle   = "zqsecrettitle"
	mkRestNote    = "zqsecretnote"
	mkRestMessage = "zqsecretmessage"
	mkRestPerson  = "Zqsecretperson"
	mkRestReport  = "zqsecretreport"
	mkRestReason  = "zqsecretreason"
	// Observables: a URL seen only in each case, and a domain both cases sighted.
	mkOpenObs   = "zqopenobs"
	mkRestObs   = "zqsecretobs"
	mkSharedObs = "zqsharedobs"
)

// adminRefusedByDesign are writes an admin is refused on purpose: joining or changing a
// compartment it is not a member of (only members may; see docs/security.md).
var adminRefusedByDesign = map[string]bool{
	"POST /api/v1/compartments/{name}/members":              true,
	"DELETE /api/v1/compartments/{name}/members/{username}": true,
}

// matrixPlaybook has a task and a decision, so that applying it and answering it both succeed.
const matrixPlaybook = `name: matrix-pb
title: {en: "Matrix"}
languages: [en]
start: [check, ask]
steps:
  - id: check
    text: {en: "Check"}
  - id: ask
    question: {en: "Go on?"}
    answers:
      - id: "yes"
        text: {en: "Yes"}
        steps: [more]
      - id: "no"
        text: {en: "No"}
        steps: []
  - id: more
    text: {en: "More"}
`

// ghostCase is a valid case number that names no case.
const ghostCase = "HV-2001-999999"

// restrictedMarkers are scanned for in every body a non-member receives.
var restrictedMarkers = map[string]string{"title": mkRestTitle, "note": mkRestNote, "message": mkRestMessage, "requester": mkRestPerson,
	"report": mkRestReport, "event detail": mkRestReason, "observable": mkRestObs}

// adminOnly are the routes only an admin may use (rule c).
var adminOnly = map[string]bool{
	"POST /api/v1/users":                             true,
	"PATCH /api/v1/users/{username}":                 true,
	"POST /api/v1/teams":                             true,
	"PATCH /api/v1/teams/{name}":                     true,
	"POST /api/v1/teams/{name}/members":              true,
	"DELETE /api/v1/teams/{name}/members/{username}": true,
	"POST /api/v1/compartments":                      true,
	"PUT /api/v1/retention/{category}":               true,
	"PUT /api/v1/settings/two-factor":                true,
	"POST /api/v1/users/{username}/reset-password":   true,
	"POST /api/v1/calendars":                         true,
	"PUT /api/v1/settings/sla":                       true,
	"PUT /api/v1/allowlist":                          true,
	"PUT /api/v1/settings/public-statistics":         true,
	"PUT /api/v1/settings/report-schedule":           true,
}

// matrixReads are POST routes that change nothing (rendering a template is a read), allowed to
// auditors and read-only tokens like a GET.
// Saying one is on a case's page records only that (no case data, no event), as reading it does.
var matrixReads = map[string]bool{"POST /api/v1/cases/{number}/render-template": true,
	"POST /api/v1/cases/{number}/presence": true}

// matrixWriteExempt are state-changing routes where an auditor may succeed by design (rule b):
// every role may create its own tokens (CreateToken only needs a reader; a read-only token
// creates none at all) and end its own credentials
// (credentialsActor: "taking access away is always allowed", but not through a read-only token).
// Securing one's own account with a second factor is also allowed to every role.
var matrixWriteExempt = map[string]bool{
	"POST /api/v1/tokens":                     true,
	"DELETE /api/v1/tokens/{id}":              true,
	"POST /api/v1/account/two-factor":         true,
	"POST /api/v1/account/two-factor/confirm": true,
	"POST /api/v1/notifications/read":         true,
	// Everyone chooses which of their own notifications are emailed (not through a read-only token).
	"PUT /api/v1/account/notification-preferences": true,
	// Everyone keeps their own paging channels (not through a read-only token).
	"POST /api/v1/account/channels":             true,
	"POST /api/v1/account/channels/{id}/verify": true,
	"DELETE /api/v1/account/channels/{id}":      true,
	"POST /api/v1/account/channels/{id}/test":   true,
	// Everyone keeps their own name, language and password (writerOrAuditor; not read-only).
	"PATCH /api/v1/me": true,
}

type matrixActor struct {
	name     string // label in failures
	username string
	token    string
	member   bool // of compartment child-safety
	readOnly bool
	role     haven.Role
}

type matrixFixture struct {
	t                  *testing.T
	a                  *app
	ctx                context.Context // acting as the admin
	base               string
	open, rest         string // case numbers
	openTask, restTask int64
	openReq, restReq   int64
	report             int64
	template           int64
	plan               int64
	openEsc, restEsc   int64 // escalations on each case
	openAlert          int64 // alerts on each case
	restAlert          int64
	openObs, restObs   int64 // observables each case alone sighted
	sharedObs          int64 // one both cases sighted
	campaign, actor    int64 // a campaign both cases are under, and its actor
	seq                int
}

func (f *matrixFixture) unique(prefix string) string {
	f.seq++
	return fmt.Sprintf("%s%d", prefix, f.seq)
}

// startMatrix mirrors startAPI but keeps the *app so that the fixtures are made through the service.
func startMatrix(t *testing.T, dsn string) (*matrixFixture, []matrixActor) {
	t.Helper()
	e := &env{ctx: context.Background(), stdout: io.Discard, stderr: io.Discard, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	cmd := ServeCmd{DBFlags: DBFlags{DB: dsn, Data: t.TempDir()}}
	a, err := cmd.prepare(e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	adminUser, err := a.svc.CreateFirstAdmin(e.ctx, "admin", matrixPassword("admin"))
	must(err)
	ctx := haven.WithActor(e.ctx, haven.Actor{User: adminUser})
	users := map[string]*haven.User{"admin": adminUser}
	for _, u := range []struct {
		name string
		role haven.Role
	}{{"hana", haven.RoleHandler}, {"insider", haven.RoleHandler}, {"lena", haven.RoleLead}, {"sam", haven.RoleAuditor}, {"bystander", haven.RoleHandler}, {"rami", haven.RoleHandler}} {
		users[u.name], err = a.svc.CreateUser(ctx, haven.UserCreate{Username: u.name, Role: u.role, Password: matrixPassword(u.name)})
		must(err)
	}
	for _, team := range []string{"mena", "scratch"} {
		_, err = a.svc.CreateTeam(ctx, team)
		must(err)
	}
	for _, m := range [][2]string{{"mena", "hana"}, {"mena", "insider"}, {"mena", "lena"}, {"scratch", "bystander"}, {"scratch", "rami"}} {
		_, err = a.svc.AddTeamMember(ctx, m[0], m[1])
		must(err)
	}
	_, err = a.svc.AddCompartmentMemberAsSystem(e.ctx, "child-safety", "insider")
	must(err)
	_, err = a.svc.AddCompartmentMemberAsSystem(e.ctx, "scratch-comp", "bystander")
	must(err)

	token := func(user string, ro bool) string {
		tok, _, err := a.svc.CreateTokenAsSystem(e.ctx, user, "matrix", ro)
		must(err)
		return tok
	}
	actors := []matrixActor{
		{name: "read-only(handler)", username: "hana", token: token("hana", true), readOnly: true, role: haven.RoleHandler},
		{name: "auditor", username: "sam", token: token("sam", false), role: haven.RoleAuditor},
		{name: "handler", username: "hana", token: token("hana", false), role: haven.RoleHandler},
		{name: "insider", username: "insider", token: token("insider", false), member: true, role: haven.RoleHandler},
		{name: "lead", username: "lena", token: token("lena", false), role: haven.RoleLead},
		{name: "admin", username: "admin", token: token("admin", false), role: haven.RoleAdmin},
		// A handler of another team, whom no route of the matrix names.
		{name: "outsider", username: "rami", token: token("rami", false), role: haven.RoleHandler},
	}

	f := &matrixFixture{t: t, a: a, ctx: ctx}
	// Both cases belong to team mena, so only the compartment keeps the handler out of the
	// restricted one. The insider creates it (a handler may only use a compartment they are in).
	insiderUser, err := a.svc.User(ctx, "insider") // reloaded: now with its team
	must(err)
	insiderCtx := haven.WithActor(e.ctx, haven.Actor{User: insiderUser})
	mk := func(ctx context.Context, title, person, note, message, compartment string) (string, int64, int64) {
		c, err := a.svc.CreateCase(ctx, haven.CaseCreate{Title: "Case " + title, Team: "mena", Compartment: compartment,
			Tags: []string{"matrix"}, Requester: &haven.RequesterInput{Name: person}})
		must(err)
		_, err = a.svc.AddNote(ctx, c.Number, haven.NoteCreate{Body: "note " + note})
		must(err)
		_, err = a.svc.AddMessage(ctx, c.Number, haven.MessageCreate{Direction: haven.Outbound, Channel: "email",
			To: []string{"someone@example.org"}, Subject: "re " + message, Text: "text " + message})
		must(err)
		task, err := a.svc.AddTask(ctx, c.Number, haven.TaskCreate{Title: "task"})
		must(err)
		return c.Number, task.ID, c.RequesterID
	}
	f.open, f.openTask, f.openReq = mk(ctx, mkOpenTitle, mkOpenPerson, mkOpenNote, mkOpenMessage, "")
	f.rest, f.restTask, f.restReq = mk(insiderCtx, mkRestTitle, mkRestPerson, mkRestNote, mkRestMessage, "child-safety")
	rep, err := a.svc.CreateReport(ctx, haven.ReportCreate{Channel: "email", Raw: "From: a@example.org\r\n\r\nhello"})
	must(err)
	f.report = rep.ID
	tpl, err := a.svc.CreateTemplate(ctx, haven.TemplateInput{Name: "matrix", Variants: map[string]haven.TemplateVariant{"en": {Body: "Hello {requester_name}"}}})
	must(err)
	f.template = tpl.ID
	_, _, err = a.svc.SavePlaybook(ctx, matrixPlaybook)
	must(err)
	plan, err := a.svc.ProposePlan(ctx, f.open, haven.PlanInput{Tasks: []int64{f.openTask}})
	must(err)
	f.plan = plan.ID
	_, err = a.svc.CreateArticle(ctx, haven.ArticleInput{Slug: "matrix-kb", State: haven.ArticlePublished,
		Variants: map[string]haven.ArticleVariant{"en": {Title: "Matrix", Body: "Policy."}}})
	must(err)
	esc := func(ctx context.Context, number, text string) int64 {
		e, err := a.svc.CreateEscalation(ctx, number, haven.EscalationCreate{Platform: "instagram", Kind: "impersonation",
			Channel: "web-form", Subject: "escalation " + text, Body: "escalation " + text})
		must(err)
		return e.ID
	}
	f.openEsc, f.restEsc = esc(ctx, f.open, mkOpenMessage), esc(insiderCtx, f.rest, mkRestMessage)
	f.openAlert, f.restAlert = matrixOnCall(t, a, ctx, insiderCtx, f.open, f.rest)
	// The restricted case also has a report and an event with free text (its detail).
	secret, err := a.svc.CreateReport(insiderCtx, haven.ReportCreate{Channel: "email", DedupeKey: "mid:<" + mkRestReport + "@example.org>",
		Raw: "From: x@example.org\r\n\r\n" + mkRestReport})
	must(err)
	_, err = a.svc.LinkReport(insiderCtx, secret.ID, f.rest)
	must(err)
	_, err = a.svc.TransitionCase(insiderCtx, f.rest, haven.Transition{To: haven.StatusTriage, Reason: mkRestReason})
	must(err)
	matrixIntel(t, a, f, ctx, insiderCtx)
	// The open case is linked to the restricted one: only a member may see it listed there.
	_, err = a.svc.LinkCases(insiderCtx, f.open, f.rest)
	must(err)

	srv := httptest.NewServer(newServer(e, a, webOptions{}).Handler())
	t.Cleanup(srv.Close)
	f.base = srv.URL
	return f, actors
}

// linkTarget is a fresh case for the link routes to name (for unlinking, one the admin linked to
// number when the admin may), so that no call finds a link already made.
func (f *matrixFixture) linkTarget(key, number string) string {
	if !strings.Contains(key, "/links") && !strings.HasSuffix(key, "/duplicate") {
		return ""
	}
	c, err := f.a.svc.CreateCase(f.ctx, haven.CaseCreate{Title: "matrix " + f.unique("link")})
	if err != nil {
		f.t.Fatal(err)
	}
	if strings.HasPrefix(key, "DELETE ") {
		_, _ = f.a.svc.LinkCases(f.ctx, number, c.Number) // refused on a case the admin may not see
	}
	return c.Number
}

// matrixPassword is the password of a matrix user (setting up a second factor asks for it).
func matrixPassword(username string) string { return "a long password for " + username }

// request is one call of the matrix: the route, the case it names ("" for none) and the call.
type request struct {
	key    string // "METHOD pattern"
	method string
	path   string
	body   any
	rest   bool // names the restricted case
}

// build fills in a route's path and body for one actor. number is the case to name, if any.
func (f *matrixFixture) build(rt web.Route, number string, who matrixActor) request {
	key := rt.Method + " " + rt.Pattern
	task, req := f.openTask, f.openReq
	if number == f.rest {
		task = f.restTask
	}
	// The requester routes run for both requesters: the one known only through the restricted
	// case is as confidential as that case (404 to outsiders, its cases never listed).
	if number == f.rest {
		req = f.restReq
	}
	id := ""
	switch {
	case strings.HasPrefix(rt.Pattern, "/api/v1/cases/{number}/tasks/"):
		id = fmt.Sprint(task)
	case strings.HasPrefix(rt.Pattern, "/api/v1/requesters/"):
		id = fmt.Sprint(req)
	case strings.HasPrefix(rt.Pattern, "/api/v1/cases/{number}/plans/"):
		id = fmt.Sprint(f.plan)
	case strings.HasPrefix(rt.Pattern, "/api/v1/templates/"):
		id = fmt.Sprint(f.template)
	case strings.HasPrefix(rt.Pattern, "/api/v1/alerts/"):
		id = map[string]string{f.open: fmt.Sprint(f.openAlert), f.rest: fmt.Sprint(f.restAlert)}[number]
		if id == "" {
			id = "999999"
		}
	case strings.HasPrefix(rt.Pattern, "/api/v1/escalations/"):
		id = map[string]string{f.open: fmt.Sprint(f.openEsc), f.rest: fmt.Sprint(f.restEsc)}[number]
		if id == "" {
			id = "999999" // the ghost case's: none
		}
	case strings.HasPrefix(rt.Pattern, "/api/v1/observables/"):
		id = map[string]string{f.open: fmt.Sprint(f.openObs), f.rest: fmt.Sprint(f.restObs)}[number]
		if id == "" {
			id = "999999"
		}
	case strings.HasPrefix(rt.Pattern, "/api/v1/campaigns/"):
		id = fmt.Sprint(f.campaign)
	case strings.HasPrefix(rt.Pattern, "/api/v1/actors/"):
		id = fmt.Sprint(f.actor)
	case strings.HasPrefix(rt.Pattern, "/api/v1/account/channels/"):
		id = fmt.Sprint(f.ownChannel(who))
	case rt.Pattern == "/api/v1/tokens/{id}":
		// A fresh token of the caller's own user: the subtle case for auditors and read-only tokens.
		_, info, err := f.a.svc.CreateTokenAsSystem(context.Background(), who.username, "throwaway", false)
		if err != nil {
			f.t.Fatal(err)
		}
		id = fmt.Sprint(info.ID)
	}
	name, username := "mena", "bystander"
	switch {
	case strings.HasPrefix(rt.Pattern, "/api/v1/teams/") && rt.Method == "DELETE":
		name = "scratch"
	case strings.HasPrefix(rt.Pattern, "/api/v1/compartments/"):
		name = "scratch-comp" // never child-safety: adding a member there would open the case
	case strings.HasPrefix(rt.Pattern, "/api/v1/playbooks/"):
		name = "matrix-pb"
	case strings.HasPrefix(rt.Pattern, "/api/v1/schedules/"):
		name = "matrix-oncall"
	case strings.HasPrefix(rt.Pattern, "/api/v1/escalation-policies/"):
		name = "default"
	}
	other := f.linkTarget(key, number)
	path := strings.NewReplacer("{number}", number, "{id}", id, "{name}", name, "{username}", username, "{category}", "phishing", "{slug}", "matrix-kb",
		"{other}", other).Replace(rt.Pattern)

	var body any
	switch key {
	case "POST /api/v1/cases":
		body = map[string]any{"title": "matrix " + f.unique("case")}
	case "PATCH /api/v1/cases/{number}":
		body = map[string]any{"priority": "P2"}
	case "POST /api/v1/cases/{number}/assign":
		body = map[string]any{"assignee": "bystander"} // not an actor: assigning must not open the case to one
	case "POST /api/v1/cases/{number}/transitions":
		body = map[string]any{"to": "triage"}
	case "POST /api/v1/cases/{number}/links":
		body = map[string]any{"case": other}
	case "POST /api/v1/cases/{number}/duplicate":
		// A throwaway case without the fixture's requester: refused (409) after every check of
		// who may, so that nothing of the fixtures moves.
		body = map[string]any{"of": other}
	case "POST /api/v1/cases/{number}/notes":
		body = map[string]any{"body": "matrix note"}
	case "POST /api/v1/cases/{number}/presence":
		body = map[string]any{"state": "viewing"}
	case "POST /api/v1/cases/{number}/tasks":
		body = map[string]any{"title": "matrix task"}
	case "PATCH /api/v1/cases/{number}/tasks/{id}":
		body = map[string]any{"done": true}
	case "POST /api/v1/cases/{number}/messages":
		body = map[string]any{"direction": "out", "channel": "email", "to": []string{"x@example.org"}, "subject": "s", "text": "t"}
	case "POST /api/v1/cases/{number}/reports":
		body = map[string]any{"report_id": f.report}
	case "POST /api/v1/reports":
		body = map[string]any{"channel": "email", "raw": "From: b@example.org\r\n\r\n" + f.unique("report")}
	case "POST /api/v1/requesters":
		body = map[string]any{"name": "matrix person"}
	case "PATCH /api/v1/requesters/{id}":
		body = map[string]any{"vouched_by": "matrix"}
	case "POST /api/v1/requesters/{id}/merge":
		// Merge two throwaway people, so that a success destroys no fixture.
		into, err := f.a.svc.CreateRequester(f.ctx, haven.RequesterInput{Name: "into"})
		if err != nil {
			f.t.Fatal(err)
		}
		from, err := f.a.svc.CreateRequester(f.ctx, haven.RequesterInput{Name: "from"})
		if err != nil {
			f.t.Fatal(err)
		}
		path = fmt.Sprintf("/api/v1/requesters/%d/merge", into.ID)
		body = map[string]any{"from": from.ID}
	case "POST /api/v1/users":
		body = map[string]any{"username": f.unique("newuser"), "role": "handler", "password": "a long new password"}
	case "PATCH /api/v1/users/{username}":
		body = map[string]any{"display_name": "Bystander"}
	case "PATCH /api/v1/me":
		body = map[string]any{"display_name": "Matrix"} // a name, not a password: no token is revoked
	case "POST /api/v1/users/{username}/sign-out", "POST /api/v1/users/{username}/reset-password":
		body = nil
	case "POST /api/v1/teams":
		body = map[string]any{"name": f.unique("team")}
	case "POST /api/v1/teams/{name}/members":
		body = map[string]any{"username": "bystander"}
	case "PATCH /api/v1/teams/{name}":
		body = map[string]any{"labels": map[string]string{"ar": "الشرق الأوسط"}}
	case "POST /api/v1/tokens":
		body = map[string]any{"name": "matrix", "read_only": false}
	case "POST /api/v1/templates":
		body = map[string]any{"name": f.unique("tpl"), "variants": map[string]any{"en": map[string]string{"body": "Hi {case_number}"}}}
	case "PATCH /api/v1/templates/{id}":
		body = map[string]any{"name": "matrix", "variants": map[string]any{"en": map[string]string{"body": "Hi " + f.unique("v")}}}
	case "POST /api/v1/cases/{number}/plans":
		body = map[string]any{"tasks": []int64{task}}
	case "POST /api/v1/cases/{number}/plans/{id}/reject":
		body = map[string]any{"reason": "matrix"}
	case "POST /api/v1/categories":
		body = map[string]any{"slug": "other/" + f.unique("c")}
	case "PATCH /api/v1/categories/{slug}":
		path, body = "/api/v1/categories/other", map[string]any{"labels": map[string]string{"fr": "Autre"}}
	case "POST /api/v1/platforms":
		body = map[string]any{"slug": f.unique("pf"), "name": "Matrix platform"}
	case "PATCH /api/v1/platforms/{slug}":
		path, body = "/api/v1/platforms/signal", map[string]any{"kind": "messaging"}
	case "GET /api/v1/platforms/{slug}":
		path = "/api/v1/platforms/signal"
	case "POST /api/v1/articles":
		body = map[string]any{"slug": f.unique("kb"), "variants": map[string]any{"en": map[string]string{"title": "T", "body": "B"}}}
	case "PATCH /api/v1/articles/{slug}":
		body = map[string]any{"state": "published", "variants": map[string]any{"en": map[string]string{"title": "T", "body": f.unique("b")}}}
	case "PUT /api/v1/settings/citations":
		body = map[string]any{"outcomes": []string{}}
	case "POST /api/v1/playbooks":
		body = map[string]any{"yaml": strings.Replace(matrixPlaybook, "Check", "Check "+f.unique("v"), 1)}
	case "POST /api/v1/cases/{number}/playbooks":
		body = map[string]any{"playbook": "matrix-pb"}
	case "POST /api/v1/cases/{number}/decisions":
		body = map[string]any{"step": "ask", "answer": "yes"}
	case "POST /api/v1/cases/{number}/escalations":
		body = map[string]any{"platform": "signal", "kind": "other", "channel": "web-form", "body": "matrix escalation"}
	case "POST /api/v1/schedules", "PATCH /api/v1/schedules/{name}":
		body = map[string]any{"name": f.unique("oncall"), "time_zone": "UTC", "layers": []map[string]any{
			{"name": "week", "users": []string{"hana"}, "start": "2026-01-05T09:00", "rotation": "weekly"}}}
	case "POST /api/v1/schedules/{name}/overrides":
		body = map[string]any{"user": "hana", "start": "2026-03-01T02:00:00Z", "end": "2026-03-01T08:00:00Z"}
	case "POST /api/v1/escalation-policies", "PATCH /api/v1/escalation-policies/{name}":
		body = map[string]any{"name": f.unique("policy"), "levels": []map[string]any{
			{"targets": []map[string]string{{"kind": "schedule", "name": "matrix-oncall"}}, "delay_minutes": 5}}}
	case "PUT /api/v1/settings/sla":
		t := map[string]int{"first_response_minutes": 15, "next_update_minutes": 60, "resolution_minutes": 1440}
		body = map[string]any{"targets": map[string]any{"P1": t, "P2": t, "P3": t, "P4": t}, "warn_at": 0.75}
	case "POST /api/v1/calendars":
		body = map[string]any{"name": f.unique("cal"), "time_zone": "Asia/Beirut", "days": []string{"mon", "tue"},
			"start": "09:00", "end": "17:00", "teams": []string{"mena"}}
	case "POST /api/v1/account/channels":
		body = map[string]any{"kind": "webhook", "address": "https://gateway.example/" + f.unique("hook")}
	case "POST /api/v1/account/channels/{id}/test":
		body = nil
	case "POST /api/v1/account/channels/{id}/verify":
		body = map[string]any{"code": "000000"} // the real code only ever reaches the channel
	case "POST /api/v1/alerts/{id}/reassign":
		body = map[string]any{"user": "insider"}
	case "POST /api/v1/alerts":
		body = map[string]any{"case": number, "message": "matrix page"}
	case "POST /api/v1/escalations/{id}/transitions":
		body = map[string]any{"to": "withdrawn", "reason": "matrix"}
	case "GET /api/v1/escalations":
		path += "?limit=100"
	case "POST /api/v1/cases/{number}/render-template":
		body = map[string]any{"template": f.template}
	case "POST /api/v1/cases/{number}/break-glass":
		body = map[string]any{"reason": "matrix check"}
	case "POST /api/v1/cases/{number}/access":
		body = map[string]any{"username": "bystander", "hours": 1}
	case "POST /api/v1/compartments":
		body = map[string]any{"name": f.unique("comp")}
	case "POST /api/v1/compartments/{name}/members":
		body = map[string]any{"username": "bystander"}
	case "PUT /api/v1/retention/{category}":
		body = map[string]any{"days": 3650}
	case "POST /api/v1/notifications/read":
		body = map[string]any{"up_to": 1000}
	case "PUT /api/v1/account/notification-preferences":
		body = map[string]any{"email": map[string]bool{"mention": true, "break_glass": true}}
	case "PUT /api/v1/settings/two-factor":
		body = map[string]any{"required": false}
	case "POST /api/v1/account/two-factor":
		body = map[string]any{"password": matrixPassword(who.username)}
	case "POST /api/v1/account/two-factor/confirm":
		body = map[string]any{"code": f.enrolmentCode(who), "password": matrixPassword(who.username)}
	case "POST /api/v1/cases/{number}/attachments":
		body = formFile{name: "matrix.txt", content: "matrix attachment"}
	case "POST /api/v1/users/{username}/two-factor/disable":
		body = map[string]any{"password": ""}
	case "GET /api/v1/search":
		path += "?q=" + mkRestTitle
	case "PATCH /api/v1/observables/{id}":
		body = map[string]any{"verdict": "malicious", "tlp": "green", "techniques": []string{"T1566.002"}}
	case "GET /api/v1/observables":
		path += "?q=" + url.QueryEscape("https://"+mkRestObs+".org/login")
	case "PUT /api/v1/settings/report-schedule":
		body = map[string]any{"every": "monthly", "to": []string{"board@helpline.org"}, "lang": "en"}
	case "PUT /api/v1/settings/public-statistics":
		body = map[string]any{"enabled": false, "k": 10, "round": 5}
	case "PUT /api/v1/allowlist":
		body = map[string]any{"domains": []string{"gmail.com", "helpline.org"}}
	case "POST /api/v1/campaigns", "POST /api/v1/actors":
		body = map[string]any{"name": f.unique("group"), "techniques": []string{"T1566"}}
	case "PATCH /api/v1/campaigns/{id}":
		body = map[string]any{"name": "matrix campaign", "actors": []int64{f.actor}, "techniques": []string{"T1566"}}
	case "PATCH /api/v1/actors/{id}":
		body = map[string]any{"name": "matrix actor", "actor_kind": "intrusion-set"}
	case "PUT /api/v1/cases/{number}/intel":
		body = map[string]any{"techniques": []string{"T1566.002"}, "groups": []int64{f.campaign}}
	case "POST /api/v1/export":
		body = map[string]any{"cases": []string{number}, "format": "misp", "tlp_max": "amber"}
	case "POST /api/v1/import":
		path += "?source=matrix"
		body = matrixFeed("zqimported" + f.unique("x") + ".org")
	case "GET /api/v1/cases":
		path += "?tag=matrix"
	}
	return request{key: key, method: rt.Method, path: path, body: body, rest: number == f.rest}
}

func runMatrix(t *testing.T, dsn string) {
	f, actors := startMatrix(t, dsn)
	client := func(a matrixActor) *apiClient { return &apiClient{t: t, base: f.base, token: a.token} }
	byName := map[string]matrixActor{}
	for _, a := range actors {
		byName[a.name] = a
	}

	// Positive control first (rule d): the markers are really there for a member, so their
	// absence elsewhere means something.
	insider := client(byName["insider"])
	for _, p := range []struct{ path, marker string }{
		{"/api/v1/cases/" + f.rest, mkRestTitle},
		{"/api/v1/cases/" + f.rest + "/timeline", ""},
		{"/api/v1/cases/" + f.open, f.rest}, // the linked restricted case
		{"/api/v1/cases/" + f.rest + "/notes", mkRestNote},
		{"/api/v1/cases/" + f.rest + "/messages", mkRestMessage},
		{"/api/v1/cases/" + f.rest + "/escalations", mkRestMessage},
		{fmt.Sprintf("/api/v1/escalations/%d", f.restEsc), mkRestMessage},
		{fmt.Sprintf("/api/v1/alerts/%d", f.restAlert), mkRestMessage},
		{"/api/v1/alerts", mkRestMessage},
		{"/api/v1/escalations?limit=100", mkRestMessage},
		{fmt.Sprintf("/api/v1/observables/%d", f.restObs), mkRestObs},
		{"/api/v1/cases/" + f.open + "/observables", f.rest}, // the shared domain is also seen in it
		{fmt.Sprintf("/api/v1/campaigns/%d", f.campaign), f.rest},
	} {
		st, body := insider.do("GET", p.path, nil)
		if raw := marshal(body); st != 200 || !strings.Contains(raw, p.marker) {
			t.Errorf("insider GET %s: %d, want 200 with %q: %s", p.path, st, p.marker, raw)
		}
	}

	checkCorrelation(t, f, actors, client)

	// Order: reads and writes, then deletions, then break-glass on the restricted case by a
	// lead or admin (it opens the case to them, so it must come after every other check).
	var routes, deletes []web.Route
	for _, rt := range newServer(&env{ctx: context.Background(), log: slog.New(slog.NewTextHandler(io.Discard, nil))}, f.a, webOptions{}).Routes() {
		if !rt.Auth {
			continue
		}
		if rt.Method == "DELETE" {
			deletes = append(deletes, rt)
		} else {
			routes = append(routes, rt)
		}
	}
	routes = append(routes, deletes...)

	calls := 0
	for _, rt := range routes {
		numbers := []string{""}
		// Merge works on throwaway pairs of its own, so it runs once.
		if strings.Contains(rt.Pattern, "{number}") || strings.HasPrefix(rt.Pattern, "/api/v1/escalations/") ||
			strings.HasPrefix(rt.Pattern, "/api/v1/alerts/") || rt.Pattern == "/api/v1/alerts" && rt.Method == "POST" ||
			strings.HasPrefix(rt.Pattern, "/api/v1/observables/") || rt.Pattern == "/api/v1/export" ||
			strings.HasPrefix(rt.Pattern, "/api/v1/requesters/") && !strings.HasSuffix(rt.Pattern, "/merge") {
			numbers = []string{f.open, f.rest}
		}
		for _, number := range numbers {
			for _, who := range actors {
				req := f.build(rt, number, who)
				if req.key == "POST /api/v1/cases/{number}/break-glass" && req.rest && (who.role == haven.RoleLead || who.role == haven.RoleAdmin) && !who.readOnly {
					continue // checked last, below
				}
				c := client(who)
				st, body := c.do(req.method, req.path, req.body)
				if body == nil {
					body = map[string]any{}
				}
				body["_header"] = c.header // scanned for markers with the body (checkMatrix)
				calls++
				// Rule (b) means something only if the bodies are valid: the admin's writes outside
				// the restricted case succeed (the transition may already have been made: 409).
				if who.role == haven.RoleAdmin && !req.rest && req.method != "GET" && (st < 200 || st > 299) &&
					!(req.key == "POST /api/v1/cases/{number}/transitions" && st == 409) &&
					!(req.key == "POST /api/v1/cases/{number}/duplicate" && st == 409) &&
					!(req.key == "POST /api/v1/escalations/{id}/transitions" && st == 409) &&
					!(strings.HasPrefix(req.key, "POST /api/v1/alerts/{id}/") && st == 409) &&
					!(req.key == "POST /api/v1/account/channels/{id}/verify" && st == 400) &&
					!(req.key == "POST /api/v1/cases/{number}/correspondent/confirm" && st == 409) && !adminRefusedByDesign[req.key] &&
					!(strings.HasPrefix(req.key, "POST /api/v1/cases/{number}/plans/") && st == 409) {
					t.Errorf("admin %s %s: %d, the matrix's body for %q is not valid: %s", req.method, req.path, st, req.key, marshal(body))
				}
				// The same call on a case that does not exist: a restricted case must look exactly like it.
				ghost := func() int {
					g := f.build(rt, ghostCase, who)
					st, _ := client(who).do(g.method, g.path, g.body)
					return st
				}
				checkMatrix(t, who, req, st, body, ghost)
			}
		}
	}

	// Break-glass, last: a lead and an admin who give a reason may open the restricted case, and
	// then read every route that names it; but change nothing of who may see it.
	for _, name := range []string{"lead", "admin"} {
		c := client(byName[name])
		path := "/api/v1/cases/" + f.rest
		if st, body := c.do("POST", path+"/break-glass", map[string]any{"reason": "matrix: requester unreachable"}); st != 200 || body["number"] != f.rest {
			t.Errorf("%s POST %s/break-glass: %d, want 200: %v", name, path, st, body)
		}
		calls += breakGlassHolder(t, f, c, routes, byName[name])
	}
	if calls == 0 {
		t.Fatal("no route was called")
	}
}

// breakGlassHolder checks the holder of a break-glass opening on the restricted case: every read
// naming it answers 200, and no change of who may see it is allowed (403).
func breakGlassHolder(t *testing.T, f *matrixFixture, c *apiClient, routes []web.Route, who matrixActor) int {
	calls := 0
	for _, rt := range routes {
		if rt.Method != "GET" || !strings.Contains(rt.Pattern, "{number}") {
			continue
		}
		req := f.build(rt, f.rest, who)
		if strings.HasSuffix(req.path, "/") {
			continue // an id the matrix has none of (an attachment's)
		}
		if st, body := c.do(req.method, req.path, req.body); st != 200 {
			t.Errorf("%s (break-glass) GET %s: %d, want 200: %v", who.name, req.path, st, body)
		}
		calls++
	}
	for _, change := range []map[string]any{{"restricted_to": []string{who.username}}, {"compartment": ""}, {"tlp": "red"},
		{"assignee": who.username}, {"team": "scratch"}} {
		if st, body := c.do("PATCH", "/api/v1/cases/"+f.rest, change); st != 403 {
			t.Errorf("%s (break-glass) PATCH %v: %d, want 403: %v", who.name, change, st, body)
		}
		calls++
	}
	if st, body := c.do("POST", "/api/v1/cases/"+f.rest+"/access", map[string]any{"username": who.username, "hours": 720}); st != 403 {
		t.Errorf("%s (break-glass) grants itself access: %d, want 403: %v", who.name, st, body)
	}
	return calls + 1
}

// checkMatrix applies rules (a), (b) and (c) to one answer.
func checkMatrix(t *testing.T, who matrixActor, req request, st int, body map[string]any, ghost func() int) {
	t.Helper()
	where := fmt.Sprintf("%s %s %s: %d", who.name, req.method, req.path, st)
	if !who.member {
		// (a) a restricted case does not exist for a non-member: 404. The one other answer allowed
		// is a 403 that the service gives before it looks the case up (a read-only token or an
		// auditor trying to write), which is the same for a case that does not exist and so
		// reveals nothing; the ghost call proves it is the same.
		if req.rest && st != 404 {
			if g := ghost(); st != 403 || g != 403 {
				t.Errorf("%s (a case that does not exist: %d), want 404 for a non-member (restricted case): %s", where, g, marshal(body))
			}
		}
		// ...and nothing of it reaches them, on any route.
		raw := marshal(body)
		for what, m := range restrictedMarkers {
			if strings.Contains(strings.ToLower(raw), m) {
				t.Errorf("%s: the restricted case's %s marker %q leaked", where, what, m)
			}
		}
	}
	// (b) auditors and read-only tokens change nothing.
	write := req.method != "GET" && !matrixReads[req.key]
	if write && st >= 200 && st < 300 && (who.readOnly || who.role == haven.RoleAuditor) {
		if !matrixWriteExempt[req.key] || who.readOnly {
			t.Errorf("%s, a %s must not change anything", where, who.name)
		}
	}
	// (c) admin-only routes.
	if adminOnly[req.key] && who.role != haven.RoleAdmin && st != 403 {
		t.Errorf("%s, want 403 for a non-admin on an admin-only route", where)
	}
}

func marshal(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}

// enrolmentCode starts a second-factor enrolment for who and returns a valid code for it.
func (f *matrixFixture) enrolmentCode(who matrixActor) string {
	u, err := f.a.svc.User(f.ctx, who.username)
	if err != nil {
		f.t.Fatal(err)
	}
	enr, err := f.a.svc.BeginTOTP(haven.WithActor(context.Background(), haven.Actor{User: u}), matrixPassword(who.username))
	if err != nil {
		f.t.Fatal(err)
	}
	code, err := totp.GenerateCode(enr.Secret, time.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	return code
}

// matrixOnCall gives the matrix a schedule, the default policy paging it, and an alert on each
// case: the restricted one's message carries its marker.
func matrixOnCall(t *testing.T, a *app, ctx, insiderCtx context.Context, open, rest string) (int64, int64) {
	t.Helper()
	if _, err := a.svc.SaveSchedule(ctx, haven.Schedule{Name: "matrix-oncall", TimeZone: "UTC", Layers: []haven.ScheduleLayer{
		{Name: "week", Users: []string{"hana", "insider"}, Start: "2026-01-05T09:00", Rotation: "weekly"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.SavePolicy(ctx, haven.EscalationPolicy{Name: haven.DefaultPolicy, Levels: []haven.PolicyLevel{
		{Targets: []haven.PolicyTarget{{Kind: "schedule", Name: "matrix-oncall"}}, DelayMinutes: 5}}}); err != nil {
		t.Fatal(err)
	}
	o, err := a.svc.CreateAlert(ctx, haven.AlertCreate{Case: open, Message: "alert " + mkOpenMessage})
	if err != nil {
		t.Fatal(err)
	}
	r, err := a.svc.CreateAlert(insiderCtx, haven.AlertCreate{Case: rest, Message: "alert " + mkRestMessage})
	if err != nil {
		t.Fatal(err)
	}
	return o.ID, r.ID
}

// ownChannel adds a throwaway webhook channel of who's own (0 when who may not have one).
func (f *matrixFixture) ownChannel(who matrixActor) int64 {
	u, err := f.a.svc.User(f.ctx, who.username)
	if err != nil {
		f.t.Fatal(err)
	}
	c, err := f.a.svc.AddPageChannel(haven.WithActor(context.Background(), haven.Actor{User: u}),
		haven.PageChannelInput{Kind: "webhook", Address: "https://gateway.example/" + f.unique("own")})
	if err != nil {
		f.t.Fatal(err)
	}
	return c.ID
}

// matrixIntel plants observables (a URL only each case sighted, a domain both did) and a
// campaign with an actor that both cases are under.
func matrixIntel(t *testing.T, a *app, f *matrixFixture, ctx, insiderCtx context.Context) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := a.svc.AddNote(ctx, f.open, haven.NoteCreate{Body: "phish at https://" + mkOpenObs + ".org/login from " + mkSharedObs + ".org"})
	must(err)
	_, err = a.svc.AddNote(insiderCtx, f.rest, haven.NoteCreate{Body: "phish at https://" + mkRestObs + ".org/login from " + mkSharedObs + ".org"})
	must(err)
	find := func(ctx context.Context, q string) int64 {
		t.Helper()
		found, err := a.svc.FindObservables(ctx, haven.ObservableFilter{Q: q})
		must(err)
		if len(found) != 1 {
			t.Fatalf("observable %s: found %d", q, len(found))
		}
		return found[0].ID
	}
	f.openObs, f.restObs = find(ctx, "https://"+mkOpenObs+".org/login"), find(insiderCtx, "https://"+mkRestObs+".org/login")
	f.sharedObs = find(ctx, mkSharedObs+".org")
	actor, err := a.svc.CreateGroup(ctx, haven.GroupActor, haven.GroupInput{Name: "matrix actor"})
	must(err)
	campaign, err := a.svc.CreateGroup(ctx, haven.GroupCampaign, haven.GroupInput{Name: "matrix campaign", Actors: []int64{actor.ID}})
	must(err)
	f.actor, f.campaign = actor.ID, campaign.ID
	for _, c := range []struct {
		ctx    context.Context
		number string
	}{{ctx, f.open}, {insiderCtx, f.rest}} {
		_, err = a.svc.SetCaseIntel(c.ctx, c.number, haven.CaseIntel{Techniques: []string{"T1566"}, Groups: []int64{campaign.ID}})
		must(err)
	}
}

// matrixFeed is a partner's STIX bundle with one malicious domain.
func matrixFeed(domain string) map[string]any {
	at := "2026-03-01T09:00:00.000Z"
	return map[string]any{"type": "bundle", "id": "bundle--0c2c5a9e-8a4b-4b8c-9d7e-2f3a4b5c6d7e", "objects": []any{
		map[string]any{"type": "indicator", "spec_version": "2.1", "id": "indicator--1d3d5b0f-9b5c-4c9d-8e8f-3a4b5c6d7e8f",
			"created": at, "modified": at, "valid_from": at, "pattern_type": "stix", "indicator_types": []string{"malicious-activity"},
			"pattern": "[domain-name:value = '" + domain + "']"}}}
}

// checkCorrelation: the shared domain's other case is named, counted and listed only for those
// who may see it; for everyone else the restricted case does not exist anywhere an observable
// or a campaign is shown.
func checkCorrelation(t *testing.T, f *matrixFixture, actors []matrixActor, client func(matrixActor) *apiClient) {
	t.Helper()
	paths := []string{"/api/v1/cases/" + f.open + "/observables", fmt.Sprintf("/api/v1/observables/%d", f.sharedObs),
		fmt.Sprintf("/api/v1/observables/%d/sightings", f.sharedObs), fmt.Sprintf("/api/v1/campaigns/%d", f.campaign),
		"/api/v1/observables?q=" + mkSharedObs + ".org"}
	for _, who := range actors {
		c := client(who)
		for _, p := range paths {
			st, body := c.do("GET", p, nil)
			raw := marshal(body)
			if st != 200 {
				t.Errorf("%s GET %s: %d, want 200: %s", who.name, p, st, raw)
			}
			names := !strings.HasPrefix(p, "/api/v1/observables?") && !strings.HasSuffix(p, fmt.Sprint(f.sharedObs)) // these count, not name
			if seen := strings.Contains(raw, f.rest); seen && !who.member || names && seen != who.member {
				t.Errorf("%s GET %s: names the restricted case %v, want %v: %s", who.name, p, seen, who.member, raw)
			}
		}
		_, body := c.do("GET", fmt.Sprintf("/api/v1/observables/%d", f.sharedObs), nil)
		want := 1.0
		if who.member {
			want = 2
		}
		if body["cases"] != want {
			t.Errorf("%s: the shared observable counts %v cases, want %v", who.name, body["cases"], want)
		}
	}
}
