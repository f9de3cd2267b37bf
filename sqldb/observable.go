package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
)

const observableColumns = `SELECT o.id, o.type, o.value, o.unicode, o.flags, o.verdict, o.tlp, o.pap, o.confidence,
	o.comment, o.techniques, o.source, o.known_bad, o.first_seen, o.last_seen, o.updated_at, o.data_key FROM observables o`

// observableFields names an observable's sealed columns by their AAD.
func observableFields(o *haven.Observable) map[string]*string {
	return map[string]*string{"observable:value": &o.Value, "observable:unicode": &o.Unicode, "observable:comment": &o.Comment}
}

// observableBlind is the keyed hash an observable is found and correlated by.
func (tx *Tx) observableBlind(typ, value string) string {
	return tx.keys.index.Blind("observable:"+typ, value)
}

func (tx *Tx) scanObservable(row rowScanner) (*haven.Observable, error) {
	var o haven.Observable
	var flags, techniques string
	var first, last sql.NullInt64
	var updated int64
	var sealed []byte
	err := row.Scan(&o.ID, &o.Type, &o.Value, &o.Unicode, &flags, &o.Verdict, &o.TLP, &o.PAP, &o.Confidence,
		&o.Comment, &techniques, &o.Source, &o.KnownBad, &first, &last, &updated, &sealed)
	if err != nil {
		return nil, err
	}
	o.Flags, o.Techniques = splitCodes(flags), splitCodes(techniques)
	o.FirstSeen, o.LastSeen, o.UpdatedAt = timePtr(first), timePtr(last), fromMicros(updated)
	k, err := tx.openRecordKey(sealed)
	if err != nil {
		return nil, err
	}
	return &o, k.openAll(observableFields(&o))
}

