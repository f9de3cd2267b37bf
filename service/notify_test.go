package service_test

import (
	"context"
	"encoding/json"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/service"
	"github.com/haven-helpline/haven/sqldb"
	"github.com/haven-helpline/haven/testenv"
)

// notifyFixture is a fixture whose service sends email, with a second handle on its database to
// read the queued jobs.
type notifyFixture struct {
	*fixture
	db *sqldb.DB
}

func forEachNotifyFixture(t *testing.T, fn func(t *testing.T, f *notifyFixture)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newNotifyFixture(t, filepath.Join(t.TempDir(), "h.db"))) })
	t.Run("postgres", func(t *testing.T) { fn(t, newNotifyFixture(t, testenv.Postgres(t))) })
}

// newNotifyFixture is newFixtureOn's staff over the database at dsn, kept open for the test.
func newNotifyFixture(t *testing.T, dsn string) *notifyFixture {
	db := openTestDB(t, dsn)
	cfg := service.DefaultConfig()
	cfg.SendEmail = true
	return &notifyFixture{fixture: fixtureOver(t, db, cfg), db: db}
}

// notices lists who's notifications of kind, oldest first.
func (f *notifyFixture) notices(t *testing.T, who, kind string) []*haven.Notification {
	t.Helper()
	ns, err := f.svc.Notifications(f.users[who], false)
	if err != nil {
		t.Fatal(err)
	}
	ns = slices.DeleteFunc(ns, func(n *haven.Notification) bool { return n.Kind != kind })
	slices.Reverse(ns)
	return ns
}

