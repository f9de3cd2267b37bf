package sqldb

import (
	"context"
	"time"

	"github.com/haven-helpline/haven"
)

// TouchPresence records a user on a case's page now, and clears the case's presences too old to
// mean anything (a minute: well past haven.PresenceTTL).
func (tx *Tx) TouchPresence(ctx context.Context, caseID, userID int64, state string, at time.Time) error {
	if _, err := tx.exec(ctx, "clear presence", `DELETE FROM case_presence WHERE case_id = $1 AND seen_at < $2`,
		caseID, micros(at.Add(-time.Minute))); err != nil {
		return err
	}
	_, err := tx.exec(ctx, "touch presence", `INSERT INTO case_presence (case_id, user_id, state, seen_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (case_id, user_id) DO UPDATE SET state = excluded.state, seen_at = excluded.seen_at`,
		caseID, userID, state, micros(at))
	return err
}

// CasePresence lists the others seen on a case since since, by username.
func (tx *Tx) CasePresence(ctx context.Context, caseID, userID int64, since time.Time) ([]haven.Presence, error) {
	return queryAll(ctx, tx, "case presence", `SELECT u.username, p.state, p.seen_at FROM case_presence p
		JOIN users u ON u.id = p.user_id WHERE p.case_id = $1 AND p.user_id <> $2 AND p.seen_at >= $3 ORDER BY u.username`,
		func(row rowScanner) (haven.Presence, error) {
			var p haven.Presence
			var at int64
			err := row.Scan(&p.User, &p.State, &at)
			p.At = fromMicros(at)
			return p, err
		}, caseID, userID, micros(since))
}
