package service

import (
	"context"
	"time"

	"github.com/haven-helpline/haven"
)

var _ haven.CorrespondentService = (*Service)(nil)

// setCorrespondent records where a new case's replies go; "" records nothing.
func setCorrespondent(ctx context.Context, tx haven.Tx, caseID int64, address string) error {
	if address == "" {
		return nil
	}
	return tx.SetCaseCorrespondent(ctx, caseID, &haven.Correspondent{Address: address})
}

// correspondentOf reads a case's correspondent; nil when none is recorded.
func correspondentOf(ctx context.Context, tx haven.Tx, caseID int64) (*haven.Correspondent, error) {
	c, err := tx.CaseCorrespondent(ctx, caseID)
	if haven.ErrorCode(err) == haven.ENOTFOUND {
		return nil, nil
	}
	return c, err
}

// replyAddress is where a reply on c goes when the handler names no one: the case's confirmed
// correspondence address. Cases from before addresses were kept per case fall back to the
// requester's address on record.
func replyAddress(ctx context.Context, tx haven.Tx, c *haven.Case, r *haven.Requester) (string, error) {
	corr, err := correspondentOf(ctx, tx, c.ID)
	if err != nil || corr != nil {
		return corr.AddressOrEmpty(), err
	}
	if r != nil {
		return r.Email(), nil
	}
	return "", nil
}

// CaseCorrespondent reads where a case's replies go (an audited read on a restricted case).
func (s *Service) CaseCorrespondent(ctx context.Context, number string) (*haven.Correspondent, error) {
	return readCase(ctx, s, number, func(tx haven.Tx, c *haven.Case) (*haven.Correspondent, error) {
		corr, err := correspondentOf(ctx, tx, c.ID)
		if corr == nil && err == nil {
			corr = &haven.Correspondent{}
		}
		return corr, err
	})
}

// ConfirmCorrespondent makes a pending address change the one the case's replies go to.
func (s *Service) ConfirmCorrespondent(ctx context.Context, number string) (*haven.Correspondent, error) {
	return changeCase(ctx, s, number, func(tx haven.Tx, u *haven.User, c *haven.Case, now time.Time) (*haven.Correspondent, error) {
		corr, err := correspondentOf(ctx, tx, c.ID)
		if err != nil {
			return nil, err
		}
		if corr == nil || corr.Pending == "" {
			return nil, haven.Errorf(haven.ECONFLICT, "case %s has no address change to confirm", c.Number)
		}
		corr.Address, corr.Pending = corr.Pending, ""
		if err := tx.SetCaseCorrespondent(ctx, c.ID, corr); err != nil {
			return nil, err
		}
		return corr, record(ctx, tx, now, u, "case.correspondent_confirmed", "case", c.Number, c.ID, nil)
	})
}

// followAddressChange carries a requester's new address to their cases: at once on an
// unrestricted case (whoever can edit the requester can see those cases), as a change pending
// confirmation on a restricted one, where the editor may be someone without access to the case.
// Either is on the case's timeline, as references only.
func followAddressChange(ctx context.Context, tx haven.Tx, u *haven.User, r *haven.Requester, now time.Time) error {
	address := r.Email()
	if address == "" {
		return nil
	}
	ids, err := tx.RequesterCaseIDs(ctx, r.ID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := followOnCase(ctx, tx, u, id, address, now); err != nil {
			return err
		}
	}
	return nil
}

func followOnCase(ctx context.Context, tx haven.Tx, u *haven.User, caseID int64, address string, now time.Time) error {
	corr, err := correspondentOf(ctx, tx, caseID)
	if err != nil || corr.Is(address) {
		return err
	}
	c, err := tx.CaseByID(ctx, caseID)
	if err != nil || c.PurgedAt != nil {
		return err
	}
	action := "case.correspondent_changed"
	switch {
	case !c.Restricted:
		corr = &haven.Correspondent{Address: address}
	case corr == nil: // a case from before addresses were kept per case: nothing is sent until confirmed
		corr, action = &haven.Correspondent{Pending: address}, "case.correspondent_change_pending"
	default:
		corr.Pending, action = address, "case.correspondent_change_pending"
	}
	if err := tx.SetCaseCorrespondent(ctx, caseID, corr); err != nil {
		return err
	}
	return record(ctx, tx, now, u, action, "case", c.Number, c.ID, map[string]any{"requester_id": c.RequesterID})
}
