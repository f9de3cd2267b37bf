package sqldb

import (
	"context"
	"strconv"
	"time"

	"github.com/haven-helpline/haven"
)

// Erasure is crypto-shredding: a record's personal columns were only ever stored encrypted under
// its own data key, so setting data_key to NULL makes them unreadable for good, whatever copies of
// the ciphertext remain. The columns are blanked as well, so Haven reads them back as empty.
// Each UPDATE touches only rows with something left to erase, so erasing twice counts nothing.

// RequesterCaseIDs lists the cases linked to a requester, oldest first.
func (tx *Tx) RequesterCaseIDs(ctx context.Context, requesterID int64) ([]int64, error) {
	return queryAll(ctx, tx, "requester cases", `SELECT id FROM cases WHERE requester_id = $1 ORDER BY id`, scanInt64, requesterID)
}

// MergedRequesterIDs lists the requesters merged into requesterID, directly or through others.
func (tx *Tx) MergedRequesterIDs(ctx context.Context, requesterID int64) ([]int64, error) {
	return queryAll(ctx, tx, "merged requesters", `WITH RECURSIVE merged (id) AS (
			SELECT id FROM requesters WHERE merged_into = $1
			UNION SELECT r.id FROM requesters r JOIN merged m ON r.merged_into = m.id)
		SELECT id FROM merged ORDER BY id`, scanInt64, requesterID)
}

// RequesterEvents lists the events about a requester's record, oldest first.
func (tx *Tx) RequesterEvents(ctx context.Context, requesterID int64) ([]*haven.Event, error) {
	return queryAll(ctx, tx, "requester events", `SELECT `+eventColumns+`
		WHERE e.object_type = 'requester' AND e.object_id = $1 ORDER BY e.id`,
		func(row rowScanner) (*haven.Event, error) {
			e, _, err := scanEvent(row)
			return e, err
		}, strconv.FormatInt(requesterID, 10))
}

// EraseRequester shreds a requester's record: data key, personal columns, organisation, contacts.
func (tx *Tx) EraseRequester(ctx context.Context, requesterID int64, at time.Time) (haven.Erasure, error) {
	var e haven.Erasure
	var err error
	e.Requesters, err = tx.count(ctx, "erase requester", `UPDATE requesters SET name = '', pseudonym = '', pgp_key = '',
		vouched_by = '', risk_notes = '', organisation_id = NULL, data_key = NULL, updated_at = $2
		WHERE id = $1 AND (data_key IS NOT NULL OR name <> '' OR pseudonym <> '' OR pgp_key <> ''
			OR vouched_by <> '' OR risk_notes <> '' OR organisation_id IS NOT NULL)`, requesterID, micros(at))
	if err != nil {
		return e, err
	}
	if _, err := tx.exec(ctx, "mark erased", `UPDATE requesters SET erased_at = $2 WHERE id = $1 AND erased_at IS NULL`,
		requesterID, micros(at)); err != nil {
		return e, err
	}
	e.Contacts, err = tx.count(ctx, "erase contacts", `DELETE FROM requester_contacts WHERE requester_id = $1`, requesterID)
	return e, err
}

