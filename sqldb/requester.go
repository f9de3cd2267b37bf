package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/haven-helpline/haven"
)

const requesterColumns = `id, name, pseudonym, pgp_key, languages, organisation_id, vetting,
	vouched_by, risk_notes, merged_into, created_at, updated_at, data_key, erased_at, encrypted_only`

// requesterFields names a requester's encrypted columns by their AAD.
func requesterFields(r *haven.Requester) map[string]*string {
	return map[string]*string{"requester:name": &r.Name, "requester:pseudonym": &r.Pseudonym,
		"requester:pgp_key": &r.PGPKey, "requester:vouched_by": &r.VouchedBy, "requester:risk_notes": &r.RiskNotes}
}

// scanRequester reads requesterColumns and decrypts the personal fields; the returned key opens
// the contacts too.
func (tx *Tx) scanRequester(row rowScanner) (*haven.Requester, *recordKey, error) {
	var r haven.Requester
	var langs string
	var org, merged sql.NullInt64
	var created, updated int64
	var sealed []byte
	var erased sql.NullInt64
	if err := row.Scan(&r.ID, &r.Name, &r.Pseudonym, &r.PGPKey, &langs, &org, &r.Vetting,
		&r.VouchedBy, &r.RiskNotes, &merged, &created, &updated, &sealed, &erased, &r.EncryptedOnly); err != nil {
		return nil, nil, err
	}
	r.ErasedAt = timePtr(erased)
	r.Languages = fromJSON[[]string](langs)
	r.OrganisationID, r.MergedInto = org.Int64, merged.Int64
	r.CreatedAt, r.UpdatedAt = fromMicros(created), fromMicros(updated)
	k, err := tx.openRecordKey(sealed)
	if err != nil {
		return nil, nil, err
	}
	return &r, k, k.openAll(requesterFields(&r))
}

// sealedRequester returns a copy of r with its personal fields encrypted under a new data key.
func (tx *Tx) sealedRequester(r *haven.Requester) (*haven.Requester, *recordKey, error) {
	k, err := tx.newRecordKey()
	if err != nil {
		return nil, nil, err
	}
	enc := *r
	return &enc, k, k.sealAll(requesterFields(&enc))
}

