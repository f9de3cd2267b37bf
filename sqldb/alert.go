package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/haven-helpline/haven"
)

// Policies lists the escalation policies by name.
func (tx *Tx) Policies(ctx context.Context) ([]*haven.EscalationPolicy, error) {
	return queryAll(ctx, tx, "policies", `SELECT name, body, updated_at FROM escalation_policies ORDER BY name`, scanPolicy)
}

// PolicyByName reads one escalation policy.
func (tx *Tx) PolicyByName(ctx context.Context, name string) (*haven.EscalationPolicy, error) {
	p, err := scanPolicy(tx.queryRow(ctx, `SELECT name, body, updated_at FROM escalation_policies WHERE name = $1`, name))
	return p, notFound(err, "escalation policy "+name)
}

func scanPolicy(row rowScanner) (*haven.EscalationPolicy, error) {
	var name, body string
	var at int64
	if err := row.Scan(&name, &body, &at); err != nil {
		return nil, err
	}
	p := fromJSON[haven.EscalationPolicy](body)
	p.Name, p.UpdatedAt = name, fromMicros(at)
	return &p, nil
}

// SavePolicy creates or replaces a policy.
func (tx *Tx) SavePolicy(ctx context.Context, p *haven.EscalationPolicy) error {
	body := toJSON(haven.EscalationPolicy{Levels: p.Levels, Repeat: p.Repeat})
	_, err := tx.exec(ctx, "save policy", `INSERT INTO escalation_policies (name, body, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET body = $2, updated_at = $3`, p.Name, body, micros(p.UpdatedAt))
	return err
}

const alertColumns = `SELECT a.id, a.case_id, c.number, a.policy, a.state, a.trigger_kind, a.message, a.level, a.round,
	a.triggers, a.triggered_at, a.acknowledged_at, COALESCE(ua.username, ''), a.resolved_at, COALESCE(ur.username, ''),
	a.next_step_at, a.data_key
	FROM alerts a JOIN cases c ON c.id = a.case_id LEFT JOIN users ua ON ua.id = a.acknowledged_by
	LEFT JOIN users ur ON ur.id = a.resolved_by`

func (tx *Tx) scanAlert(row rowScanner) (*haven.Alert, error) {
	var a haven.Alert
	var at int64
	var acked, resolved, next sql.NullInt64
	var sealed []byte
	err := row.Scan(&a.ID, &a.CaseID, &a.CaseNumber, &a.Policy, &a.State, &a.Trigger, &a.Message, &a.Level, &a.Round,
		&a.Triggers, &at, &acked, &a.AcknowledgedBy, &resolved, &a.ResolvedBy, &next, &sealed)
	if err != nil {
		return nil, err
	}
	a.TriggeredAt, a.AcknowledgedAt, a.ResolvedAt, a.NextStepAt = fromMicros(at), timePtr(acked), timePtr(resolved), timePtr(next)
	return &a, tx.openColumns(sealed, map[string]*string{"alert:message": &a.Message})
}

