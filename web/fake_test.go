package web

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// fake implements every haven service interface without a database. It answers with fixed,
// realistic objects, or with err when set, and records what the handlers passed in. It exists to
// test the HTTP layer alone (decoding, error mapping, middleware); the API against the real
// service and both databases is tested in package apitest.
type fake struct {
	mu       sync.Mutex
	err      error // returned by every service call when set
	panicMsg string
	ready    error
	filter   haven.CaseFilter
	rfilter  haven.RequesterFilter
	clientIP string
	last     []any // the arguments of the last call
}

const (
	goodToken   = "hvt_good-token-for-tests"
	goodSession = "hvs_good-session-for-tests"
)

var testTime = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

func testUser() *haven.User {
	return &haven.User{ID: 1, Username: "alice", DisplayName: "Alice", Email: "alice@example.org",
		Role: haven.RoleLead, Teams: []string{"tier1"}, Language: "en", PasswordHash: "$argon2id$secret-hash",
		CreatedAt: testTime}
}

func testCase(number string) *haven.Case {
	due := testTime.Add(time.Hour)
	return &haven.Case{ID: 7, Number: number, Title: "Account hijacked", Summary: "Lost access",
		Status: haven.StatusNew, Priority: haven.P2, Categories: []string{}, Tags: []string{"instagram"}, RestrictedTo: []string{},
		Language: "en", Tier: 1, TLP: "amber", RequesterID: 3, RequesterName: "R.", FirstResponseDue: &due,
		ResolutionDue: &due, CreatedAt: testTime, UpdatedAt: testTime, Version: 1}
}

func testRequester(id int64) *haven.Requester {
	return &haven.Requester{ID: id, Name: "Rania", Contacts: []haven.Contact{{Kind: "email", Value: "r@example.org"}},
		Languages: []string{"ar"}, Vetting: "unvetted", CreatedAt: testTime, UpdatedAt: testTime}
}

func testNote() *haven.Note {
	return &haven.Note{ID: 4, CaseID: 7, Author: "alice", Body: "called back", Visibility: "team", CreatedAt: testTime}
}

func testMessage() *haven.Message {
	return &haven.Message{ID: 5, CaseID: 7, Direction: "out", Channel: "email", From: "help@example.org",
		To: []string{"r@example.org"}, Subject: "Re: help", Text: "hello", Status: "recorded", Author: "alice",
		CreatedAt: testTime}
}

func testReport(id int64) *haven.Report {
	return &haven.Report{ID: id, Channel: "api", CaseID: 7, CaseNumber: "HV-2026-000001", ReceivedAt: testTime}
}

func testTeam(name string) *haven.Team {
	return &haven.Team{ID: 2, Name: name, Members: []string{"alice"}}
}

// call records a call and returns the configured error (or panics when asked to).
func (f *fake) call(ctx context.Context, args ...any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.panicMsg != "" {
		panic(f.panicMsg)
	}
	f.last = args
	f.clientIP = haven.ClientIPFrom(ctx)
	return f.err
}

func (f *fake) lastArgs() []any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

// Cases.

func (f *fake) CreateCase(ctx context.Context, in haven.CaseCreate) (*haven.Case, error) {
	if err := f.call(ctx, in); err != nil {
		return nil, err
	}
	c := testCase("HV-2026-000001")
	c.Title = in.Title
	return c, nil
}

func (f *fake) Case(ctx context.Context, number string) (*haven.Case, error) {
	return testCase(number), f.call(ctx, number)
}

func (f *fake) Cases(ctx context.Context, flt haven.CaseFilter) (*haven.CasePage, error) {
	f.mu.Lock()
	f.filter = flt
	f.mu.Unlock()
	if err := f.call(ctx, flt); err != nil {
		return nil, err
	}
	return &haven.CasePage{Items: []*haven.Case{testCase("HV-2026-000001")}, Next: "abc"}, nil
}

func (f *fake) UpdateCase(ctx context.Context, number string, u haven.CaseUpdate) (*haven.Case, error) {
	return testCase(number), f.call(ctx, number, u)
}

func (f *fake) AssignCase(ctx context.Context, number, username string) (*haven.Case, error) {
	return testCase(number), f.call(ctx, number, username)
}

func (f *fake) TransitionCase(ctx context.Context, number string, t haven.Transition) (*haven.Case, error) {
	return testCase(number), f.call(ctx, number, t)
}

// linkedCase is a case as the link routes answer: it lists a linked case, and names its survivor.
func linkedCase(number, other string) *haven.Case {
	c := testCase(number)
	c.DuplicateOf = other
	c.Links = []*haven.LinkedCase{{Number: other, Title: "Related", Status: haven.StatusOpen, Kind: haven.LinkRelated}}
	return c
}

func (f *fake) LinkCases(ctx context.Context, number, other string) (*haven.Case, error) {
	return linkedCase(number, other), f.call(ctx, number, other)
}

func (f *fake) UnlinkCases(ctx context.Context, number, other string) (*haven.Case, error) {
	return testCase(number), f.call(ctx, number, other)
}

