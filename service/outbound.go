package service

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/i18n"
)

var _ haven.OutboxService = (*Service)(nil)

// sendsEmail reports whether m is an email reply this server sends (not only records).
func (s *Service) sendsEmail(m *haven.Message) bool {
	return s.cfg.SendEmail && m.Direction == haven.Outbound && m.Channel == "email"
}

// checkRecipient addresses a reply to the case's correspondent when no one else is named, and refuses
// plaintext to a requester who accepts only encrypted mail and has no key on record: a handler
// can never send them plaintext by accident.
func (s *Service) checkRecipient(ctx context.Context, tx haven.Tx, c *haven.Case, m *haven.Message) error {
	var r *haven.Requester
	if c.RequesterID != 0 {
		var err error
		if r, err = tx.RequesterByID(ctx, c.RequesterID); err != nil {
			return err
		}
	}
	if len(m.To) == 0 {
		address, err := replyAddress(ctx, tx, c, r)
		if err != nil {
			return err
		}
		if address == "" {
			return &haven.Error{Code: haven.EINVALID, Message: "the reply has no recipient: the case has no confirmed email address",
				Fields: map[string]string{"to": "required"}}
		}
		m.To = []string{address}
	}
	if r != nil && r.EncryptedOnly && strings.TrimSpace(r.PGPKey) == "" {
		return &haven.Error{Code: haven.EINVALID, Message: "this requester accepts only encrypted email and Haven has no PGP key for them",
			Fields: map[string]string{"text": "add the requester's PGP key first: nothing was sent"}}
	}
	return nil
}

// queueEmail enqueues the sender job of a queued message, in the message's own transaction: the
// message and the promise to send it commit together.
func (s *Service) queueEmail(ctx context.Context, tx haven.Tx, m *haven.Message, now time.Time) error {
	if m.Status != haven.MessageQueued {
		return nil
	}
	payload, _ := json.Marshal(map[string]int64{"message_id": m.ID})
	_, err := tx.EnqueueJob(ctx, &haven.Job{Kind: haven.JobSendEmail, Payload: string(payload),
		UniqueKey: fmt.Sprintf("%s:%d", haven.JobSendEmail, m.ID), RunAt: now, CreatedAt: now, MaxAttempts: 12})
	return err
}

// OutboundEmail gathers what the sender needs for one queued message: a reply to the requester,
// or an escalation to a platform.
func (s *Service) OutboundEmail(ctx context.Context, id int64) (*haven.OutboundEmail, error) {
	var out *haven.OutboundEmail
	err := s.store.View(ctx, func(tx haven.Tx) error {
		m, err := tx.MessageByID(ctx, id)
		if err != nil {
			return err
		}
		c, err := tx.CaseByID(ctx, m.CaseID)
		if err != nil {
			return err
		}
		out = &haven.OutboundEmail{Message: m, CaseNumber: c.Number, SubjectTag: c.Number, Language: c.Language,
			AutoSubmitted: hasFlag(m.Flags, "auto-ack")}
		if err := s.threadOf(ctx, tx, c, m, out); err != nil {
			return err
		}
		if m.EscalationID != 0 {
			return escalationEmail(ctx, tx, m, out)
		}
		if c.RequesterID != 0 {
			r, err := tx.RequesterByID(ctx, c.RequesterID)
			if err != nil {
				return err
			}
			out.RecipientPGPKey, out.EncryptedOnly = r.PGPKey, r.EncryptedOnly
		}
		return nil
	})
	return out, err
}

// escalationEmail addresses an escalation's email: tagged with its token, encrypted to the key
// of the platform channel it goes to (and never in plaintext once encryption was promised).
func escalationEmail(ctx context.Context, tx haven.Tx, m *haven.Message, out *haven.OutboundEmail) error {
	e, err := tx.EscalationByID(ctx, m.EscalationID)
	if err != nil {
		return err
	}
	p, err := tx.PlatformBySlug(ctx, e.Platform)
	if err != nil {
		return err
	}
	out.SubjectTag, out.EncryptedOnly = haven.EscalationTag(e.ReplyToken), e.Encrypted
	for _, ch := range p.Channels {
		if ch.Kind == "email" && strings.EqualFold(ch.Address, e.Address) {
			out.RecipientPGPKey = ch.PGPKey
		}
	}
	return nil
}

// threadOf fills the threading headers and the mailboxes from the case's earlier messages; an
// escalation's email threads only with its own correspondence.
func (s *Service) threadOf(ctx context.Context, tx haven.Tx, c *haven.Case, m *haven.Message, out *haven.OutboundEmail) error {
	msgs, err := tx.CaseMessages(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, x := range msgs {
		if x.ID == m.ID || x.MessageID == "" || x.EscalationID != m.EscalationID {
			continue
		}
		out.References = append(out.References, x.MessageID)
		if x.Direction == haven.Inbound {
			out.InReplyTo = x.MessageID
			out.Mailboxes = append(append([]string{}, x.To...), out.Mailboxes...)
		}
	}
	return nil
}

// MessageSent records that the relay took the message.
func (s *Service) MessageSent(ctx context.Context, id int64, emailMessageID string) error {
	now := s.clock.Now()
	return s.store.Update(ctx, func(tx haven.Tx) error {
		m, err := tx.MessageByID(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.SetMessageDelivery(ctx, id, haven.MessageSent, emailMessageID); err != nil {
			return err
		}
		return record(ctx, tx, now, nil, "message.sent", "message", id, m.CaseID, map[string]any{"to": len(m.To)})
	})
}

// MessageFailed records a failed attempt; a permanent failure shows on the case.
func (s *Service) MessageFailed(ctx context.Context, id int64, reason string, permanent bool) error {
	now := s.clock.Now()
	return s.store.Update(ctx, func(tx haven.Tx) error {
		m, err := tx.MessageByID(ctx, id)
		if err != nil {
			return err
		}
		status := haven.MessageRetrying
		if permanent {
			status = haven.MessageFailed
		}
		if err := tx.SetMessageDelivery(ctx, id, status, ""); err != nil {
			return err
		}
		if !permanent {
			return nil
		}
		return recordDetail(ctx, tx, now, nil, "message.failed", "message", id, m.CaseID, nil, map[string]any{"reason": truncate(reason, 500)})
	})
}

// notificationEmail words a notification for email in its reader's language: the case's number
// (a reference) and the notice, never the case's content.
func notificationEmail(l *i18n.Localizer, n *haven.Notification) *haven.NotificationEmail {
	text := n.Worded(l.T)
	if n.CaseNumber == "" {
		return &haven.NotificationEmail{Subject: l.T("notify.email_subject", "Text", text), Text: text + "\n"}
	}
	return &haven.NotificationEmail{Subject: l.T("notify.email_subject_case", "Number", n.CaseNumber, "Text", text),
		Text: l.T("notify.email_body_case", "Number", n.CaseNumber, "Text", text) + "\n"}
}

// NotificationEmail is what the sender emails for a notification: its text, to its user's address.
func (s *Service) NotificationEmail(ctx context.Context, id int64) (*haven.NotificationEmail, error) {
	var out *haven.NotificationEmail
	err := s.store.View(ctx, func(tx haven.Tx) error {
		n, err := tx.NotificationByID(ctx, id)
		if err != nil {
			return err
		}
		u, err := tx.UserByID(ctx, n.UserID)
		if err != nil {
			return err
		}
		l, err := s.localizer(u.Language)
		if err != nil {
			return err
		}
		out = notificationEmail(l, n)
		if !u.Disabled {
			out.To = u.Email
		}
		return nil
	})
	return out, err
}
