package service

import (
	"context"

	"github.com/haven-helpline/haven"
)

var _ haven.PresenceService = (*Service)(nil)

// CasePresence records the caller on the case's page (state "" records nothing) and returns the
// others there now. Only
// those who may see the case learn who is on it; a ping is not an audit event (the page's
// reading is, when the case is restricted), and writing a reply is claimed only by who may.
func (s *Service) CasePresence(ctx context.Context, number, state string) ([]haven.Presence, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	switch state {
	case "": // only looking: the page as it loads (its script pings next)
		return s.presenceOn(ctx, u, number)
	case haven.PresenceViewing:
	case haven.PresenceReplying:
		if u, err = writer(ctx); err != nil {
			return nil, err
		}
	default:
		return nil, &haven.Error{Code: haven.EINVALID, Message: "state must be viewing or replying",
			Fields: map[string]string{"state": "must be viewing or replying"}}
	}
	now := s.clock.Now()
	var others []haven.Presence
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		c, err := s.caseByNumber(ctx, tx, u, number)
		if err != nil {
			return err
		}
		if err := tx.TouchPresence(ctx, c.ID, u.ID, state, now); err != nil {
			return err
		}
		others, err = tx.CasePresence(ctx, c.ID, u.ID, now.Add(-haven.PresenceTTL))
		return err
	})
	if others == nil {
		others = []haven.Presence{}
	}
	return others, err
}

// presenceOn reads who else is on the case's page, recording nothing.
func (s *Service) presenceOn(ctx context.Context, u *haven.User, number string) ([]haven.Presence, error) {
	others := []haven.Presence{}
	err := s.store.View(ctx, func(tx haven.Tx) error {
		c, err := s.caseByNumber(ctx, tx, u, number)
		if err != nil {
			return err
		}
		found, err := tx.CasePresence(ctx, c.ID, u.ID, s.clock.Now().Add(-haven.PresenceTTL))
		if found != nil {
			others = found
		}
		return err
	})
	return others, err
}
