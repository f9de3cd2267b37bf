package service

import (
	"context"
	"slices"
	"time"

	"github.com/haven-helpline/haven"
)

var _ haven.SLAService = (*Service)(nil)

// CaseClocks is the case's clocks now: first response and resolution from creation, and, once
// answered and while open, the next update from the last reply.
func (s *Service) CaseClocks(ctx context.Context, number string) ([]haven.SLAStatus, error) {
	now := s.clock.Now()
	return readCase(ctx, s, number, func(tx haven.Tx, c *haven.Case) ([]haven.SLAStatus, error) {
		st, cal, err := s.slaState(ctx, tx, c)
		if err != nil {
			return nil, err
		}
		p, err := s.slaPolicy(ctx, tx)
		if err != nil {
			return nil, err
		}
		return p.statuses(c, st, cal, now), nil
	})
}

// slaState reads a case's clock state and the calendar its clocks follow.
func (s *Service) slaState(ctx context.Context, tx haven.Tx, c *haven.Case) (*haven.CaseSLA, *haven.BusinessCalendar, error) {
	st, err := tx.CaseSLA(ctx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	cal, err := calendarOf(ctx, tx, c)
	return st, cal, err
}

// calendarOf is the calendar of the case's team (the first naming it), or 24/7 (nil): a P1 case
// always runs 24/7.
func calendarOf(ctx context.Context, tx haven.Tx, c *haven.Case) (*haven.BusinessCalendar, error) {
	if c.Priority == haven.P1 || c.Team == "" {
		return nil, nil
	}
	cals, err := tx.Calendars(ctx)
	for _, cal := range cals {
		if slices.Contains(cal.Teams, c.Team) {
			return cal, err
		}
	}
	return nil, err
}

// clocks builds the case's clocks from its priority's targets and its state.
func (p *slaPolicy) clocks(c *haven.Case, st *haven.CaseSLA) []haven.SLAClock {
	t, ok := p.targets[c.Priority]
	if !ok {
		return nil
	}
	out := []haven.SLAClock{
		{Target: haven.TargetFirstResponse, Started: c.CreatedAt, Budget: t.FirstResponse, Pauses: st.Pauses, StoppedAt: st.FirstResponseAt},
		{Target: haven.TargetResolution, Started: c.CreatedAt, Budget: t.Resolution, Pauses: st.Pauses, StoppedAt: st.ResolvedAt},
	}
	if st.LastUpdateAt != nil && st.ResolvedAt == nil {
		out = append(out, haven.SLAClock{Target: haven.TargetNextUpdate, Started: *st.LastUpdateAt, Budget: t.NextUpdate, Pauses: st.Pauses})
	}
	for i := range out {
		out[i].BudgetMinutes = int(out[i].Budget / time.Minute)
	}
	return out
}

func (p *slaPolicy) statuses(c *haven.Case, st *haven.CaseSLA, cal *haven.BusinessCalendar, now time.Time) []haven.SLAStatus {
	var out []haven.SLAStatus
	for _, k := range p.clocks(c, st) {
		out = append(out, k.Status(cal, now, p.warnAt))
	}
	return out
}

// slaChanged saves a case's clock state after a change, with when its clocks must next be
// looked at (the next warning or due time of a running clock), and keeps the case's due times
// (the inbox sorts by them) in step: the first response's until it is answered, the next
// update's while it runs (not paused, breached nor stopped), and the resolution's.
func (s *Service) slaChanged(ctx context.Context, tx haven.Tx, c *haven.Case, st *haven.CaseSLA, now time.Time) error {
	cal, err := calendarOf(ctx, tx, c)
	if err != nil {
		return err
	}
	p, err := s.slaPolicy(ctx, tx)
	if err != nil {
		return err
	}
	st.NextCheckAt = nil
	nextUpdate := false
	for _, clock := range p.clocks(c, st) {
		nextUpdate = nextUpdate || clock.Target == haven.TargetNextUpdate
		k := clock.Status(cal, now, p.warnAt)
		if k.Met && k.Target == haven.TargetFirstResponse {
			c.FirstResponseDue = nil // answered: the inbox sorts by what is still due
		}
		if k.Met || k.Paused || slices.Contains(st.Breached, k.Target) {
			continue
		}
		s.keepDue(c, k)
		at := k.Due
		if !slices.Contains(st.Warned, k.Target) && !k.Warning {
			// the warning comes when the share used reaches SLAWarnAt of the budget
			at = cal.AddBusiness(now, k.Remaining-time.Duration((1-p.warnAt)*float64(clock.Budget)))
		}
		if st.NextCheckAt == nil || at.Before(*st.NextCheckAt) {
			st.NextCheckAt = &at
		}
	}
	if !nextUpdate {
		c.NextUpdateDue = nil // not answered yet, or resolved: no update is due
	}
	return tx.SaveCaseSLA(ctx, st)
}

// keepDue writes a running clock's due time on the case.
func (s *Service) keepDue(c *haven.Case, k haven.SLAStatus) {
	due := k.Due
	switch k.Target {
	case haven.TargetFirstResponse:
		c.FirstResponseDue = &due
	case haven.TargetResolution:
		c.ResolutionDue = &due
	case haven.TargetNextUpdate:
		c.NextUpdateDue = &due
	}
}

// slaOnStatus pauses the clocks while the case waits for the requester, resumes them when it
// stops waiting, and stops (or restarts) the resolution clock.
func (s *Service) slaOnStatus(ctx context.Context, tx haven.Tx, c *haven.Case, from haven.Status, now time.Time) error {
	st, err := tx.CaseSLA(ctx, c.ID)
	if err != nil {
		return err
	}
	if c.Status == haven.StatusWaitingRequester && from != haven.StatusWaitingRequester {
		st.Pauses = append(st.Pauses, haven.Pause{Start: now})
	}
	if from == haven.StatusWaitingRequester && c.Status != from && len(st.Pauses) > 0 && st.Pauses[len(st.Pauses)-1].End.IsZero() {
		st.Pauses[len(st.Pauses)-1].End = now
	}
	switch {
	case !c.Status.IsOpen() && st.ResolvedAt == nil:
		st.ResolvedAt = &now
	case c.Status.IsOpen():
		st.ResolvedAt = nil
	}
	return s.slaChanged(ctx, tx, c, st, now)
}

// slaOnReply records a reply to the requester: the first response, and the last update the next
// one is due from.
func (s *Service) slaOnReply(ctx context.Context, tx haven.Tx, c *haven.Case, now time.Time) error {
	st, err := tx.CaseSLA(ctx, c.ID)
	if err != nil {
		return err
	}
	if st.FirstResponseAt == nil {
		st.FirstResponseAt = &now
	}
	st.LastUpdateAt = &now
	st.Warned = slices.DeleteFunc(st.Warned, func(t string) bool { return t == haven.TargetNextUpdate })
	st.Breached = slices.DeleteFunc(st.Breached, func(t string) bool { return t == haven.TargetNextUpdate })
	return s.slaChanged(ctx, tx, c, st, now)
}

// CheckSLAs is the periodic job: for each case whose clocks are due a look, warn the assignee
// (else the team's leads) of clocks past the warning share, and record each breach once as an
// event and a notice. Each case is checked in its own transaction.
func (s *Service) CheckSLAs(ctx context.Context) (int, error) {
	now := s.clock.Now()
	var ids []int64
	if err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		ids, err = tx.DueSLAChecks(ctx, now, 500)
		return err
	}); err != nil {
		return 0, err
	}
	total := 0
	for _, id := range ids {
		err := s.store.Update(ctx, func(tx haven.Tx) error {
			n, err := s.checkCase(ctx, tx, id, now)
			total += n
			return err
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// checkCase warns of and records one case's clocks, and reschedules its next look.
func (s *Service) checkCase(ctx context.Context, tx haven.Tx, id int64, now time.Time) (int, error) {
	c, err := tx.CaseByID(ctx, id)
	if err != nil {
		return 0, err
	}
	st, cal, err := s.slaState(ctx, tx, c)
	if err != nil {
		return 0, err
	}
	p, err := s.slaPolicy(ctx, tx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, k := range p.statuses(c, st, cal, now) {
		kind := ""
		switch {
		case k.Breached && !slices.Contains(st.Breached, k.Target):
			kind, st.Breached = "sla_breached", append(st.Breached, k.Target)
		case k.Warning && !slices.Contains(st.Warned, k.Target):
			kind, st.Warned = "sla_warning", append(st.Warned, k.Target)
		default:
			continue
		}
		if err := s.slaNotice(ctx, tx, c, kind, k.Target, now); err != nil {
			return n, err
		}
		n++
	}
	if err := s.slaChanged(ctx, tx, c, st, now); err != nil {
		return n, err
	}
	c.UpdatedAt = now
	return n, tx.UpdateCase(ctx, c)
}

// slaNotice tells the assignee and the team's leads (everyone in the team when nobody is
// assigned) of a warning or a breach, and records it on the case (references only: the target).
func (s *Service) slaNotice(ctx context.Context, tx haven.Tx, c *haven.Case, kind, target string, now time.Time) error {
	var members []string
	if c.Team != "" {
		team, err := tx.TeamByName(ctx, c.Team)
		if err != nil && haven.ErrorCode(err) != haven.ENOTFOUND {
			return err
		}
		if team != nil {
			members = team.Members
		}
	}
	for _, name := range uniqueStrings(append([]string{c.Assignee}, members...)) {
		u, err := tx.UserByUsername(ctx, name)
		if err != nil || u.Disabled || name != c.Assignee && c.Assignee != "" && u.Role != haven.RoleLead {
			continue
		}
		if err := tx.InsertNotification(ctx, &haven.Notification{UserID: u.ID, Kind: kind, CaseID: c.ID, CaseNumber: c.Number,
			Text: "SLA " + target + " on " + c.Number, CreatedAt: now}); err != nil {
			return err
		}
	}
	return record(ctx, tx, now, nil, "sla."+kind[4:], "case", c.Number, c.ID, map[string]any{"target": target})
}

// Calendars lists the business calendars (every signed-in user).
func (s *Service) Calendars(ctx context.Context) ([]*haven.BusinessCalendar, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	var out []*haven.BusinessCalendar
	err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		out, err = tx.Calendars(ctx)
		return err
	})
	return out, err
}

// SaveCalendar creates or replaces a business calendar (admins); the teams it names must exist.
func (s *Service) SaveCalendar(ctx context.Context, c haven.BusinessCalendar) (*haven.BusinessCalendar, error) {
	u, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		for _, t := range c.Teams {
			if _, err := tx.TeamByName(ctx, t); haven.ErrorCode(err) == haven.ENOTFOUND {
				return &haven.Error{Code: haven.EINVALID, Message: "no team " + t, Fields: map[string]string{"teams": "no team " + t}}
			} else if err != nil {
				return err
			}
		}
		if err := tx.SaveCalendar(ctx, &c, now); err != nil {
			return err
		}
		return record(ctx, tx, now, u, "calendar.saved", "calendar", c.Name, 0, map[string]any{"teams": len(c.Teams)})
	})
	return &c, err
}

// startClocks starts a new case's clocks. Their due times on the case change only when the team
// follows business hours (a 24/7 clock is due when setSLA said), so only then is it rewritten.
func (s *Service) startClocks(ctx context.Context, tx haven.Tx, c *haven.Case, now time.Time) error {
	first, resolve := c.FirstResponseDue, c.ResolutionDue
	if err := s.slaChanged(ctx, tx, c, &haven.CaseSLA{CaseID: c.ID}, now); err != nil {
		return err
	}
	if sameDue(first, c.FirstResponseDue) && sameDue(resolve, c.ResolutionDue) {
		return nil
	}
	return tx.UpdateCase(ctx, c)
}

// retimeClocks recomputes the clocks of a case whose priority or team changed.
func (s *Service) retimeClocks(ctx context.Context, tx haven.Tx, c *haven.Case, now time.Time) error {
	st, err := tx.CaseSLA(ctx, c.ID)
	if err != nil {
		return err
	}
	if err := s.slaChanged(ctx, tx, c, st, now); err != nil {
		return err
	}
	return tx.UpdateCase(ctx, c)
}

func sameDue(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}