// EraseCaseCorrespondence shreds the notes, messages, reports and escalations of a case, blanks the file names
// of its attachments and deletes the search parts (blind terms) of its notes and messages.
// Message-IDs go too: they can name the sender's host, and a reply must not thread into the case.
func (tx *Tx) EraseCaseCorrespondence(ctx context.Context, caseID int64) (haven.Erasure, error) {
	var e haven.Erasure
	steps := []struct {
		n     *int
		op    string
		query string
	}{
		{&e.Notes, "erase notes", `UPDATE notes SET body = '', data_key = NULL
			WHERE case_id = $1 AND (data_key IS NOT NULL OR body <> '')`},
		{&e.Messages, "erase messages", `UPDATE messages SET from_addr = '', to_addrs = '[]', subject = '',
			text_body = '', html_body = '', message_id = '', in_reply_to = '', refs = '[]', data_key = NULL
			WHERE case_id = $1 AND (data_key IS NOT NULL OR from_addr <> '' OR to_addrs <> '[]' OR subject <> ''
				OR text_body <> '' OR html_body <> '' OR message_id <> '' OR in_reply_to <> '' OR refs <> '[]')`},
		{&e.Reports, "erase reports", `UPDATE reports SET raw = NULL, external_id = '', dedupe_key = NULL, data_key = NULL
			WHERE (case_id = $1 OR origin_case_id = $1)
				AND (data_key IS NOT NULL OR raw IS NOT NULL OR external_id <> '' OR dedupe_key IS NOT NULL)`},
		{&e.Attachments, "erase attachments", `UPDATE attachments SET filename = '', data_key = NULL, file_key = NULL
			WHERE case_id = $1 AND (filename <> '' OR data_key IS NOT NULL OR file_key IS NOT NULL)`},
		{&e.SearchParts, "erase search parts", `DELETE FROM search_parts
			WHERE case_id = $1 AND (part LIKE 'note:%' OR part LIKE 'message:%')`},
		{&e.EventDetails, "erase event details", `DELETE FROM event_details WHERE case_id = $1`},
		{&e.Correspondents, "erase correspondent", `DELETE FROM case_correspondents WHERE case_id = $1`},
		{&e.Notifications, "erase notification texts", `UPDATE notifications SET text = '' WHERE case_id = $1 AND text <> ''`},
		{&e.AccessReasons, "erase access reasons", `UPDATE case_access SET reason = '' WHERE case_id = $1 AND reason <> ''`},
		// The reply tag goes too: a platform's later answer must not thread into the case.
		{&e.Escalations, "erase escalations", `UPDATE escalations SET address = '', subject = '', body = '', reference = '',
			data_key = NULL, reply_token = 'erased-' || id
			WHERE case_id = $1 AND (data_key IS NOT NULL OR subject <> '' OR body <> '' OR address <> '' OR reference <> '')`},
	}
	for _, s := range steps {
		n, err := tx.count(ctx, s.op, s.query, caseID)
		if err != nil {
			return e, err
		}
		*s.n = n
	}
	var err error
	e.Sightings, err = tx.eraseCaseObservables(ctx, caseID)
	return e, err
}

// count runs a statement and returns how many rows it changed.
func (tx *Tx) count(ctx context.Context, op, query string, args ...any) (int, error) {
	res, err := tx.exec(ctx, op, query, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, haven.Internal(op, err)
	}
	return int(n), nil
}

func scanInt64(row rowScanner) (int64, error) {
	var v int64
	return v, row.Scan(&v)
}

// Scrub rewrites the database so that what an erasure overwrote no longer lingers in its files:
// old row versions (a sealed data key is only useless once every copy of it is gone), freed pages,
// search-index segments and the write-ahead log. It is slow and locks the database for writing
// while it runs (SQLite: the whole file; PostgreSQL: the tables holding personal data, with
// VACUUM FULL). Backups, PostgreSQL's WAL archive and the disk's own free blocks are out of its
// reach (docs/security.md).
func (db *DB) Scrub(ctx context.Context) error {
	if db.Dialect == Postgres {
		_, err := db.write.ExecContext(ctx, `VACUUM (FULL) requesters, requester_contacts, notes, messages,
			reports, attachments, search_parts, case_search, event_details, case_correspondents, notifications, case_access,
			escalations, platforms`)
		return mapError("vacuum", err)
	}
	// The documents of the purged cases are written first (searchlater.go): until then the index
	// holds their old ones.
	if err := db.catchUpSearch(ctx); err != nil {
		return err
	}
	for _, stmt := range []string{`INSERT INTO case_search (case_search) VALUES ('optimize')`, `VACUUM`} {
		if _, err := db.write.ExecContext(ctx, stmt); err != nil {
			return mapError("scrub", err)
		}
	}
	return db.ckpt.paused(func() error { return db.emptyWAL(ctx) })
}

// emptyWAL checkpoints the whole WAL and truncates it. The writer may be checkpointing a long
// WAL itself (past writerCheckpointFrames), and SQLite answers busy to a second checkpoint
// without waiting, so a busy answer is tried again for a few seconds before it is reported.
func (db *DB) emptyWAL(ctx context.Context) error {
	for try := 0; ; try++ {
		var busy, frames, done int
		if err := db.write.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &done); err != nil {
			return mapError("checkpoint", err)
		}
		if busy == 0 {
			return nil
		}
		if try == 30 {
			return haven.Errorf(haven.ECONFLICT, "another process is reading the database, so its write-ahead log could not be emptied; run the erasure again with the server stopped")
		}
		select {
		case <-ctx.Done():
			return haven.Internal("checkpoint", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
