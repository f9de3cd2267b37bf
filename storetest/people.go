package storetest

import (
	"slices"
	"testing"

	"github.com/haven-helpline/haven"
)

func testRequesters(t *testing.T, s haven.Store) {
	a := &haven.Requester{Name: "Amal", Contacts: []haven.Contact{{Kind: "email", Value: "Amal@Example.org"}},
		Languages: []string{"ar"}, Vetting: "vetted", CreatedAt: t0, UpdatedAt: t0}
	update(t, s, func(tx haven.Tx) error { return tx.InsertRequester(ctx, a) })
	// A second record may hold the same contact (someone who may not see Amal's record opened a
	// case for the address): the contact is looked up, never unique.
	dup := &haven.Requester{Name: "Other", Contacts: []haven.Contact{{Kind: "email", Value: "amal@example.org"}}, Vetting: "unvetted", CreatedAt: t0, UpdatedAt: t0}
	update(t, s, func(tx haven.Tx) error { return tx.InsertRequester(ctx, dup) })
	member := &haven.User{Username: "people-member", Role: haven.RoleHandler, PasswordHash: "x", CreatedAt: t0}
	update(t, s, func(tx haven.Tx) error {
		if err := tx.InsertUser(ctx, member); err != nil {
			return err
		}
		if err := tx.InsertCompartment(ctx, "people-secret"); err != nil {
			return err
		}
		return tx.AddCompartmentMember(ctx, "people-secret", member.ID)
	})
	hidden := newCase(t, s, "dup's restricted case", func(c *haven.Case) { c.RequesterID, c.Compartment = dup.ID, "people-secret" })
	if !hidden.Restricted {
		t.Fatal("a case in a compartment must be restricted")
	}
	view(t, s, func(tx haven.Tx) error {
		got, err := tx.RequestersByContact(ctx, haven.Contact{Kind: "email", Value: "AMAL@example.org "}, haven.Viewer{Now: t0})
		if err != nil || len(got) != 1 || got[0].ID != a.ID || got[0].Name != "Amal" || !slices.Equal(got[0].Languages, []string{"ar"}) {
			t.Fatalf("by contact, as a viewer who may not see the restricted record: %+v %v", got, err)
		}
		keys, err := tx.ContactPGPKeys(ctx, haven.Contact{Kind: "email", Value: "amal@example.org"})
		if err != nil || len(keys) != 0 {
			t.Fatalf("keys %v %v", keys, err)
		}
		return nil
	})
	view(t, s, func(tx haven.Tx) error {
		got, err := tx.RequestersByContact(ctx, haven.Contact{Kind: "email", Value: "amal@example.org"}, haven.Viewer{UserID: member.ID, Now: t0})
		if err != nil || len(got) != 2 || got[0].ID != a.ID || got[1].ID != dup.ID {
			t.Fatalf("by contact, as a compartment member: %+v %v", got, err)
		}
		return nil
	})
	b := &haven.Requester{Pseudonym: "falcon", Contacts: []haven.Contact{{Kind: "signal", Value: "+33 6 00 00 00 00"}}, Vetting: "unvetted", CreatedAt: t0, UpdatedAt: t0}
	update(t, s, func(tx haven.Tx) error { return tx.InsertRequester(ctx, b) })
	c := newCase(t, s, "b's case", func(c *haven.Case) { c.RequesterID = b.ID })
	if c.RequesterID != b.ID {
		t.Fatal("requester not linked")
	}
	update(t, s, func(tx haven.Tx) error {
		moved, err := tx.MoveRequesterCases(ctx, b.ID, a.ID)
		if err != nil || !slices.Equal(moved, []int64{c.ID}) {
			t.Fatalf("moved %v, %v", moved, err)
		}
		return nil
	})
	view(t, s, func(tx haven.Tx) error {
		got, _ := tx.CaseByID(ctx, c.ID)
		if got.RequesterID != a.ID || got.RequesterName != "Amal" {
			t.Fatalf("case requester after move: %d %q", got.RequesterID, got.RequesterName)
		}
		page, err := tx.FindRequesters(ctx, haven.RequesterFilter{Name: "fal", Limit: 10})
		if err != nil || len(page.Items) != 1 || page.Items[0].ID != b.ID {
			t.Fatalf("find by name: %+v %v", page, err)
		}
		return nil
	})
}