// InsertRequester stores r and its contacts, encrypted. Several records may hold one contact.
func (tx *Tx) InsertRequester(ctx context.Context, r *haven.Requester) error {
	enc, k, err := tx.sealedRequester(r)
	if err != nil {
		return err
	}
	id, err := tx.insertID(ctx, "insert requester", `INSERT INTO requesters (name, pseudonym, pgp_key,
		languages, organisation_id, vetting, vouched_by, risk_notes, created_at, updated_at, data_key, encrypted_only)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		enc.Name, enc.Pseudonym, enc.PGPKey, toJSON(r.Languages), nullID(r.OrganisationID), r.Vetting,
		enc.VouchedBy, enc.RiskNotes, micros(r.CreatedAt), micros(r.UpdatedAt), []byte(k.sealed), r.EncryptedOnly)
	if err != nil {
		return err
	}
	r.ID = id
	return tx.insertContacts(ctx, r.ID, k, r.Contacts)
}

// insertContacts stores contacts encrypted, each findable only by its blind index.
func (tx *Tx) insertContacts(ctx context.Context, requesterID int64, k *recordKey, contacts []haven.Contact) error {
	for _, c := range contacts {
		value, err := k.seal(c.Value, "requester_contact:"+c.Kind)
		if err != nil {
			return err
		}
		if err = tx.execLater(ctx, "requester_contacts", "insert contact", `INSERT INTO requester_contacts (requester_id, kind, value, normalized)
			VALUES ($1, $2, $3, $4)`, requesterID, c.Kind, value, tx.blind(c)); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) loadContacts(ctx context.Context, r *haven.Requester, k *recordKey) error {
	contacts, err := queryAll(ctx, tx, "contacts", `SELECT kind, value FROM requester_contacts WHERE requester_id = $1 ORDER BY id`,
		func(row rowScanner) (haven.Contact, error) {
			var c haven.Contact
			if err := row.Scan(&c.Kind, &c.Value); err != nil {
				return c, err
			}
			v, err := k.open(c.Value, "requester_contact:"+c.Kind)
			c.Value = v
			return c, err
		}, r.ID)
	r.Contacts = contacts
	return err
}

func (tx *Tx) requesterWhere(ctx context.Context, what, where string, args ...any) (*haven.Requester, error) {
	r, k, err := tx.scanRequester(tx.queryRow(ctx, `SELECT `+requesterColumns+` FROM requesters WHERE `+where, args...))
	if err != nil {
		return nil, notFound(err, what)
	}
	return r, tx.loadContacts(ctx, r, k)
}

// RequesterByID reads one requester with contacts.
func (tx *Tx) RequesterByID(ctx context.Context, id int64) (*haven.Requester, error) {
	return tx.requesterWhere(ctx, fmt.Sprintf("requester %d", id), "id = $1", id)
}

// RequestersByContact finds the live records holding a contact (email, phone…) through its
// blind index, among those v may see. A PostgreSQL write transaction first takes the contact's
// lock, so a find-or-create of one new contact makes one record (locking.go).
func (tx *Tx) RequestersByContact(ctx context.Context, c haven.Contact, v haven.Viewer) ([]*haven.Requester, error) {
	if err := tx.lockContact(ctx, c); err != nil {
		return nil, err
	}
	q := &queryBuilder{}
	q.add("merged_into IS NULL AND erased_at IS NULL")
	q.add("id IN (SELECT requester_id FROM requester_contacts WHERE kind = " + q.arg(c.Kind) + " AND normalized = " + q.arg(tx.blind(c)) + ")")
	q.add(requesterVisibility(q, v, "requesters"))
	var keys []*recordKey
	out, err := queryAll(ctx, tx, "requesters by contact", `SELECT `+requesterColumns+` FROM requesters`+q.whereSQL()+` ORDER BY id`,
		func(row rowScanner) (*haven.Requester, error) {
			r, k, err := tx.scanRequester(row)
			keys = append(keys, k)
			return r, err
		}, q.args...)
	if err != nil {
		return nil, err
	}
	for i, r := range out {
		if err := tx.loadContacts(ctx, r, keys[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ContactPGPKeys lists the PGP keys on the live records holding contact c.
func (tx *Tx) ContactPGPKeys(ctx context.Context, c haven.Contact) ([]string, error) {
	found, err := queryAll(ctx, tx, "contact keys", `SELECT `+requesterColumns+` FROM requesters
		WHERE merged_into IS NULL AND erased_at IS NULL AND pgp_key <> ''
		AND id IN (SELECT requester_id FROM requester_contacts WHERE kind = $1 AND normalized = $2) ORDER BY id`,
		func(row rowScanner) (*haven.Requester, error) {
			r, _, err := tx.scanRequester(row)
			return r, err
		}, c.Kind, tx.blind(c))
	keys := make([]string, 0, len(found))
	for _, r := range found {
		keys = append(keys, r.PGPKey)
	}
	return keys, err
}

// UpdateRequester writes r (under a new data key) and replaces its contacts.
func (tx *Tx) UpdateRequester(ctx context.Context, r *haven.Requester) error {
	enc, k, err := tx.sealedRequester(r)
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, "update requester", `UPDATE requesters SET name = $1, pseudonym = $2, pgp_key = $3,
		languages = $4, organisation_id = $5, vetting = $6, vouched_by = $7, risk_notes = $8,
		merged_into = $9, updated_at = $10, data_key = $11, encrypted_only = $13 WHERE id = $12`,
		enc.Name, enc.Pseudonym, enc.PGPKey, toJSON(r.Languages), nullID(r.OrganisationID), r.Vetting,
		enc.VouchedBy, enc.RiskNotes, nullID(r.MergedInto), micros(r.UpdatedAt), []byte(k.sealed), r.ID, r.EncryptedOnly)
	if err != nil {
		return err
	}
	if err := expectOne(res, "requester"); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "clear contacts", `DELETE FROM requester_contacts WHERE requester_id = $1`, r.ID); err != nil {
		return err
	}
	return tx.insertContacts(ctx, r.ID, k, r.Contacts)
}

// FindRequesters lists live (not merged) requesters by id, newest first. Names are encrypted, so
// a name filter is applied after decryption, reading on until the page is full.
func (tx *Tx) FindRequesters(ctx context.Context, f haven.RequesterFilter) (*haven.RequesterPage, error) {
	q := &queryBuilder{}
	q.add("merged_into IS NULL AND erased_at IS NULL")
	q.add(requesterVisibility(q, f.Viewer, "requesters"))
	if f.Contact != "" {
		var blinds []string
		for _, kind := range haven.ContactKinds() {
			blinds = append(blinds, q.arg(tx.blind(haven.Contact{Kind: kind, Value: f.Contact})))
		}
		q.add("id IN (SELECT requester_id FROM requester_contacts WHERE normalized IN (" + strings.Join(blinds, ", ") + "))")
	}
	if f.Cursor != "" {
		k, err := decodeCursor(f.Cursor, "requesters", 1)
		if err != nil {
			return nil, err
		}
		q.add("id < " + q.arg(k[0]))
	}
	query := `SELECT ` + requesterColumns + ` FROM requesters` + q.whereSQL() + ` ORDER BY id DESC`
	if f.Name == "" {
		query += ` LIMIT ` + q.arg(f.Limit+1)
	}
	page, err := tx.collectRequesters(ctx, query, q.args, f)
	if err != nil {
		return nil, err
	}
	for _, r := range page.Items {
		if err := tx.loadContacts(ctx, r.Requester, r.key); err != nil {
			return nil, err
		}
	}
	return page.RequesterPage, nil
}

type requesterWithKey struct {
	*haven.Requester
	key *recordKey
}

type requesterPage struct {
	*haven.RequesterPage
	Items []requesterWithKey
}

// collectRequesters reads rows until a page of requesters matching f.Name is full.
func (tx *Tx) collectRequesters(ctx context.Context, query string, args []any, f haven.RequesterFilter) (*requesterPage, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, mapError("find requesters", err)
	}
	defer rows.Close()
	page := &requesterPage{RequesterPage: &haven.RequesterPage{Items: []*haven.Requester{}}}
	name := strings.ToLower(f.Name)
	for rows.Next() {
		r, k, err := tx.scanRequester(rows)
		if err != nil {
			return nil, mapError("scan requester", err)
		}
		if name != "" && !strings.Contains(strings.ToLower(r.Name), name) && !strings.Contains(strings.ToLower(r.Pseudonym), name) {
			continue
		}
		if len(page.Items) == f.Limit {
			page.Next = encodeCursor("requesters", page.Items[len(page.Items)-1].ID)
			break
		}
		page.Items = append(page.Items, requesterWithKey{r, k})
		page.RequesterPage.Items = append(page.RequesterPage.Items, r)
	}
	return page, mapError("find requesters", rows.Err())
}

// MoveRequesterCases re-links every case of from to into.
func (tx *Tx) MoveRequesterCases(ctx context.Context, from, into int64) ([]int64, error) {
	ids, err := tx.RequesterCaseIDs(ctx, from)
	if err != nil {
		return nil, err
	}
	clear(tx.written) // the cases' rows change here (case.go, noteWritten)
	if _, err := tx.exec(ctx, "move cases", `UPDATE cases SET requester_id = $1, version = version + 1 WHERE requester_id = $2`, into, from); err != nil {
		return nil, err
	}
	return ids, nil
}

// InsertOrganisation stores o.
func (tx *Tx) InsertOrganisation(ctx context.Context, o *haven.Organisation) error {
	id, err := tx.insertID(ctx, "insert organisation", `INSERT INTO organisations (name, country, kind)
		VALUES ($1, $2, $3) RETURNING id`, o.Name, o.Country, o.Kind)
	o.ID = id
	return err
}

// Organisations lists every organisation by name.
func (tx *Tx) Organisations(ctx context.Context) ([]*haven.Organisation, error) {
	return queryAll(ctx, tx, "organisations", `SELECT id, name, country, kind FROM organisations ORDER BY name, id`,
		func(row rowScanner) (*haven.Organisation, error) {
			var o haven.Organisation
			return &o, row.Scan(&o.ID, &o.Name, &o.Country, &o.Kind)
		})
}

// queryAll runs a query and scans every row with scan.
func queryAll[T any](ctx context.Context, tx *Tx, op, query string, scan func(rowScanner) (T, error), args ...any) ([]T, error) {
	rows, err := tx.query(ctx, query, args...)
	return scanAll(rows, err, op, scan)
}

// scanAll reads every row of a query's result.
func scanAll[T any](rows *sql.Rows, err error, op string, scan func(rowScanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, mapError(op, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, mapError(op, err)
		}
		out = append(out, v)
	}
	return out, mapError(op, rows.Err())
}