func (f *fake) MarkDuplicate(ctx context.Context, number, of string) (*haven.Case, error) {
	return linkedCase(number, of), f.call(ctx, number, of)
}

func (f *fake) Timeline(ctx context.Context, number string) ([]*haven.TimelineEntry, error) {
	e := &haven.Event{ID: 9, At: testTime, Actor: "alice", Action: "note.added", ObjectType: "note",
		ObjectID: "4", CaseID: 7, Data: map[string]any{"k": "v"}}
	return []*haven.TimelineEntry{{Event: e, Note: testNote()}}, f.call(ctx, number)
}

// Requesters.

func (f *fake) CreateRequester(ctx context.Context, in haven.RequesterInput) (*haven.Requester, error) {
	return testRequester(3), f.call(ctx, in)
}

func (f *fake) Requester(ctx context.Context, id int64) (*haven.Requester, error) {
	return testRequester(id), f.call(ctx, id)
}

func (f *fake) Requesters(ctx context.Context, flt haven.RequesterFilter) (*haven.RequesterPage, error) {
	f.mu.Lock()
	f.rfilter = flt
	f.mu.Unlock()
	return &haven.RequesterPage{Items: []*haven.Requester{testRequester(3)}}, f.call(ctx, flt)
}

func (f *fake) UpdateRequester(ctx context.Context, id int64, u haven.RequesterUpdate) (*haven.Requester, error) {
	return testRequester(id), f.call(ctx, id, u)
}

func (f *fake) MergeRequesters(ctx context.Context, into, from int64) (*haven.Requester, error) {
	return testRequester(into), f.call(ctx, into, from)
}

// Work on a case.

func (f *fake) CasePresence(ctx context.Context, number, state string) ([]haven.Presence, error) {
	return []haven.Presence{{User: "rami", State: haven.PresenceReplying, At: testTime}}, f.call(ctx, number, state)
}

func (f *fake) AddNote(ctx context.Context, number string, in haven.NoteCreate) (*haven.Note, error) {
	return testNote(), f.call(ctx, number, in)
}

func (f *fake) Notes(ctx context.Context, number string) ([]*haven.Note, error) {
	return nil, f.call(ctx, number) // nil: the answer must still be {"items":[]}
}

func (f *fake) AddTask(ctx context.Context, number string, in haven.TaskCreate) (*haven.Task, error) {
	return &haven.Task{ID: 6, CaseID: 7, Title: in.Title, CreatedAt: testTime}, f.call(ctx, number, in)
}

func (f *fake) UpdateTask(ctx context.Context, number string, id int64, u haven.TaskUpdate) (*haven.Task, error) {
	return &haven.Task{ID: id, CaseID: 7, Title: "t", Done: true, DoneAt: &testTime, CreatedAt: testTime},
		f.call(ctx, number, id, u)
}

func (f *fake) Tasks(ctx context.Context, number string) ([]*haven.Task, error) {
	return []*haven.Task{{ID: 6, CaseID: 7, Title: "t", CreatedAt: testTime}}, f.call(ctx, number)
}

func (f *fake) AddMessage(ctx context.Context, number string, in haven.MessageCreate) (*haven.Message, error) {
	return testMessage(), f.call(ctx, number, in)
}

func (f *fake) Messages(ctx context.Context, number string) ([]*haven.Message, error) {
	return []*haven.Message{testMessage()}, f.call(ctx, number)
}

func (f *fake) CreateReport(ctx context.Context, in haven.ReportCreate) (*haven.Report, error) {
	return testReport(8), f.call(ctx, in)
}

func (f *fake) LinkReport(ctx context.Context, id int64, number string) (*haven.Report, error) {
	return testReport(id), f.call(ctx, id, number)
}

func (f *fake) Reports(ctx context.Context, number string) ([]*haven.Report, error) {
	return []*haven.Report{testReport(8)}, f.call(ctx, number)
}

func (f *fake) CaseCorrespondent(ctx context.Context, number string) (*haven.Correspondent, error) {
	return &haven.Correspondent{Address: "nour@example.org", Pending: "nour.new@example.org"}, f.call(ctx, number)
}

func (f *fake) ConfirmCorrespondent(ctx context.Context, number string) (*haven.Correspondent, error) {
	return &haven.Correspondent{Address: "nour.new@example.org"}, f.call(ctx, number)
}

func testTemplate(id int64) *haven.Template {
	return &haven.Template{ID: id, Name: "first-reply", Kind: haven.TemplateReply, Categories: []string{"phishing"},
		Variants: map[string]haven.TemplateVariant{"en": {Subject: "About {case_number}", Body: "Hello {requester_name}"}},
		Version:  2, CreatedAt: testTime, UpdatedAt: testTime}
}

func (f *fake) Templates(ctx context.Context, tf haven.TemplateFilter) ([]*haven.Template, error) {
	return []*haven.Template{testTemplate(3)}, f.call(ctx, tf)
}

func (f *fake) Template(ctx context.Context, id int64) (*haven.Template, error) {
	return testTemplate(id), f.call(ctx, id)
}

