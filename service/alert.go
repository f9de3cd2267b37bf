package service

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/haven-helpline/haven"
)

var _ haven.AlertService = (*Service)(nil)

// Policies lists the escalation policies (every signed-in user: who gets paged is no secret).
func (s *Service) Policies(ctx context.Context) ([]*haven.EscalationPolicy, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	var out []*haven.EscalationPolicy
	err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		out, err = tx.Policies(ctx)
		return err
	})
	return out, err
}

// Policy reads one escalation policy.
func (s *Service) Policy(ctx context.Context, name string) (*haven.EscalationPolicy, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	var p *haven.EscalationPolicy
	err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		p, err = tx.PolicyByName(ctx, name)
		return err
	})
	return p, err
}

// SavePolicy creates or replaces an escalation policy (leads and admins), whose targets must exist.
func (s *Service) SavePolicy(ctx context.Context, p haven.EscalationPolicy) (*haven.EscalationPolicy, error) {
	u, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	if u.Role != haven.RoleLead && !u.IsAdmin() {
		return nil, haven.Errorf(haven.EFORBIDDEN, "only leads and admins change escalation policies")
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	p.UpdatedAt = s.clock.Now()
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		if err := checkTargets(ctx, tx, p.Levels); err != nil {
			return err
		}
		if err := tx.SavePolicy(ctx, &p); err != nil {
			return err
		}
		return record(ctx, tx, p.UpdatedAt, u, "policy.saved", "policy", p.Name, 0, map[string]any{"levels": len(p.Levels)})
	})
	return &p, err
}

