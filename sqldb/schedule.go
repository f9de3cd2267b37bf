package sqldb

import (
	"context"

	"time"

	"github.com/haven-helpline/haven"
)

func scanSchedule(row rowScanner) (*haven.ScheduleView, error) {
	var name, body string
	var at int64
	if err := row.Scan(&name, &body, &at); err != nil {
		return nil, err
	}
	s := fromJSON[haven.Schedule](body)
	s.Name = name
	return &haven.ScheduleView{Schedule: &s, UpdatedAt: fromMicros(at)}, nil
}

// Schedules lists the on-call schedules by name.
func (tx *Tx) Schedules(ctx context.Context) ([]*haven.ScheduleView, error) {
	return queryAll(ctx, tx, "schedules", `SELECT name, body, updated_at FROM schedules ORDER BY name`, scanSchedule)
}

// ScheduleByName reads one schedule.
func (tx *Tx) ScheduleByName(ctx context.Context, name string) (*haven.Schedule, error) {
	v, err := scanSchedule(tx.queryRow(ctx, `SELECT name, body, updated_at FROM schedules WHERE name = $1`, name))
	if err != nil {
		return nil, notFound(err, "schedule "+name)
	}
	return v.Schedule, nil
}

// SaveSchedule creates or replaces a schedule.
func (tx *Tx) SaveSchedule(ctx context.Context, s *haven.Schedule, at time.Time) error {
	_, err := tx.exec(ctx, "save schedule", `INSERT INTO schedules (name, body, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET body = $2, updated_at = $3`, s.Name, toJSON(s), micros(at))
	return err
}