func (f *fake) TemplateVersions(ctx context.Context, id int64) ([]*haven.Template, error) {
	return []*haven.Template{testTemplate(id)}, f.call(ctx, id)
}

func (f *fake) CreateTemplate(ctx context.Context, in haven.TemplateInput) (*haven.Template, error) {
	return testTemplate(3), f.call(ctx, in)
}

func (f *fake) UpdateTemplate(ctx context.Context, id int64, in haven.TemplateInput) (*haven.Template, error) {
	return testTemplate(id), f.call(ctx, id, in)
}

func (f *fake) RetireTemplate(ctx context.Context, id int64) error { return f.call(ctx, id) }

func (f *fake) RenderTemplate(ctx context.Context, number string, id int64, platform string) (*haven.Rendered, error) {
	return &haven.Rendered{TemplateID: id, Version: 2, Subject: "About " + number, Body: "Hello", Language: "en"}, f.call(ctx, number, id, platform)
}

func testPlaybookRecord() *haven.Playbook {
	return &haven.Playbook{ID: 4, Name: "lost-login", Title: map[string]string{"en": "Lost login"}, Categories: []string{},
		Version: 1, Source: "name: lost-login", CreatedAt: testTime, UpdatedAt: testTime}
}

func (f *fake) Playbooks(ctx context.Context) ([]*haven.Playbook, error) {
	return []*haven.Playbook{testPlaybookRecord()}, f.call(ctx)
}

func (f *fake) Playbook(ctx context.Context, name string) (*haven.Playbook, error) {
	return testPlaybookRecord(), f.call(ctx, name)
}

func (f *fake) SavePlaybook(ctx context.Context, source string) (*haven.Playbook, bool, error) {
	return testPlaybookRecord(), true, f.call(ctx, source)
}

func (f *fake) ApplyPlaybook(ctx context.Context, number, name string) ([]*haven.Task, error) {
	return []*haven.Task{{ID: 5, CaseID: 7, Title: "Verify", StepID: "verify", RunID: 1, CreatedAt: testTime}}, f.call(ctx, number, name)
}

func (f *fake) Decide(ctx context.Context, number string, d haven.Decision) ([]*haven.Task, error) {
	return []*haven.Task{{ID: 6, CaseID: 7, Title: "Recover", StepID: "recovery", RunID: 1, CreatedAt: testTime}}, f.call(ctx, number, d)
}

func (f *fake) PlaybookRuns(ctx context.Context, number string) ([]*haven.PlaybookRun, error) {
	return []*haven.PlaybookRun{{ID: 1, CaseID: 7, PlaybookID: 4, Name: "lost-login", Version: 1, AppliedAt: testTime, Decisions: []*haven.PlaybookDecision{}}}, f.call(ctx, number)
}

func (f *fake) OpenDecisions(ctx context.Context, number string) ([]*haven.OpenDecision, error) {
	return []*haven.OpenDecision{}, f.call(ctx, number)
}

func testArticle() *haven.Article {
	return &haven.Article{ID: 2, Slug: "vetting", State: haven.ArticlePublished, Categories: []string{}, Version: 1,
		Variants: map[string]haven.ArticleVariant{"en": {Title: "Vetting", Body: "How", HTML: "<p>How</p>"}}, CreatedAt: testTime, UpdatedAt: testTime}
}

func (f *fake) Articles(ctx context.Context, af haven.ArticleFilter) ([]*haven.Article, error) {
	return []*haven.Article{testArticle()}, f.call(ctx, af)
}

func (f *fake) Article(ctx context.Context, slug string) (*haven.Article, error) {
	return testArticle(), f.call(ctx, slug)
}

func (f *fake) ArticleVersions(ctx context.Context, slug string) ([]*haven.Article, error) {
	return []*haven.Article{testArticle()}, f.call(ctx, slug)
}

func (f *fake) CreateArticle(ctx context.Context, in haven.ArticleInput) (*haven.Article, error) {
	return testArticle(), f.call(ctx, in)
}

func (f *fake) UpdateArticle(ctx context.Context, slug string, in haven.ArticleInput) (*haven.Article, error) {
	return testArticle(), f.call(ctx, slug, in)
}

func (f *fake) ArticleCitations(ctx context.Context, slug string) ([]*haven.CaseCitation, error) {
	return []*haven.CaseCitation{{CaseNumber: "HV-2026-000001", Version: 1, Status: haven.StatusClosed, Outcome: "referred", CitedAt: testTime}}, f.call(ctx, slug)
}

func (f *fake) CaseCitations(ctx context.Context, number string) ([]*haven.Citation, error) {
	return []*haven.Citation{{Article: "vetting", Version: 1, Title: "Vetting"}}, f.call(ctx, number)
}

func (f *fake) CitationRules(ctx context.Context) ([]haven.Outcome, error) {
	return []haven.Outcome{"referred"}, f.call(ctx)
}

func (f *fake) SetCitationRules(ctx context.Context, os []haven.Outcome) error {
	return f.call(ctx, os)
}

func (f *fake) Categories(ctx context.Context, retired bool) ([]*haven.Category, error) {
	return []*haven.Category{{Slug: "phishing", Name: "Phishing", Labels: map[string]string{"en": "Phishing"}}}, f.call(ctx, retired)
}

