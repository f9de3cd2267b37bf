package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/email"
	"github.com/haven-helpline/haven/jobs"
	"github.com/haven-helpline/haven/pgp"
	"github.com/haven-helpline/haven/service"
	"github.com/haven-helpline/haven/testenv"
)

// TestEscalationEmailEndToEnd, on both databases: an escalation to a platform with an email
// channel and an OpenPGP key goes out through the relay encrypted to that key and tagged
// [HVE-…]; the platform's answer, sent with swaks to the SMTP listener, lands on that escalation
// (not another one of the case) and acknowledges it; the other one, left unanswered past its
// target, earns its owner a reminder by email.
func TestEscalationEmailEndToEnd(t *testing.T) {
	if _, err := exec.LookPath("swaks"); err != nil {
		t.Fatal("swaks is missing: install the Debian package swaks")
	}
	for name, dsn := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "h.db") },
		"postgres": func(t *testing.T) string { return testenv.Postgres(t) },
	} {
		t.Run(name, func(t *testing.T) { escalationByEmail(t, startMailServerOn(t, nil, dsn(t))) })
	}
}

func escalationByEmail(t *testing.T, m *mailServer) {
	platformKey := partnerKeys(t, m)
	c, err := m.a.svc.CreateCase(m.admin, haven.CaseCreate{Title: "Compte Instagram piraté", Language: "fr",
		Consent: haven.Consent{ShareWithPartner: true}})
	if err != nil {
		t.Fatal(err)
	}
	var tags []string
	var first *haven.Escalation
	for i, text := range []string{"zqsecret: restaurez le compte @amira", "second request"} {
		e, err := m.a.svc.CreateEscalation(m.admin, c.Number, haven.EscalationCreate{Platform: "instagram", Kind: "hacked-account",
			Subject: "Compte piraté", Body: text})
		if err != nil {
			t.Fatal(err)
		}
		if e, err = m.a.svc.TransitionEscalation(m.admin, e.ID, haven.EscalationTransition{To: haven.EscalationSent}); err != nil || !e.Encrypted {
			t.Fatalf("send %d: %+v %v", i, e, err)
		}
		if i == 0 {
			first = e
		}
		m.work()
		sent := m.relay.received()
		raw := sent[len(sent)-1]
		if bytes.Contains(raw, []byte("zqsecret")) || !bytes.Contains(raw, []byte("multipart/encrypted")) {
			t.Fatalf("the escalation went out readable:\n%s", raw)
		}
		out := email.Parse(raw)
		tag := "[" + haven.EscalationTag(e.ReplyToken) + "]"
		if !strings.Contains(out.Subject, tag) || strings.Contains(out.Subject, c.Number) {
			t.Fatalf("subject %q: want the escalation's tag %s and not the case number", out.Subject, tag)
		}
		tags = append(tags, tag)
		if i == 0 {
			opened, err := platformKey.OpenMessage(raw, nil)
			if err != nil || !bytes.Contains(opened.Plain, []byte("restaurez le compte")) {
				t.Fatalf("the platform cannot read it: %v", err)
			}
		}
	}
	m.swaks("--to", "help@helpline.test", "--from", "noreply@support.instagram.example",
		"--header", "Subject: Re: Compte piraté "+tags[0], "--body", "We have restored the account.")
	got, err := m.a.svc.Escalation(m.admin, first.ID)
	if err != nil || got.State != haven.EscalationAcknowledged || got.FirstResponseAt == nil {
		t.Fatalf("the answered escalation: %+v %v", got, err)
	}
	page, _ := m.a.svc.Escalations(m.admin, haven.EscalationFilter{State: haven.EscalationSent})
	if len(page.Items) != 1 || page.Items[0].ID == first.ID {
		t.Fatalf("the other escalation must still wait: %+v", page.Items)
	}
	if cases, _ := m.a.svc.Cases(m.admin, haven.CaseFilter{}); len(cases.Items) != 1 {
		t.Fatalf("the platform's answer opened a new case (%d cases)", len(cases.Items))
	}
	msgs, _ := m.a.svc.Messages(m.admin, c.Number)
	if last := msgs[len(msgs)-1]; last.Direction != haven.Inbound || last.EscalationID != first.ID {
		t.Fatalf("the answer is not filed on its escalation: %+v", last)
	}
	remindByEmail(t, m, page.Items[0])
}

// remindByEmail: an hour past the waiting escalation's target (a service whose clock is set ahead,
// on the same database, run by the job runner) its owner is reminded, in the app and by email
// through the relay; the email holds references, not the text sent.
func remindByEmail(t *testing.T, m *mailServer, waiting *haven.Escalation) {
	address := "admin@helpline.test"
	if _, err := m.a.svc.UpdateUser(m.admin, "admin", haven.UserUpdate{Email: &address}); err != nil {
		t.Fatal(err)
	}
	clock := laterClock{waiting.DueAt.Add(time.Hour)}
	runner := jobs.New(m.a.db, clock, m.e.log, jobs.Config{Worker: "later"})
	runner.Handle(jobEscalationRemind, func(ctx context.Context, _ *haven.Job) error {
		sent, err := service.New(m.a.db, clock, m.a.cfg).RemindEscalations(ctx)
		if err == nil && (len(sent) != 1 || sent[0].Escalation.ID != waiting.ID) {
			t.Errorf("reminders: %+v", sent)
		}
		return err
	})
	runner.Handle(haven.JobNotifyEmail, m.rt.sender.notify)
	runner.Every(jobs.Periodic{Kind: jobEscalationRemind, Every: escalationRemindTick})
	before := len(m.relay.received())
	for range 3 {
		if _, err := runner.Tick(m.e.ctx); err != nil {
			t.Fatal(err)
		}
	}
	mail := m.relay.received()
	if len(mail) != before+1 {
		t.Fatalf("%d emails to the relay, want the reminder", len(mail)-before)
	}
	got := email.Parse(mail[len(mail)-1])
	if !strings.Contains(got.Subject, "response target") || !strings.Contains(got.Text, waiting.CaseNumber) ||
		strings.Contains(got.Text, "second request") {
		t.Fatalf("reminder email: %q\n%s", got.Subject, got.Text)
	}
}

type laterClock struct{ t time.Time }

func (c laterClock) Now() time.Time { return c.t }

// partnerKeys gives the helpline a key pair and Instagram an email channel with an OpenPGP key;
// it returns the platform's keyring, to read what it receives.
func partnerKeys(t *testing.T, m *mailServer) *pgp.Keyring {
	helpline, _ := pgp.GenerateKey("Helpline", "help@helpline.test", nil)
	info, _ := pgp.Inspect(helpline)
	if err := m.a.svc.ImportPGPKeyAsSystem(m.e.ctx, info.Fingerprint, string(helpline)); err != nil {
		t.Fatal(err)
	}
	keys, err := loadPGPKeyring(m.e.ctx, m.a)
	if err != nil {
		t.Fatal(err)
	}
	m.rt.sender.keys = keys
	platform, _ := pgp.GenerateKey("Instagram partners", "partners@instagram.example", nil)
	channels := []haven.PlatformChannel{{Kind: "email", Address: "partners@instagram.example", PGPKey: mustPublic(t, platform)}}
	if _, err := m.a.svc.UpdatePlatform(m.admin, "instagram", haven.PlatformUpdate{Channels: &channels}); err != nil {
		t.Fatal(err)
	}
	theirs, err := pgp.NewKeyring([][]byte{platform}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return theirs
}
