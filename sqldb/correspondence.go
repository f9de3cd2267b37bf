package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/keyring"
)

// InsertReport stores an inbound submission, its raw source encrypted; a repeated dedupe key
// gives ECONFLICT.
func (tx *Tx) InsertReport(ctx context.Context, r *haven.Report) error {
	raw, sealed, err := tx.sealRaw(r.Raw)
	if err != nil {
		return err
	}
	dedupe := sql.NullString{String: r.DedupeKey, Valid: r.DedupeKey != ""}
	id, err := tx.insertID(ctx, "insert report", `INSERT INTO reports (channel, external_id, dedupe_key, raw, case_id, received_at, data_key, origin_case_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $5) RETURNING id`,
		r.Channel, r.ExternalID, dedupe, raw, nullID(r.CaseID), micros(r.ReceivedAt), sealed)
	r.ID = id
	return err
}

// sealRaw encrypts a report's raw bytes with a new data key (nothing to hide: nothing stored).
func (tx *Tx) sealRaw(raw []byte) ([]byte, []byte, error) {
	if len(raw) == 0 {
		return nil, nil, nil
	}
	k, err := tx.newRecordKey()
	if err != nil {
		return nil, nil, err
	}
	ct, err := keyring.Encrypt(k.dk, raw, []byte("report:raw"))
	if err != nil {
		return nil, nil, haven.Internal("encrypt report", err)
	}
	return ct, k.sealed, nil
}

const reportColumns = `r.id, r.channel, r.external_id, COALESCE(r.dedupe_key, ''), r.raw, r.data_key, r.case_id,
	COALESCE(c.number, ''), r.received_at FROM reports r LEFT JOIN cases c ON c.id = r.case_id`

func (tx *Tx) scanReport(row rowScanner) (*haven.Report, error) {
	var r haven.Report
	var caseID sql.NullInt64
	var at int64
	var sealed []byte
	if err := row.Scan(&r.ID, &r.Channel, &r.ExternalID, &r.DedupeKey, &r.Raw, &sealed, &caseID, &r.CaseNumber, &at); err != nil {
		return nil, err
	}
	r.CaseID, r.ReceivedAt = caseID.Int64, fromMicros(at)
	if len(sealed) > 0 && len(r.Raw) > 0 {
		k, err := tx.openRecordKey(sealed)
		if err != nil {
			return nil, err
		}
		if r.Raw, err = keyring.Decrypt(k.dk, r.Raw, []byte("report:raw")); err != nil {
			return nil, haven.Internal("decrypt report", err)
		}
	}
	return &r, nil
}

// ReportByID reads one report.
func (tx *Tx) ReportByID(ctx context.Context, id int64) (*haven.Report, error) {
	r, err := tx.scanReport(tx.queryRow(ctx, `SELECT `+reportColumns+` WHERE r.id = $1`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("report %d", id))
	}
	return r, nil
}

// ReportByDedupeKey finds a report by its dedupe key.
func (tx *Tx) ReportByDedupeKey(ctx context.Context, key string) (*haven.Report, error) {
	r, err := tx.scanReport(tx.queryRow(ctx, `SELECT `+reportColumns+` WHERE r.dedupe_key = $1`, key))
	if err != nil {
		return nil, notFound(err, "report")
	}
	return r, nil
}

// LinkReport attaches a report to a case.
func (tx *Tx) LinkReport(ctx context.Context, reportID, caseID int64) error {
	res, err := tx.exec(ctx, "link report", `UPDATE reports SET case_id = $1, origin_case_id = COALESCE(origin_case_id, $1) WHERE id = $2`, caseID, reportID)
	if err != nil {
		return err
	}
	return expectOne(res, "report")
}

// CaseReports lists the reports linked to a case, oldest first.
func (tx *Tx) CaseReports(ctx context.Context, caseID int64) ([]*haven.Report, error) {
	return queryAll(ctx, tx, "case reports", `SELECT `+reportColumns+` WHERE r.case_id = $1 ORDER BY r.id`, tx.scanReport, caseID)
}

// InsertMessage stores correspondence; addresses, subject and bodies are encrypted.
func (tx *Tx) InsertMessage(ctx context.Context, m *haven.Message) error {
	k, err := tx.newRecordKey()
	if err != nil {
		return err
	}
	from, to, subject, text, html := m.From, toJSON(m.To), m.Subject, m.Text, m.HTML
	if err := k.sealAll(messageFields(&from, &to, &subject, &text, &html)); err != nil {
		return err
	}
	id, err := tx.insertID(ctx, "insert message", `INSERT INTO messages (case_id, direction, channel,
		from_addr, to_addrs, subject, text_body, html_body, encrypted, message_id, in_reply_to, refs,
		status, author_id, created_at, data_key, flags, template_id, template_version, escalation_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
		RETURNING id`, m.CaseID, m.Direction, m.Channel, from, to, subject, text, html,
		m.Encrypted, m.MessageID, m.InReplyTo, toJSON(m.References), m.Status, nullID(m.AuthorID), micros(m.CreatedAt), []byte(k.sealed),
		toJSON(nonNil(m.Flags)), nullID(m.TemplateID), nullID(int64(m.TemplateVersion)), nullID(m.EscalationID))
	m.ID = id
	return err
}

