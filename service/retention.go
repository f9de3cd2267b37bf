package service

import (
	"context"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
)

var _ haven.RetentionService = (*Service)(nil)

// purgeBatch bounds one purge transaction, so a first run over years of closed cases neither holds
// the writer for long nor loses its work when interrupted: each batch commits on its own.
const purgeBatch = 50

// RetentionPolicies lists the policies (any signed-in user may read them: they are not secret
// and handlers should know how long what they write is kept).
func (s *Service) RetentionPolicies(ctx context.Context) ([]*haven.RetentionPolicy, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	var out []*haven.RetentionPolicy
	err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		out, err = tx.RetentionPolicies(ctx)
		return err
	})
	return out, err
}

// SetRetentionPolicy creates, changes or (Days 0) removes a policy (admins).
func (s *Service) SetRetentionPolicy(ctx context.Context, p haven.RetentionPolicy) (*haven.RetentionPolicy, error) {
	u, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	return s.setRetentionPolicy(ctx, u, p)
}

// SetRetentionPolicyAsSystem is SetRetentionPolicy for the operator at the console.
func (s *Service) SetRetentionPolicyAsSystem(ctx context.Context, p haven.RetentionPolicy) (*haven.RetentionPolicy, error) {
	return s.setRetentionPolicy(ctx, nil, p)
}

func (s *Service) setRetentionPolicy(ctx context.Context, u *haven.User, p haven.RetentionPolicy) (*haven.RetentionPolicy, error) {
	p.Category = strings.TrimSpace(p.Category)
	if err := p.Validate(); err != nil {
		return nil, err
	}
	p.UpdatedAt = s.clock.Now()
	err := s.store.Update(ctx, func(tx haven.Tx) error {
		if p.Category != haven.DefaultRetention {
			if _, err := tx.CategoryBySlug(ctx, p.Category); err != nil {
				return err
			}
		}
		action := "retention.set"
		if p.Days == 0 {
			action = "retention.removed"
			if err := tx.DeleteRetentionPolicy(ctx, p.Category); err != nil {
				return err
			}
		} else if err := tx.PutRetentionPolicy(ctx, &p); err != nil {
			return err
		}
		return record(ctx, tx, p.UpdatedAt, u, action, "retention", p.Category, 0, map[string]any{"days": p.Days})
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// PurgeExpired purges every closed case whose retention ran out: its notes, messages, reports,
// attachments and own personal fields are shredded; its requester too, once no unpurged case
// is left to them. The anonymous facts stay for statistics. Each case's purge is audited.
// It runs as the system (the daily job, `haven retention purge`).
func (s *Service) PurgeExpired(ctx context.Context) (*haven.Purge, error) {
	total := &haven.Purge{Cases: []string{}}
	for {
		n, err := s.purgeBatch(ctx, total)
		if err != nil {
			return total, err
		}
		if n < purgeBatch {
			return total, s.sweepShredded(ctx)
		}
	}
}

func (s *Service) purgeBatch(ctx context.Context, total *haven.Purge) (int, error) {
	now := s.clock.Now()
	batch := &haven.Purge{Cases: []string{}}
	var n int
	err := s.store.Update(ctx, func(tx haven.Tx) error {
		*batch = haven.Purge{Cases: []string{}}
		ids, err := tx.ExpiredCases(ctx, now, purgeBatch)
		if err != nil {
			return err
		}
		n = len(ids)
		for _, id := range ids {
			if err := s.purgeCase(ctx, tx, id, now, batch); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	total.Cases = append(total.Cases, batch.Cases...)
	total.Add(batch.Erasure)
	return n, nil
}

func (s *Service) purgeCase(ctx context.Context, tx haven.Tx, id int64, now time.Time, out *haven.Purge) error {
	c, err := tx.CaseByID(ctx, id)
	if err != nil {
		return err
	}
	e, err := tx.EraseCaseCorrespondence(ctx, id)
	if err != nil {
		return err
	}
	if err := tx.PurgeCase(ctx, id, now); err != nil {
		return err
	}
	if c.RequesterID != 0 {
		left, err := tx.RequesterCaseIDs(ctx, c.RequesterID)
		if err != nil {
			return err
		}
		if len(left) == 0 {
			r, err := tx.EraseRequester(ctx, c.RequesterID, now)
			if err != nil {
				return err
			}
			e.Add(r)
		}
	}
	purged, err := tx.CaseByID(ctx, id)
	if err != nil {
		return err
	}
	if err := tx.IndexCase(ctx, purged); err != nil {
		return err
	}
	out.Cases = append(out.Cases, c.Number)
	out.Add(e)
	return record(ctx, tx, now, nil, "case.purged", "case", c.Number, c.ID, map[string]any{
		"categories": c.Categories, "closed_at": c.ClosedAt, "notes": e.Notes, "messages": e.Messages,
		"reports": e.Reports, "attachments": e.Attachments, "requesters": e.Requesters})
}
