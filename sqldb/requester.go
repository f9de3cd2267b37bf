package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	"haven"
)

const requesterColumns = `id, name, pseudonym, pgp_key, languages, organisation_id, vetting,
	vouched_by, risk_notes, merged_into, created_at, updated_at`

func scanRequester(row rowScanner) (*haven.Requester, error) {
	var r haven.Requester
	var langs string
	var org, merged sql.NullInt64
	var created, updated int64
	if err := row.Scan(&r.ID, &r.Name, &r.Pseudonym, &r.PGPKey, &langs, &org, &r.Vetting,
		&r.VouchedBy, &r.RiskNotes, &merged, &created, &updated); err != nil {
		return nil, err
	}
	r.Languages = fromJSON[[]string](langs)
	r.OrganisationID, r.MergedInto = org.Int64, merged.Int64
	r.CreatedAt, r.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &r, nil
}

// InsertRequester stores r and its contacts; a contact already held by someone gives ECONFLICT.
func (tx *Tx) InsertRequester(ctx context.Context, r *haven.Requester) error {
	id, err := tx.insertID(ctx, "insert requester", `INSERT INTO requesters (name, pseudonym, pgp_key,
		languages, organisation_id, vetting, vouched_by, risk_notes, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		r.Name, r.Pseudonym, r.PGPKey, toJSON(r.Languages), nullID(r.OrganisationID), r.Vetting,
		r.VouchedBy, r.RiskNotes, micros(r.CreatedAt), micros(r.UpdatedAt))
	if err != nil {
		return err
	}
	r.ID = id
	return tx.insertContacts(ctx, r.ID, r.Contacts)
}

func (tx *Tx) insertContacts(ctx context.Context, requesterID int64, contacts []haven.Contact) error {
	for _, c := range contacts {
		_, err := tx.exec(ctx, "insert contact", `INSERT INTO requester_contacts (requester_id, kind, value, normalized)
			VALUES ($1, $2, $3, $4)`, requesterID, c.Kind, c.Value, c.NormalizedValue())
		if haven.ErrorCode(err) == haven.ECONFLICT {
			return &haven.Error{Code: haven.ECONFLICT, Message: fmt.Sprintf("another requester already has the %s contact %s", c.Kind, c.Value), Err: err}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) loadContacts(ctx context.Context, r *haven.Requester) error {
	rows, err := tx.query(ctx, `SELECT kind, value FROM requester_contacts WHERE requester_id = $1 ORDER BY id`, r.ID)
	if err != nil {
		return mapError("contacts", err)
	}
	defer rows.Close()
	r.Contacts = []haven.Contact{}
	for rows.Next() {
		var c haven.Contact
		if err := rows.Scan(&c.Kind, &c.Value); err != nil {
			return mapError("contacts", err)
		}
		r.Contacts = append(r.Contacts, c)
	}
	return mapError("contacts", rows.Err())
}

// RequesterByID reads one requester with contacts.
func (tx *Tx) RequesterByID(ctx context.Context, id int64) (*haven.Requester, error) {
	r, err := scanRequester(tx.queryRow(ctx, `SELECT `+requesterColumns+` FROM requesters WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("requester %d", id))
	}
	return r, tx.loadContacts(ctx, r)
}

// RequesterByContact finds who holds a contact (email, phone…), following merges.
func (tx *Tx) RequesterByContact(ctx context.Context, c haven.Contact) (*haven.Requester, error) {
	var id int64
	err := tx.queryRow(ctx, `SELECT requester_id FROM requester_contacts WHERE kind = $1 AND normalized = $2`,
		c.Kind, c.NormalizedValue()).Scan(&id)
	if err != nil {
		return nil, notFound(err, "requester with "+c.Kind+" "+c.Value)
	}
	return tx.RequesterByID(ctx, id)
}

// UpdateRequester writes r and replaces its contacts.
func (tx *Tx) UpdateRequester(ctx context.Context, r *haven.Requester) error {
	res, err := tx.exec(ctx, "update requester", `UPDATE requesters SET name = $1, pseudonym = $2, pgp_key = $3,
		languages = $4, organisation_id = $5, vetting = $6, vouched_by = $7, risk_notes = $8,
		merged_into = $9, updated_at = $10 WHERE id = $11`,
		r.Name, r.Pseudonym, r.PGPKey, toJSON(r.Languages), nullID(r.OrganisationID), r.Vetting,
		r.VouchedBy, r.RiskNotes, nullID(r.MergedInto), micros(r.UpdatedAt), r.ID)
	if err != nil {
		return err
	}
	if err := expectOne(res, "requester"); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "clear contacts", `DELETE FROM requester_contacts WHERE requester_id = $1`, r.ID); err != nil {
		return err
	}
	return tx.insertContacts(ctx, r.ID, r.Contacts)
}

// FindRequesters lists live (not merged) requesters by id, newest first.
func (tx *Tx) FindRequesters(ctx context.Context, f haven.RequesterFilter) (*haven.RequesterPage, error) {
	q := &queryBuilder{}
	q.add("merged_into IS NULL")
	if f.Contact != "" {
		q.add("id IN (SELECT requester_id FROM requester_contacts WHERE normalized = " +
			q.arg(haven.Contact{Kind: "email", Value: f.Contact}.NormalizedValue()) + ")")
	}
	if f.Name != "" {
		p := q.arg("%" + f.Name + "%")
		q.add("(LOWER(name) LIKE LOWER(" + p + ") OR LOWER(pseudonym) LIKE LOWER(" + p + "))")
	}
	if f.Cursor != "" {
		k, err := decodeCursor(f.Cursor, "requesters", 1)
		if err != nil {
			return nil, err
		}
		q.add("id < " + q.arg(k[0]))
	}
	rows, err := tx.query(ctx, `SELECT `+requesterColumns+` FROM requesters`+q.whereSQL()+
		` ORDER BY id DESC LIMIT `+q.arg(f.Limit+1), q.args...)
	if err != nil {
		return nil, mapError("find requesters", err)
	}
	page := &haven.RequesterPage{Items: []*haven.Requester{}}
	for rows.Next() {
		r, err := scanRequester(rows)
		if err != nil {
			rows.Close()
			return nil, mapError("scan requester", err)
		}
		if len(page.Items) == f.Limit {
			page.Next = encodeCursor("requesters", page.Items[len(page.Items)-1].ID)
			break
		}
		page.Items = append(page.Items, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapError("find requesters", err)
	}
	for _, r := range page.Items {
		if err := tx.loadContacts(ctx, r); err != nil {
			return nil, err
		}
	}
	return page, nil
}

// MoveRequesterCases re-links every case of from to into.
func (tx *Tx) MoveRequesterCases(ctx context.Context, from, into int64) ([]int64, error) {
	rows, err := tx.query(ctx, `SELECT id FROM cases WHERE requester_id = $1 ORDER BY id`, from)
	if err != nil {
		return nil, mapError("requester cases", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, mapError("requester cases", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
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
