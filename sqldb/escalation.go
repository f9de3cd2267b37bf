package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/haven-helpline/haven"
)

const escalationColumns = `SELECT e.id, e.case_id, c.number, e.platform, p.name, e.kind, e.channel, e.state,
	COALESCE(e.owner_id, 0), COALESCE(u.username, ''), e.address, e.subject, e.body, e.reference,
	e.personal_data, e.consent_override, e.encrypted, COALESCE(e.message_id, 0), COALESCE(e.template_id, 0),
	COALESCE(e.template_version, 0), e.reply_token, e.target_hours, e.created_at, e.sent_at, e.first_response_at,
	e.closed_at, e.due_at, e.next_reminder_at, e.reminders, e.data_key
	FROM escalations e JOIN cases c ON c.id = e.case_id JOIN platforms p ON p.slug = e.platform
	LEFT JOIN users u ON u.id = e.owner_id`

// escalationFields names an escalation's sealed columns by their AAD.
func escalationFields(e *haven.Escalation) map[string]*string {
	return map[string]*string{"escalation:address": &e.Address, "escalation:subject": &e.Subject,
		"escalation:body": &e.Body, "escalation:reference": &e.Reference}
}

// scanEscalation reads escalationColumns and opens the sealed text.
func (tx *Tx) scanEscalation(row rowScanner) (*haven.Escalation, error) {
	var e haven.Escalation
	var created int64
	var sent, first, closed, due, next sql.NullInt64
	var sealed []byte
	err := row.Scan(&e.ID, &e.CaseID, &e.CaseNumber, &e.Platform, &e.PlatformName, &e.Kind, &e.Channel, &e.State,
		&e.OwnerID, &e.Owner, &e.Address, &e.Subject, &e.Body, &e.Reference, &e.PersonalData, &e.ConsentOverride,
		&e.Encrypted, &e.MessageID, &e.TemplateID, &e.TemplateVersion, &e.ReplyToken, &e.TargetHours, &created,
		&sent, &first, &closed, &due, &next, &e.Reminders, &sealed)
	if err != nil {
		return nil, err
	}
	e.CreatedAt, e.SentAt, e.FirstResponseAt = fromMicros(created), timePtr(sent), timePtr(first)
	e.ClosedAt, e.DueAt, e.NextReminderAt = timePtr(closed), timePtr(due), timePtr(next)
	return &e, tx.openColumns(sealed, escalationFields(&e))
}

// sealedEscalation returns a copy of e with its text encrypted under a new data key.
func (tx *Tx) sealedEscalation(e *haven.Escalation) (*haven.Escalation, *recordKey, error) {
	k, err := tx.newRecordKey()
	if err != nil {
		return nil, nil, err
	}
	enc := *e
	return &enc, k, k.sealAll(escalationFields(&enc))
}

// InsertEscalation stores a new escalation with its text sealed.
func (tx *Tx) InsertEscalation(ctx context.Context, e *haven.Escalation) error {
	enc, k, err := tx.sealedEscalation(e)
	if err != nil {
		return err
	}
	e.ID, err = tx.insertID(ctx, "insert escalation", `INSERT INTO escalations (case_id, platform, kind, channel, state,
		owner_id, address, subject, body, reference, personal_data, consent_override, encrypted, message_id,
		template_id, template_version, reply_token, target_hours, created_at, sent_at, first_response_at, closed_at,
		due_at, next_reminder_at, reminders, data_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
		$23, $24, $25, $26) RETURNING id`,
		e.CaseID, e.Platform, e.Kind, e.Channel, e.State, nullID(e.OwnerID), enc.Address, enc.Subject, enc.Body,
		enc.Reference, e.PersonalData, e.ConsentOverride, e.Encrypted, nullID(e.MessageID), nullID(e.TemplateID),
		nullID(int64(e.TemplateVersion)), e.ReplyToken, e.TargetHours, micros(e.CreatedAt), nullMicros(e.SentAt),
		nullMicros(e.FirstResponseAt), nullMicros(e.ClosedAt), nullMicros(e.DueAt), nullMicros(e.NextReminderAt),
		e.Reminders, []byte(k.sealed))
	if err != nil {
		return err
	}
	return tx.markCaseDaysByID(ctx, e.CaseID) // the platform is a dimension of the statistics
}