// messageFields names a message's encrypted columns by their AAD.
func messageFields(from, to, subject, text, html *string) map[string]*string {
	return map[string]*string{"message:from": from, "message:to": to, "message:subject": subject,
		"message:text": text, "message:html": html}
}

const messageColumns = `SELECT m.id, m.case_id, m.direction, m.channel, m.from_addr,
	m.to_addrs, m.subject, m.text_body, m.html_body, m.encrypted, m.message_id, m.in_reply_to, m.refs,
	m.status, COALESCE(u.username, ''), m.created_at, m.data_key, m.flags,
	COALESCE(m.template_id, 0), COALESCE(m.template_version, 0), COALESCE(m.escalation_id, 0)
	FROM messages m LEFT JOIN users u ON u.id = m.author_id`

// scanMessage reads messageColumns and decrypts the message.
func (tx *Tx) scanMessage(row rowScanner) (*haven.Message, error) {
	var m haven.Message
	var to, refs, flags string
	var at int64
	var sealed []byte
	err := row.Scan(&m.ID, &m.CaseID, &m.Direction, &m.Channel, &m.From, &to, &m.Subject, &m.Text,
		&m.HTML, &m.Encrypted, &m.MessageID, &m.InReplyTo, &refs, &m.Status, &m.Author, &at, &sealed, &flags,
		&m.TemplateID, &m.TemplateVersion, &m.EscalationID)
	if err != nil {
		return nil, err
	}
	m.Flags = fromJSON[[]string](flags)
	if err := tx.openColumns(sealed, messageFields(&m.From, &to, &m.Subject, &m.Text, &m.HTML)); err != nil {
		return nil, err
	}
	m.To, m.References, m.CreatedAt = fromJSON[[]string](to), fromJSON[[]string](refs), fromMicros(at)
	return &m, nil
}

// CaseMessages lists a case's messages, oldest first.
func (tx *Tx) CaseMessages(ctx context.Context, caseID int64) ([]*haven.Message, error) {
	return queryAll(ctx, tx, "case messages", messageColumns+` WHERE m.case_id = $1 ORDER BY m.id`, tx.scanMessage, caseID)
}

// MessageByID reads one message.
func (tx *Tx) MessageByID(ctx context.Context, id int64) (*haven.Message, error) {
	m, err := tx.scanMessage(tx.queryRow(ctx, messageColumns+` WHERE m.id = $1`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("message %d", id))
	}
	return m, nil
}

// SetMessageDelivery records an outbound message's status and the Message-ID it went out under.
func (tx *Tx) SetMessageDelivery(ctx context.Context, id int64, status, emailMessageID string) error {
	res, err := tx.exec(ctx, "message delivery", `UPDATE messages SET status = $2,
		message_id = CASE WHEN $3 = '' THEN message_id ELSE $3 END WHERE id = $1`, id, status, emailMessageID)
	if err != nil {
		return err
	}
	return expectOne(res, "message")
}

// openColumns decrypts a record's columns with its sealed data key.
func (tx *Tx) openColumns(sealed []byte, fields map[string]*string) error {
	k, err := tx.openRecordKey(sealed)
	if err != nil {
		return err
	}
	return k.openAll(fields)
}