func (f *fake) CreateCategory(ctx context.Context, in haven.CategoryInput) (*haven.Category, error) {
	return &haven.Category{Slug: in.Slug, Name: in.Slug, Labels: map[string]string{}}, f.call(ctx, in)
}

func (f *fake) UpdateCategory(ctx context.Context, slug string, up haven.CategoryUpdate) (*haven.Category, error) {
	return &haven.Category{Slug: slug, Name: slug, Labels: map[string]string{}}, f.call(ctx, slug, up)
}

func (f *fake) Platform(ctx context.Context, slug string) (*haven.Platform, error) {
	return &haven.Platform{Slug: slug, Name: "X", Kind: "social", Channels: []haven.PlatformChannel{}, Targets: map[string]int{}}, f.call(ctx, slug)
}

func (f *fake) Platforms(ctx context.Context, retired bool) ([]*haven.Platform, error) {
	return []*haven.Platform{{Slug: "x", Name: "X", Kind: "social", Channels: []haven.PlatformChannel{}, Targets: map[string]int{}}}, f.call(ctx, retired)
}

func (f *fake) CreatePlatform(ctx context.Context, in haven.PlatformInput) (*haven.Platform, error) {
	return &haven.Platform{Slug: in.Slug, Name: in.Name, Kind: "social", Channels: []haven.PlatformChannel{}, Targets: map[string]int{}}, f.call(ctx, in)
}

func (f *fake) UpdatePlatform(ctx context.Context, slug string, up haven.PlatformUpdate) (*haven.Platform, error) {
	return &haven.Platform{Slug: slug, Name: slug, Kind: "social", Channels: []haven.PlatformChannel{}, Targets: map[string]int{}}, f.call(ctx, slug, up)
}

func testEscalation() *haven.Escalation {
	return &haven.Escalation{ID: 3, CaseNumber: "HV-2026-000001", Platform: "instagram", PlatformName: "Instagram",
		Kind: "hacked-account", Channel: "email", Address: "partners@instagram.example", Subject: "s", Body: "b",
		State: haven.EscalationDraft, Owner: "alice", PersonalData: true, TargetHours: 24, CreatedAt: testTime}
}

func (f *fake) CreateEscalation(ctx context.Context, number string, in haven.EscalationCreate) (*haven.Escalation, error) {
	return testEscalation(), f.call(ctx, number, in)
}

func (f *fake) CaseEscalations(ctx context.Context, number string) ([]*haven.Escalation, error) {
	return []*haven.Escalation{testEscalation()}, f.call(ctx, number)
}

func (f *fake) Escalation(ctx context.Context, id int64) (*haven.Escalation, error) {
	return testEscalation(), f.call(ctx, id)
}

func (f *fake) Escalations(ctx context.Context, ef haven.EscalationFilter) (*haven.EscalationPage, error) {
	return &haven.EscalationPage{Items: []*haven.Escalation{testEscalation()}, Next: "2"}, f.call(ctx, ef)
}

func (f *fake) TransitionEscalation(ctx context.Context, id int64, t haven.EscalationTransition) (*haven.Escalation, error) {
	e := testEscalation()
	e.State, e.SentAt = t.To, &testTime
	return e, f.call(ctx, id, t)
}

func (f *fake) RemindEscalations(ctx context.Context) ([]haven.EscalationReminder, error) {
	return nil, f.call(ctx)
}

func (f *fake) EscalationStats(ctx context.Context, q haven.StatsQuery) (*haven.EscalationStats, error) {
	h := 3.5
	row := haven.EscalationStatsRow{Key: "instagram", Label: "Instagram", Sent: 4, Responded: 2, Resolved: 1, MedianFirstResponseHours: &h}
	return &haven.EscalationStats{From: "2026-09-01", To: "2026-11-30", By: q.By, Rows: []haven.EscalationStatsRow{row}, Total: row,
		Gaps: []haven.EscalationGap{{Platform: "instagram", Label: "Instagram", Sent: 4}}}, f.call(ctx, q)
}

func testSchedule() *haven.ScheduleView {
	return &haven.ScheduleView{Schedule: &haven.Schedule{Name: "primary", TimeZone: "Europe/Paris",
		Layers: []haven.ScheduleLayer{{Name: "week", Users: []string{"alice", "bob"}, Start: "2026-01-05T09:00", Rotation: "weekly"}}},
		UpdatedAt: testTime, Spans: []haven.ScheduleSpan{{Start: testTime, End: testTime.Add(time.Hour), Users: []string{"alice"}, Layer: "week"}},
		Gaps: []haven.ScheduleSpan{}}
}

func (f *fake) Schedules(ctx context.Context) ([]*haven.ScheduleView, error) {
	return []*haven.ScheduleView{testSchedule()}, f.call(ctx)
}

func (f *fake) Schedule(ctx context.Context, name string, from, to time.Time) (*haven.ScheduleView, error) {
	return testSchedule(), f.call(ctx, name, from, to)
}