// UpdateEscalation writes an escalation's state, times, reference and owner.
func (tx *Tx) UpdateEscalation(ctx context.Context, e *haven.Escalation) error {
	enc, k, err := tx.sealedEscalation(e)
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, "update escalation", `UPDATE escalations SET state = $2, owner_id = $3, address = $4,
		subject = $5, body = $6, reference = $7, consent_override = $8, encrypted = $9, message_id = $10,
		sent_at = $11, first_response_at = $12, closed_at = $13, due_at = $14, next_reminder_at = $15,
		reminders = $16, data_key = $17, personal_data = $18 WHERE id = $1`,
		e.ID, e.State, nullID(e.OwnerID), enc.Address, enc.Subject, enc.Body, enc.Reference, e.ConsentOverride,
		e.Encrypted, nullID(e.MessageID), nullMicros(e.SentAt), nullMicros(e.FirstResponseAt), nullMicros(e.ClosedAt),
		nullMicros(e.DueAt), nullMicros(e.NextReminderAt), e.Reminders, []byte(k.sealed), e.PersonalData)
	if err != nil {
		return err
	}
	return expectOne(res, fmt.Sprintf("escalation %d", e.ID))
}

// EscalationByID reads one escalation.
func (tx *Tx) EscalationByID(ctx context.Context, id int64) (*haven.Escalation, error) {
	e, err := tx.scanEscalation(tx.queryRow(ctx, escalationColumns+` WHERE e.id = $1`, id))
	return e, notFound(err, fmt.Sprintf("escalation %d", id))
}

// EscalationByToken reads the escalation whose subject tag carries token.
func (tx *Tx) EscalationByToken(ctx context.Context, token string) (*haven.Escalation, error) {
	e, err := tx.scanEscalation(tx.queryRow(ctx, escalationColumns+` WHERE e.reply_token = $1`, token))
	return e, notFound(err, "escalation")
}

// CaseEscalations lists a case's escalations, oldest first.
func (tx *Tx) CaseEscalations(ctx context.Context, caseID int64) ([]*haven.Escalation, error) {
	return queryAll(ctx, tx, "case escalations", escalationColumns+` WHERE e.case_id = $1 ORDER BY e.id`, tx.scanEscalation, caseID)
}

// Escalations lists escalations of cases v may see, newest first, one keyset page.
func (tx *Tx) Escalations(ctx context.Context, f haven.EscalationFilter, v haven.Viewer) ([]*haven.Escalation, error) {
	q := &queryBuilder{}
	if !f.Console {
		q.add(visibility(q, v))
	}
	if f.Platform != "" {
		q.add("e.platform = " + q.arg(f.Platform))
	}
	if f.Kind != "" {
		q.add("e.kind = " + q.arg(f.Kind))
	}
	if f.State != "" {
		q.add("e.state = " + q.arg(string(f.State)))
	}
	if f.Overdue {
		q.add("e.state = 'sent' AND e.due_at < " + q.arg(micros(v.Now)))
	}
	if f.Owner != "" {
		q.add("u.username = " + q.arg(f.Owner))
	}
	if f.After > 0 {
		q.add("e.id < " + q.arg(f.After))
	}
	return queryAll(ctx, tx, "escalations", escalationColumns+q.whereSQL()+` ORDER BY e.id DESC LIMIT `+q.arg(f.Limit),
		tx.scanEscalation, q.args...)
}

