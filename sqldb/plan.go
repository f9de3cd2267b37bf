package sqldb

import (
	"context"
	"database/sql"

	"github.com/haven-helpline/haven"
)

// InsertPlan records a plan and its tasks.
func (tx *Tx) InsertPlan(ctx context.Context, p *haven.Plan, by int64) error {
	id, err := tx.insertID(ctx, "insert plan", `INSERT INTO plans (case_id, state, created_at, created_by) VALUES ($1, $2, $3, $4) RETURNING id`,
		p.CaseID, p.State, micros(p.CreatedAt), nullID(by))
	if err != nil {
		return err
	}
	p.ID = id
	for _, t := range p.TaskIDs {
		if _, err := tx.exec(ctx, "plan task", `INSERT INTO plan_tasks (plan_id, task_id) VALUES ($1, $2)`, id, t); err != nil {
			return err
		}
	}
	return nil
}

// CasePlans lists a case's plans, oldest first, with their tasks.
func (tx *Tx) CasePlans(ctx context.Context, caseID int64) ([]*haven.Plan, error) {
	plans, err := queryAll(ctx, tx, "plans", `SELECT p.id, p.case_id, p.state, p.created_at, COALESCE(c.username, ''),
		p.decided_at, COALESCE(d.username, '') FROM plans p LEFT JOIN users c ON c.id = p.created_by
		LEFT JOIN users d ON d.id = p.decided_by WHERE p.case_id = $1 ORDER BY p.id`, func(row rowScanner) (*haven.Plan, error) {
		var p haven.Plan
		var at int64
		var decided sql.NullInt64
		err := row.Scan(&p.ID, &p.CaseID, &p.State, &at, &p.CreatedBy, &decided, &p.DecidedBy)
		p.CreatedAt, p.DecidedAt = fromMicros(at), timePtr(decided)
		return &p, err
	}, caseID)
	if err != nil {
		return nil, err
	}
	for _, p := range plans {
		if p.TaskIDs, err = queryAll(ctx, tx, "plan tasks", `SELECT task_id FROM plan_tasks WHERE plan_id = $1 ORDER BY task_id`, scanInt64, p.ID); err != nil {
			return nil, err
		}
	}
	return plans, nil
}

// SetPlanDecision records a pending plan's approval or rejection; a plan decided already is
// ECONFLICT.
func (tx *Tx) SetPlanDecision(ctx context.Context, p *haven.Plan, by int64) error {
	res, err := tx.exec(ctx, "decide plan", `UPDATE plans SET state = $1, decided_at = $2, decided_by = $3 WHERE id = $4 AND state = 'pending'`,
		p.State, nullMicros(p.DecidedAt), nullID(by), p.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return haven.Errorf(haven.ECONFLICT, "plan %d was decided already", p.ID)
	}
	return nil
}