func (f *fake) SaveSchedule(ctx context.Context, s haven.Schedule) (*haven.ScheduleView, error) {
	return testSchedule(), f.call(ctx, s)
}

func (f *fake) AddOverride(ctx context.Context, name string, o haven.ScheduleOverride) (*haven.ScheduleView, error) {
	return testSchedule(), f.call(ctx, name, o)
}

func (f *fake) OnCall(ctx context.Context, name string, at time.Time) (*haven.OnCallAnswer, error) {
	return &haven.OnCallAnswer{Schedule: name, At: testTime, Users: []string{"alice"}, Until: testTime.Add(time.Hour)}, f.call(ctx, name, at)
}

func testPolicy() *haven.EscalationPolicy {
	return &haven.EscalationPolicy{Name: "default", Levels: []haven.PolicyLevel{{Targets: []haven.PolicyTarget{{Kind: "schedule", Name: "primary"}}, DelayMinutes: 5}},
		UpdatedAt: testTime}
}

func (f *fake) Policies(ctx context.Context) ([]*haven.EscalationPolicy, error) {
	return []*haven.EscalationPolicy{testPolicy()}, f.call(ctx)
}

func (f *fake) Policy(ctx context.Context, name string) (*haven.EscalationPolicy, error) {
	return testPolicy(), f.call(ctx, name)
}

func (f *fake) SavePolicy(ctx context.Context, p haven.EscalationPolicy) (*haven.EscalationPolicy, error) {
	return testPolicy(), f.call(ctx, p)
}

func testAlert() *haven.Alert {
	return &haven.Alert{ID: 3, CaseNumber: "HV-2026-000001", Policy: "default", State: haven.AlertTriggered, Trigger: haven.TriggerManual,
		Triggers: 1, TriggeredAt: testTime, History: []haven.AlertEntry{{At: testTime, Kind: "paged", User: "alice", Channel: "app", Result: "delivered"}}}
}

func (f *fake) CreateAlert(ctx context.Context, in haven.AlertCreate) (*haven.Alert, error) {
	return testAlert(), f.call(ctx, in)
}

func (f *fake) Alerts(ctx context.Context, state haven.AlertState) ([]*haven.Alert, error) {
	return []*haven.Alert{testAlert()}, f.call(ctx, state)
}

func (f *fake) Alert(ctx context.Context, id int64) (*haven.Alert, error) {
	return testAlert(), f.call(ctx, id)
}

func (f *fake) CaseAlert(ctx context.Context, number string) (*haven.Alert, error) {
	return nil, f.call(ctx, number)
}

func (f *fake) AcknowledgeAlert(ctx context.Context, id int64) (*haven.Alert, error) {
	a := testAlert()
	a.State, a.AcknowledgedAt, a.AcknowledgedBy = haven.AlertAcknowledged, &testTime, "alice"
	return a, f.call(ctx, id)
}

func (f *fake) ResolveAlert(ctx context.Context, id int64) (*haven.Alert, error) {
	a := testAlert()
	a.State, a.ResolvedAt, a.ResolvedBy = haven.AlertResolved, &testTime, "alice"
	return a, f.call(ctx, id)
}

func (f *fake) ReassignAlert(ctx context.Context, id int64, username string) (*haven.Alert, error) {
	return testAlert(), f.call(ctx, id, username)
}

func (f *fake) RunAlertStep(ctx context.Context, alertID int64, level, round int) error {
	return f.call(ctx, alertID, level, round)
}

func testChannel() *haven.PageChannel {
	return &haven.PageChannel{ID: 4, Kind: "webhook", Address: "https://gateway.example/hook", CreatedAt: testTime}
}

func (f *fake) PageChannels(ctx context.Context) ([]*haven.PageChannel, error) {
	return []*haven.PageChannel{testChannel()}, f.call(ctx)
}

func (f *fake) AddPageChannel(ctx context.Context, in haven.PageChannelInput) (*haven.PageChannel, error) {
	c := testChannel()
	c.Secret = "s3cret"
	return c, f.call(ctx, in)
}

func (f *fake) VerifyPageChannel(ctx context.Context, id int64, code string) (*haven.PageChannel, error) {
	c := testChannel()
	c.VerifiedAt = &testTime
	return c, f.call(ctx, id, code)
}

func (f *fake) DeletePageChannel(ctx context.Context, id int64) error { return f.call(ctx, id) }

func (f *fake) TestPageChannel(ctx context.Context, id int64) error { return f.call(ctx, id) }

func (f *fake) PageDelivery(ctx context.Context, id int64) (*haven.PageDelivery, error) {
	return &haven.PageDelivery{ID: id}, f.call(ctx, id)
}

func (f *fake) PageDelivered(ctx context.Context, id int64, result string, ok bool) error {
	return f.call(ctx, id, result, ok)
}

func (f *fake) AcknowledgeByLink(ctx context.Context, token string) (*haven.Alert, error) {
	return testAlert(), f.call(ctx, token)
}

func (f *fake) CaseClocks(ctx context.Context, number string) ([]haven.SLAStatus, error) {
	return []haven.SLAStatus{{Target: haven.TargetFirstResponse, Due: testTime, RemainingMinutes: 30, Share: 0.5}}, f.call(ctx, number)
}

