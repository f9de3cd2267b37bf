package storetest

import (
	"slices"
	"strconv"
	"testing"

	"github.com/haven-helpline/haven"
)

// erasureFixture is a person (with a record merged into theirs) and a case holding everything
// personal a case can hold, next to another person's case that must not be touched.
type erasureFixture struct {
	person, merged *haven.Requester
	c, other       *haven.Case
	note           *haven.Note
	msg            *haven.Message
	report         *haven.Report
}

func newErasureFixture(t *testing.T, s haven.Store) *erasureFixture {
	f := &erasureFixture{
		person: &haven.Requester{Name: "Leila Haddad", Pseudonym: "heron", PGPKey: "-----BEGIN PGP", VouchedBy: "a partner",
			RiskNotes: "followed", Contacts: []haven.Contact{{Kind: "email", Value: "leila@example.org"}}, Vetting: "vetted", CreatedAt: t0, UpdatedAt: t0},
		merged: &haven.Requester{Name: "L. Haddad", Vetting: "unvetted", CreatedAt: t0, UpdatedAt: t0},
	}
	update(t, s, func(tx haven.Tx) error {
		o := &haven.Organisation{Name: "Dockworkers", Country: "LB"}
		if err := tx.InsertOrganisation(ctx, o); err != nil {
			return err
		}
		f.person.OrganisationID = o.ID
		if err := tx.InsertRequester(ctx, f.person); err != nil {
			return err
		}
		if err := tx.InsertRequester(ctx, f.merged); err != nil {
			return err
		}
		f.merged.MergedInto = f.person.ID
		return tx.UpdateRequester(ctx, f.merged)
	})
	f.c = newCase(t, s, "Account takeover", func(c *haven.Case) {
		c.RequesterID, c.Categories, c.Outcome, c.Country = f.person.ID, []string{"account-compromise"}, "resolved", "LB"
	})
	f.other = newCase(t, s, "Someone else", nil)
	f.note = &haven.Note{CaseID: f.c.ID, Body: "she sleeps at the harbourmaster office", Visibility: "team", CreatedAt: t0}
	f.msg = &haven.Message{CaseID: f.c.ID, Direction: haven.Inbound, Channel: "email", From: "leila@example.org",
		To: []string{"help@haven.example"}, Subject: "help", Text: "my phone", MessageID: "<m1@leilas-laptop>",
		References: []string{"<m0@leilas-laptop>"}, Status: "received", CreatedAt: t0}
	f.report = &haven.Report{Channel: "email", ExternalID: "<m1@leilas-laptop>", DedupeKey: "mid:<m1@leilas-laptop>",
		Raw: []byte("From: leila@example.org\r\n\r\nmy phone"), CaseID: f.c.ID, ReceivedAt: t0}
	update(t, s, func(tx haven.Tx) error {
		for _, step := range []func() error{
			func() error { return tx.InsertNote(ctx, f.note) },
			func() error { return tx.InsertMessage(ctx, f.msg) },
			func() error { return tx.InsertReport(ctx, f.report) },
			func() error {
				return tx.InsertAttachment(ctx, &haven.Attachment{CaseID: f.c.ID, Filename: "leila-passport.jpg", Size: 1, SHA256: "00", CreatedAt: t0})
			},
			func() error {
				return tx.AppendCaseText(ctx, f.c.ID, "note:"+strconv.FormatInt(f.note.ID, 10), f.note.Body)
			},
			func() error {
				return tx.AppendCaseText(ctx, f.c.ID, "message:"+strconv.FormatInt(f.msg.ID, 10), f.msg.Text)
			},
			func() error { return tx.AppendCaseText(ctx, f.other.ID, "note:999", "harbourmaster visit planned") },
			func() error {
				return tx.InsertEvent(ctx, &haven.Event{At: t0, Action: "requester.viewed", ObjectType: "requester", ObjectID: strconv.FormatInt(f.person.ID, 10)})
			},
			func() error { return f.addCaseTexts(tx) },
		} {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
	return f
}

// addCaseTexts gives the case the free text kept outside its correspondence: an event's detail,
// its correspondent, a notification's text, a break-glass reason, and a report first linked to
// it and then moved to another case.
func (f *erasureFixture) addCaseTexts(tx haven.Tx) error {
	u := &haven.User{Username: "erasure-lead", Role: haven.RoleLead, PasswordHash: "x", CreatedAt: t0}
	moved := &haven.Report{Channel: "web", Raw: []byte("leila's form"), CaseID: f.c.ID, ReceivedAt: t0}
	for _, step := range []func() error{
		func() error { return tx.InsertUser(ctx, u) },
		func() error {
			return tx.InsertEvent(ctx, &haven.Event{At: t0, Action: "case.transitioned", ObjectType: "case", ObjectID: f.c.Number,
				CaseID: f.c.ID, Data: map[string]any{"to": "open"}, Detail: map[string]any{"reason": "she is hiding at the harbour"}})
		},
		func() error {
			return tx.SetCaseCorrespondent(ctx, f.c.ID, &haven.Correspondent{Address: "leila@example.org"})
		},
		func() error {
			return tx.InsertNotification(ctx, &haven.Notification{UserID: u.ID, Kind: "break_glass", CaseID: f.c.ID, Text: "harbour", CreatedAt: t0})
		},
		func() error {
			return tx.InsertAccessGrant(ctx, &haven.AccessGrant{CaseID: f.c.ID, Kind: "break-glass", Reason: "harbour", CreatedAt: t0}, u.ID, u.ID)
		},
		func() error { return tx.InsertReport(ctx, moved) },
		func() error { return tx.LinkReport(ctx, moved.ID, f.other.ID) },
		func() error {
			return tx.InsertEscalation(ctx, &haven.Escalation{CaseID: f.c.ID, Platform: "instagram", Kind: "hacked-account",
				Channel: "email", Address: "partners@instagram.example", Subject: "Leila's account", Body: "at the harbour",
				Reference: "IG-1", State: haven.EscalationSent, ReplyToken: "LEILAAAAAA", CreatedAt: t0, SentAt: &t0})
		},
	} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// erase runs the erasure as the service does: every record of the person, every case, re-indexed.
func (f *erasureFixture) erase(t *testing.T, s haven.Store) haven.Erasure {
	var total haven.Erasure
	update(t, s, func(tx haven.Tx) error {
		total = haven.Erasure{}
		for _, id := range []int64{f.person.ID, f.merged.ID} {
			e, err := tx.EraseRequester(ctx, id, t0)
			if err != nil {
				return err
			}
			total.Add(e)
		}
		e, err := tx.EraseCaseCorrespondence(ctx, f.c.ID)
		if err != nil {
			return err
		}
		total.Add(e)
		c, err := tx.CaseByID(ctx, f.c.ID)
		if err != nil {
			return err
		}
		return tx.IndexCase(ctx, c)
	})
	return total
}

func testErasure(t *testing.T, s haven.Store) {
	f := newErasureFixture(t, s)
	view(t, s, func(tx haven.Tx) error {
		merged, err := tx.MergedRequesterIDs(ctx, f.person.ID)
		if err != nil || !slices.Equal(merged, []int64{f.merged.ID}) {
			t.Fatalf("merged requesters: %v %v", merged, err)
		}
		cases, err := tx.RequesterCaseIDs(ctx, f.person.ID)
		if err != nil || !slices.Equal(cases, []int64{f.c.ID}) {
			t.Fatalf("requester cases: %v %v", cases, err)
		}
		events, err := tx.RequesterEvents(ctx, f.person.ID)
		if err != nil || len(events) != 1 || events[0].Action != "requester.viewed" {
			t.Fatalf("requester events: %+v %v", events, err)
		}
		if events, err = tx.CaseEvents(ctx, f.c.ID); err != nil || len(events) != 1 || events[0].Detail["reason"] != "she is hiding at the harbour" ||
			events[0].Data["detail_id"] == nil || events[0].Data["reason"] != nil {
			t.Fatalf("an event's detail is kept apart and read back: %+v %v", events, err)
		}
		return nil
	})
	if found := collect(t, s, haven.CaseFilter{Text: "harbourmaster", Sort: haven.SortCreated, Limit: 10}); len(found) != 2 {
		t.Fatalf("before erasure, a word of the note finds %d cases, want 2", len(found))
	}
	got := f.erase(t, s)
	want := haven.Erasure{Requesters: 2, Contacts: 1, Notes: 1, Messages: 1, Reports: 2, Attachments: 1, SearchParts: 2,
		EventDetails: 1, Correspondents: 1, Notifications: 1, AccessReasons: 1, Escalations: 1}
	if !erasureCountsEqual(got, want) {
		t.Fatalf("erased %+v, want %+v", got, want)
	}
	f.checkErased(t, s)
	if again := f.erase(t, s); !again.Nothing() {
		t.Fatalf("a second erasure found something left: %+v", again)
	}
}

func erasureCountsEqual(a, b haven.Erasure) bool {
	a.Cases, b.Cases = nil, nil
	return a.RequesterID == b.RequesterID && a.Requesters == b.Requesters && a.Contacts == b.Contacts &&
		a.Notes == b.Notes && a.Messages == b.Messages && a.Reports == b.Reports &&
		a.Attachments == b.Attachments && a.SearchParts == b.SearchParts && a.EventDetails == b.EventDetails &&
		a.Correspondents == b.Correspondents && a.Notifications == b.Notifications && a.AccessReasons == b.AccessReasons &&
		a.Escalations == b.Escalations
}

// checkErased: nothing personal reads back, the other case is untouched, the statistics remain.
func (f *erasureFixture) checkErased(t *testing.T, s haven.Store) {
	view(t, s, func(tx haven.Tx) error {
		for _, id := range []int64{f.person.ID, f.merged.ID} {
			r, err := tx.RequesterByID(ctx, id)
			if err != nil || r.Name != "" || r.Pseudonym != "" || r.PGPKey != "" || r.VouchedBy != "" || r.RiskNotes != "" ||
				len(r.Contacts) != 0 || r.OrganisationID != 0 {
				t.Fatalf("requester %d after erasure: %+v %v", id, r, err)
			}
		}
		events, err := tx.CaseEvents(ctx, f.c.ID)
		if err != nil || len(events) != 1 || events[0].Detail != nil || events[0].Data["to"] != "open" {
			t.Fatalf("the case's event after erasure: %+v %v", events, err)
		}
		if _, err := tx.CaseCorrespondent(ctx, f.c.ID); haven.ErrorCode(err) != haven.ENOTFOUND {
			t.Fatalf("the correspondent survived: %v", err)
		}
		if found, err := tx.RequestersByContact(ctx, f.person.Contacts[0], haven.Viewer{Now: t0}); err != nil || len(found) != 0 {
			t.Fatalf("an erased contact still finds %d records (%v)", len(found), err)
		}
		notes, _ := tx.CaseNotes(ctx, f.c.ID)
		msgs, _ := tx.CaseMessages(ctx, f.c.ID)
		atts, _ := tx.CaseAttachments(ctx, f.c.ID)
		if len(notes) != 1 || notes[0].Body != "" || len(msgs) != 1 || len(atts) != 1 || atts[0].Filename != "" {
			t.Fatalf("notes %+v messages %d attachments %+v", notes, len(msgs), atts)
		}
		if m := msgs[0]; m.From != "" || len(m.To) != 0 || m.Subject != "" || m.Text != "" || m.MessageID != "" || len(m.References) != 0 {
			t.Fatalf("message after erasure: %+v", m)
		}
		if _, err := tx.EscalationByToken(ctx, "LEILAAAAAA"); haven.ErrorCode(err) != haven.ENOTFOUND {
			t.Fatalf("a platform's answer would still thread into the erased case: %v", err)
		}
		if es, err := tx.CaseEscalations(ctx, f.c.ID); err != nil || len(es) != 1 || es[0].Body != "" || es[0].Subject != "" ||
			es[0].Reference != "" || es[0].Address != "" || es[0].SentAt == nil {
			t.Fatalf("escalation after erasure (text gone, figures kept): %+v %v", es, err)
		}
		rep, err := tx.ReportByID(ctx, f.report.ID)
		if err != nil || len(rep.Raw) != 0 || rep.ExternalID != "" || rep.DedupeKey != "" || rep.CaseID != f.c.ID {
			t.Fatalf("report after erasure: %+v %v", rep, err)
		}
		c, err := tx.CaseByID(ctx, f.c.ID)
		if err != nil || c.RequesterID != f.person.ID || c.RequesterName != "" || c.Outcome != "resolved" ||
			!slices.Equal(c.Categories, []string{"account-compromise"}) || c.Country != "LB" {
			t.Fatalf("case after erasure: %+v %v", c, err)
		}
		return nil
	})
	found := collect(t, s, haven.CaseFilter{Text: "harbourmaster", Sort: haven.SortCreated, Limit: 10})
	if len(found) != 1 || found[0].ID != f.other.ID {
		t.Fatalf("search for a word of the erased note found %d cases (want only the other case)", len(found))
	}
	if found := collect(t, s, haven.CaseFilter{Text: "takeover", Sort: haven.SortCreated, Limit: 10}); len(found) != 1 {
		t.Fatalf("the case's own title is no longer searchable: %d", len(found))
	}
}
