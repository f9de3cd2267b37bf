package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/i18n"
)

var _ haven.PageChannelService = (*Service)(nil)

// Lifetimes of a channel's verification code and of a page's acknowledge link.
const (
	verifyCodeTTL = time.Hour
	ackLinkTTL    = time.Hour
)

// PageChannels lists the signed-in user's own channels (secrets are shown only when added).
func (s *Service) PageChannels(ctx context.Context) ([]*haven.PageChannel, error) {
	u, err := writerOrAuditor(ctx)
	if err != nil {
		return nil, err
	}
	var out []*haven.PageChannel
	err = s.store.View(ctx, func(tx haven.Tx) (err error) {
		out, err = tx.UserPageChannels(ctx, u.ID)
		return err
	})
	for _, c := range out {
		c.Secret = ""
	}
	return out, err
}

// AddPageChannel adds a channel of the user's own and sends it a test message with the code
// that verifies it; a webhook's signing secret is in the answer, once.
func (s *Service) AddPageChannel(ctx context.Context, in haven.PageChannelInput) (*haven.PageChannel, error) {
	u, err := writerOrAuditor(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if in.Kind == "email" && !s.cfg.SendEmail {
		return nil, &haven.Error{Code: haven.EINVALID, Message: "Haven sends no email here (no relay is configured)",
			Fields: map[string]string{"kind": "no relay: use a webhook"}}
	}
	now := s.clock.Now()
	c := &haven.PageChannel{UserID: u.ID, Kind: in.Kind, Address: in.Address, QuietStart: in.QuietStart,
		QuietEnd: in.QuietEnd, TimeZone: in.TimeZone, CreatedAt: now}
	if c.Kind == "webhook" {
		c.Secret = randomHex(32)
	}
	code, err := sixDigits()
	if err != nil {
		return nil, err
	}
	expires := now.Add(verifyCodeTTL)
	c.CodeHash, c.CodeExpires = hashToken(code), &expires
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		if err := tx.InsertPageChannel(ctx, c); err != nil {
			return err
		}
		if err := s.queueDelivery(ctx, tx, &haven.PageDelivery{ChannelID: c.ID, Kind: "test", Text: code}, u.ID, now); err != nil {
			return err
		}
		return record(ctx, tx, now, u, "channel.added", "channel", c.ID, 0, map[string]any{"kind": c.Kind})
	})
	return c, err
}

// VerifyPageChannel verifies one of the user's channels with the code of its test message.
func (s *Service) VerifyPageChannel(ctx context.Context, id int64, code string) (*haven.PageChannel, error) {
	u, err := writerOrAuditor(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var c *haven.PageChannel
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		if c, err = ownChannel(ctx, tx, u, id); err != nil {
			return err
		}
		if c.CodeExpires == nil || now.After(*c.CodeExpires) || hashToken(code) != c.CodeHash {
			return &haven.Error{Code: haven.EINVALID, Message: "wrong or expired code", Fields: map[string]string{"code": "wrong or expired: add the channel again for a new one"}}
		}
		c.VerifiedAt, c.CodeHash, c.CodeExpires = &now, "", nil
		if err := tx.UpdatePageChannel(ctx, c); err != nil {
			return err
		}
		return record(ctx, tx, now, u, "channel.verified", "channel", c.ID, 0, map[string]any{"kind": c.Kind})
	})
	if c != nil {
		c.Secret = ""
	}
	return c, err
}

// DeletePageChannel removes one of the user's channels.
func (s *Service) DeletePageChannel(ctx context.Context, id int64) error {
	u, err := writerOrAuditor(ctx)
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx haven.Tx) error {
		if _, err := ownChannel(ctx, tx, u, id); err != nil {
			return err
		}
		if err := tx.DeletePageChannel(ctx, id); err != nil {
			return err
		}
		return record(ctx, tx, s.clock.Now(), u, "channel.deleted", "channel", id, 0, nil)
	})
}