func (f *fake) Calendars(ctx context.Context) ([]*haven.BusinessCalendar, error) {
	return []*haven.BusinessCalendar{{Name: "office", TimeZone: "Europe/Paris", Days: []string{"mon"}, Start: "09:00", End: "17:00"}}, f.call(ctx)
}

func (f *fake) SaveCalendar(ctx context.Context, c haven.BusinessCalendar) (*haven.BusinessCalendar, error) {
	return &c, f.call(ctx, c)
}

func (f *fake) CheckSLAs(ctx context.Context) (int, error) { return 0, f.call(ctx) }

func testSLASettings() *haven.SLASettings {
	t := haven.SLATargetMinutes{FirstResponse: 60, NextUpdate: 120, Resolution: 1440}
	return &haven.SLASettings{Targets: map[haven.Priority]haven.SLATargetMinutes{haven.P1: t, haven.P2: t, haven.P3: t, haven.P4: t}, WarnAt: 0.75}
}

func (f *fake) SLASettings(ctx context.Context) (*haven.SLASettings, error) {
	return testSLASettings(), f.call(ctx)
}

func (f *fake) SetSLASettings(ctx context.Context, s haven.SLASettings) (*haven.SLASettings, error) {
	return testSLASettings(), f.call(ctx, s)
}

func (f *fake) SLAStats(ctx context.Context, q haven.StatsQuery) (*haven.SLAStats, error) {
	m := 42.0
	row := haven.SLAStatsRow{Key: "tier1", Cases: 3, FirstResponseMet: 2, FirstResponseMissed: 1, MedianFirstResponseMinutes: &m}
	return &haven.SLAStats{From: "2026-09-01", To: "2026-11-30", By: q.By, Rows: []haven.SLAStatsRow{row}, Total: row}, f.call(ctx, q)
}

func testPlan() *haven.Plan {
	return &haven.Plan{ID: 3, CaseID: 7, State: haven.PlanPending, TaskIDs: []int64{5}, CreatedAt: testTime, CreatedBy: "alice"}
}

func (f *fake) Plans(ctx context.Context, number string) ([]*haven.Plan, error) {
	return []*haven.Plan{testPlan()}, f.call(ctx, number)
}

func (f *fake) ProposePlan(ctx context.Context, number string, in haven.PlanInput) (*haven.Plan, error) {
	return testPlan(), f.call(ctx, number, in)
}

func (f *fake) DecidePlan(ctx context.Context, number string, id int64, d haven.PlanDecision) (*haven.Plan, error) {
	return testPlan(), f.call(ctx, number, id, d)
}

// Users and teams.

func (f *fake) CreateUser(ctx context.Context, in haven.UserCreate) (*haven.User, error) {
	u := testUser()
	u.Username = in.Username
	return u, f.call(ctx, in)
}

func (f *fake) User(ctx context.Context, username string) (*haven.User, error) {
	return testUser(), f.call(ctx, username)
}

func (f *fake) Users(ctx context.Context) ([]*haven.User, error) {
	return []*haven.User{testUser()}, f.call(ctx)
}

func (f *fake) UpdateUser(ctx context.Context, username string, u haven.UserUpdate) (*haven.User, error) {
	return testUser(), f.call(ctx, username, u)
}

func (f *fake) CreateTeam(ctx context.Context, name string) (*haven.Team, error) {
	return testTeam(name), f.call(ctx, name)
}

func (f *fake) Teams(ctx context.Context) ([]*haven.Team, error) {
	t := testTeam("tier1")
	t.Labels = map[string]string{"ar": "المستوى الأول", "en": "Tier 1 <first line>"}
	return []*haven.Team{t}, f.call(ctx)
}

func (f *fake) UpdateTeam(ctx context.Context, name string, up haven.TeamUpdate) (*haven.Team, error) {
	return testTeam(name), f.call(ctx, name, up)
}

func (f *fake) AddTeamMember(ctx context.Context, team, username string) (*haven.Team, error) {
	return testTeam(team), f.call(ctx, team, username)
}

func (f *fake) RemoveTeamMember(ctx context.Context, team, username string) (*haven.Team, error) {
	return testTeam(team), f.call(ctx, team, username)
}

func (f *fake) ResetPassword(ctx context.Context, username string) (string, error) {
	return "one-time-password", f.call(ctx, username)
}

// Auth.

func (f *fake) Login(ctx context.Context, c haven.Credentials) (*haven.LoginResult, error) {
	return nil, haven.Errorf(haven.EUNAUTHORIZED, "not in this fake")
}

func (f *fake) Logout(ctx context.Context, token string) error { return nil }

// SessionActor accepts goodSession only.
func (f *fake) SessionActor(ctx context.Context, token string) (haven.Actor, error) {
	if token != goodSession {
		return haven.Actor{}, haven.Errorf(haven.EUNAUTHORIZED, "your session has ended; sign in again")
	}
	return haven.Actor{User: testUser()}, nil
}

