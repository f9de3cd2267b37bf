package service

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
)

var _ haven.PlanService = (*Service)(nil)

// Plans lists a case's response plans.
func (s *Service) Plans(ctx context.Context, number string) ([]*haven.Plan, error) {
	return readCase(ctx, s, number, func(tx haven.Tx, c *haven.Case) ([]*haven.Plan, error) {
		return tx.CasePlans(ctx, c.ID)
	})
}

// planLead returns u when u may put plans up for approval and decide them: leads and admins.
func planLead(u *haven.User) error {
	if u.Role != haven.RoleLead && u.Role != haven.RoleAdmin {
		return haven.Errorf(haven.EFORBIDDEN, "only leads and admins can put plans up for approval and decide them")
	}
	return nil
}

// ProposePlan puts tasks of a case up for approval (leads and admins).
func (s *Service) ProposePlan(ctx context.Context, number string, in haven.PlanInput) (*haven.Plan, error) {
	return changeCase(ctx, s, number, func(tx haven.Tx, u *haven.User, c *haven.Case, now time.Time) (*haven.Plan, error) {
		if err := planLead(u); err != nil {
			return nil, err
		}
		if err := planTasks(ctx, tx, c, in.Tasks); err != nil {
			return nil, err
		}
		ids := slices.Clone(in.Tasks)
		slices.Sort(ids)
		p := &haven.Plan{CaseID: c.ID, State: haven.PlanPending, TaskIDs: slices.Compact(ids), CreatedAt: now, CreatedBy: u.Username}
		if err := tx.InsertPlan(ctx, p, u.ID); err != nil {
			return nil, err
		}
		return p, s.touch(ctx, tx, u, c, now, "plan.proposed", "plan", p.ID, map[string]any{"tasks": p.TaskIDs})
	})
}

// planTasks refuses an empty plan or one naming a task that is not the case's.
func planTasks(ctx context.Context, tx haven.Tx, c *haven.Case, ids []int64) error {
	if len(ids) == 0 || len(ids) > 200 {
		return &haven.Error{Code: haven.EINVALID, Message: "a plan needs tasks", Fields: map[string]string{"tasks": "1 to 200 task ids of this case"}}
	}
	tasks, err := tx.CaseTasks(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !slices.ContainsFunc(tasks, func(t *haven.Task) bool { return t.ID == id }) {
			return &haven.Error{Code: haven.EINVALID, Message: "not a task of this case", Fields: map[string]string{"tasks": "task " + itoa(id) + " is not on case " + c.Number}}
		}
	}
	return nil
}

// DecidePlan approves or rejects (with a reason) a pending plan (leads and admins).
func (s *Service) DecidePlan(ctx context.Context, number string, id int64, d haven.PlanDecision) (*haven.Plan, error) {
	return changeCase(ctx, s, number, func(tx haven.Tx, u *haven.User, c *haven.Case, now time.Time) (*haven.Plan, error) {
		if err := planLead(u); err != nil {
			return nil, err
		}
		reason := strings.TrimSpace(d.Reason)
		if !d.Approve && (reason == "" || len(reason) > 2000) {
			return nil, &haven.Error{Code: haven.EINVALID, Message: "a rejection needs a reason", Fields: map[string]string{"reason": "required, at most 2000 bytes"}}
		}
		plans, err := tx.CasePlans(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(plans, func(p *haven.Plan) bool { return p.ID == id })
		if i < 0 {
			return nil, haven.Errorf(haven.ENOTFOUND, "plan %d not found on case %s", id, c.Number)
		}
		return s.decidePlan(ctx, tx, u, c, plans[i], d.Approve, reason, now)
	})
}

func (s *Service) decidePlan(ctx context.Context, tx haven.Tx, u *haven.User, c *haven.Case, p *haven.Plan, approve bool, reason string, now time.Time) (*haven.Plan, error) {
	p.State, p.DecidedAt, p.DecidedBy = haven.PlanRejected, &now, u.Username
	if approve {
		p.State = haven.PlanApproved
	}
	if err := tx.SetPlanDecision(ctx, p, u.ID); err != nil {
		return nil, err
	}
	var detail map[string]any
	if reason != "" {
		detail = map[string]any{"reason": reason}
	}
	return p, s.touchDetail(ctx, tx, u, c, now, "plan."+string(p.State), "plan", p.ID, nil, detail)
}