func testReports(t *testing.T, s haven.Store) {
	c := newCase(t, s, "with reports", nil)
	r := &haven.Report{Channel: "email", ExternalID: "<m1@example.org>", DedupeKey: "mid:<m1@example.org>", Raw: []byte("From: x\r\n\r\nhello"), ReceivedAt: t0}
	update(t, s, func(tx haven.Tx) error { return tx.InsertReport(ctx, r) })
	again := *r
	again.ID = 0
	wantCode(t, s.Update(ctx, func(tx haven.Tx) error { return tx.InsertReport(ctx, &again) }), haven.ECONFLICT)
	update(t, s, func(tx haven.Tx) error { return tx.LinkReport(ctx, r.ID, c.ID) })
	view(t, s, func(tx haven.Tx) error {
		got, err := tx.ReportByDedupeKey(ctx, r.DedupeKey)
		if err != nil || got.CaseNumber != c.Number || string(got.Raw) != string(r.Raw) {
			t.Fatalf("report: %+v %v", got, err)
		}
		list, err := tx.CaseReports(ctx, c.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("case reports: %d %v", len(list), err)
		}
		return nil
	})
}

func testCaseChildren(t *testing.T, s haven.Store) {
	u := &haven.User{Username: "carol", Role: haven.RoleLead, PasswordHash: "x", CreatedAt: t0}
	update(t, s, func(tx haven.Tx) error { return tx.InsertUser(ctx, u) })
	c := newCase(t, s, "children", nil)
	update(t, s, func(tx haven.Tx) error {
		for _, e := range []*haven.Event{
			{At: t0, ActorID: u.ID, Action: "case.created", ObjectType: "case", ObjectID: c.Number, CaseID: c.ID},
			{At: t0, ActorID: u.ID, Action: "note.added", ObjectType: "note", ObjectID: "1", CaseID: c.ID, Data: map[string]any{"k": "v"}},
		} {
			if err := tx.InsertEvent(ctx, e); err != nil {
				return err
			}
		}
		if err := tx.InsertNote(ctx, &haven.Note{CaseID: c.ID, AuthorID: u.ID, Body: "internal", Visibility: "team", CreatedAt: t0}); err != nil {
			return err
		}
		if err := tx.InsertMessage(ctx, &haven.Message{CaseID: c.ID, Direction: "out", Channel: "email", To: []string{"a@example.org"}, Text: "hello", Status: "recorded", AuthorID: u.ID, CreatedAt: t0}); err != nil {
			return err
		}
		for _, title := range []string{"Reset password", "Enable 2FA"} {
			if err := tx.InsertTask(ctx, &haven.Task{CaseID: c.ID, Title: title, Assignee: "carol", CreatedAt: t0}); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx haven.Tx) error {
		events, _ := tx.CaseEvents(ctx, c.ID)
		if len(events) != 2 || events[0].Action != "case.created" || events[1].Data["k"] != "v" || events[1].Actor != "carol" {
			t.Fatalf("events: %+v", events)
		}
		notes, _ := tx.CaseNotes(ctx, c.ID)
		msgs, _ := tx.CaseMessages(ctx, c.ID)
		tasks, _ := tx.CaseTasks(ctx, c.ID)
		if len(notes) != 1 || notes[0].Author != "carol" || len(msgs) != 1 || msgs[0].To[0] != "a@example.org" {
			t.Fatalf("notes %+v messages %+v", notes, msgs)
		}
		if len(tasks) != 2 || tasks[0].Title != "Reset password" || tasks[1].Position <= tasks[0].Position || tasks[0].Assignee != "carol" {
			t.Fatalf("tasks: %+v", tasks)
		}
		return nil
	})
}

func testUsers(t *testing.T, s haven.Store) {
	u := &haven.User{Username: "dina", Role: haven.RoleHandler, PasswordHash: "h", Language: "ar", CreatedAt: t0}
	update(t, s, func(tx haven.Tx) error {
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		team := &haven.Team{Name: "latam"}
		if err := tx.InsertTeam(ctx, team); err != nil {
			return err
		}
		if err := tx.AddTeamMember(ctx, team.ID, u.ID); err != nil {
			return err
		}
		if err := tx.AddTeamMember(ctx, team.ID, u.ID); err != nil { // idempotent
			return err
		}
		return tx.InsertAPIToken(ctx, &haven.APIToken{UserID: u.ID, Name: "cli", TokenHash: "abc", ReadOnly: true, CreatedAt: t0})
	})
	wantCode(t, s.Update(ctx, func(tx haven.Tx) error {
		return tx.InsertUser(ctx, &haven.User{Username: "dina", Role: haven.RoleAdmin, PasswordHash: "h", CreatedAt: t0})
	}), haven.ECONFLICT)
	view(t, s, func(tx haven.Tx) error {
		got, err := tx.UserByUsername(ctx, "dina")
		if err != nil || !slices.Equal(got.Teams, []string{"latam"}) || got.Language != "ar" {
			t.Fatalf("user: %+v %v", got, err)
		}
		tok, err := tx.APITokenByHash(ctx, "abc")
		if err != nil || tok.Username != "dina" || !tok.ReadOnly {
			t.Fatalf("token: %+v %v", tok, err)
		}
		n, _ := tx.CountUsers(ctx)
		if n != 1 {
			t.Fatalf("count users = %d", n)
		}
		return nil
	})
}

func testCorrespondents(t *testing.T, s haven.Store) {
	c := newCase(t, s, "with a correspondent", nil)
	view(t, s, func(tx haven.Tx) error {
		_, err := tx.CaseCorrespondent(ctx, c.ID)
		wantCode(t, err, haven.ENOTFOUND)
		return nil
	})
	update(t, s, func(tx haven.Tx) error {
		return tx.SetCaseCorrespondent(ctx, c.ID, &haven.Correspondent{Address: "nour@example.org"})
	})
	update(t, s, func(tx haven.Tx) error {
		return tx.SetCaseCorrespondent(ctx, c.ID, &haven.Correspondent{Address: "nour@example.org", Pending: "nour.new@example.org"})
	})
	view(t, s, func(tx haven.Tx) error {
		got, err := tx.CaseCorrespondent(ctx, c.ID)
		if err != nil || got.Address != "nour@example.org" || got.Pending != "nour.new@example.org" || !got.Is("NOUR@example.org") {
			t.Fatalf("correspondent %+v %v", got, err)
		}
		return nil
	})
}

// testSentMessages: a reply or a delivery notice is matched to a message only by a Message-ID
// Haven itself sent; the Message-IDs of received mail, which anyone copied on it knows, never.
func testSentMessages(t *testing.T, s haven.Store) {
	c := newCase(t, s, "with mail", nil)
	in := &haven.Message{CaseID: c.ID, Direction: haven.Inbound, Channel: "email", MessageID: "theirs@mail.example",
		Status: "received", CreatedAt: t0}
	out := &haven.Message{CaseID: c.ID, Direction: haven.Outbound, Channel: "email", Status: haven.MessageQueued, CreatedAt: t0}
	update(t, s, func(tx haven.Tx) error {
		if err := tx.InsertMessage(ctx, in); err != nil {
			return err
		}
		if err := tx.InsertMessage(ctx, out); err != nil {
			return err
		}
		return tx.SetMessageDelivery(ctx, out.ID, haven.MessageSent, "ours@helpline.example")
	})
	view(t, s, func(tx haven.Tx) error {
		if id, caseID, err := tx.SentMessage(ctx, "ours@helpline.example"); err != nil || id != out.ID || caseID != c.ID {
			t.Fatalf("a message Haven sent: %d %d %v", id, caseID, err)
		}
		if id, caseID, err := tx.SentMessage(ctx, "theirs@mail.example"); err != nil || id != 0 || caseID != 0 {
			t.Fatalf("a received message's Message-ID matched: %d %d %v", id, caseID, err)
		}
		return nil
	})
}
