package service

import (
	"context"
	"fmt"
	"time"

	"github.com/haven-helpline/haven"
)

// TransitionEscalation moves an escalation through its lifecycle. Sending a draft checks the
// requester's consent, starts the platform's clock and, on an email channel, queues the email.
func (s *Service) TransitionEscalation(ctx context.Context, id int64, t haven.EscalationTransition) (*haven.Escalation, error) {
	u, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var e *haven.Escalation
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		var c *haven.Case
		if e, c, err = s.escalationCase(ctx, tx, u, id, true); err != nil {
			return err
		}
		if err := t.Check(e); err != nil {
			return err
		}
		from := e.State
		if from == haven.EscalationDraft && t.To == haven.EscalationSent {
			if err := s.sendEscalation(ctx, tx, u, c, e, t, now); err != nil {
				return err
			}
		}
		t.Apply(e, now)
		s.scheduleReminder(e, now)
		if err := tx.UpdateEscalation(ctx, e); err != nil {
			return err
		}
		return s.recordMove(ctx, tx, u, c, e, from, t.Reason, now)
	})
	if err != nil {
		return nil, err
	}
	e.Overdue = e.IsOverdue(now)
	return e, nil
}

// recordMove records a transition. Sending by email is recorded on the email itself
// (escalation.sent names the message, which the case's timeline then shows): one event, not two.
func (s *Service) recordMove(ctx context.Context, tx haven.Tx, u *haven.User, c *haven.Case, e *haven.Escalation, from haven.EscalationState, reason string, now time.Time) error {
	var detail map[string]any
	if reason != "" {
		detail = map[string]any{"reason": reason}
	}
	data := map[string]any{"from": from, "to": e.State, "consent_override": e.ConsentOverride && from == haven.EscalationDraft}
	if from == haven.EscalationDraft && e.MessageID != 0 {
		data["escalation"] = e.ID
		return s.touchDetail(ctx, tx, u, c, now, "escalation.sent", "message", e.MessageID, data, detail)
	}
	return s.touchDetail(ctx, tx, u, c, now, "escalation.transitioned", "escalation", e.ID, data, detail)
}

// sendEscalation is what leaving the helpline takes: the requester's consent to share with
// partners (or an override with a reason, kept in the trail), the platform's clock, and on an
// email channel the email itself, queued in this transaction.
func (s *Service) sendEscalation(ctx context.Context, tx haven.Tx, u *haven.User, c *haven.Case, e *haven.Escalation, t haven.EscalationTransition, now time.Time) error {
	if e.PersonalData && !c.Consent.ShareWithPartner {
		if !t.ConsentOverride {
			return &haven.Error{Code: haven.ECONFLICT, Message: "the requester has not agreed to share their data with partners: record their consent on the case, or override it with a reason",
				Fields: map[string]string{"consent_override": "needs the requester's consent (share_with_partner) or an override with a reason"}}
		}
		e.ConsentOverride = true
	}
	due := now.Add(time.Duration(e.TargetHours) * time.Hour)
	e.DueAt = &due
	if e.Channel != "email" {
		return nil
	}
	m := &haven.Message{CaseID: c.ID, Direction: haven.Outbound, Channel: "email", To: []string{e.Address},
		Subject: e.Subject, Text: e.Body, Status: "recorded", AuthorID: u.ID, Author: u.Username, CreatedAt: now,
		TemplateID: e.TemplateID, TemplateVersion: e.TemplateVersion, EscalationID: e.ID}
	if s.cfg.SendEmail {
		m.Status = haven.MessageQueued
	}
	if err := tx.InsertMessage(ctx, m); err != nil {
		return err
	}
	e.MessageID = m.ID
	if err := s.queueEmail(ctx, tx, m, now); err != nil {
		return err
	}
	return tx.AppendCaseTerms(ctx, c.ID, "message:"+itoa(m.ID), s.store.SearchTerms(m.Subject+" "+m.Text))
}

// scheduleReminder sets when the owner is next reminded: when the platform's target passes, or,
// for an escalation sent again after it had closed, one reminder interval from now.
func (s *Service) scheduleReminder(e *haven.Escalation, now time.Time) {
	if e.State != haven.EscalationSent || e.NextReminderAt != nil {
		return
	}
	next := now.Add(s.cfg.EscalationReminderEvery)
	if e.DueAt != nil && e.DueAt.After(now) {
		next = *e.DueAt
	}
	e.NextReminderAt = &next
}

// Notification kinds of escalations.
const (
	noticeEscalationOverdue    = "escalation_overdue"
	noticeEscalationNoResponse = "escalation_no_response"
	noticeEscalationAnswered   = "escalation_answered"
)

// RemindEscalations reminds the owners of escalations whose platform is late, and gives up on
// those unanswered for too long. Each reminder is claimed by a conditional update, so several
// runners (instances) never send the same one twice.
func (s *Service) RemindEscalations(ctx context.Context) ([]haven.EscalationReminder, error) {
	now := s.clock.Now()
	var due []*haven.Escalation
	if err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		due, err = tx.DueEscalationReminders(ctx, now, 500)
		return err
	}); err != nil {
		return nil, err
	}
	out := []haven.EscalationReminder{}
	for _, e := range due {
		var done bool
		giveUp := e.SentAt != nil && now.Sub(*e.SentAt) >= s.cfg.EscalationGiveUpAfter
		err := s.store.Update(ctx, func(tx haven.Tx) (err error) {
			done, err = s.remind(ctx, tx, e, giveUp, now)
			return err
		})
		if err != nil {
			return out, err
		}
		if done {
			out = append(out, haven.EscalationReminder{Escalation: e, GaveUp: giveUp})
		}
	}
	return out, nil
}

