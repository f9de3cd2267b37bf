package haven

import (
	"context"
	"time"
)

// PlanState is where a response plan is in its approval.
type PlanState string

// Plan states.
const (
	PlanPending  PlanState = "pending"
	PlanApproved PlanState = "approved"
	PlanRejected PlanState = "rejected"
)

// Plan is a set of a case's tasks (each with its owner, due date and order) that a lead has put
// up for approval: a response plan developed with the people concerned. Its approval or rejection
// (with a reason, kept as the event's detail) is recorded and audited.
type Plan struct {
	ID        int64      `json:"id"`
	CaseID    int64      `json:"case_id"`
	State     PlanState  `json:"state"`
	TaskIDs   []int64    `json:"tasks"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by"`
	DecidedAt *time.Time `json:"decided_at,omitempty"`
	DecidedBy string     `json:"decided_by,omitempty"`
}

// PlanInput puts tasks of a case up for approval.
type PlanInput struct {
	Tasks []int64 `json:"tasks"`
}

// PlanDecision approves or rejects a plan; a rejection needs a reason.
type PlanDecision struct {
	Approve bool   `json:"approve"`
	Reason  string `json:"reason"`
}

// PlanService manages response plans on cases.
type PlanService interface {
	Plans(ctx context.Context, number string) ([]*Plan, error)
	ProposePlan(ctx context.Context, number string, in PlanInput) (*Plan, error)
	DecidePlan(ctx context.Context, number string, id int64, d PlanDecision) (*Plan, error)
}

// PlanStore keeps plans.
type PlanStore interface {
	InsertPlan(ctx context.Context, p *Plan, by int64) error
	CasePlans(ctx context.Context, caseID int64) ([]*Plan, error)
	SetPlanDecision(ctx context.Context, p *Plan, by int64) error
}
