package service_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/service"
	"github.com/haven-helpline/haven/sqldb"
)

// person is what one requester told the helpline; after erasure none of it may be readable.
var person = struct{ name, email, pseudonym, risk, note, message, raw string }{
	"Yasmin Toukan-Berger", "yasmin.unique@example.org", "kestrel-4410", "moves between safe houses",
	"Meeting point: the laundromat behind Rue Lemaire", "My husband installed something on my phone",
	"From: yasmin.unique@example.org\r\n\r\nRAW-ORIGINAL-SUBMISSION",
}

type erasureFixture struct {
	svc         *service.Service
	db          *sqldb.DB
	path        string
	close       func() error
	lead, admin context.Context
	handler     context.Context
	requesterID int64
	number      string
	reportID    int64 // the text report
}

// newErasureFixture opens a SQLite database with a lead, a handler and one person with a case
// holding a note, a message, a text report and a binary report.
func newErasureFixture(t *testing.T) *erasureFixture {
	t.Helper()
	ctx := context.Background()
	f := &erasureFixture{path: filepath.Join(t.TempDir(), "h.db")}
	db, err := sqldb.Open(ctx, f.path)
	if err != nil {
		t.Fatal(err)
	}
	f.db, f.close = db, sync.OnceValue(db.Close)
	t.Cleanup(func() { f.close() })
	if _, err := db.Migrate(ctx, func() int64 { return 0 }); err != nil {
		t.Fatal(err)
	}
	unlock(t, db)
	f.svc = service.New(db, &fixedClock{t: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)}, service.DefaultConfig())
	admin, err := f.svc.CreateFirstAdmin(ctx, "admin", "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	f.admin = as(admin, false)
	for _, u := range []struct {
		name string
		role haven.Role
		ctx  *context.Context
	}{{"fatou", haven.RoleLead, &f.lead}, {"amira", haven.RoleHandler, &f.handler}} {
		created, err := f.svc.CreateUser(f.admin, haven.UserCreate{Username: u.name, Role: u.role, Password: "a long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		*u.ctx = as(created, false)
	}
	f.writePerson(t)
	return f
}

func (f *erasureFixture) writePerson(t *testing.T) {
	t.Helper()
	c, err := f.svc.CreateCase(f.handler, haven.CaseCreate{Title: "Stalkerware suspected", Categories: []string{"spyware"},
		Country: "FR", Requester: &haven.RequesterInput{Name: person.name, Email: person.email, Pseudonym: person.pseudonym, RiskNotes: person.risk}})
	if err != nil {
		t.Fatal(err)
	}
	f.requesterID, f.number = c.RequesterID, c.Number
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.svc.AddNote(f.handler, c.Number, haven.NoteCreate{Body: person.note}))
	must(f.svc.AddMessage(f.handler, c.Number, haven.MessageCreate{Direction: haven.Inbound, From: person.email, Subject: "help", Text: person.message}))
	for _, raw := range []string{person.raw, "\xff\xfe binary"} {
		r, err := f.svc.CreateReport(f.handler, haven.ReportCreate{Channel: "email", Raw: raw})
		must(r, err)
		must(f.svc.LinkReport(f.handler, r.ID, c.Number))
		if f.reportID == 0 {
			f.reportID = r.ID
		}
	}
	must(f.svc.TransitionCase(f.handler, c.Number, haven.Transition{To: haven.StatusOpen}))
	must(f.svc.TransitionCase(f.handler, c.Number, haven.Transition{To: haven.StatusResolved, Outcome: "resolved"}))
}

func TestExportRequester(t *testing.T) {
	f := newErasureFixture(t)
	_, err := f.svc.ExportRequester(f.handler, f.requesterID)
	wantCode(t, err, haven.EFORBIDDEN)
	x, err := f.svc.ExportRequester(f.lead, f.requesterID)
	if err != nil {
		t.Fatal(err)
	}
	if x.Requester.Name != person.name || x.Requester.Email() != person.email || x.Requester.RiskNotes != person.risk || len(x.Cases) != 1 {
		t.Fatalf("export: %+v", x.Requester)
	}
	c := x.Cases[0]
	if c.Case.Number != f.number || c.Case.Outcome != "resolved" || len(c.Notes) != 1 || c.Notes[0].Body != person.note ||
		len(c.Messages) != 1 || c.Messages[0].Text != person.message || len(c.Events) == 0 || len(x.Events) == 0 {
		t.Fatalf("exported case: %+v", c)
	}
	raws := map[string]string{}
	for _, r := range c.Reports {
		raws[r.RawEncoding] += r.Raw
	}
	if raws["text"] != person.raw || raws["base64"] != "//4gYmluYXJ5" {
		t.Fatalf("exported reports: %v", raws)
	}
	out, _ := json.Marshal(x)
	for _, want := range []string{`"risk_notes":`, `"merged_requesters":[]`, `"raw_encoding":"base64"`, person.email} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("export JSON lacks %s", want)
		}
	}
	if events := countEventsIn(t, f, "requester.exported"); events != 1 {
		t.Fatalf("%d requester.exported events", events)
	}
}