// emailed reports whether the notification's email is queued.
func (f *notifyFixture) emailed(t *testing.T, n *haven.Notification) bool {
	t.Helper()
	var jobs []*haven.Job
	if err := f.db.View(context.Background(), func(tx haven.Tx) (err error) {
		jobs, err = tx.Jobs(context.Background(), haven.JobQueued, 500)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(jobs, func(j *haven.Job) bool {
		var p struct {
			ID int64 `json:"notification_id"`
		}
		return j.Kind == haven.JobNotifyEmail && json.Unmarshal([]byte(j.Payload), &p) == nil && p.ID == n.ID
	})
}

func mustCase(t *testing.T, f *fixture, ctx context.Context, in haven.CaseCreate) *haven.Case {
	t.Helper()
	c, err := f.svc.CreateCase(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNotifyAssigned(t *testing.T) {
	forEachNotifyFixture(t, func(t *testing.T, f *notifyFixture) {
		c := mustCase(t, f.fixture, f.admin, haven.CaseCreate{Title: "Phished", Team: "mena"})
		if _, err := f.svc.AssignCase(f.admin, c.Number, "amira"); err != nil {
			t.Fatal(err)
		}
		got := f.notices(t, "amira", haven.NoticeAssigned)
		if len(got) != 1 || got[0].CaseNumber != c.Number || got[0].Actor != "admin" || got[0].Text != "admin assigned "+c.Number+" to you" {
			t.Fatalf("amira's assignments: %+v", got)
		}
		if f.emailed(t, got[0]) {
			t.Fatal("an assignment is not emailed unless chosen")
		}
		// Taking a case oneself tells no one; a case created for someone else tells them.
		own := mustCase(t, f.fixture, f.users["amira"], haven.CaseCreate{Title: "Mine", Team: "mena"})
		if _, err := f.svc.AssignCase(f.users["amira"], own.Number, "amira"); err != nil {
			t.Fatal(err)
		}
		mustCase(t, f.fixture, f.users["amira"], haven.CaseCreate{Title: "Mine too", Team: "mena", Assignee: "amira"})
		if got := f.notices(t, "amira", haven.NoticeAssigned); len(got) != 1 {
			t.Fatalf("self-assignment notified: %+v", got)
		}
		// With email chosen for assignments, the next one is emailed too.
		if _, err := f.svc.SetNotificationPrefs(f.users["lucas"], haven.NotificationPrefs{Email: map[string]bool{haven.NoticeAssigned: true}}); err != nil {
			t.Fatal(err)
		}
		made := mustCase(t, f.fixture, f.users["fatou"], haven.CaseCreate{Title: "For lucas", Team: "latam", Assignee: "lucas"})
		got = f.notices(t, "lucas", haven.NoticeAssigned)
		if len(got) != 1 || got[0].CaseNumber != made.Number || got[0].Actor != "fatou" || !f.emailed(t, got[0]) {
			t.Fatalf("lucas's assignment by creation: %+v", got)
		}
		if n := f.notices(t, "fatou", haven.NoticeAssigned); len(n) != 0 {
			t.Fatalf("the lead who assigned was notified: %+v", n)
		}
	})
}

func TestNotifyReply(t *testing.T) {
	forEachNotifyFixture(t, func(t *testing.T, f *notifyFixture) {
		ctx := context.Background()
		res, err := f.svc.IngestEmail(ctx, email("r1@x", "omar@mail.example", "help", "hi"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AssignCase(f.admin, res.CaseNumber, "amira"); err != nil {
			t.Fatal(err)
		}
		ooo := email("r2@x", "omar@mail.example", "Out of office ["+res.CaseNumber+"]", "away")
		ooo.AutoReply, ooo.CaseTag = true, res.CaseNumber
		if _, err := f.svc.IngestEmail(ctx, ooo); err != nil {
			t.Fatal(err)
		}
		if got := f.notices(t, "amira", haven.NoticeReply); len(got) != 0 {
			t.Fatalf("an auto-reply notified: %+v", got)
		}
		back := email("r3@x", "omar@mail.example", "Re: ["+res.CaseNumber+"]", "the screenshot, my address is 12 Rue X")
		back.CaseTag = res.CaseNumber
		if _, err := f.svc.IngestEmail(ctx, back); err != nil {
			t.Fatal(err)
		}
		got := f.notices(t, "amira", haven.NoticeReply)
		if len(got) != 1 || got[0].CaseNumber != res.CaseNumber || got[0].Actor != "" || strings.Contains(got[0].Text, "Rue") || f.emailed(t, got[0]) {
			t.Fatalf("amira's replies: %+v", got)
		}
		// A call logged by a colleague tells the assignee; one she logs herself does not.
		for _, who := range []context.Context{f.admin, f.users["amira"]} {
			if _, err := f.svc.AddMessage(who, res.CaseNumber, haven.MessageCreate{Direction: haven.Inbound, Channel: "phone", Text: "called"}); err != nil {
				t.Fatal(err)
			}
		}
		if got := f.notices(t, "amira", haven.NoticeReply); len(got) != 2 || got[1].Actor != "admin" {
			t.Fatalf("replies after two logged calls: %+v", got)
		}
		// A new email opens a case with no assignee: no one is told of a reply.
		if _, err := f.svc.IngestEmail(ctx, email("r4@x", "omar@mail.example", "another", "new")); err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{"lucas", "fatou", "sam"} {
			if got := f.notices(t, who, haven.NoticeReply); len(got) != 0 {
				t.Fatalf("%s told of a reply: %+v", who, got)
			}
		}
	})
}

func TestNotifyMention(t *testing.T) {
	forEachNotifyFixture(t, func(t *testing.T, f *notifyFixture) {
		olga, err := f.svc.CreateUser(f.admin, haven.UserCreate{Username: "olga", Role: haven.RoleHandler, Password: "a long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		f.users["olga"] = as(olga, false)
		yes, no := true, false
		if _, err := f.svc.UpdateUser(f.admin, "olga", haven.UserUpdate{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetNotificationPrefs(f.users["lucas"], haven.NotificationPrefs{Email: map[string]bool{haven.NoticeMention: true}}); err != nil {
			t.Fatal(err)
		}
		open := mustCase(t, f.fixture, f.users["amira"], haven.CaseCreate{Title: "Open", Team: "mena"})
		body := "@Lucas, please call back. cc @fatou. @amira @ghost @olga write to help@sam.example; @lucas again"
		if _, err := f.svc.AddNote(f.users["amira"], open.Number, haven.NoteCreate{Body: body}); err != nil {
			t.Fatal(err)
		}
		lucas := f.notices(t, "lucas", haven.NoticeMention)
		if len(lucas) != 1 || lucas[0].Actor != "amira" || lucas[0].CaseNumber != open.Number || strings.Contains(lucas[0].Text, "call back") || !f.emailed(t, lucas[0]) {
			t.Fatalf("lucas's mentions: %+v", lucas)
		}
		fatou := f.notices(t, "fatou", haven.NoticeMention)
		if len(fatou) != 1 || f.emailed(t, fatou[0]) {
			t.Fatalf("fatou's mentions (not emailed unless chosen): %+v", fatou)
		}
		for _, who := range []string{"amira", "sam"} { // the author; an email address is no mention
			if got := f.notices(t, who, haven.NoticeMention); len(got) != 0 {
				t.Fatalf("%s was mentioned: %+v", who, got)
			}
		}
		// A note for leads mentions no handler: they cannot read it.
		if _, err := f.svc.AddNote(f.users["fatou"], open.Number, haven.NoteCreate{Body: "@lucas @sam", Visibility: "leads"}); err != nil {
			t.Fatal(err)
		}
		if len(f.notices(t, "lucas", haven.NoticeMention)) != 1 || len(f.notices(t, "sam", haven.NoticeMention)) != 1 {
			t.Fatal("a note for leads: the auditor is told, the handler is not")
		}
		// A restricted case: only who may see it is told.
		if _, err := f.svc.AddCompartmentMember(f.admin, "child-safety", "amira"); err != nil {
			t.Fatal(err)
		}
		hidden := mustCase(t, f.fixture, f.users["amira"], haven.CaseCreate{Title: "Hidden", Compartment: "child-safety"})
		if _, err := f.svc.AddNote(f.users["amira"], hidden.Number, haven.NoteCreate{Body: "@lucas @fatou @sam @admin"}); err != nil {
			t.Fatal(err)
		}
		for who, want := range map[string]int{"lucas": 1, "fatou": 1, "sam": 1} {
			if got := f.notices(t, who, haven.NoticeMention); len(got) != want {
				t.Fatalf("%s was told of a mention on a case hidden from them: %+v", who, got)
			}
		}
		if _, err := f.svc.UpdateUser(f.admin, "olga", haven.UserUpdate{Disabled: &no}); err != nil {
			t.Fatal(err)
		}
		if got := f.notices(t, "olga", haven.NoticeMention); len(got) != 0 {
			t.Fatalf("a disabled user was told: %+v", got)
		}
	})
}

func TestNotifyBreakGlass(t *testing.T) {
	forEachNotifyFixture(t, func(t *testing.T, f *notifyFixture) {
		if _, err := f.svc.AddCompartmentMember(f.admin, "child-safety", "amira"); err != nil { // the first member
			t.Fatal(err)
		}
		if _, err := f.svc.AddCompartmentMember(f.users["amira"], "child-safety", "sam"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetNotificationPrefs(f.users["sam"], haven.NotificationPrefs{Email: map[string]bool{haven.NoticeBreakGlass: false}}); err != nil {
			t.Fatal(err)
		}
		c := mustCase(t, f.fixture, f.users["amira"], haven.CaseCreate{Title: "Hidden", Compartment: "child-safety", Team: "mena"})
		if _, err := f.svc.BreakGlass(f.users["fatou"], c.Number, "the teacher called again"); err != nil {
			t.Fatal(err)
		}
		amira, sam := f.notices(t, "amira", haven.NoticeBreakGlass), f.notices(t, "sam", haven.NoticeBreakGlass)
		if len(amira) != 1 || amira[0].Actor != "fatou" || amira[0].CaseNumber != c.Number || strings.Contains(amira[0].Text, "teacher") {
			t.Fatalf("amira's break-glass notices: %+v", amira)
		}
		if !f.emailed(t, amira[0]) || len(sam) != 1 || f.emailed(t, sam[0]) {
			t.Fatal("a break-glass is emailed by default, and not to whoever turned that off")
		}
		for _, who := range []string{"fatou", "lucas"} {
			if got := f.notices(t, who, haven.NoticeBreakGlass); len(got) != 0 {
				t.Fatalf("%s was told: %+v", who, got)
			}
		}
	})
}

func TestNotificationPrefs(t *testing.T) {
	f := newFixture(t)
	p, err := f.svc.NotificationPrefs(f.users["sam"])
	want := map[string]bool{"assigned": false, "reply": false, "mention": false, "break_glass": true}
	if err != nil || !maps.Equal(p.Email, want) {
		t.Fatalf("defaults: %+v %v", p, err)
	}
	p, err = f.svc.SetNotificationPrefs(f.users["sam"], haven.NotificationPrefs{Email: map[string]bool{"reply": true, "break_glass": false}})
	want["reply"], want["break_glass"] = true, false
	if err != nil || !maps.Equal(p.Email, want) {
		t.Fatalf("after choosing: %+v %v", p, err)
	}
	if p, _ := f.svc.NotificationPrefs(f.users["sam"]); !maps.Equal(p.Email, want) {
		t.Fatalf("read back: %+v", p)
	}
	if p, _ := f.svc.NotificationPrefs(f.users["lucas"]); !p.Email["break_glass"] || p.Email["reply"] {
		t.Fatalf("another user's choices changed: %+v", p)
	}
	_, err = f.svc.SetNotificationPrefs(f.users["sam"], haven.NotificationPrefs{Email: map[string]bool{"alert": false}})
	wantCode(t, err, haven.EINVALID)
	_, err = f.svc.SetNotificationPrefs(f.users["sam"], haven.NotificationPrefs{})
	wantCode(t, err, haven.EINVALID)
	sam, _ := haven.ActorFrom(f.users["sam"])
	_, err = f.svc.SetNotificationPrefs(as(sam.User, true), haven.NotificationPrefs{Email: map[string]bool{"reply": false}})
	wantCode(t, err, haven.EFORBIDDEN)
	_, err = f.svc.NotificationPrefs(context.Background())
	wantCode(t, err, haven.EUNAUTHORIZED)
}