// splitCodes reads a comma-separated list of codes (flags, technique ids); never nil.
func splitCodes(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// sealedObservable returns o's sealed columns under a new data key.
func (tx *Tx) sealedObservable(o *haven.Observable) (*haven.Observable, *recordKey, error) {
	k, err := tx.newRecordKey()
	if err != nil {
		return nil, nil, err
	}
	enc := *o
	return &enc, k, k.sealAll(observableFields(&enc))
}

// maxSightRows bounds the rows of one multi-row statement (11 parameters each, far below either
// database's limit).
const maxSightRows = 128

// sightChunks splits n rows into statements of 128, 64, … 1 rows: the statement texts stay few,
// so the statement cache keeps them prepared (SQLite parses an uncached one every time).
func sightChunks(n int) []int {
	var out []int
	for n > 0 {
		size := maxSightRows
		for size > n {
			size /= 2
		}
		out = append(out, size)
		n -= size
	}
	return out
}

// SightObservables records the values found in one message, note or file of a case in a few
// multi-row statements: one statement per value would hold SQLite's single writer several times
// as long.
func (tx *Tx) SightObservables(ctx context.Context, caseID int64, src haven.SightingSource, found []haven.Found, at time.Time) ([]*haven.Observable, error) {
	var distinct []haven.Found
	seen := map[string]bool{}
	for _, f := range found {
		if k := f.Type + "\x00" + f.Value; !seen[k] {
			seen[k] = true
			distinct = append(distinct, f)
		}
	}
	ids, known := map[string]int64{}, map[int64]bool{}
	rest := distinct
	for _, size := range sightChunks(len(distinct)) {
		if err := tx.upsertObservables(ctx, rest[:size], at, ids, known); err != nil {
			return nil, err
		}
		if err := tx.linkCase(ctx, caseID, rest[:size], ids, at); err != nil {
			return nil, err
		}
		rest = rest[size:]
	}
	rest = found
	for _, size := range sightChunks(len(found)) {
		if err := tx.insertSightings(ctx, caseID, src, rest[:size], ids, at); err != nil {
			return nil, err
		}
		rest = rest[size:]
	}
	var bad []*haven.Observable
	for _, f := range distinct {
		if id := ids[f.Type+"\x00"+f.Value]; known[id] {
			bad = append(bad, &haven.Observable{ID: id, Type: f.Type, Value: f.Value, KnownBad: true})
		}
	}
	return bad, nil
}

// upsertObservables finds or creates the observables of distinct values and widens their first
// and last seen to include at; a value seen before keeps its stored (sealed) value. It fills in
// the ids by type and value, and which are known-bad.
func (tx *Tx) upsertObservables(ctx context.Context, found []haven.Found, at time.Time, ids map[string]int64, known map[int64]bool) error {
	keyOf := map[string]string{} // blind → type and value
	q := &queryBuilder{}
	rows := make([]string, 0, len(found))
	for _, f := range found {
		blind := tx.observableBlind(f.Type, f.Value)
		keyOf[blind] = f.Type + "\x00" + f.Value
		row, err := tx.observableRow(q, f, blind, at)
		if err != nil {
			return err
		}
		rows = append(rows, row)
	}
	rs, err := tx.query(ctx, `INSERT INTO observables (type, blind, value, unicode, flags, tlp, pap, updated_at, first_seen,
		last_seen, data_key) VALUES `+strings.Join(rows, ", ")+`
		ON CONFLICT (blind) DO UPDATE SET
			first_seen = CASE WHEN observables.first_seen IS NULL OR observables.first_seen > excluded.first_seen
				THEN excluded.first_seen ELSE observables.first_seen END,
			last_seen = CASE WHEN observables.last_seen IS NULL OR observables.last_seen < excluded.last_seen
				THEN excluded.last_seen ELSE observables.last_seen END
		RETURNING id, known_bad, blind`, q.args...)
	if err != nil {
		return mapError("upsert observables", err)
	}
	defer rs.Close()
	for rs.Next() {
		var id int64
		var bad bool
		var blind string
		if err := rs.Scan(&id, &bad, &blind); err != nil {
			return mapError("upsert observables", err)
		}
		ids[keyOf[blind]], known[id] = id, bad
	}
	return mapError("upsert observables", rs.Err())
}

// observableRow adds one value's columns to q, its value sealed under a new data key.
func (tx *Tx) observableRow(q *queryBuilder, f haven.Found, blind string, at time.Time) (string, error) {
	enc, k, err := tx.sealedObservable(&haven.Observable{Value: f.Value, Unicode: f.Unicode})
	if err != nil {
		return "", err
	}
	return "(" + strings.Join([]string{q.arg(f.Type), q.arg(blind), q.arg(enc.Value), q.arg(enc.Unicode),
		q.arg(strings.Join(f.Flags, ",")), q.arg("amber"), q.arg("amber"), q.arg(micros(at)), q.arg(micros(at)),
		q.arg(micros(at)), q.arg([]byte(k.sealed))}, ", ") + ")", nil
}

// linkCase links distinct observables to the case, widening the pair's last seen.
func (tx *Tx) linkCase(ctx context.Context, caseID int64, found []haven.Found, ids map[string]int64, at time.Time) error {
	q := &queryBuilder{}
	rows := make([]string, 0, len(found))
	for _, f := range found {
		rows = append(rows, "("+q.arg(ids[f.Type+"\x00"+f.Value])+", "+q.arg(caseID)+", "+q.arg(micros(at))+", "+q.arg(micros(at))+")")
	}
	return tx.execLater(ctx, "observable_cases", "observable cases", `INSERT INTO observable_cases (observable_id, case_id, first_seen, last_seen)
		VALUES `+strings.Join(rows, ", ")+` ON CONFLICT (observable_id, case_id) DO UPDATE SET
			last_seen = CASE WHEN observable_cases.last_seen < excluded.last_seen THEN excluded.last_seen ELSE observable_cases.last_seen END`,
		q.args...)
}

// insertSightings records each sighting once per source and role.
func (tx *Tx) insertSightings(ctx context.Context, caseID int64, src haven.SightingSource, found []haven.Found, ids map[string]int64, at time.Time) error {
	q := &queryBuilder{}
	rows := make([]string, 0, len(found))
	for _, f := range found {
		rows = append(rows, "("+strings.Join([]string{q.arg(ids[f.Type+"\x00"+f.Value]), q.arg(caseID), q.arg(src.Kind),
			q.arg(src.ID), q.arg(f.Role), q.arg(micros(at))}, ", ")+")")
	}
	return tx.execLater(ctx, "observable_sightings", "observable sightings", `INSERT INTO observable_sightings (observable_id, case_id, source, source_id, role, seen_at)
		VALUES `+strings.Join(rows, ", ")+` ON CONFLICT (observable_id, source, source_id, role) DO NOTHING`, q.args...)
}

// ObservableByID reads one observable.
func (tx *Tx) ObservableByID(ctx context.Context, id int64) (*haven.Observable, error) {
	o, err := tx.scanObservable(tx.queryRow(ctx, observableColumns+` WHERE o.id = $1`, id))
	return o, notFound(err, fmt.Sprintf("observable %d", id))
}

// observableByValue finds an observable by its blind index.
func (tx *Tx) observableByValue(ctx context.Context, typ, value string) (*haven.Observable, error) {
	o, err := tx.scanObservable(tx.queryRow(ctx, observableColumns+` WHERE o.blind = $1`, tx.observableBlind(typ, value)))
	return o, notFound(err, "observable")
}

// ObservableIDByValue finds an observable's id by its blind index.
func (tx *Tx) ObservableIDByValue(ctx context.Context, typ, value string) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `SELECT id FROM observables WHERE blind = $1`, tx.observableBlind(typ, value)).Scan(&id)
	return id, notFound(err, "observable")
}