// remind sends one reminder (or gives up), if no other runner did.
func (s *Service) remind(ctx context.Context, tx haven.Tx, e *haven.Escalation, giveUp bool, now time.Time) (bool, error) {
	var next *time.Time
	if !giveUp {
		t := now.Add(s.cfg.EscalationReminderEvery)
		next = &t
	}
	claimed, err := tx.ClaimEscalationReminder(ctx, e.ID, e.NextReminderAt, next)
	if err != nil || !claimed {
		return false, err
	}
	e.NextReminderAt, e.Reminders = next, e.Reminders+1
	kind := noticeEscalationOverdue
	if giveUp {
		kind = noticeEscalationNoResponse
		e.State, e.ClosedAt = haven.EscalationNoResponse, &now
		if err := tx.UpdateEscalation(ctx, e); err != nil {
			return false, err
		}
		if err := record(ctx, tx, now, nil, "escalation.transitioned", "escalation", e.ID, e.CaseID,
			map[string]any{"from": haven.EscalationSent, "to": e.State, "cause": "no_answer"}); err != nil {
			return false, err
		}
	}
	if err := s.notifyEscalationOwner(ctx, tx, e, kind, now); err != nil {
		return false, err
	}
	return true, record(ctx, tx, now, nil, "escalation.reminded", "escalation", e.ID, e.CaseID,
		map[string]any{"reminder": e.Reminders, "gave_up": giveUp})
}

// notifyEscalationOwner tells the escalation's owner, in the app and, when Haven sends email, by
// email too (queued with the change); the text holds references only.
func (s *Service) notifyEscalationOwner(ctx context.Context, tx haven.Tx, e *haven.Escalation, kind string, now time.Time) error {
	if e.OwnerID == 0 {
		return nil
	}
	words := map[string]string{
		noticeEscalationOverdue:    "is past %s's response target without an answer",
		noticeEscalationNoResponse: "was marked no-response: %s never answered",
		noticeEscalationAnswered:   "was answered by %s",
	}[kind]
	n := &haven.Notification{UserID: e.OwnerID, Kind: kind, CaseID: e.CaseID, CaseNumber: e.CaseNumber, CreatedAt: now,
		Text: fmt.Sprintf("Escalation %d on %s "+words, e.ID, e.CaseNumber, e.PlatformName)}
	if kind == noticeEscalationAnswered {
		return tx.InsertNotification(ctx, n)
	}
	return s.notifyByEmailToo(ctx, tx, n, now)
}

// notifyByEmailToo records a notification and, when Haven sends email, queues it by email as
// well (the job reads it by id: the payload carries no text).
func (s *Service) notifyByEmailToo(ctx context.Context, tx haven.Tx, n *haven.Notification, now time.Time) error {
	if err := tx.InsertNotification(ctx, n); err != nil || !s.cfg.SendEmail {
		return err
	}
	return queueNotificationEmail(ctx, tx, n, now)
}

// escalationAnswered records a platform's email on its escalation: the first answer stops the
// clock and moves a sent escalation to acknowledged.
func (s *Service) escalationAnswered(ctx context.Context, tx haven.Tx, e *haven.Escalation, m *haven.Message, now time.Time) error {
	from := e.State
	if e.FirstResponseAt == nil {
		e.FirstResponseAt = &now
	}
	if e.State == haven.EscalationSent {
		e.State, e.NextReminderAt = haven.EscalationAcknowledged, nil
	}
	if err := tx.UpdateEscalation(ctx, e); err != nil {
		return err
	}
	if err := record(ctx, tx, now, nil, "escalation.answered", "escalation", e.ID, e.CaseID,
		map[string]any{"message_id": m.ID, "from": from, "to": e.State}); err != nil {
		return err
	}
	return s.notifyEscalationOwner(ctx, tx, e, noticeEscalationAnswered, now)
}

// escalationOf finds the escalation an email answers: by the unguessable token of its subject
// tag, or because it replies to the escalation's own email. A purged case takes no more mail.
func (s *Service) escalationOf(ctx context.Context, tx haven.Tx, in haven.InboundEmail) (*haven.Escalation, *haven.Case, error) {
	e, err := s.escalationByMail(ctx, tx, in)
	if err != nil || e == nil {
		return nil, nil, err
	}
	c, err := tx.CaseByID(ctx, e.CaseID)
	if err != nil || c.PurgedAt != nil {
		return nil, nil, err
	}
	return e, c, nil
}

func (s *Service) escalationByMail(ctx context.Context, tx haven.Tx, in haven.InboundEmail) (*haven.Escalation, error) {
	if in.EscalationToken != "" {
		e, err := tx.EscalationByToken(ctx, in.EscalationToken)
		if haven.ErrorCode(err) != haven.ENOTFOUND {
			return e, err
		}
	}
	id, _, err := tx.SentMessage(ctx, in.InReplyTo)
	if err != nil || id == 0 {
		return nil, err
	}
	m, err := tx.MessageByID(ctx, id)
	if err != nil || m.EscalationID == 0 {
		return nil, err
	}
	return tx.EscalationByID(ctx, m.EscalationID)
}