func countEventsIn(t *testing.T, f *erasureFixture, action string) int {
	t.Helper()
	page, err := f.svc.AuditEvents(f.admin, haven.EventFilter{Action: action, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return len(page.Items)
}

func TestEraseRequester(t *testing.T) {
	f := newErasureFixture(t)
	_, err := f.svc.EraseRequester(f.handler, f.requesterID)
	wantCode(t, err, haven.EFORBIDDEN)
	_, err = f.svc.PreviewErasure(f.handler, f.requesterID)
	wantCode(t, err, haven.EFORBIDDEN)
	old, err := f.svc.CreateRequester(f.handler, haven.RequesterInput{Name: "Y. Toukan", Email: "old.address@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.MergeRequesters(f.lead, f.requesterID, old.ID); err != nil {
		t.Fatal(err)
	}
	plan, err := f.svc.PreviewErasure(f.lead, f.requesterID)
	if err != nil || plan.Requesters != 2 || plan.Contacts != 2 || plan.Notes != 1 || plan.Messages != 1 || plan.Reports != 2 {
		t.Fatalf("preview: %+v %v", plan, err)
	}
	if r, _ := f.svc.Requester(f.lead, f.requesterID); r.Name != person.name {
		t.Fatal("the preview erased something")
	}
	done, err := f.svc.EraseRequester(f.lead, f.requesterID)
	if err != nil || done.Requesters != 2 || done.Notes != 1 || done.Reports != 2 || len(done.Cases) != 1 || done.Cases[0] != f.number {
		t.Fatalf("erase: %+v %v", done, err)
	}
	f.checkNothingReadable(t)
	if r, err := f.svc.Requester(f.lead, old.ID); err != nil || r.Name != "" {
		t.Fatalf("the record merged into the erased one: %+v %v", r, err)
	}
	again, err := f.svc.EraseRequester(f.lead, f.requesterID)
	if err != nil || !again.Nothing() {
		t.Fatalf("second erasure: %+v %v", again, err)
	}
	page, err := f.svc.AuditEvents(f.admin, haven.EventFilter{Action: "requester.erased", Limit: 10})
	if err != nil || len(page.Items) != 2 || page.Items[1].Data["notes"] != float64(1) {
		t.Fatalf("requester.erased events: %+v %v", page, err)
	}
	events, _ := json.Marshal(page.Items)
	if bytes.Contains(events, []byte(person.email)) || bytes.Contains(events, []byte(person.name)) {
		t.Fatal("the erasure event holds personal data")
	}
	if report, err := f.db.VerifyAudit(context.Background()); err != nil || report.Problem != nil {
		t.Fatalf("audit chain after erasure: %+v %v", report, err)
	}
	x, err := f.svc.ExportRequester(f.admin, f.requesterID)
	if err != nil || x.ErasedAt == nil || x.Requester.Name != "" || len(x.Cases) != 1 {
		t.Fatalf("export after erasure: %+v %v", x, err)
	}
}

// checkNothingReadable: through Haven, nothing personal reads back; the case and its statistics stay.
func (f *erasureFixture) checkNothingReadable(t *testing.T) {
	t.Helper()
	r, err := f.svc.Requester(f.lead, f.requesterID)
	if err != nil || r.Name != "" || r.Pseudonym != "" || r.RiskNotes != "" || len(r.Contacts) != 0 {
		t.Fatalf("requester after erasure: %+v %v", r, err)
	}
	notes, _ := f.svc.Notes(f.lead, f.number)
	msgs, _ := f.svc.Messages(f.lead, f.number)
	if len(notes) != 1 || notes[0].Body != "" || len(msgs) != 1 || msgs[0].Text != "" || msgs[0].From != "" {
		t.Fatalf("notes %+v messages %+v", notes, msgs)
	}
	err = f.db.View(context.Background(), func(tx haven.Tx) error {
		rep, err := tx.ReportByID(context.Background(), f.reportID)
		if err == nil && len(rep.Raw) != 0 {
			t.Errorf("report raw after erasure: %q", rep.Raw)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.Case(f.lead, f.number)
	if err != nil || c.Outcome != "resolved" || c.Country != "FR" || len(c.Categories) != 1 || c.RequesterID != f.requesterID {
		t.Fatalf("case after erasure: %+v %v", c, err)
	}
	byMail, err := f.svc.Requesters(f.lead, haven.RequesterFilter{Contact: person.email})
	if err != nil || len(byMail.Items) != 0 {
		t.Fatalf("lookup by the erased email: %+v %v", byMail, err)
	}
	found, err := f.svc.Cases(f.lead, haven.CaseFilter{Text: "laundromat"})
	if err != nil || len(found.Items) != 0 {
		t.Fatalf("search for a word of the erased note: %+v %v", found, err)
	}
}

// TestErasureLeavesNothingInTheFiles reads the raw SQLite files after an erasure and a scrub:
// neither the plaintext (which was never there) nor any sealed data key of the erased records.
func TestErasureLeavesNothingInTheFiles(t *testing.T) {
	f := newErasureFixture(t)
	if found, err := f.svc.Cases(f.lead, haven.CaseFilter{Text: "laundromat"}); err != nil || len(found.Items) != 1 {
		t.Fatalf("before erasure, the note is searchable: %+v %v", found, err)
	}
	keys := f.sealedKeys(t)
	if len(keys) != 5 { // requester, note, message, two reports
		t.Fatalf("%d sealed keys before erasure", len(keys))
	}
	if _, err := f.svc.EraseRequester(f.lead, f.requesterID); err != nil {
		t.Fatal(err)
	}
	if left := f.sealedKeys(t); len(left) != 0 {
		t.Fatalf("%d sealed keys left after erasure", len(left))
	}
	if err := f.db.Scrub(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := f.close(); err != nil { // checkpoints the WAL into the file
		t.Fatal(err)
	}
	for _, file := range []string{f.path, f.path + "-wal"} {
		raw, err := os.ReadFile(file)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for i, k := range keys {
			if bytes.Contains(raw, k) {
				t.Errorf("%s still holds sealed data key %d of the erased records", file, i)
			}
		}
		lower := bytes.ToLower(raw)
		for _, s := range []string{person.name, person.email, person.pseudonym, "laundromat", "RAW-ORIGINAL"} {
			if bytes.Contains(lower, []byte(strings.ToLower(s))) {
				t.Errorf("%s holds %q", file, s)
			}
		}
	}
}

// sealedKeys reads, behind Haven's back, the data keys left on the person's records.
func (f *erasureFixture) sealedKeys(t *testing.T) [][]byte {
	t.Helper()
	raw, err := sql.Open("sqlite", f.path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var keys [][]byte
	for _, q := range []string{
		`SELECT data_key FROM requesters WHERE id = $1 AND data_key IS NOT NULL`,
		`SELECT data_key FROM notes WHERE case_id IN (SELECT id FROM cases WHERE requester_id = $1) AND data_key IS NOT NULL`,
		`SELECT data_key FROM messages WHERE case_id IN (SELECT id FROM cases WHERE requester_id = $1) AND data_key IS NOT NULL`,
		`SELECT data_key FROM reports WHERE case_id IN (SELECT id FROM cases WHERE requester_id = $1) AND data_key IS NOT NULL`,
	} {
		rows, err := raw.Query(q, f.requesterID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k []byte
			if err := rows.Scan(&k); err != nil {
				t.Fatal(err)
			}
			keys = append(keys, k)
		}
		rows.Close()
	}
	return keys
}

// TestDataSubjectRequestsRespectNeedToKnow: a lead who may not see one of the person's cases gets
// neither a partial export nor a partial erasure; the console still can.
func TestDataSubjectRequestsRespectNeedToKnow(t *testing.T) {
	f := newErasureFixture(t)
	if _, err := f.svc.CreateCase(f.admin, haven.CaseCreate{Title: "Restricted", RestrictedTo: []string{"amira"},
		Requester: &haven.RequesterInput{Email: person.email}}); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.ExportRequester(f.lead, f.requesterID)
	wantCode(t, err, haven.EFORBIDDEN)
	_, err = f.svc.EraseRequester(f.lead, f.requesterID)
	wantCode(t, err, haven.EFORBIDDEN)
	x, err := f.svc.ExportRequesterAsSystem(context.Background(), f.requesterID)
	if err != nil || len(x.Cases) != 2 {
		t.Fatalf("console export: %v %v", x, err)
	}
	done, err := f.svc.EraseRequesterAsSystem(context.Background(), f.requesterID)
	if err != nil || len(done.Cases) != 2 || done.Requesters != 1 {
		t.Fatalf("console erasure: %+v %v", done, err)
	}
}

// TestErasedRequesterStaysErased: an erased person leaves the lists and cannot be edited or
// merged back into existence.
func TestErasedRequesterStaysErased(t *testing.T) {
	f := newErasureFixture(t)
	if _, err := f.svc.EraseRequester(f.lead, f.requesterID); err != nil {
		t.Fatal(err)
	}
	r, err := f.svc.Requester(f.lead, f.requesterID)
	if err != nil || r.ErasedAt == nil {
		t.Fatalf("erased requester: %+v %v", r, err)
	}
	page, err := f.svc.Requesters(f.lead, haven.RequesterFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, listed := range page.Items {
		if listed.ID == f.requesterID {
			t.Fatal("an erased requester is still listed")
		}
	}
	name := "Back again"
	_, err = f.svc.UpdateRequester(f.lead, f.requesterID, haven.RequesterUpdate{Name: &name})
	wantCode(t, err, haven.ECONFLICT)
	other, err := f.svc.CreateRequester(f.lead, haven.RequesterInput{Name: "Someone else"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.MergeRequesters(f.lead, other.ID, f.requesterID)
	wantCode(t, err, haven.ECONFLICT)
}
