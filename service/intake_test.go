package service_test

import (
	"context"
	"slices"
	"testing"

	"github.com/haven-helpline/haven"
)

func email(id, from, subject, text string) haven.InboundEmail {
	return haven.InboundEmail{Mailbox: "help@helpline.example", Raw: []byte("From: " + from + "\r\nSubject: " + subject + "\r\n\r\n" + text),
		DedupeKey: "mid:" + id, MessageID: id, FromName: "Rania", FromAddr: from, To: []string{"help@helpline.example"},
		Subject: subject, Text: text, Language: "ar"}
}

func TestIngestEmailThreads(t *testing.T) {
	f := newErasureFixture(t)
	f.withFiles(t, t.TempDir())
	ctx := context.Background()
	first := email("a1@mail.example", "rania@mail.example", "حسابي مخترق", "لا أستطيع الدخول إلى حسابي")
	first.Attachments = []haven.InboundAttachment{{Filename: "screenshot.png", ContentType: "image/png", Data: []byte("\x89PNG fake")}}
	res, err := f.svc.IngestEmail(ctx, first)
	if err != nil || res.Threading != haven.ThreadNew || !res.Acknowledge || res.CaseNumber == "" {
		t.Fatalf("first email: %+v %v", res, err)
	}
	c, err := f.svc.Case(f.lead, res.CaseNumber)
	if err != nil || c.Status != haven.StatusNew || c.Title != "حسابي مخترق" || c.Language != "ar" || c.RequesterID == 0 {
		t.Fatalf("new case: %+v %v", c, err)
	}
	if again, err := f.svc.IngestEmail(ctx, first); err != nil || again.Threading != haven.ThreadDuplicate || again.CaseNumber != c.Number {
		t.Fatalf("the same email twice: %+v %v", again, err)
	}
	atts, _ := f.svc.Attachments(f.lead, c.Number)
	if len(atts) != 1 || atts[0].MessageID != res.MessageID {
		t.Fatalf("attachments: %+v", atts)
	}
	tagged := email("a2@mail.example", "rania@mail.example", "Re: something ["+c.Number+"]", "more details")
	tagged.CaseTag = c.Number
	if r, err := f.svc.IngestEmail(ctx, tagged); err != nil || r.Threading != haven.ThreadSubjectTag || r.CaseNumber != c.Number || r.Acknowledge {
		t.Fatalf("tagged reply: %+v %v", r, err)
	}
	// Only a message Haven sent threads a reply by its Message-ID: anyone copied on the
	// requester's own mail knows its Message-ID.
	byTheirs := email("a0@mail.example", "someone@else.example", "Re: no tag", "copied")
	byTheirs.InReplyTo = "a1@mail.example"
	if r, err := f.svc.IngestEmail(ctx, byTheirs); err != nil || r.Threading != haven.ThreadNew || r.CaseNumber == c.Number {
		t.Fatalf("a reply to the requester's own message threaded: %+v %v", r, err)
	}
	sent, err := f.svc.AddMessage(f.lead, c.Number, haven.MessageCreate{Direction: haven.Outbound, Channel: "email", Subject: "Re", Text: "we are on it"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.MessageSent(ctx, sent.ID, "haven-1@helpline.example"); err != nil {
		t.Fatal(err)
	}
	reply := email("a3@mail.example", "rania@mail.example", "Re: no tag", "still locked out")
	reply.InReplyTo, reply.References = "nothing-known@x", []string{"haven-1@helpline.example"}
	if r, err := f.svc.IngestEmail(ctx, reply); err != nil || r.Threading != haven.ThreadReply || r.CaseNumber != c.Number {
		t.Fatalf("reply by References: %+v %v", r, err)
	}
	msgs, _ := f.svc.Messages(f.lead, c.Number)
	if len(msgs) != 4 || msgs[0].Direction != haven.Inbound || msgs[0].From != "rania@mail.example" {
		t.Fatalf("messages: %+v", msgs)
	}
	if found, _ := f.svc.Cases(f.lead, haven.CaseFilter{Text: "locked"}); len(found.Items) != 1 {
		t.Fatal("an inbound message's words must be searchable")
	}
	other := email("b1@mail.example", "rania@mail.example", "another problem", "my phone")
	if r, _ := f.svc.IngestEmail(ctx, other); r.Threading != haven.ThreadNew {
		t.Fatalf("a new thread from the same person: %+v", r)
	}
	c2, _ := f.svc.Case(f.lead, c.Number)
	rs, _ := f.svc.Requesters(f.lead, haven.RequesterFilter{Contact: "rania@mail.example"})
	if len(rs.Items) != 1 || rs.Items[0].ID != c2.RequesterID {
		t.Fatalf("one requester for one address: %+v", rs.Items)
	}
}

func TestIngestEmailReopensButNotForAutoReplies(t *testing.T) {
	f := newErasureFixture(t)
	ctx := context.Background()
	res, err := f.svc.IngestEmail(ctx, email("c1@x", "omar@mail.example", "help", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []haven.Status{haven.StatusOpen, haven.StatusWaitingRequester} {
		if _, err := f.svc.TransitionCase(f.lead, res.CaseNumber, haven.Transition{To: to}); err != nil {
			t.Fatal(err)
		}
	}
	ooo := email("c2@x", "omar@mail.example", "Out of office ["+res.CaseNumber+"]", "I am away")
	ooo.AutoReply, ooo.Flags, ooo.CaseTag = true, []string{"auto-reply"}, res.CaseNumber
	if r, err := f.svc.IngestEmail(ctx, ooo); err != nil || r.Reopened || r.Acknowledge {
		t.Fatalf("auto-reply: %+v %v", r, err)
	}
	if c, _ := f.svc.Case(f.lead, res.CaseNumber); c.Status != haven.StatusWaitingRequester {
		t.Fatalf("an auto-reply moved the case to %s", c.Status)
	}
	back := email("c3@x", "omar@mail.example", "Re: ["+res.CaseNumber+"]", "here is the screenshot")
	back.CaseTag = res.CaseNumber
	if r, err := f.svc.IngestEmail(ctx, back); err != nil || !r.Reopened {
		t.Fatalf("reply while waiting: %+v %v", r, err)
	}
	if c, _ := f.svc.Case(f.lead, res.CaseNumber); c.Status != haven.StatusOpen {
		t.Fatalf("status after the reply: %s", c.Status)
	}
	autoNew := email("c4@x", "mailer-daemon@mail.example", "Undelivered", "bounce")
	autoNew.AutoReply = true
	if r, err := f.svc.IngestEmail(ctx, autoNew); err != nil || r.Acknowledge {
		t.Fatalf("a bounce must never be acknowledged: %+v %v", r, err)
	}
	_, err = f.svc.IngestEmail(ctx, haven.InboundEmail{})
	wantCode(t, err, haven.EINVALID)
}

func TestIngestAdoptsAnAttachedKeyOnce(t *testing.T) {
	f := newErasureFixture(t)
	ctx := context.Background()
	// Someone already on record, without a key: mail in their name cannot give them one.
	if _, err := f.svc.CreateCase(f.lead, haven.CaseCreate{Title: "known", Requester: &haven.RequesterInput{Name: "Lina", Email: "lina@mail.example"}}); err != nil {
		t.Fatal(err)
	}
	spoof := email("k0@x", "lina@mail.example", "new key", "use this key from now on")
	spoof.SenderPGPKey = "KEY-OF-AN-IMPOSTOR"
	if _, err := f.svc.IngestEmail(ctx, spoof); err != nil {
		t.Fatal(err)
	}
	if keys, _ := f.svc.SenderPGPKeys(ctx, "lina@mail.example"); len(keys) != 0 {
		t.Fatalf("mail set the key of someone already on record: %q", keys)
	}
	first := email("k1@x", "samir@mail.example", "my key", "here is my key")
	first.SenderPGPKey = "KEY-ONE"
	res, err := f.svc.IngestEmail(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := f.svc.Case(f.lead, res.CaseNumber)
	if keys, _ := f.svc.SenderPGPKeys(ctx, "samir@mail.example"); !slices.Equal(keys, []string{"KEY-ONE"}) || c.RequesterID == 0 {
		t.Fatalf("the attached key was not adopted: %q", keys)
	}
	second := email("k2@x", "samir@mail.example", "Re: my key", "another")
	second.SenderPGPKey, second.CaseTag = "KEY-TWO", res.CaseNumber
	if _, err := f.svc.IngestEmail(ctx, second); err != nil {
		t.Fatal(err)
	}
	if keys, _ := f.svc.SenderPGPKeys(ctx, "samir@mail.example"); !slices.Equal(keys, []string{"KEY-ONE"}) {
		t.Fatalf("mail replaced a key on record: %q", keys)
	}
	if err := f.svc.RecordRefusal(ctx, "help@helpline.example", 60<<20, "larger than 50 MB"); err != nil {
		t.Fatal(err)
	}
	if n := countEventsIn(t, f, "email.refused"); n != 1 {
		t.Fatalf("%d refusal events", n)
	}
}
