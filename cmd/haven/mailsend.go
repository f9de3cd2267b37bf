package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/email"
	"github.com/haven-helpline/haven/jobs"
	"github.com/haven-helpline/haven/metrics"
	"github.com/haven-helpline/haven/pgp"
)

// sender sends queued replies through the relay: the email.send job.
type sender struct {
	svc   haven.OutboxService
	cfg   atomic.Pointer[mailConfig] // swapped by a reload (SIGHUP)
	relay email.RelayConfig
	keys  *pgp.Keyring // nil: no helpline key, so nothing can be encrypted
	// metrics count messages sent and failed per mailbox; nil counts nothing.
	metrics *metrics.Set
}

// send is the job handler. A temporary failure returns an error (the job retries with backoff);
// a permanent one is recorded on the case and ends the job. Sending is at least once: a crash
// between the relay's acceptance and the record sends the message again on retry.
func (s *sender) send(ctx context.Context, j *haven.Job) error {
	var p struct {
		MessageID int64 `json:"message_id"`
	}
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return fmt.Errorf("bad payload: %w", jobs.ErrPermanent)
	}
	out, err := s.svc.OutboundEmail(ctx, p.MessageID)
	if err != nil {
		return err
	}
	if out.Message.Status == haven.MessageSent {
		return nil
	}
	raw, from, msgID, err := s.compose(out)
	if err != nil {
		return s.fail(ctx, p.MessageID, err, true)
	}
	if err := s.countSend(from, email.Send(ctx, s.relay, from, out.Message.To, raw)); err != nil {
		var se *email.SendError
		return s.fail(ctx, p.MessageID, err, errors.As(err, &se) && se.Permanent)
	}
	return s.svc.MessageSent(ctx, p.MessageID, msgID)
}

// notify is the notify.email job handler: a notification emailed to its user, plain (it holds
// references only), from the helpline's address.
func (s *sender) notify(ctx context.Context, j *haven.Job) error {
	var p struct {
		NotificationID int64 `json:"notification_id"`
	}
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return fmt.Errorf("bad payload: %w", jobs.ErrPermanent)
	}
	n, err := s.svc.NotificationEmail(ctx, p.NotificationID)
	if err != nil || n.To == "" {
		return err
	}
	return s.plain(ctx, n.To, n.Subject, n.Text)
}

func (s *sender) fail(ctx context.Context, id int64, cause error, permanent bool) error {
	if err := s.svc.MessageFailed(ctx, id, cause.Error(), permanent); err != nil {
		return err
	}
	if permanent {
		return fmt.Errorf("%v: %w", cause, jobs.ErrPermanent)
	}
	return cause
}

// compose builds the email: encrypted (PGP/MIME) whenever the requester has a key, refused
// when they accept only encrypted mail and it cannot be.
func (s *sender) compose(out *haven.OutboundEmail) (raw []byte, from, msgID string, err error) {
	cfg := s.cfg.Load()
	if from, err = cfg.fromAddress(out.Mailboxes); err != nil {
		return nil, "", "", err
	}
	o := email.Outgoing{From: email.Address{Name: cfg.FromName, Addr: from}, Subject: out.Message.Subject,
		CaseNumber: out.SubjectTag, InReplyTo: out.InReplyTo, References: out.References, Text: out.Message.Text,
		Domain: cfg.Domain, Date: time.Now(), AutoSubmitted: out.AutoSubmitted}
	for _, to := range out.Message.To {
		o.To = append(o.To, email.Address{Addr: to})
	}
	if out.RecipientPGPKey != "" && s.keys != nil {
		raw, msgID, err = email.ComposeEncrypted(o, func(inner []byte) (string, []byte, error) {
			return s.keys.EncryptMIME(inner, [][]byte{[]byte(out.RecipientPGPKey)})
		})
		return raw, from, msgID, err
	}
	if out.EncryptedOnly {
		return nil, "", "", fmt.Errorf("the recipient accepts only encrypted mail and Haven holds no key pair to encrypt with (haven pgp import)")
	}
	raw, msgID, err = email.Compose(o)
	return raw, from, msgID, err
}
