package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/email"
	"github.com/haven-helpline/haven/jobs"
)

// pager sends pages and channel tests: email through the relay (when one is configured) and
// signed webhooks. Each attempt's result is recorded on the alert's history; failures retry
// with the job runner's backoff.
type pager struct {
	svc    haven.PageChannelService
	mail   *sender // nil: no relay
	client *http.Client
}

func newPager(svc haven.PageChannelService, mail *sender) *pager {
	return &pager{svc: svc, mail: mail, client: &http.Client{Timeout: 10 * time.Second}}
}

// deliver is the page.deliver job handler.
func (p *pager) deliver(ctx context.Context, j *haven.Job) error {
	var in struct {
		DeliveryID int64 `json:"delivery_id"`
	}
	if err := json.Unmarshal([]byte(j.Payload), &in); err != nil {
		return fmt.Errorf("bad payload: %w", jobs.ErrPermanent)
	}
	d, err := p.svc.PageDelivery(ctx, in.DeliveryID)
	if haven.ErrorCode(err) == haven.ENOTFOUND {
		return nil // the channel was deleted meanwhile
	}
	if err != nil {
		return err
	}
	result, sendErr := p.send(ctx, d)
	if err := p.svc.PageDelivered(ctx, d.ID, result, sendErr == nil); err != nil {
		return err
	}
	return sendErr
}

func (p *pager) send(ctx context.Context, d *haven.PageDelivery) (string, error) {
	if d.Channel.Kind == "webhook" {
		return p.post(ctx, d)
	}
	if p.mail == nil {
		return "no mail relay", fmt.Errorf("no mail relay is configured: %w", jobs.ErrPermanent)
	}
	if err := p.mail.plain(ctx, d.Channel.Address, d.Subject, d.Text); err != nil {
		return "failed: " + err.Error(), err
	}
	return "sent", nil
}

// post sends the webhook: the JSON body, with X-Haven-Timestamp and X-Haven-Signature
// ("v1=" + hex HMAC-SHA256 of timestamp + "." + body, keyed by the channel's secret).
func (p *pager) post(ctx context.Context, d *haven.PageDelivery) (string, error) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.Channel.Address, bytes.NewReader(d.JSON))
	if err != nil {
		return "bad address", fmt.Errorf("%v: %w", err, jobs.ErrPermanent)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Haven")
	req.Header.Set("X-Haven-Timestamp", ts)
	req.Header.Set("X-Haven-Signature", "v1="+webhookSignature(d.Channel.Secret, ts, d.JSON))
	resp, err := p.client.Do(req)
	if err != nil {
		return "failed: " + err.Error(), err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Sprintf("failed: HTTP %d", resp.StatusCode), fmt.Errorf("webhook answered HTTP %d", resp.StatusCode)
	}
	return fmt.Sprintf("sent: HTTP %d", resp.StatusCode), nil
}

// webhookSignature is what a receiver recomputes to trust a page: docs/oncall.md.
func webhookSignature(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// plain sends a plain email with no case threading, from the helpline's address.
func (s *sender) plain(ctx context.Context, to, subject, text string) error {
	return s.mail(ctx, to, subject, text)
}

// mail sends an automatic message (with attachments, if any) from the helpline's address.
func (s *sender) mail(ctx context.Context, to, subject, text string, atts ...email.OutAttachment) error {
	cfg := s.cfg.Load()
	from, err := cfg.fromAddress(nil)
	if err != nil {
		return fmt.Errorf("%v: %w", err, jobs.ErrPermanent)
	}
	raw, _, err := email.Compose(email.Outgoing{From: email.Address{Name: cfg.FromName, Addr: from},
		To: []email.Address{{Addr: to}}, Subject: subject, Text: text, Attachments: atts, Domain: cfg.Domain,
		Date: time.Now(), AutoSubmitted: true})
	if err != nil {
		return fmt.Errorf("%v: %w", err, jobs.ErrPermanent)
	}
	err = s.countSend(from, email.Send(ctx, s.relay, from, []string{to}, raw))
	var se *email.SendError
	if errors.As(err, &se) && se.Permanent {
		return fmt.Errorf("%v: %w", err, jobs.ErrPermanent)
	}
	return err
}