// UpdateObservable writes a handler's (or a feed's) judgement.
func (tx *Tx) UpdateObservable(ctx context.Context, o *haven.Observable) error {
	enc, k, err := tx.sealedObservable(o)
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, "update observable", `UPDATE observables SET value = $2, unicode = $3, comment = $4, verdict = $5,
		tlp = $6, pap = $7, confidence = $8, techniques = $9, source = $10, known_bad = $11, updated_at = $12, data_key = $13
		WHERE id = $1`, o.ID, enc.Value, enc.Unicode, enc.Comment, o.Verdict, string(o.TLP), o.PAP, o.Confidence,
		strings.Join(o.Techniques, ","), o.Source, o.KnownBad, micros(o.UpdatedAt), []byte(k.sealed))
	if err != nil {
		return err
	}
	return expectOne(res, fmt.Sprintf("observable %d", o.ID))
}

// ImportObservable creates a feed's indicator or, when the value is known, marks it from the feed.
func (tx *Tx) ImportObservable(ctx context.Context, o *haven.Observable) (bool, error) {
	old, err := tx.observableByValue(ctx, o.Type, o.Value)
	if haven.ErrorCode(err) == haven.ENOTFOUND {
		enc, k, err := tx.sealedObservable(o)
		if err != nil {
			return false, err
		}
		o.ID, err = tx.insertID(ctx, "import observable", `INSERT INTO observables (type, blind, value, unicode, flags,
			verdict, tlp, pap, confidence, comment, techniques, source, known_bad, updated_at, data_key)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
			o.Type, tx.observableBlind(o.Type, o.Value), enc.Value, enc.Unicode, strings.Join(o.Flags, ","), o.Verdict,
			string(o.TLP), o.PAP, o.Confidence, enc.Comment, strings.Join(o.Techniques, ","), o.Source, o.KnownBad,
			micros(o.UpdatedAt), []byte(k.sealed))
		return true, err
	}
	if err != nil {
		return false, err
	}
	o.ID, o.FirstSeen, o.LastSeen = old.ID, old.FirstSeen, old.LastSeen
	if old.Verdict != "" && o.Verdict == "" {
		o.Verdict = old.Verdict // a handler's judgement outlives a feed that has none
	}
	if o.Comment == "" {
		o.Comment = old.Comment
	}
	return false, tx.UpdateObservable(ctx, o)
}
