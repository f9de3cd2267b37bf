package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/service"
)

// withEmail gives the fixture a service that sends email and acknowledges new cases.
func (f *erasureFixture) withEmail(t *testing.T) {
	cfg := service.DefaultConfig()
	cfg.SendEmail = true
	cfg.Acknowledge = func(lang, number, title string) (string, string) {
		return "[" + number + "] received", "We received your message (" + lang + ")."
	}
	f.svc = service.New(f.db, &fixedClock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}, cfg)
}

func queuedJobs(t *testing.T, f *erasureFixture) []*haven.Job {
	var jobs []*haven.Job
	err := f.db.View(context.Background(), func(tx haven.Tx) (err error) {
		jobs, err = tx.Jobs(context.Background(), haven.JobQueued, 100)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return jobs
}

func TestRepliesAreQueuedAndThreaded(t *testing.T) {
	f := newErasureFixture(t)
	f.withEmail(t)
	ctx := context.Background()
	in := email("thread-1@mail.example", "rania@mail.example", "help", "my account")
	in.To = []string{"help@helpline.example"}
	res, err := f.svc.IngestEmail(ctx, in)
	if err != nil || !res.Acknowledge {
		t.Fatal(res, err)
	}
	if jobs := queuedJobs(t, f); len(jobs) != 1 || jobs[0].Kind != haven.JobSendEmail {
		t.Fatalf("the acknowledgement is queued: %+v", jobs)
	}
	m, err := f.svc.AddMessage(f.lead, res.CaseNumber, haven.MessageCreate{Text: "Please change your password."})
	if err != nil || m.Status != haven.MessageQueued || len(m.To) != 1 || m.To[0] != "rania@mail.example" {
		t.Fatalf("reply: %+v %v", m, err)
	}
	out, err := f.svc.OutboundEmail(ctx, m.ID)
	if err != nil || out.CaseNumber != res.CaseNumber || out.InReplyTo != "thread-1@mail.example" ||
		len(out.Mailboxes) != 1 || out.Mailboxes[0] != "help@helpline.example" || out.AutoSubmitted {
		t.Fatalf("outbound: %+v %v", out, err)
	}
	if err := f.svc.MessageFailed(ctx, m.ID, "451 try later", false); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.MessageSent(ctx, m.ID, "abc@helpline.example"); err != nil {
		t.Fatal(err)
	}
	msgs, _ := f.svc.Messages(f.lead, res.CaseNumber)
	last := msgs[len(msgs)-1]
	if last.Status != haven.MessageSent || last.MessageID != "abc@helpline.example" {
		t.Fatalf("after sending: %+v", last)
	}
	// A reply to our reply threads back into the case by its Message-ID.
	back := email("thread-2@mail.example", "rania@mail.example", "Re: help", "done")
	back.InReplyTo = "abc@helpline.example"
	if r, err := f.svc.IngestEmail(ctx, back); err != nil || r.Threading != haven.ThreadReply || r.CaseNumber != res.CaseNumber {
		t.Fatalf("reply to our reply: %+v %v", r, err)
	}
}

func TestEncryptedOnlyRequesterNeverGetsPlaintext(t *testing.T) {
	f := newErasureFixture(t)
	f.withEmail(t)
	yes := true
	_, err := f.svc.UpdateRequester(f.lead, f.requesterID, haven.RequesterUpdate{EncryptedOnly: &yes})
	wantCode(t, err, haven.EINVALID) // no key on record yet
	key := "-----BEGIN PGP PUBLIC KEY BLOCK-----\n...\n-----END PGP PUBLIC KEY BLOCK-----"
	if _, err := f.svc.UpdateRequester(f.lead, f.requesterID, haven.RequesterUpdate{EncryptedOnly: &yes, PGPKey: &key}); err != nil {
		t.Fatal(err)
	}
	m, err := f.svc.AddMessage(f.lead, f.number, haven.MessageCreate{Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.svc.OutboundEmail(context.Background(), m.ID)
	if err != nil || !out.EncryptedOnly || out.RecipientPGPKey != key {
		t.Fatalf("outbound: %+v %v", out, err)
	}
	empty := ""
	_, err = f.svc.UpdateRequester(f.lead, f.requesterID, haven.RequesterUpdate{PGPKey: &empty})
	wantCode(t, err, haven.EINVALID) // the key cannot be removed while encrypted-only
}
