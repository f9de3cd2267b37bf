package service

import (
	"context"
	"regexp"

	"github.com/haven-helpline/haven"
)

var _ haven.AuditService = (*Service)(nil)

// AuditEvents lists the audit trail for auditors and admins, under the same need-to-know as
// everything else: the events of a case or person the reader may not see are not listed (an
// auditor made a member of a compartment audits its cases). Reading it is itself recorded.
func (s *Service) AuditEvents(ctx context.Context, f haven.EventFilter) (*haven.EventPage, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if !u.CanAudit() {
		return nil, haven.Errorf(haven.EFORBIDDEN, "only auditors and admins can read the audit trail")
	}
	if err := normalizeEventFilter(&f); err != nil {
		return nil, err
	}
	f.Viewer, f.Everything = s.viewer(u), false
	var page *haven.EventPage
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		if f.Case != "" {
			c, err := s.caseByNumber(ctx, tx, u, f.Case)
			if err != nil {
				return err
			}
			f.CaseID = c.ID
		}
		if page, err = tx.FindEvents(ctx, f); err != nil {
			return err
		}
		if err := hideCaseRefs(ctx, tx, f.Viewer, page.Items); err != nil {
			return err
		}
		return record(ctx, tx, s.clock.Now(), u, "audit.read", "audit", "", 0,
			map[string]any{"actor": f.Actor, "action": f.Action, "case_id": f.CaseID, "count": len(page.Items)})
	})
	return page, err
}

var actionRE = regexp.MustCompile(`^[a-z_.]*$`)

func normalizeEventFilter(f *haven.EventFilter) error {
	v := haven.Validation{}
	if f.Limit <= 0 {
		f.Limit = haven.DefaultLimit
	}
	v.Check(f.Limit <= haven.MaxLimit, "limit", "at most 500")
	v.Check(len(f.Action) <= 100 && actionRE.MatchString(f.Action), "action", "an action such as case.updated, or a prefix such as case.")
	v.Check(f.Until.IsZero() || f.Since.IsZero() || f.Since.Before(f.Until), "until", "must be after since")
	return v.Err()
}
