package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/testenv"
)

// Known plaintext written through Haven; none of it may appear in the database's files.
var secrets = []string{
	"Zaynab Qurashi-Moreau", "zaynab.q.unique@example.org", "Nightjar-7731", "+000 555 0173",
	"stays at her cousin's flat near the old souk", "Meet at the Café Bellevue at 18:42",
	"Your passport scan is attached", "RAW-SUBMISSION-5f3e", "endorsed by Karim-Haddad of the dockworkers",
	"ask Dana-Okonkwo-partner-desk", "IG-TICKET-88123", "zaynab-safehouse-9911.org",
	"Tarek Mansour-Aziz, her former husband", "trails her from Tripoli to Byblos nightly",
}

// phishKit is a phishing URL seen in the secrets' case: not a secret, it is what gets shared.
const phishKit = "https://phish-kit-4471.net/login"

func TestNothingPersonalInTheDatabaseFiles(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "h.db")
		a := writeSecrets(t, path, dir)
		a.Close() // checkpoints the WAL into the file
		for _, f := range []string{path, path + "-wal"} {
			raw, err := os.ReadFile(f)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			assertNoSecret(t, f, raw)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := testenv.Postgres(t)
		a := writeSecrets(t, dsn, t.TempDir())
		defer a.Close()
		dump, err := exec.Command(pgDump(t), "--no-owner", dsn).Output()
		if err != nil {
			t.Fatalf("pg_dump: %v", err)
		}
		if !bytes.Contains(dump, []byte("COPY public.requesters")) {
			t.Fatal("the dump does not look like a dump of Haven's database")
		}
		assertNoSecret(t, "pg_dump", dump)
	})
}

// writeEscalation escalates the case to a platform whose channel notes name a partner contact,
// with the requester's name in the text and the platform's ticket number as reference.
func writeEscalation(t *testing.T, ctx context.Context, a *app, number string) {
	t.Helper()
	channels := []haven.PlatformChannel{{Kind: "email", Address: "partners@instagram.example", Notes: secrets[9]}}
	if _, err := a.svc.UpdatePlatform(ctx, "instagram", haven.PlatformUpdate{Channels: &channels}); err != nil {
		t.Fatal(err)
	}
	e, err := a.svc.CreateEscalation(ctx, number, haven.EscalationCreate{Platform: "instagram", Kind: "impersonation",
		Subject: secrets[0], Body: secrets[4], Reference: secrets[10]})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.TransitionEscalation(ctx, e.ID, haven.EscalationTransition{To: haven.EscalationSent,
		ConsentOverride: true, Reason: "urgent"}); err != nil {
		t.Fatal(err)
	}
}

// writeSecrets stores a requester, a case, a note, a message, a report and an escalation holding the secrets,
// then checks that Haven itself reads them back and finds the note by a word.
func writeSecrets(t *testing.T, dsn, data string) *app {
	t.Helper()
	e := &env{ctx: context.Background(), stdout: io.Discard, stderr: io.Discard, log: slog.New(slog.DiscardHandler)}
	a, err := (&ServeCmd{DBFlags: DBFlags{DB: dsn, Data: data}}).prepare(e)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := a.svc.CreateFirstAdmin(e.ctx, "admin", "a long admin password")
	if err != nil {
		t.Fatal(err)
	}
	ctx := haven.WithActor(e.ctx, haven.Actor{User: admin})
	c, err := a.svc.CreateCase(ctx, haven.CaseCreate{Title: "Threats against a union organiser", Channel: "web",
		Requester: &haven.RequesterInput{Name: secrets[0], Email: secrets[1], Pseudonym: secrets[2],
			Contacts: []haven.Contact{{Kind: "phone", Value: secrets[3]}}, RiskNotes: secrets[4], VouchedBy: secrets[8]}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.AddNote(ctx, c.Number, haven.NoteCreate{Body: secrets[5]}); err != nil {
		t.Fatal(err)
	}
	// Observables: a domain that is a secret (its value is sealed), and the phishing kit.
	if _, err := a.svc.AddNote(ctx, c.Number, haven.NoteCreate{Body: "she hides at " + secrets[11] + "; the lure was " + phishKit}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.AddMessage(ctx, c.Number, haven.MessageCreate{To: []string{secrets[1]}, Subject: secrets[6], Text: secrets[6]}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.CreateReport(ctx, haven.ReportCreate{Channel: "web", Raw: secrets[7]}); err != nil {
		t.Fatal(err)
	}
	writeEscalation(t, ctx, a, c.Number)
	// An actor who is one person: the name, the aliases and the description are sealed.
	actor, err := a.svc.CreateGroup(ctx, haven.GroupActor, haven.GroupInput{Name: secrets[12], Aliases: []string{secrets[12] + " (alias)"},
		Description: secrets[13]})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.SetCaseIntel(ctx, c.Number, haven.CaseIntel{Techniques: []string{"T1430"}, Groups: []int64{actor.ID}}); err != nil {
		t.Fatal(err)
	}
	r, err := a.svc.Requester(ctx, c.RequesterID)
	if err != nil || r.Name != secrets[0] || r.Email() != secrets[1] || r.RiskNotes != secrets[4] {
		t.Fatalf("Haven cannot read its own data back: %+v %v", r, err)
	}
	found, err := a.svc.Cases(ctx, haven.CaseFilter{Text: "bellev"})
	if err != nil || len(found.Items) != 1 || found.Items[0].RequesterName != secrets[2] {
		t.Fatalf("search by a word of an encrypted note: %+v %v", found, err)
	}
	byMail, err := a.svc.Requesters(ctx, haven.RequesterFilter{Contact: strings.ToUpper(secrets[1])})
	if err != nil || len(byMail.Items) != 1 {
		t.Fatalf("lookup by email through the blind index: %+v %v", byMail, err)
	}
	return a
}

// assertNoSecret fails for any secret, or any of its words of 6 letters or more, found in raw
// (case-insensitively, so that normalised search text would be caught too).
func assertNoSecret(t *testing.T, where string, raw []byte) {
	t.Helper()
	lower := bytes.ToLower(raw)
	for _, s := range secrets {
		needles := []string{s}
		for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\'' || r == ':' }) {
			if len(w) >= 6 {
				needles = append(needles, w)
			}
		}
		for _, n := range needles {
			if bytes.Contains(lower, bytes.ToLower([]byte(n))) {
				t.Errorf("%s contains %q in plaintext", where, n)
			}
		}
	}
}

func pgDump(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("HAVEN_PG_BIN"); dir != "" {
		return filepath.Join(dir, "pg_dump")
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_dump")
	if len(matches) > 0 {
		return matches[len(matches)-1]
	}
	path, err := exec.LookPath("pg_dump")
	if err != nil {
		t.Fatal("pg_dump not found: install PostgreSQL")
	}
	return path
}