// InsertAlert stores a new alert with its message sealed. A second open alert for a case is a
// conflict (alerts_open_case).
func (tx *Tx) InsertAlert(ctx context.Context, a *haven.Alert) error {
	k, err := tx.newRecordKey()
	if err != nil {
		return err
	}
	msg := a.Message
	if err := k.sealAll(map[string]*string{"alert:message": &msg}); err != nil {
		return err
	}
	a.ID, err = tx.insertID(ctx, "insert alert", `INSERT INTO alerts (case_id, policy, state, trigger_kind, message, level,
		round, triggers, triggered_at, next_step_at, data_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		a.CaseID, a.Policy, a.State, a.Trigger, msg, a.Level, a.Round, a.Triggers, micros(a.TriggeredAt), nullMicros(a.NextStepAt),
		[]byte(k.sealed))
	return err
}

// UpdateAlert writes an alert's state, acknowledgement, resolution, trigger count and next step.
func (tx *Tx) UpdateAlert(ctx context.Context, a *haven.Alert) error {
	res, err := tx.exec(ctx, "update alert", `UPDATE alerts SET state = $2, triggers = $3, acknowledged_at = $4,
		acknowledged_by = (SELECT id FROM users WHERE username = $5), resolved_at = $6,
		resolved_by = (SELECT id FROM users WHERE username = $7), next_step_at = $8, level = $9, round = $10 WHERE id = $1`,
		a.ID, a.State, a.Triggers, nullMicros(a.AcknowledgedAt), a.AcknowledgedBy, nullMicros(a.ResolvedAt), a.ResolvedBy,
		nullMicros(a.NextStepAt), a.Level, a.Round)
	if err != nil {
		return err
	}
	return expectOne(res, fmt.Sprintf("alert %d", a.ID))
}

// AlertByID reads one alert.
func (tx *Tx) AlertByID(ctx context.Context, id int64) (*haven.Alert, error) {
	a, err := tx.scanAlert(tx.queryRow(ctx, alertColumns+` WHERE a.id = $1`, id))
	return a, notFound(err, fmt.Sprintf("alert %d", id))
}

// OpenCaseAlert reads the case's unresolved alert.
func (tx *Tx) OpenCaseAlert(ctx context.Context, caseID int64) (*haven.Alert, error) {
	a, err := tx.scanAlert(tx.queryRow(ctx, alertColumns+` WHERE a.case_id = $1 AND a.state <> 'resolved'`, caseID))
	return a, notFound(err, "open alert")
}

// LatestCaseAlert reads the case's newest alert.
func (tx *Tx) LatestCaseAlert(ctx context.Context, caseID int64) (*haven.Alert, error) {
	a, err := tx.scanAlert(tx.queryRow(ctx, alertColumns+` WHERE a.case_id = $1 ORDER BY a.id DESC LIMIT 1`, caseID))
	return a, notFound(err, "alert")
}

// Alerts lists the alerts of cases v may see, newest first (at most 200).
func (tx *Tx) Alerts(ctx context.Context, state haven.AlertState, v haven.Viewer) ([]*haven.Alert, error) {
	q := &queryBuilder{}
	q.add(visibility(q, v))
	if state != "" {
		q.add("a.state = " + q.arg(string(state)))
	}
	return queryAll(ctx, tx, "alerts", alertColumns+q.whereSQL()+` ORDER BY a.id DESC LIMIT 200`, tx.scanAlert, q.args...)
}

// ClaimAlertStep moves a triggered alert from one step to the next; false when that step was
// taken already or the alert was acknowledged or resolved meanwhile.
func (tx *Tx) ClaimAlertStep(ctx context.Context, id int64, level, round, nextLevel, nextRound int, nextAt *time.Time) (bool, error) {
	res, err := tx.exec(ctx, "claim alert step", `UPDATE alerts SET level = $4, round = $5, next_step_at = $6
		WHERE id = $1 AND level = $2 AND round = $3 AND state = 'triggered'`, id, level, round, nextLevel, nextRound, nullMicros(nextAt))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, mapError("claim alert step", err)
}

// AddAlertEntry appends a line to an alert's history.
func (tx *Tx) AddAlertEntry(ctx context.Context, alertID int64, e haven.AlertEntry) error {
	_, err := tx.exec(ctx, "alert entry", `INSERT INTO alert_entries (alert_id, at, kind, level, user_id, channel, result)
		VALUES ($1, $2, $3, $4, (SELECT id FROM users WHERE username = $5), $6, $7)`,
		alertID, micros(e.At), e.Kind, e.Level, e.User, e.Channel, e.Result)
	return err
}

// AlertHistory lists an alert's history, oldest first.
func (tx *Tx) AlertHistory(ctx context.Context, alertID int64) ([]haven.AlertEntry, error) {
	return queryAll(ctx, tx, "alert history", `SELECT e.at, e.kind, e.level, COALESCE(u.username, ''), e.channel, e.result
		FROM alert_entries e LEFT JOIN users u ON u.id = e.user_id WHERE e.alert_id = $1 ORDER BY e.id`,
		func(row rowScanner) (haven.AlertEntry, error) {
			var e haven.AlertEntry
			var at int64
			err := row.Scan(&at, &e.Kind, &e.Level, &e.User, &e.Channel, &e.Result)
			e.At = fromMicros(at)
			return e, err
		}, alertID)
}