// checkTargets refuses a level naming a user, team or schedule that does not exist.
func checkTargets(ctx context.Context, tx haven.Tx, levels []haven.PolicyLevel) error {
	for i, l := range levels {
		for _, t := range l.Targets {
			var err error
			switch t.Kind {
			case "user":
				_, err = tx.UserByUsername(ctx, t.Name)
			case "team":
				_, err = tx.TeamByName(ctx, t.Name)
			case "schedule":
				_, err = tx.ScheduleByName(ctx, t.Name)
			}
			if haven.ErrorCode(err) == haven.ENOTFOUND {
				return &haven.Error{Code: haven.EINVALID, Message: fmt.Sprintf("no %s %q", t.Kind, t.Name),
					Fields: map[string]string{fmt.Sprintf("levels[%d]", i): "no such " + t.Kind}}
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// CreateAlert pages on-call about a case by hand; a case with an open alert gets a new trigger
// on it instead of a second alert.
func (s *Service) CreateAlert(ctx context.Context, in haven.AlertCreate) (*haven.Alert, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return changeCase(ctx, s, in.Case, func(tx haven.Tx, u *haven.User, c *haven.Case, now time.Time) (*haven.Alert, error) {
		if in.Policy != "" {
			if _, err := tx.PolicyByName(ctx, in.Policy); haven.ErrorCode(err) == haven.ENOTFOUND {
				return nil, &haven.Error{Code: haven.EINVALID, Message: "no escalation policy " + in.Policy,
					Fields: map[string]string{"policy": "no such policy"}}
			}
		}
		return s.raiseAlert(ctx, tx, u, c, haven.TriggerManual, in.Policy, in.Message, now)
	})
}

// alertIfP1 pages on-call when a case becomes P1 (created as P1, or raised to it from before).
func (s *Service) alertIfP1(ctx context.Context, tx haven.Tx, u *haven.User, c *haven.Case, before haven.Priority, now time.Time) error {
	if c.Priority != haven.P1 || before == haven.P1 {
		return nil
	}
	_, err := s.raiseAlert(ctx, tx, u, c, haven.TriggerPriority, "", "", now)
	return err
}

// alertIfEmergency pages on-call when a new case is in an emergency category (or under one),
// or arrived at an emergency mailbox (mailbox set); a P1 case has paged already.
func (s *Service) alertIfEmergency(ctx context.Context, tx haven.Tx, u *haven.User, c *haven.Case, mailbox bool, now time.Time) error {
	if c.Priority == haven.P1 {
		return nil
	}
	if mailbox {
		_, err := s.raiseAlert(ctx, tx, u, c, haven.TriggerMailbox, "", "", now)
		return err
	}
	emergency, err := inEmergencyCategory(ctx, tx, c.Categories)
	if err != nil || !emergency {
		return err
	}
	_, err = s.raiseAlert(ctx, tx, u, c, haven.TriggerCategory, "", "", now)
	return err
}

// inEmergencyCategory reports whether any of the categories, or a parent of one, is an
// emergency: one query for them all (every case created asks).
func inEmergencyCategory(ctx context.Context, tx haven.Tx, categories []string) (bool, error) {
	var slugs []string
	for _, slug := range categories {
		for ; slug != ""; slug = haven.CategoryParent(slug) {
			slugs = append(slugs, slug)
		}
	}
	if len(slugs) == 0 {
		return false, nil
	}
	return tx.AnyEmergencyCategory(ctx, slugs)
}

// raiseAlert opens the case's alert and queues its first step, or adds a trigger to the case's
// open alert. u is nil when Haven raises it (a P1 case, an emergency mailbox).
func (s *Service) raiseAlert(ctx context.Context, tx haven.Tx, u *haven.User, c *haven.Case, trigger, policy, message string, now time.Time) (*haven.Alert, error) {
	who := ""
	if u != nil {
		who = u.Username
	}
	open, err := tx.OpenCaseAlert(ctx, c.ID)
	if err == nil {
		open.Triggers++
		if err := tx.UpdateAlert(ctx, open); err != nil {
			return nil, err
		}
		if err := tx.AddAlertEntry(ctx, open.ID, haven.AlertEntry{At: now, Kind: "triggered", User: who, Result: trigger}); err != nil {
			return nil, err
		}
		return open, record(ctx, tx, now, u, "alert.triggered", "alert", open.ID, c.ID, map[string]any{"trigger": trigger, "again": true})
	}
	if haven.ErrorCode(err) != haven.ENOTFOUND {
		return nil, err
	}
	if policy == "" {
		policy = haven.DefaultPolicy
	}
	a := &haven.Alert{CaseID: c.ID, CaseNumber: c.Number, Policy: policy, State: haven.AlertTriggered, Trigger: trigger,
		Message: message, Triggers: 1, TriggeredAt: now, NextStepAt: &now}
	if err := tx.InsertAlert(ctx, a); err != nil {
		return nil, err
	}
	if err := tx.AddAlertEntry(ctx, a.ID, haven.AlertEntry{At: now, Kind: "triggered", User: who, Result: trigger}); err != nil {
		return nil, err
	}
	if err := enqueueStep(ctx, tx, a.ID, 0, 0, now); err != nil {
		return nil, err
	}
	return a, record(ctx, tx, now, u, "alert.triggered", "alert", a.ID, c.ID, map[string]any{"trigger": trigger, "policy": policy})
}

// enqueueStep queues the paging of one level of an alert, once: the job's unique key names the
// alert, level and round.
func enqueueStep(ctx context.Context, tx haven.Tx, alertID int64, level, round int, at time.Time) error {
	payload, _ := json.Marshal(map[string]int64{"alert_id": alertID, "level": int64(level), "round": int64(round)})
	_, err := tx.EnqueueJob(ctx, &haven.Job{Kind: haven.JobAlertStep, Payload: string(payload),
		UniqueKey: fmt.Sprintf("%s:%d:%d:%d", haven.JobAlertStep, alertID, level, round), RunAt: at, CreatedAt: at, MaxAttempts: 20})
	return err
}

// Alerts lists the alerts of cases the reader may see, newest first.
func (s *Service) Alerts(ctx context.Context, state haven.AlertState) ([]*haven.Alert, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if state != "" && !slices.Contains([]haven.AlertState{haven.AlertTriggered, haven.AlertAcknowledged, haven.AlertResolved}, state) {
		return nil, &haven.Error{Code: haven.EINVALID, Message: "unknown state", Fields: map[string]string{"state": "triggered, acknowledged or resolved"}}
	}
	var out []*haven.Alert
	err = s.store.View(ctx, func(tx haven.Tx) (err error) {
		out, err = tx.Alerts(ctx, state, s.viewer(u))
		return err
	})
	return out, err
}

// Alert reads one alert with its history; one on a case the reader may not see is not found.
func (s *Service) Alert(ctx context.Context, id int64) (*haven.Alert, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	var a *haven.Alert
	err = s.store.View(ctx, func(tx haven.Tx) error {
		if a, _, err = s.alertCase(ctx, tx, u, id, false); err != nil {
			return err
		}
		a.History, err = tx.AlertHistory(ctx, a.ID)
		return err
	})
	return a, err
}

// CaseAlert is the case's open alert, else its latest, with its history; nil when it never had one.
func (s *Service) CaseAlert(ctx context.Context, number string) (*haven.Alert, error) {
	return readCase(ctx, s, number, func(tx haven.Tx, c *haven.Case) (*haven.Alert, error) {
		a, err := tx.OpenCaseAlert(ctx, c.ID)
		if haven.ErrorCode(err) == haven.ENOTFOUND {
			a, err = tx.LatestCaseAlert(ctx, c.ID)
		}
		if haven.ErrorCode(err) == haven.ENOTFOUND {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		a.History, err = tx.AlertHistory(ctx, a.ID)
		return a, err
	})
}

// alertCase reads an alert and its case, which u must see (and, with edit, may change); an
// unknown and a hidden alert answer alike.
func (s *Service) alertCase(ctx context.Context, tx haven.Tx, u *haven.User, id int64, edit bool) (*haven.Alert, *haven.Case, error) {
	return ownedByCase(ctx, s, tx, u, "alert", id, edit, tx.AlertByID, func(a *haven.Alert) string { return a.CaseNumber })
}

// AcknowledgeAlert stops the alert's escalation, recording who and when.
func (s *Service) AcknowledgeAlert(ctx context.Context, id int64) (*haven.Alert, error) {
	return s.moveAlert(ctx, id, haven.AlertAcknowledged)
}

// ResolveAlert closes the alert (from triggered or acknowledged).
func (s *Service) ResolveAlert(ctx context.Context, id int64) (*haven.Alert, error) {
	return s.moveAlert(ctx, id, haven.AlertResolved)
}

func (s *Service) moveAlert(ctx context.Context, id int64, to haven.AlertState) (*haven.Alert, error) {
	return s.changeAlert(ctx, id, func(tx haven.Tx, u *haven.User, a *haven.Alert, c *haven.Case, now time.Time) error {
		return s.applyAlertMove(ctx, tx, u, a, c, to, now)
	})
}

// changeAlert runs change on an alert whose case the writer may change, in one transaction.
func (s *Service) changeAlert(ctx context.Context, id int64, change func(tx haven.Tx, u *haven.User, a *haven.Alert, c *haven.Case, now time.Time) error) (*haven.Alert, error) {
	u, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var a *haven.Alert
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		var c *haven.Case
		if a, c, err = s.alertCase(ctx, tx, u, id, true); err != nil {
			return err
		}
		return change(tx, u, a, c, now)
	})
	return a, err
}

// applyAlertMove acknowledges or resolves a; both stop the escalation.
func (s *Service) applyAlertMove(ctx context.Context, tx haven.Tx, u *haven.User, a *haven.Alert, c *haven.Case, to haven.AlertState, now time.Time) error {
	if a.State == haven.AlertResolved || a.State == to {
		return &haven.Error{Code: haven.ECONFLICT, Message: fmt.Sprintf("the alert is %s already", a.State),
			Allowed: nextAlertStates(a.State)}
	}
	from := a.State
	a.State, a.NextStepAt = to, nil
	if to == haven.AlertAcknowledged || a.AcknowledgedAt == nil {
		a.AcknowledgedAt, a.AcknowledgedBy = &now, u.Username
	}
	if to == haven.AlertResolved {
		a.ResolvedAt, a.ResolvedBy = &now, u.Username
	}
	if err := tx.UpdateAlert(ctx, a); err != nil {
		return err
	}
	if err := tx.MarkCaseNotificationsRead(ctx, a.CaseID, haven.NoticeAlert, now); err != nil { // the banners go
		return err
	}
	if err := tx.AddAlertEntry(ctx, a.ID, haven.AlertEntry{At: now, Kind: string(to), Level: a.Level, User: u.Username}); err != nil {
		return err
	}
	return record(ctx, tx, now, u, "alert."+string(to), "alert", a.ID, c.ID, map[string]any{"from": from})
}

func nextAlertStates(s haven.AlertState) []string {
	if s == haven.AlertTriggered {
		return []string{string(haven.AlertAcknowledged), string(haven.AlertResolved)}
	}
	if s == haven.AlertAcknowledged {
		return []string{string(haven.AlertResolved)}
	}
	return []string{}
}

// RunAlertStep pages one level of an alert's policy, unless the alert was acknowledged or
// resolved or the step was taken already (a job run twice, or by two instances), and queues
// the next level after the level's delay (the chain restarts Repeat times).
func (s *Service) RunAlertStep(ctx context.Context, alertID int64, level, round int) error {
	now := s.clock.Now()
	return s.store.Update(ctx, func(tx haven.Tx) error {
		a, err := tx.AlertByID(ctx, alertID)
		if err != nil || a.State != haven.AlertTriggered || a.Level != level || a.Round != round {
			return err
		}
		p, err := tx.PolicyByName(ctx, a.Policy)
		if haven.ErrorCode(err) == haven.ENOTFOUND || err == nil && level >= len(p.Levels) {
			return endChain(ctx, tx, a, now)
		}
		if err != nil {
			return err
		}
		nextLevel, nextRound, nextAt := nextStep(p, level, round, now)
		claimed, err := tx.ClaimAlertStep(ctx, a.ID, level, round, nextLevel, nextRound, nextAt)
		if err != nil || !claimed {
			return err
		}
		if err := s.pageLevel(ctx, tx, a, p.Levels[level].Targets, level, now); err != nil {
			return err
		}
		if nextAt == nil {
			return nil
		}
		return enqueueStep(ctx, tx, a.ID, nextLevel, nextRound, *nextAt)
	})
}

// nextStep is the step after (level, round): the next level after this one's delay, the first
// level again while rounds remain, else none (-1).
func nextStep(p *haven.EscalationPolicy, level, round int, now time.Time) (int, int, *time.Time) {
	at := now.Add(time.Duration(p.Levels[level].DelayMinutes) * time.Minute)
	switch {
	case level+1 < len(p.Levels):
		return level + 1, round, &at
	case round < p.Repeat:
		return 0, round + 1, &at
	}
	return -1, round, nil
}

// endChain records that nobody more can be paged (no such policy, or no more levels).
func endChain(ctx context.Context, tx haven.Tx, a *haven.Alert, now time.Time) error {
	if ok, err := tx.ClaimAlertStep(ctx, a.ID, a.Level, a.Round, -1, a.Round, nil); err != nil || !ok {
		return err
	}
	return tx.AddAlertEntry(ctx, a.ID, haven.AlertEntry{At: now, Kind: "unpaged", Level: a.Level, Result: "no escalation policy " + a.Policy})
}

// pageLevel pages every user a level targets, once each.
func (s *Service) pageLevel(ctx context.Context, tx haven.Tx, a *haven.Alert, targets []haven.PolicyTarget, level int, now time.Time) error {
	users, err := s.targetUsers(ctx, tx, a, targets, level, now)
	if err != nil {
		return err
	}
	if len(users) == 0 {
		return tx.AddAlertEntry(ctx, a.ID, haven.AlertEntry{At: now, Kind: "unpaged", Level: level, Result: "nobody on call"})
	}
	for _, u := range users {
		if err := s.page(ctx, tx, a, u, level, now); err != nil {
			return err
		}
	}
	return nil
}

// targetUsers resolves a level's targets to users: whoever a schedule has on call now, a user, a
// team's members. Each user once.
func (s *Service) targetUsers(ctx context.Context, tx haven.Tx, a *haven.Alert, targets []haven.PolicyTarget, level int, now time.Time) ([]*haven.User, error) {
	var names []string
	for _, t := range targets {
		found, err := targetNames(ctx, tx, t, now)
		if haven.ErrorCode(err) == haven.ENOTFOUND {
			if err := tx.AddAlertEntry(ctx, a.ID, haven.AlertEntry{At: now, Kind: "unpaged", Level: level,
				Result: fmt.Sprintf("no %s %s", t.Kind, t.Name)}); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		names = append(names, found...)
	}
	var users []*haven.User
	for _, n := range uniqueStrings(names) {
		u, err := tx.UserByUsername(ctx, n)
		if haven.ErrorCode(err) == haven.ENOTFOUND || err == nil && u.Disabled {
			continue
		}
		if err != nil {
			return nil, err
		}
		users = append(users, u)
	}
	return users, nil
}

func targetNames(ctx context.Context, tx haven.Tx, t haven.PolicyTarget, now time.Time) ([]string, error) {
	switch t.Kind {
	case "user":
		return []string{t.Name}, nil
	case "team":
		team, err := tx.TeamByName(ctx, t.Name)
		if err != nil {
			return nil, err
		}
		return team.Members, nil
	}
	sched, err := tx.ScheduleByName(ctx, t.Name)
	if err != nil {
		return nil, err
	}
	users, _ := sched.OnCall(now)
	return users, nil
}

func uniqueStrings(xs []string) []string {
	var out []string
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// page tells one user of the alert: in the app at once (the banner), and on their verified
// channels. A restricted case is paged only to those who may see it: paging anyone else would
// tell them it exists. Every attempt is on the alert's history.
func (s *Service) page(ctx context.Context, tx haven.Tx, a *haven.Alert, u *haven.User, level int, now time.Time) error {
	visible, err := tx.CaseVisible(ctx, a.CaseID, s.viewer(u))
	if err != nil {
		return err
	}
	if !visible {
		return tx.AddAlertEntry(ctx, a.ID, haven.AlertEntry{At: now, Kind: "skipped", Level: level, User: u.Username,
			Result: "no access to the case"})
	}
	n := &haven.Notification{UserID: u.ID, Kind: haven.NoticeAlert, CaseID: a.CaseID, CaseNumber: a.CaseNumber, CreatedAt: now,
		Text: fmt.Sprintf("Emergency on %s (alert %d): acknowledge it", a.CaseNumber, a.ID)}
	if err := tx.InsertNotification(ctx, n); err != nil {
		return err
	}
	if err := tx.AddAlertEntry(ctx, a.ID, haven.AlertEntry{At: now, Kind: "paged", Level: level, User: u.Username,
		Channel: "app", Result: "delivered"}); err != nil {
		return err
	}
	c, err := tx.CaseByID(ctx, a.CaseID)
	if err != nil {
		return err
	}
	return s.pageChannels(ctx, tx, a, u, level, c.Priority == haven.P1, now)
}

// ReassignAlert pages a user about a triggered alert at once. They must be able to see the case:
// paging anyone else would tell them it exists.
func (s *Service) ReassignAlert(ctx context.Context, id int64, username string) (*haven.Alert, error) {
	return s.changeAlert(ctx, id, func(tx haven.Tx, u *haven.User, a *haven.Alert, c *haven.Case, now time.Time) error {
		if a.State != haven.AlertTriggered {
			return &haven.Error{Code: haven.ECONFLICT, Message: fmt.Sprintf("the alert is %s already", a.State), Allowed: nextAlertStates(a.State)}
		}
		to, err := tx.UserByUsername(ctx, username)
		if haven.ErrorCode(err) == haven.ENOTFOUND || err == nil && to.Disabled {
			return &haven.Error{Code: haven.EINVALID, Message: "no active user " + username, Fields: map[string]string{"user": "no such user"}}
		}
		if err != nil {
			return err
		}
		if ok, err := tx.CaseVisible(ctx, c.ID, s.viewer(to)); err != nil || !ok {
			return cmpErr(err, &haven.Error{Code: haven.EINVALID, Message: username + " may not see this case", Fields: map[string]string{"user": "may not see the case"}})
		}
		if err := tx.AddAlertEntry(ctx, a.ID, haven.AlertEntry{At: now, Kind: "reassigned", Level: a.Level, User: u.Username, Result: username}); err != nil {
			return err
		}
		if err := s.page(ctx, tx, a, to, max(a.Level, 0), now); err != nil {
			return err
		}
		return record(ctx, tx, now, u, "alert.reassigned", "alert", a.ID, c.ID, map[string]any{"to": to.ID})
	})
}

// cmpErr is err when there is one, else fallback.
func cmpErr(err error, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}