// InsertNote stores an internal note, its body encrypted.
func (tx *Tx) InsertNote(ctx context.Context, n *haven.Note) error {
	k, err := tx.newRecordKey()
	if err != nil {
		return err
	}
	body, err := k.seal(n.Body, "note:body")
	if err != nil {
		return err
	}
	id, err := tx.insertID(ctx, "insert note", `INSERT INTO notes (case_id, author_id, body, visibility, created_at, data_key)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, n.CaseID, nullID(n.AuthorID), body, n.Visibility, micros(n.CreatedAt), []byte(k.sealed))
	n.ID = id
	return err
}

// CaseNotes lists a case's notes, oldest first.
func (tx *Tx) CaseNotes(ctx context.Context, caseID int64) ([]*haven.Note, error) {
	return queryAll(ctx, tx, "case notes", `SELECT n.id, n.case_id, COALESCE(n.author_id, 0), COALESCE(u.username, ''),
		n.body, n.visibility, n.created_at, n.data_key FROM notes n LEFT JOIN users u ON u.id = n.author_id
		WHERE n.case_id = $1 ORDER BY n.id`,
		func(row rowScanner) (*haven.Note, error) {
			var n haven.Note
			var at int64
			var sealed []byte
			if err := row.Scan(&n.ID, &n.CaseID, &n.AuthorID, &n.Author, &n.Body, &n.Visibility, &at, &sealed); err != nil {
				return nil, err
			}
			n.CreatedAt = fromMicros(at)
			return &n, tx.openColumns(sealed, map[string]*string{"note:body": &n.Body})
		}, caseID)
}

const taskColumns = `t.id, t.case_id, t.title, t.guidance, t.done, COALESCE(u.username, ''), t.due_at,
	t.position, t.created_at, t.done_at, COALESCE(t.run_id, 0), t.step_id, t.required, t.decision, t.template, t.article
	FROM tasks t LEFT JOIN users u ON u.id = t.assignee_id`

func scanTask(row rowScanner) (*haven.Task, error) {
	var t haven.Task
	var due, done sql.NullInt64
	var at int64
	if err := row.Scan(&t.ID, &t.CaseID, &t.Title, &t.Guidance, &t.Done, &t.Assignee, &due, &t.Position, &at, &done,
		&t.RunID, &t.StepID, &t.Required, &t.Decision, &t.Template, &t.Article); err != nil {
		return nil, err
	}
	t.DueAt, t.DoneAt, t.CreatedAt = timePtr(due), timePtr(done), fromMicros(at)
	return &t, nil
}

// InsertTask appends a task at the end of the case's checklist.
func (tx *Tx) InsertTask(ctx context.Context, t *haven.Task) error {
	id, err := tx.insertID(ctx, "insert task", `INSERT INTO tasks (case_id, title, guidance, done, assignee_id,
		due_at, position, created_at, run_id, step_id, required, decision, template, article)
		VALUES ($1, $2, $3, $4, (SELECT id FROM users WHERE username = $5), $6,
		(SELECT COALESCE(MAX(position), 0) + 1 FROM tasks WHERE case_id = $1), $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		t.CaseID, t.Title, t.Guidance, t.Done, t.Assignee, nullMicros(t.DueAt), micros(t.CreatedAt),
		nullID(t.RunID), t.StepID, t.Required, t.Decision, t.Template, t.Article)
	if err != nil {
		return err
	}
	stored, err := tx.TaskByID(ctx, id)
	if err == nil {
		*t = *stored
	}
	return err
}

// TaskByID reads one task.
func (tx *Tx) TaskByID(ctx context.Context, id int64) (*haven.Task, error) {
	t, err := scanTask(tx.queryRow(ctx, `SELECT `+taskColumns+` WHERE t.id = $1`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("task %d", id))
	}
	return t, nil
}

// UpdateTask writes t.
func (tx *Tx) UpdateTask(ctx context.Context, t *haven.Task) error {
	res, err := tx.exec(ctx, "update task", `UPDATE tasks SET title = $1, done = $2,
		assignee_id = (SELECT id FROM users WHERE username = $3), due_at = $4, done_at = $5, position = $7 WHERE id = $6`,
		t.Title, t.Done, t.Assignee, nullMicros(t.DueAt), nullMicros(t.DoneAt), t.ID, t.Position)
	if err != nil {
		return err
	}
	return expectOne(res, "task")
}

// CaseTasks lists a case's checklist in order.
func (tx *Tx) CaseTasks(ctx context.Context, caseID int64) ([]*haven.Task, error) {
	return queryAll(ctx, tx, "case tasks", `SELECT `+taskColumns+` WHERE t.case_id = $1 ORDER BY t.position, t.id`, scanTask, caseID)
}

// InsertAttachment stores attachment metadata (the encrypted bytes are in the FileVault); the file
// name, personal data like any other, is encrypted under the row's own data key.
func (tx *Tx) InsertAttachment(ctx context.Context, a *haven.Attachment) error {
	k, err := tx.newRecordKey()
	if err != nil {
		return err
	}
	name, err := k.seal(a.Filename, "attachment:filename")
	if err != nil {
		return err
	}
	id, err := tx.insertID(ctx, "insert attachment", `INSERT INTO attachments (case_id, message_id, filename,
		content_type, size, sha256, quarantined, suspicious_reason, blob_id, file_key, data_key, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		a.CaseID, nullID(a.MessageID), name, a.ContentType, a.Size, a.SHA256, a.Quarantined,
		a.SuspiciousReason, a.BlobID, a.FileKey, []byte(k.sealed), micros(a.CreatedAt))
	a.ID = id
	return err
}

const attachmentColumns = `SELECT id, case_id, COALESCE(message_id, 0), filename, content_type, size, sha256,
	quarantined, suspicious_reason, blob_id, file_key, data_key, created_at FROM attachments`

// scanAttachment reads one row of attachmentColumns and decrypts the file name (empty once erased).
func (tx *Tx) scanAttachment(row rowScanner) (*haven.Attachment, error) {
	var a haven.Attachment
	var at int64
	var sealed []byte
	err := row.Scan(&a.ID, &a.CaseID, &a.MessageID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256,
		&a.Quarantined, &a.SuspiciousReason, &a.BlobID, &a.FileKey, &sealed, &at)
	if err != nil {
		return nil, err
	}
	a.CreatedAt = fromMicros(at)
	if a.Filename == "" {
		return &a, nil
	}
	k, err := tx.openRecordKey(sealed)
	if err != nil {
		return nil, err
	}
	a.Filename, err = k.open(a.Filename, "attachment:filename")
	return &a, err
}

// CaseAttachments lists a case's attachments.
func (tx *Tx) CaseAttachments(ctx context.Context, caseID int64) ([]*haven.Attachment, error) {
	return queryAll(ctx, tx, "case attachments", attachmentColumns+` WHERE case_id = $1 ORDER BY id`, tx.scanAttachment, caseID)
}

// AttachmentByID reads one attachment of a case.
func (tx *Tx) AttachmentByID(ctx context.Context, caseID, id int64) (*haven.Attachment, error) {
	a, err := tx.scanAttachment(tx.queryRow(ctx, attachmentColumns+` WHERE case_id = $1 AND id = $2`, caseID, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("attachment %d", id))
	}
	return a, nil
}

// ShreddedBlobs lists blobs whose file key was destroyed but which are still stored.
func (tx *Tx) ShreddedBlobs(ctx context.Context, limit int) ([]string, error) {
	return queryAll(ctx, tx, "shredded blobs", `SELECT DISTINCT blob_id FROM attachments
		WHERE file_key IS NULL AND blob_id <> '' LIMIT $1`, func(row rowScanner) (string, error) {
		var s string
		return s, row.Scan(&s)
	}, limit)
}

// ForgetBlob clears a deleted blob's id.
func (tx *Tx) ForgetBlob(ctx context.Context, blobID string) error {
	_, err := tx.exec(ctx, "forget blob", `UPDATE attachments SET blob_id = '' WHERE blob_id = $1 AND file_key IS NULL`, blobID)
	return err
}

// InsertEvent records an event; it is written, chained, when the transaction commits. The event's
// ID, Seq and hashes are set then.
func (tx *Tx) InsertEvent(ctx context.Context, e *haven.Event) error {
	e.At = e.At.UTC().Truncate(time.Microsecond) // the stored precision, which the hash covers
	if len(e.Detail) > 0 {
		id, err := tx.insertEventDetail(ctx, e.CaseID, e.Detail)
		if err != nil {
			return err
		}
		e.Data = maps.Clone(e.Data)
		if e.Data == nil {
			e.Data = map[string]any{}
		}
		e.Data["detail_id"] = id
	}
	tx.pendingEvents = append(tx.pendingEvents, storedEvent{event: e, data: toJSON(e.Data)})
	return nil
}

// CaseEvents lists a case's events in order, with their details.
func (tx *Tx) CaseEvents(ctx context.Context, caseID int64) ([]*haven.Event, error) {
	events, err := queryAll(ctx, tx, "case events", `SELECT `+eventColumns+` WHERE e.case_id = $1 ORDER BY e.id`,
		func(row rowScanner) (*haven.Event, error) {
			e, _, err := scanEvent(row)
			return e, err
		}, caseID)
	if err != nil {
		return nil, err
	}
	return events, tx.loadEventDetails(ctx, events)
}

// SentMessage finds a message Haven sent by the Message-ID it went out under: its id and its
// case's (0, 0 when none). The Message-IDs of received mail are not looked up: anyone copied on
// it knows them.
func (tx *Tx) SentMessage(ctx context.Context, messageID string) (id, caseID int64, err error) {
	if messageID == "" {
		return 0, 0, nil
	}
	err = tx.queryRow(ctx, `SELECT id, case_id FROM messages WHERE message_id = $1 AND direction = 'out' ORDER BY id LIMIT 1`,
		messageID).Scan(&id, &caseID)
	if err == sql.ErrNoRows {
		return 0, 0, nil
	}
	return id, caseID, mapError("message by Message-ID", err)
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}