// TokenActor accepts goodToken only; it does not go through call, so f.err does not affect it.
func (f *fake) TokenActor(ctx context.Context, token string) (haven.Actor, error) {
	if token != goodToken {
		return haven.Actor{}, haven.Errorf(haven.EUNAUTHORIZED, "invalid or revoked API token")
	}
	return haven.Actor{User: testUser()}, nil
}

func (f *fake) CreateToken(ctx context.Context, username, name string, readOnly bool) (string, *haven.APIToken, error) {
	t := &haven.APIToken{ID: 11, UserID: 1, Username: username, Name: name, TokenHash: "secret-hash",
		ReadOnly: readOnly, CreatedAt: testTime}
	return "hvt_new-token", t, f.call(ctx, username, name, readOnly)
}

func (f *fake) Tokens(ctx context.Context, username string) ([]*haven.APIToken, error) {
	used := testTime.Add(time.Hour)
	return []*haven.APIToken{
		{ID: 12, UserID: 1, Username: username, Name: "ci", TokenHash: "secret-hash", ReadOnly: true, CreatedAt: testTime, LastUsed: &used},
		{ID: 11, UserID: 1, Username: username, Name: "laptop", TokenHash: "secret-hash", CreatedAt: testTime, Revoked: true},
	}, f.call(ctx, username)
}

func (f *fake) RevokeToken(ctx context.Context, username string, id int64) error {
	return f.call(ctx, username, id)
}

// SignOutEverywhere records the acting user too, to check who the web layer says is acting.
func (f *fake) SignOutEverywhere(ctx context.Context, username string) error {
	return f.call(ctx, actorName(ctx), username)
}

// testServer wires a fake into a Server whose logs go to the returned buffer.
func testServer(t *testing.T, f *fake) (*Server, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	s := NewServer(Services{Cases: f, Requesters: f, Notes: f, Tasks: f, Messages: f, Reports: f, Users: f,
		Auth: f, Audit: f, Compartments: f, Retention: f, Attachments: f, TwoFactor: f, Notifications: f, Account: f, Correspondents: f, Templates: f, Playbooks: f, Articles: f, Categories: f, Platforms: f, Escalations: f, Schedules: f, Alerts: f, PageChannels: f, SLA: f, Plans: f, Observables: f, Intel: f, CaseStats: f, Public: f, Briefing: f, Presence: f,
		Ready: func(context.Context) error { return f.ready }},
		Config{Logger: slog.New(slog.NewJSONHandler(logs, nil)), Version: "test"})
	return s, logs
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// req describes a test request; body is sent as JSON unless contentType says otherwise.
type req struct {
	method, path string
	body         string
	token        string // "" sends goodToken; "-" sends no Authorization header
	contentType  string
	header       map[string]string
	reader       io.Reader // overrides body (e.g. a stream of unknown length)
}

func serve(t *testing.T, s *Server, rq req) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader = strings.NewReader(rq.body)
	if rq.reader != nil {
		body = rq.reader
	}
	r := httptest.NewRequest(rq.method, rq.path, body)
	if rq.reader != nil {
		r.ContentLength = -1
	}
	if rq.body != "" || rq.reader != nil {
		ct := rq.contentType
		if ct == "" {
			ct = "application/json"
		}
		r.Header.Set("Content-Type", ct)
	}
	switch rq.token {
	case "":
		r.Header.Set("Authorization", "Bearer "+goodToken)
	case "-":
	default:
		r.Header.Set("Authorization", "Bearer "+rq.token)
	}
	for k, v := range rq.header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	return w
}

// Audit.

func (f *fake) AuditEvents(ctx context.Context, flt haven.EventFilter) (*haven.EventPage, error) {
	e := &haven.Event{ID: 5, At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Actor: "sam", Action: "case.viewed",
		ObjectType: "case", ObjectID: "HV-2026-000001", Seq: 5, PrevHash: "ab", Hash: "cd"}
	return &haven.EventPage{Items: []*haven.Event{e}}, f.call(ctx, flt)
}

// Compartments.

func (f *fake) Compartments(ctx context.Context) ([]*haven.Compartment, error) {
	return []*haven.Compartment{{Name: "staff", Members: []string{"bob"}}}, f.call(ctx)
}

func (f *fake) CreateCompartment(ctx context.Context, name string) (*haven.Compartment, error) {
	return &haven.Compartment{Name: name, Members: []string{}}, f.call(ctx, name)
}

func (f *fake) AddCompartmentMember(ctx context.Context, c, username string) (*haven.Compartment, error) {
	return &haven.Compartment{Name: c, Members: []string{username}}, f.call(ctx, c, username)
}

func (f *fake) RemoveCompartmentMember(ctx context.Context, c, username string) (*haven.Compartment, error) {
	return &haven.Compartment{Name: c, Members: []string{}}, f.call(ctx, c, username)
}

func (f *fake) GrantAccess(ctx context.Context, number, username string, d time.Duration) (*haven.AccessGrant, error) {
	until := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &haven.AccessGrant{Username: username, Kind: "grant", ExpiresAt: &until, CreatedAt: until}, f.call(ctx, number, username, d)
}

