package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
)

// CreateEscalation drafts an escalation of a case to a platform, its text written or rendered
// from an escalation template. Nothing leaves the helpline until it moves to sent.
func (s *Service) CreateEscalation(ctx context.Context, number string, in haven.EscalationCreate) (*haven.Escalation, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return changeCase(ctx, s, number, func(tx haven.Tx, u *haven.User, c *haven.Case, now time.Time) (*haven.Escalation, error) {
		p, ch, err := escalationChannel(ctx, tx, in.Platform, &in.Channel)
		if err != nil {
			return nil, err
		}
		e := &haven.Escalation{CaseID: c.ID, CaseNumber: c.Number, Platform: p.Slug, PlatformName: p.Name, Kind: in.Kind,
			Channel: in.Channel, Subject: in.Subject, Body: in.Body, Reference: in.Reference, State: haven.EscalationDraft,
			OwnerID: u.ID, Owner: u.Username, TargetHours: p.TargetHours(in.Kind), CreatedAt: now}
		if ch != nil {
			e.Address, e.Encrypted = ch.Address, ch.Kind == "email" && ch.PGPKey != ""
		}
		if err := s.escalationText(ctx, tx, u, c, p, in.Template, e); err != nil {
			return nil, err
		}
		if e.PersonalData, err = carriesPersonalData(ctx, tx, c, e, in.PersonalData); err != nil {
			return nil, err
		}
		if e.ReplyToken, err = haven.NewReplyToken(); err != nil {
			return nil, err
		}
		if err := tx.InsertEscalation(ctx, e); err != nil {
			return nil, err
		}
		return e, s.touch(ctx, tx, u, c, now, "escalation.created", "escalation", e.ID,
			map[string]any{"platform": e.Platform, "kind": e.Kind, "channel": e.Channel, "template_id": e.TemplateID})
	})
}

// escalationChannel finds the platform and the channel to use: the one named, else the
// platform's first. An email escalation needs the platform's address; the other channels are
// recorded by hand, so a platform whose form the helpline has not entered yet still works.
func escalationChannel(ctx context.Context, tx haven.Tx, slug string, kind *string) (*haven.Platform, *haven.PlatformChannel, error) {
	p, err := tx.PlatformBySlug(ctx, slug)
	if haven.ErrorCode(err) == haven.ENOTFOUND || err == nil && p.RetiredAt != nil {
		return nil, nil, &haven.Error{Code: haven.EINVALID, Message: "no such platform: " + slug,
			Fields: map[string]string{"platform": "not a current platform"}}
	}
	if err != nil {
		return nil, nil, err
	}
	if *kind == "" && len(p.Channels) > 0 {
		*kind = p.Channels[0].Kind
	}
	if *kind == "" {
		*kind = "web-form"
	}
	ch := p.Channel(*kind)
	if *kind == "email" && ch == nil {
		return nil, nil, &haven.Error{Code: haven.EINVALID, Message: p.Name + " has no email channel: an admin adds the partner address first",
			Fields: map[string]string{"channel": "no email address for this platform"}}
	}
	return p, ch, nil
}

// escalationText fills subject and body from the named escalation template, for the case and
// the platform, when one is named.
func (s *Service) escalationText(ctx context.Context, tx haven.Tx, u *haven.User, c *haven.Case, p *haven.Platform, name string, e *haven.Escalation) error {
	if name == "" {
		return nil
	}
	t, err := tx.TemplateByName(ctx, name)
	if haven.ErrorCode(err) == haven.ENOTFOUND || err == nil && (t.RetiredAt != nil || t.Kind != haven.TemplateEscalation) {
		return &haven.Error{Code: haven.EINVALID, Message: "no such escalation template: " + name,
			Fields: map[string]string{"template": "not a current escalation template"}}
	}
	if err != nil {
		return err
	}
	r := s.render(t, c, u, p.Name)
	if e.Subject == "" {
		e.Subject = r.Subject
	}
	e.Body, e.TemplateID, e.TemplateVersion = r.Body, r.TemplateID, r.Version
	return nil
}