// DueEscalationReminders lists sent escalations whose next reminder is due, oldest due first.
func (tx *Tx) DueEscalationReminders(ctx context.Context, now time.Time, limit int) ([]*haven.Escalation, error) {
	return queryAll(ctx, tx, "due escalation reminders", escalationColumns+` WHERE e.next_reminder_at IS NOT NULL
		AND e.next_reminder_at <= $1 AND e.state = 'sent' ORDER BY e.next_reminder_at LIMIT $2`, tx.scanEscalation, micros(now), limit)
}

// ClaimEscalationReminder moves an escalation's next reminder from was to next, counting the
// reminder; it reports false when another runner moved it first, so each reminder goes out once.
func (tx *Tx) ClaimEscalationReminder(ctx context.Context, id int64, was, next *time.Time) (bool, error) {
	res, err := tx.exec(ctx, "claim escalation reminder", `UPDATE escalations SET next_reminder_at = $3,
		reminders = reminders + 1 WHERE id = $1 AND next_reminder_at = $2`, id, nullMicros(was), nullMicros(next))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, mapError("claim escalation reminder", err)
}

// EscalationFacts calls each with the figures of the escalations sent in [from, to) on cases v
// may see. The cases hidden from v are found first (the restricted ones the visibility rule
// refuses, a few), so that the many escalations are read from their index without a join.
func (tx *Tx) EscalationFacts(ctx context.Context, from, to time.Time, v haven.Viewer, each func(*haven.EscalationFact)) error {
	hidden, err := tx.hiddenCases(ctx, v)
	if err != nil {
		return err
	}
	rows, err := tx.query(ctx, `SELECT e.case_id, e.platform, e.kind, e.state, e.sent_at, e.first_response_at, e.closed_at,
		e.due_at FROM escalations e WHERE e.sent_at >= $1 AND e.sent_at < $2`, micros(from), micros(to))
	if err != nil {
		return mapError("escalation facts", err)
	}
	defer rows.Close()
	codes, f := codeInterner{}, &haven.EscalationFact{}
	for rows.Next() {
		caseID, err := scanEscalationFact(rows, f, codes)
		if err != nil {
			return mapError("escalation facts", err)
		}
		if !hidden[caseID] {
			each(f)
		}
	}
	return mapError("escalation facts", rows.Err())
}

// codeInterner turns the few distinct codes of a column (platforms, kinds, states) read as raw
// bytes into shared strings: reading a period's escalations then allocates nothing per row.
type codeInterner map[string]string

func (c codeInterner) get(b sql.RawBytes) string {
	if s, ok := c[string(b)]; ok {
		return s
	}
	s := string(b)
	c[s] = s
	return s
}

// hiddenCases are the restricted cases v may not see: those where the visibility rule is not
// true (NULL included: a comparison with a case's empty assignee is NULL, not false).
func (tx *Tx) hiddenCases(ctx context.Context, v haven.Viewer) (map[int64]bool, error) {
	q := &queryBuilder{}
	ids, err := queryAll(ctx, tx, "hidden cases", `SELECT c.id FROM cases c WHERE c.restricted = TRUE AND NOT COALESCE(`+visibility(q, v)+`, FALSE)`,
		scanInt64, q.args...)
	hidden := make(map[int64]bool, len(ids))
	for _, id := range ids {
		hidden[id] = true
	}
	return hidden, err
}

// scanEscalationFact reads one row of EscalationFacts into f, allocating nothing.
func scanEscalationFact(row rowScanner, f *haven.EscalationFact, codes codeInterner) (int64, error) {
	var caseID, sent int64
	var platform, kind, state sql.RawBytes
	var first, closed, due sql.NullInt64
	err := row.Scan(&caseID, &platform, &kind, &state, &sent, &first, &closed, &due)
	f.Platform, f.Kind, f.State = codes.get(platform), codes.get(kind), haven.EscalationState(codes.get(state))
	f.SentAt, f.FirstResponseAt, f.ClosedAt, f.DueAt = fromMicros(sent), timeOrZero(first), timeOrZero(closed), timeOrZero(due)
	return caseID, err
}

// timeOrZero is a nullable time column as a value: the zero time for NULL.
func timeOrZero(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromMicros(n.Int64)
}