func (f *fake) BreakGlass(ctx context.Context, number, reason string) (*haven.Case, error) {
	return testCase(number), f.call(ctx, number, reason)
}

// Retention.

func (f *fake) RetentionPolicies(ctx context.Context) ([]*haven.RetentionPolicy, error) {
	return []*haven.RetentionPolicy{{Category: "*", Days: 365, UpdatedAt: testTime}}, f.call(ctx)
}

func (f *fake) SetRetentionPolicy(ctx context.Context, p haven.RetentionPolicy) (*haven.RetentionPolicy, error) {
	p.UpdatedAt = testTime
	return &p, f.call(ctx, p)
}

// Attachments.

func testAttachment() *haven.Attachment {
	return &haven.Attachment{ID: 3, CaseID: 1, Filename: "screenshot.png", ContentType: "image/png", Size: 5,
		SHA256: strings.Repeat("ab", 32), CreatedAt: testTime}
}

func (f *fake) AddAttachment(ctx context.Context, number string, in haven.AttachmentUpload) (*haven.Attachment, error) {
	return testAttachment(), f.call(ctx, number, in)
}

func (f *fake) Attachments(ctx context.Context, number string) ([]*haven.Attachment, error) {
	return []*haven.Attachment{testAttachment()}, f.call(ctx, number)
}

func (f *fake) OpenAttachment(ctx context.Context, number string, id int64) (*haven.Attachment, io.ReadCloser, error) {
	if err := f.call(ctx, number, id); err != nil {
		return nil, nil, err
	}
	return testAttachment(), io.NopCloser(strings.NewReader("hello")), nil
}

// Two-factor.

func (f *fake) BeginTOTP(ctx context.Context, password string) (*haven.TOTPEnrolment, error) {
	return &haven.TOTPEnrolment{Secret: "JBSWY3DPEHPK3PXP", URL: "otpauth://totp/Haven:alice?secret=JBSWY3DPEHPK3PXP", QRSVG: "<svg/>"}, f.call(ctx, password)
}

func (f *fake) ConfirmTOTP(ctx context.Context, code, password string) ([]string, error) {
	return []string{"abcd-efgh"}, f.call(ctx, code, password)
}

func (f *fake) DisableTOTP(ctx context.Context, username, password string) error {
	return f.call(ctx, username, password)
}

func (f *fake) TwoFactorStatus(ctx context.Context) (*haven.TwoFactorStatus, error) {
	return &haven.TwoFactorStatus{Enabled: true, EnabledAt: &testTime, RecoveryCodesLeft: 9}, f.call(ctx)
}

func (f *fake) CompleteLogin(ctx context.Context, challenge, code string) (*haven.LoginResult, error) {
	return &haven.LoginResult{Token: goodSession, User: testUser()}, f.call(ctx, challenge, code)
}

func (f *fake) SetTwoFactorRequired(ctx context.Context, required bool) error {
	return f.call(ctx, required)
}

// Notifications.

func (f *fake) Notifications(ctx context.Context, unreadOnly bool) ([]*haven.Notification, error) {
	return []*haven.Notification{{ID: 4, Kind: "break_glass", CaseNumber: "HV-2026-000001", Actor: "lena",
		Text: "lena broke the glass", CreatedAt: testTime}}, f.call(ctx, unreadOnly)
}

func (f *fake) MarkNotificationsRead(ctx context.Context, upTo int64) error { return f.call(ctx, upTo) }

func (f *fake) NotificationPrefs(ctx context.Context) (*haven.NotificationPrefs, error) {
	return &haven.NotificationPrefs{Email: map[string]bool{"assigned": false, "reply": false, "mention": false, "break_glass": true}}, f.call(ctx)
}

func (f *fake) SetNotificationPrefs(ctx context.Context, p haven.NotificationPrefs) (*haven.NotificationPrefs, error) {
	return &p, f.call(ctx, p)
}

// Counts and account.

func (f *fake) CountCases(ctx context.Context, filters map[string]haven.CaseFilter) (map[string]int, error) {
	out := map[string]int{}
	for k := range filters {
		out[k] = 1
	}
	return out, f.call(ctx, filters)
}

func (f *fake) UpdateMe(ctx context.Context, up haven.MeUpdate) (*haven.User, error) {
	return testUser(), f.call(ctx, up)
}

func (f *fake) SavedViews(ctx context.Context) ([]*haven.SavedView, error) { return nil, f.call(ctx) }

func (f *fake) SaveView(ctx context.Context, v haven.SavedView) (*haven.SavedView, error) {
	return &v, f.call(ctx, v)
}

func (f *fake) DeleteView(ctx context.Context, id int64) error { return f.call(ctx, id) }

func (f *fake) RenameView(ctx context.Context, id int64, name string) (*haven.SavedView, error) {
	return &haven.SavedView{ID: id, Name: name}, f.call(ctx, id, name)
}

func (f *fake) RequesterSummary(ctx context.Context, id int64) (*haven.RequesterSummary, error) {
	return &haven.RequesterSummary{ID: id, DisplayName: "Sparrow", Vetting: "vetted"}, f.call(ctx, id)
}