// carriesPersonalData decides whether the escalation shares the requester's data: yes unless the
// handler says no, and yes anyway when the text names them or one of their contacts.
func carriesPersonalData(ctx context.Context, tx haven.Tx, c *haven.Case, e *haven.Escalation, declared *bool) (bool, error) {
	if declared == nil || *declared {
		return true, nil
	}
	if c.RequesterID == 0 {
		return false, nil
	}
	r, err := tx.RequesterByID(ctx, c.RequesterID)
	if err != nil {
		return false, err
	}
	text := strings.ToLower(e.Subject + "\n" + e.Body + "\n" + e.Reference)
	for _, v := range append([]string{r.Name}, contactValues(r)...) {
		if v = strings.ToLower(strings.TrimSpace(v)); len(v) >= 3 && strings.Contains(text, v) {
			return true, nil
		}
	}
	return false, nil
}

func contactValues(r *haven.Requester) []string {
	out := make([]string, 0, len(r.Contacts))
	for _, c := range r.Contacts {
		out = append(out, c.Value)
	}
	return out
}

// CaseEscalations lists a case's escalations (need-to-know of the case).
func (s *Service) CaseEscalations(ctx context.Context, number string) ([]*haven.Escalation, error) {
	now := s.clock.Now()
	return readCase(ctx, s, number, func(tx haven.Tx, c *haven.Case) ([]*haven.Escalation, error) {
		es, err := tx.CaseEscalations(ctx, c.ID)
		markOverdue(es, now)
		return es, err
	})
}

// Escalation reads one escalation; one on a case the reader may not see is not found.
func (s *Service) Escalation(ctx context.Context, id int64) (*haven.Escalation, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	var e *haven.Escalation
	var c *haven.Case
	err = s.store.View(ctx, func(tx haven.Tx) (err error) {
		e, c, err = s.escalationCase(ctx, tx, u, id, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	e.Overdue = e.IsOverdue(s.clock.Now())
	if c.Restricted {
		err = s.store.Update(ctx, func(tx haven.Tx) error {
			return record(ctx, tx, s.clock.Now(), u, "case.viewed", "case", c.Number, c.ID, map[string]any{"escalation": e.ID})
		})
	}
	return e, err
}

func markOverdue(es []*haven.Escalation, now time.Time) {
	for _, e := range es {
		e.Overdue = e.IsOverdue(now)
	}
}

// escalationCase reads an escalation and its case, which u must see (and, with edit, may
// change); an unknown and a hidden escalation answer alike.
func (s *Service) escalationCase(ctx context.Context, tx haven.Tx, u *haven.User, id int64, edit bool) (*haven.Escalation, *haven.Case, error) {
	return ownedByCase(ctx, s, tx, u, "escalation", id, edit, tx.EscalationByID, func(e *haven.Escalation) string { return e.CaseNumber })
}

// Escalations lists escalations across the cases the reader may see, newest first.
func (s *Service) Escalations(ctx context.Context, f haven.EscalationFilter) (*haven.EscalationPage, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	f.Limit++
	f.Console = false
	v := s.viewer(u)
	var es []*haven.Escalation
	err = s.store.View(ctx, func(tx haven.Tx) (err error) {
		es, err = tx.Escalations(ctx, f, v)
		return err
	})
	page := &haven.EscalationPage{Items: es}
	if len(es) == f.Limit {
		page.Items = es[:f.Limit-1]
		page.Next = fmt.Sprint(page.Items[len(page.Items)-1].ID)
	}
	markOverdue(page.Items, v.Now)
	return page, err
}

// EscalationsAsSystem lists escalations of every case for the operator at the console (who holds
// the master key anyway); the listing is recorded in the audit trail.
func (s *Service) EscalationsAsSystem(ctx context.Context, f haven.EscalationFilter) ([]*haven.Escalation, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > haven.MaxLimit {
		f.Limit = haven.MaxLimit
	}
	f.Console = true
	now := s.clock.Now()
	var es []*haven.Escalation
	err := s.store.Update(ctx, func(tx haven.Tx) (err error) {
		if es, err = tx.Escalations(ctx, f, haven.Viewer{Now: now}); err != nil {
			return err
		}
		return record(ctx, tx, now, nil, "escalation.listed", "escalation", "console", 0, map[string]any{"count": len(es)})
	})
	markOverdue(es, now)
	return es, err
}
