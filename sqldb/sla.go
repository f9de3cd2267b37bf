package sqldb

import (
	"context"
	"database/sql"
	"time"

	"github.com/haven-helpline/haven"
)

// CaseSLA reads a case's clock state (empty when it has none yet).
func (tx *Tx) CaseSLA(ctx context.Context, caseID int64) (*haven.CaseSLA, error) {
	var body string
	var next sql.NullInt64
	err := tx.queryRow(ctx, `SELECT body, next_check_at FROM case_sla WHERE case_id = $1`, caseID).Scan(&body, &next)
	if err == sql.ErrNoRows {
		return &haven.CaseSLA{CaseID: caseID}, nil
	}
	if err != nil {
		return nil, mapError("case sla", err)
	}
	s := fromJSON[haven.CaseSLA](body)
	s.CaseID, s.NextCheckAt = caseID, timePtr(next)
	return &s, nil
}

// SaveCaseSLA writes a case's clock state.
func (tx *Tx) SaveCaseSLA(ctx context.Context, s *haven.CaseSLA) error {
	// The first response, the resolution and the breaches are figures of the statistics (a new
	// case's clocks, with none of them, need no mark: its creation marked its day).
	if s.FirstResponseAt != nil || s.ResolvedAt != nil || len(s.Breached) > 0 {
		if err := tx.markCaseDaysByID(ctx, s.CaseID); err != nil {
			return err
		}
	}
	return tx.execLater(ctx, "case_sla", "save case sla", `INSERT INTO case_sla (case_id, body, next_check_at) VALUES ($1, $2, $3)
		ON CONFLICT (case_id) DO UPDATE SET body = $2, next_check_at = $3`, s.CaseID, toJSON(s), nullMicros(s.NextCheckAt))
}

// DueSLAChecks lists the cases whose clocks are due a look, earliest first.
func (tx *Tx) DueSLAChecks(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	return queryAll(ctx, tx, "due sla checks", `SELECT case_id FROM case_sla WHERE next_check_at IS NOT NULL AND next_check_at <= $1
		ORDER BY next_check_at LIMIT $2`, scanInt64, micros(now), limit)
}

// Calendars lists the business calendars by name.
func (tx *Tx) Calendars(ctx context.Context) ([]*haven.BusinessCalendar, error) {
	return queryAll(ctx, tx, "calendars", `SELECT name, body FROM business_calendars ORDER BY name`,
		func(row rowScanner) (*haven.BusinessCalendar, error) {
			var name, body string
			err := row.Scan(&name, &body)
			c := fromJSON[haven.BusinessCalendar](body)
			c.Name = name
			return &c, err
		})
}

// SaveCalendar creates or replaces a calendar.
func (tx *Tx) SaveCalendar(ctx context.Context, c *haven.BusinessCalendar, at time.Time) error {
	_, err := tx.exec(ctx, "save calendar", `INSERT INTO business_calendars (name, body, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET body = $2, updated_at = $3`, c.Name, toJSON(c), micros(at))
	return err
}

// SLAFacts calls each with the cases created in [from, to) that v may see, with their clocks'
// state.
func (tx *Tx) SLAFacts(ctx context.Context, from, to time.Time, v haven.Viewer, each func(*haven.SLAFact)) error {
	q := &queryBuilder{}
	cond := `c.created_at >= ` + q.arg(micros(from)) + ` AND c.created_at < ` + q.arg(micros(to)) + ` AND ` + visibility(q, v)
	rows, err := tx.query(ctx, `SELECT COALESCE(t.name, ''), c.priority_rank, c.created_at, COALESCE(s.body, '{}')
		FROM cases c LEFT JOIN teams t ON t.id = c.team_id LEFT JOIN case_sla s ON s.case_id = c.id WHERE `+cond, q.args...)
	if err != nil {
		return mapError("sla facts", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f haven.SLAFact
		var created int64
		var rank int
		var body string
		if err := rows.Scan(&f.Team, &rank, &created, &body); err != nil {
			return mapError("sla facts", err)
		}
		f.Priority, f.CreatedAt, f.SLA = haven.PriorityFromRank(rank), fromMicros(created), fromJSON[haven.CaseSLA](body)
		each(&f)
	}
	return mapError("sla facts", rows.Err())
}