// TestPageChannel sends one of the user's channels a test message with a fresh code.
func (s *Service) TestPageChannel(ctx context.Context, id int64) error {
	u, err := writerOrAuditor(ctx)
	if err != nil {
		return err
	}
	code, err := sixDigits()
	if err != nil {
		return err
	}
	now := s.clock.Now()
	return s.store.Update(ctx, func(tx haven.Tx) error {
		c, err := ownChannel(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if c.VerifiedAt == nil {
			expires := now.Add(verifyCodeTTL)
			c.CodeHash, c.CodeExpires = hashToken(code), &expires
			if err := tx.UpdatePageChannel(ctx, c); err != nil {
				return err
			}
		}
		if err := s.queueDelivery(ctx, tx, &haven.PageDelivery{ChannelID: c.ID, Kind: "test", Text: code}, u.ID, now); err != nil {
			return err
		}
		return record(ctx, tx, now, u, "channel.tested", "channel", c.ID, 0, map[string]any{"kind": c.Kind})
	})
}

// ownChannel reads a channel of u's; anyone else's answers like one that does not exist.
func ownChannel(ctx context.Context, tx haven.Tx, u *haven.User, id int64) (*haven.PageChannel, error) {
	c, err := tx.PageChannelByID(ctx, id)
	if err == nil && c.UserID != u.ID {
		err = haven.Errorf(haven.ENOTFOUND, "channel %d not found", id)
	}
	return c, err
}

// queueDelivery stores a message for a channel and queues its sending, in the change's
// transaction.
func (s *Service) queueDelivery(ctx context.Context, tx haven.Tx, d *haven.PageDelivery, userID int64, now time.Time) error {
	if err := tx.InsertPageDelivery(ctx, d, userID, now); err != nil {
		return err
	}
	payload, _ := json.Marshal(map[string]int64{"delivery_id": d.ID})
	_, err := tx.EnqueueJob(ctx, &haven.Job{Kind: haven.JobPageDeliver, Payload: string(payload),
		UniqueKey: fmt.Sprintf("%s:%d", haven.JobPageDeliver, d.ID), RunAt: now, CreatedAt: now, MaxAttempts: 8})
	return err
}

// pageChannels queues a page on each of u's verified channels; quiet hours hold it back unless
// the case is P1. Each decision is on the alert's history.
func (s *Service) pageChannels(ctx context.Context, tx haven.Tx, a *haven.Alert, u *haven.User, level int, p1 bool, now time.Time) error {
	channels, err := tx.UserPageChannels(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, c := range channels {
		if c.VerifiedAt == nil {
			continue
		}
		if !p1 && c.InQuietHours(now) {
			if err := tx.AddAlertEntry(ctx, a.ID, haven.AlertEntry{At: now, Kind: "skipped", Level: level, User: u.Username,
				Channel: c.Kind, Result: "quiet hours"}); err != nil {
				return err
			}
			continue
		}
		if err := s.queueDelivery(ctx, tx, &haven.PageDelivery{AlertID: a.ID, ChannelID: c.ID, Kind: "page"}, u.ID, now); err != nil {
			return err
		}
	}
	return nil
}

// PageDelivery composes a queued message (the sender job runs it as the system): a test with its
// code, or a page with a fresh single-use acknowledge link. References only: the case's number
// and priority, never its title or the alert's message.
func (s *Service) PageDelivery(ctx context.Context, id int64) (*haven.PageDelivery, error) {
	now := s.clock.Now()
	var d *haven.PageDelivery
	err := s.store.Update(ctx, func(tx haven.Tx) error {
		var userID int64
		var err error
		if d, userID, err = tx.PageDeliveryByID(ctx, id); err != nil {
			return err
		}
		if d.Channel, err = tx.PageChannelByID(ctx, d.ChannelID); err != nil {
			return err
		}
		u, err := tx.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		l, err := s.localizer(u.Language)
		if err != nil {
			return err
		}
		if d.Kind == "test" {
			composeTest(l, d)
			return nil
		}
		return s.composePage(ctx, tx, l, d, userID, now)
	})
	return d, err
}

func composeTest(l *i18n.Localizer, d *haven.PageDelivery) {
	code := d.Text
	d.Subject = l.T("page.test_subject")
	d.Text = l.T("page.test_body", "Code", code) + "\n"
	d.JSON, _ = json.Marshal(map[string]any{"type": "test", "code": code, "channel": d.ChannelID})
}

func (s *Service) composePage(ctx context.Context, tx haven.Tx, l *i18n.Localizer, d *haven.PageDelivery, userID int64, now time.Time) error {
	a, err := tx.AlertByID(ctx, d.AlertID)
	if err != nil {
		return err
	}
	c, err := tx.CaseByID(ctx, a.CaseID)
	if err != nil {
		return err
	}
	token := randomToken()
	if err := tx.InsertAckLink(ctx, hashToken(token), a.ID, userID, now.Add(ackLinkTTL)); err != nil {
		return err
	}
	ackURL, caseURL := "", ""
	if s.cfg.PublicURL != "" {
		ackURL, caseURL = s.cfg.PublicURL+"/ack/"+token, s.cfg.PublicURL+"/cases/"+c.Number
	}
	args := []any{"Number", c.Number, "Priority", string(c.Priority), "Alert", a.ID, "Link", ackURL, "Case", caseURL}
	d.Subject = l.T("page.subject", args...)
	if ackURL != "" {
		d.Text = l.T("page.body_link", args...) + "\n"
	} else {
		d.Text = l.T("page.body", args...) + "\n"
	}
	d.JSON, _ = json.Marshal(map[string]any{"type": "page", "alert": a.ID, "case": c.Number, "priority": c.Priority,
		"state": a.State, "acknowledge_url": ackURL, "case_url": caseURL, "at": now.UTC().Format(time.RFC3339)})
	return nil
}

// PageDelivered records one attempt's result on the alert's history.
func (s *Service) PageDelivered(ctx context.Context, id int64, result string, ok bool) error {
	now := s.clock.Now()
	return s.store.Update(ctx, func(tx haven.Tx) error {
		d, userID, err := tx.PageDeliveryByID(ctx, id)
		if err != nil || d.AlertID == 0 {
			return err
		}
		ch, err := tx.PageChannelByID(ctx, d.ChannelID)
		if err != nil {
			return err
		}
		u, err := tx.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		kind := "paged"
		if !ok {
			kind = "page_failed"
		}
		return tx.AddAlertEntry(ctx, d.AlertID, haven.AlertEntry{At: now, Kind: kind, User: u.Username, Channel: ch.Kind, Result: result})
	})
}

// AcknowledgeByLink acknowledges an alert as the user its link was sent to: the link is their
// own credential, delivered to their own verified channel, good once and for an hour.
func (s *Service) AcknowledgeByLink(ctx context.Context, token string) (*haven.Alert, error) {
	now := s.clock.Now()
	var a *haven.Alert
	err := s.store.Update(ctx, func(tx haven.Tx) error {
		alertID, userID, err := tx.UseAckLink(ctx, hashToken(token), now)
		if err != nil {
			return haven.Errorf(haven.ENOTFOUND, "this link is unknown, used or expired")
		}
		u, err := tx.UserByID(ctx, userID)
		if err != nil || u.Disabled {
			return haven.Errorf(haven.ENOTFOUND, "this link is unknown, used or expired")
		}
		if a, err = tx.AlertByID(ctx, alertID); err != nil {
			return err
		}
		c, err := tx.CaseByID(ctx, a.CaseID)
		if err != nil {
			return err
		}
		if visible, err := tx.CaseVisible(ctx, c.ID, s.viewer(u)); err != nil || !visible {
			return haven.Errorf(haven.ENOTFOUND, "this link is unknown, used or expired")
		}
		return s.applyAlertMove(ctx, tx, u, a, c, haven.AlertAcknowledged, now)
	})
	return a, err
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func sixDigits() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", haven.Internal("code", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}
