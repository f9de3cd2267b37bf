package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"haven"
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

// upsertObservable finds or creates the observable of a value and widens its first and last
// seen to include at. On a value seen before, the stored (sealed) value is kept.
func (tx *Tx) upsertObservable(ctx context.Context, o *haven.Observable, at time.Time) (int64, bool, error) {
	enc, k, err := tx.sealedObservable(o)
	if err != nil {
		return 0, false, err
	}
	var id int64
	var knownBad bool
	err = tx.queryRow(ctx, `INSERT INTO observables (type, blind, value, unicode, flags, verdict, tlp, pap, confidence,
		comment, techniques, source, known_bad, first_seen, last_seen, updated_at, data_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15, $16)
		ON CONFLICT (blind) DO UPDATE SET
			first_seen = CASE WHEN observables.first_seen IS NULL OR observables.first_seen > excluded.first_seen
				THEN excluded.first_seen ELSE observables.first_seen END,
			last_seen = CASE WHEN observables.last_seen IS NULL OR observables.last_seen < excluded.last_seen
				THEN excluded.last_seen ELSE observables.last_seen END
		RETURNING id, known_bad`,
		o.Type, tx.observableBlind(o.Type, o.Value), enc.Value, enc.Unicode, strings.Join(o.Flags, ","), o.Verdict,
		string(o.TLP), o.PAP, o.Confidence, enc.Comment, strings.Join(o.Techniques, ","), o.Source, o.KnownBad,
		nullMicros(&at), micros(at), []byte(k.sealed)).Scan(&id, &knownBad)
	return id, knownBad, mapError("upsert observable", err)
}

// SightObservables records the values found in one message, note or file of a case.
func (tx *Tx) SightObservables(ctx context.Context, caseID int64, src haven.SightingSource, found []haven.Found, at time.Time) ([]*haven.Observable, error) {
	var bad []*haven.Observable
	for _, f := range found {
		o := &haven.Observable{Type: f.Type, Value: f.Value, Unicode: f.Unicode, Flags: f.Flags, TLP: "amber", PAP: "amber"}
		id, knownBad, err := tx.upsertObservable(ctx, o, at)
		if err != nil {
			return nil, err
		}
		if err := tx.sight(ctx, id, caseID, src, f.Role, at); err != nil {
			return nil, err
		}
		if knownBad {
			o.ID, o.KnownBad = id, true
			bad = append(bad, o)
		}
	}
	return bad, nil
}

// sight links an observable to a case and records the sighting, once per source and role.
func (tx *Tx) sight(ctx context.Context, id, caseID int64, src haven.SightingSource, role string, at time.Time) error {
	if _, err := tx.exec(ctx, "observable case", `INSERT INTO observable_cases (observable_id, case_id, first_seen, last_seen)
		VALUES ($1, $2, $3, $3) ON CONFLICT (observable_id, case_id) DO UPDATE SET
			last_seen = CASE WHEN observable_cases.last_seen < excluded.last_seen THEN excluded.last_seen ELSE observable_cases.last_seen END`,
		id, caseID, micros(at)); err != nil {
		return err
	}
	_, err := tx.exec(ctx, "observable sighting", `INSERT INTO observable_sightings (observable_id, case_id, source, source_id, role, seen_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (observable_id, source, source_id, role) DO NOTHING`,
		id, caseID, src.Kind, src.ID, role, micros(at))
	return err
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
