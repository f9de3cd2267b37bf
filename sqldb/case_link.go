package sqldb

import (
	"context"
	"time"

	"github.com/haven-helpline/haven"
)

// InsertCaseLink stores a link. A related link is stored once per pair, lower id first, so that
// the primary key refuses the same link made from the other case.
func (tx *Tx) InsertCaseLink(ctx context.Context, caseID, otherID int64, kind string, by int64, at time.Time) error {
	if kind == haven.LinkRelated && otherID < caseID {
		caseID, otherID = otherID, caseID
	}
	_, err := tx.exec(ctx, "insert case link", `INSERT INTO case_links (case_id, other_id, kind, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5)`, caseID, otherID, kind, nullID(by), micros(at))
	return err
}

// DeleteCaseLink removes the related link between two cases.
func (tx *Tx) DeleteCaseLink(ctx context.Context, caseID, otherID int64) error {
	if otherID < caseID {
		caseID, otherID = otherID, caseID
	}
	res, err := tx.exec(ctx, "delete case link", `DELETE FROM case_links
		WHERE case_id = $1 AND other_id = $2 AND kind = 'related'`, caseID, otherID)
	if err != nil {
		return err
	}
	return expectOne(res, "link")
}

// CaseLinks lists a case's links in both directions. For a duplicate link, Survivor is true when
// the other case is the one this case was merged into.
func (tx *Tx) CaseLinks(ctx context.Context, caseID int64) ([]haven.CaseLinkRow, error) {
	return queryAll(ctx, tx, "case links", `SELECT other_id, kind, TRUE, created_at FROM case_links WHERE case_id = $1
		UNION ALL SELECT case_id, kind, FALSE, created_at FROM case_links WHERE other_id = $1
		ORDER BY 4, 1`, func(row rowScanner) (haven.CaseLinkRow, error) {
		var l haven.CaseLinkRow
		var at int64
		err := row.Scan(&l.OtherID, &l.Kind, &l.Survivor, &at)
		l.Survivor = l.Survivor && l.Kind == haven.LinkDuplicate
		return l, err
	}, caseID)
}

// MoveCaseContent moves a duplicate's content to its survivor. The messages of an escalation stay
// with the escalation (a platform's answer threads to it), and so do their attachments and
// search parts. Reports keep origin_case_id, so erasure still follows them.
func (tx *Tx) MoveCaseContent(ctx context.Context, fromID, toID int64) (haven.CaseMove, error) {
	delete(tx.fresh, toID) // it may receive search parts
	var m haven.CaseMove
	steps := []struct {
		n        *int
		op       string
		query    string
		fromOnly bool // PostgreSQL refuses an argument the statement does not use
	}{
		{&m.Messages, "move messages", `UPDATE messages SET case_id = $2 WHERE case_id = $1 AND escalation_id IS NULL`, false},
		{&m.Reports, "move reports", `UPDATE reports SET case_id = $2 WHERE case_id = $1`, false},
		{&m.Notes, "move notes", `UPDATE notes SET case_id = $2 WHERE case_id = $1`, false},
		{&m.Attachments, "move attachments", `UPDATE attachments SET case_id = $2 WHERE case_id = $1
			AND (message_id IS NULL OR message_id IN (SELECT id FROM messages WHERE case_id = $2))`, false},
		{nil, "move search parts", `UPDATE search_parts SET case_id = $2 WHERE case_id = $1
			AND (part LIKE 'note:%' OR part IN (SELECT 'message:' || id FROM messages WHERE case_id = $2))`, false},
		{&m.Sightings, "move sightings", `UPDATE observable_sightings SET case_id = $2 WHERE case_id = $1
			AND NOT (source = 'message' AND source_id IN (SELECT id FROM messages WHERE case_id = $1))`, false},
		{nil, "merge observable cases", `INSERT INTO observable_cases (observable_id, case_id, first_seen, last_seen)
			SELECT observable_id, CAST($2 AS BIGINT), first_seen, last_seen FROM observable_cases WHERE case_id = $1
			ON CONFLICT (observable_id, case_id) DO UPDATE SET
				first_seen = CASE WHEN excluded.first_seen < observable_cases.first_seen THEN excluded.first_seen ELSE observable_cases.first_seen END,
				last_seen = CASE WHEN excluded.last_seen > observable_cases.last_seen THEN excluded.last_seen ELSE observable_cases.last_seen END`, false},
		{nil, "forget moved observable cases", `DELETE FROM observable_cases WHERE case_id = $1
			AND NOT EXISTS (SELECT 1 FROM observable_sightings s WHERE s.case_id = $1 AND s.observable_id = observable_cases.observable_id)`, true},
	}
	for _, s := range steps {
		args := []any{fromID, toID}
		if s.fromOnly {
			args = args[:1]
		}
		n, err := tx.count(ctx, s.op, s.query, args...)
		if err != nil {
			return m, err
		}
		if s.n != nil {
			*s.n = n
		}
	}
	return m, nil
}
