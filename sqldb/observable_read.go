package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/haven-helpline/haven"
)

// observableVisibility is the condition under which v may see observable o: taken in from a
// partner's feed (not case data), or sighted in at least one case v may see. An observable known
// only from restricted cases stays as hidden as those cases.
func observableVisibility(q *queryBuilder, v haven.Viewer) string {
	return `(o.source <> '' OR EXISTS (SELECT 1 FROM observable_cases oc JOIN cases c ON c.id = oc.case_id
		WHERE oc.observable_id = o.id AND ` + visibility(q, v) + `))`
}

// ObservableVisible reports whether v may see the observable.
func (tx *Tx) ObservableVisible(ctx context.Context, id int64, v haven.Viewer) (bool, error) {
	q := &queryBuilder{}
	query := `SELECT 1 FROM observables o WHERE o.id = ` + q.arg(id) + ` AND ` + observableVisibility(q, v)
	var one int
	err := tx.queryRow(ctx, query, q.args...).Scan(&one)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return err == nil, mapError("observable visibility", err)
}

// CaseObservables lists what a case sighted, known-bad first, then the most recently seen.
func (tx *Tx) CaseObservables(ctx context.Context, caseID int64) ([]*haven.CaseObservable, error) {
	list, err := queryAll(ctx, tx, "case observables", `SELECT o.id, o.type, o.value, o.unicode, o.flags, o.verdict, o.tlp,
		o.pap, o.confidence, o.comment, o.techniques, o.source, o.known_bad, o.first_seen, o.last_seen, o.updated_at,
		o.data_key, oc.first_seen, oc.last_seen FROM observable_cases oc JOIN observables o ON o.id = oc.observable_id
		WHERE oc.case_id = $1 ORDER BY o.known_bad DESC, oc.last_seen DESC, o.id`, tx.scanCaseObservable, caseID)
	if err != nil || len(list) == 0 {
		return list, err
	}
	return list, tx.caseObservableRoles(ctx, caseID, list)
}

func (tx *Tx) scanCaseObservable(row rowScanner) (*haven.CaseObservable, error) {
	var co haven.CaseObservable
	var first, last int64
	o, err := tx.scanObservable(scanTail{row, []any{&first, &last}})
	if err != nil {
		return nil, err
	}
	co.Observable, co.SeenFirst, co.SeenLast, co.Roles = *o, fromMicros(first), fromMicros(last), []string{}
	return &co, nil
}

// scanTail scans a row whose leading columns another scanner reads, and its extra columns into tail.
type scanTail struct {
	row  rowScanner
	tail []any
}

func (s scanTail) Scan(dest ...any) error { return s.row.Scan(append(dest, s.tail...)...) }

// caseObservableRoles fills in where in the case each observable was seen.
func (tx *Tx) caseObservableRoles(ctx context.Context, caseID int64, list []*haven.CaseObservable) error {
	byID := map[int64]*haven.CaseObservable{}
	for _, co := range list {
		byID[co.ID] = co
	}
	type pair struct {
		id   int64
		role string
		file sql.NullInt64
	}
	pairs, err := queryAll(ctx, tx, "observable roles", `SELECT observable_id, role,
		MIN(CASE WHEN source = 'attachment' THEN source_id END) FROM observable_sightings
		WHERE case_id = $1 GROUP BY observable_id, role`, func(row rowScanner) (pair, error) {
		var p pair
		return p, row.Scan(&p.id, &p.role, &p.file)
	}, caseID)
	for _, p := range pairs {
		co := byID[p.id]
		if co == nil {
			continue
		}
		if !slices.Contains(co.Roles, p.role) {
			co.Roles = append(co.Roles, p.role)
		}
		if p.file.Valid && co.File == "" {
			co.File = fmt.Sprintf("attachment-%d", p.file.Int64)
		}
	}
	for _, co := range list {
		slices.Sort(co.Roles)
	}
	return err
}

// AlsoSeen lists other cases v may see that sighted the observable, latest first. It walks the
// observable's cases from the newest and stops at limit, so its cost follows the page, not the
// number of sightings.
func (tx *Tx) AlsoSeen(ctx context.Context, observableID, exceptCase int64, v haven.Viewer, limit int) ([]haven.CaseRef, error) {
	q := &queryBuilder{}
	query := `SELECT c.number, oc.last_seen FROM observable_cases oc JOIN cases c ON c.id = oc.case_id
		WHERE oc.observable_id = ` + q.arg(observableID) + ` AND oc.case_id <> ` + q.arg(exceptCase) + ` AND ` + visibility(q, v) + `
		ORDER BY oc.last_seen DESC, oc.case_id DESC LIMIT ` + q.arg(limit)
	return queryAll(ctx, tx, "also seen", query, func(row rowScanner) (haven.CaseRef, error) {
		var r haven.CaseRef
		var at int64
		err := row.Scan(&r.Number, &at)
		r.LastSeen = fromMicros(at)
		return r, err
	}, q.args...)
}

// CaseCorrelations runs AlsoSeen for each observable the case sighted. PostgreSQL does them in
// one statement (a lateral join, each side an index walk that stops at limit): there a round
// trip costs more than the walk. SQLite runs in the process, where separate statements are as
// cheap and need no lateral join.
func (tx *Tx) CaseCorrelations(ctx context.Context, caseID int64, v haven.Viewer, limit int) (map[int64][]haven.CaseRef, error) {
	out := map[int64][]haven.CaseRef{}
	if tx.dialect == Postgres {
		return out, tx.caseCorrelationsLateral(ctx, caseID, v, limit, out)
	}
	ids, err := tx.CaseObservableIDs(ctx, caseID)
	for _, id := range ids {
		if out[id], err = tx.AlsoSeen(ctx, id, caseID, v, limit); err != nil {
			return nil, err
		}
	}
	return out, err
}

func (tx *Tx) caseCorrelationsLateral(ctx context.Context, caseID int64, v haven.Viewer, limit int, out map[int64][]haven.CaseRef) error {
	q := &queryBuilder{}
	id := q.arg(caseID)
	query := `SELECT mine.observable_id, r.number, r.last_seen FROM observable_cases mine
		CROSS JOIN LATERAL (SELECT c.number, oc.last_seen FROM observable_cases oc JOIN cases c ON c.id = oc.case_id
			WHERE oc.observable_id = mine.observable_id AND oc.case_id <> ` + id + ` AND ` + visibility(q, v) + `
			ORDER BY oc.last_seen DESC, oc.case_id DESC LIMIT ` + q.arg(limit) + `) r
		WHERE mine.case_id = ` + id + ` ORDER BY mine.observable_id, r.last_seen DESC`
	type row struct {
		id  int64
		ref haven.CaseRef
	}
	rows, err := queryAll(ctx, tx, "case correlations", query, func(s rowScanner) (row, error) {
		var r row
		var at int64
		err := s.Scan(&r.id, &r.ref.Number, &at)
		r.ref.LastSeen = fromMicros(at)
		return r, err
	}, q.args...)
	for _, r := range rows {
		out[r.id] = append(out[r.id], r.ref)
	}
	return err
}

// Sightings lists an observable's sightings in cases v may see, newest first.
func (tx *Tx) Sightings(ctx context.Context, observableID int64, v haven.Viewer, before int64, limit int) ([]*haven.Sighting, error) {
	q := &queryBuilder{}
	q.add("s.observable_id = " + q.arg(observableID))
	q.add(visibility(q, v))
	if before > 0 {
		q.add("s.id < " + q.arg(before))
	}
	query := `SELECT s.id, s.observable_id, s.case_id, c.number, s.source, s.source_id, s.role, s.seen_at
		FROM observable_sightings s JOIN cases c ON c.id = s.case_id` + q.whereSQL() + ` ORDER BY s.id DESC LIMIT ` + q.arg(limit)
	return queryAll(ctx, tx, "sightings", query, func(row rowScanner) (*haven.Sighting, error) {
		var s haven.Sighting
		var at int64
		err := row.Scan(&s.ID, &s.ObservableID, &s.CaseID, &s.CaseNumber, &s.Source, &s.SourceID, &s.Role, &at)
		s.SeenAt = fromMicros(at)
		return &s, err
	}, q.args...)
}

// CasesSighting lists the cases that sighted an observable, for flagging them (never shown).
func (tx *Tx) CasesSighting(ctx context.Context, observableID int64) ([]int64, error) {
	return queryAll(ctx, tx, "cases sighting", `SELECT case_id FROM observable_cases WHERE observable_id = $1 ORDER BY case_id`,
		scanInt64, observableID)
}

// eraseCaseObservables forgets what a case sighted, and the observables no other case and no
// feed knows: their values are personal data of the erased case.
func (tx *Tx) eraseCaseObservables(ctx context.Context, caseID int64) (int, error) {
	ids, err := tx.CaseObservableIDs(ctx, caseID)
	if err != nil {
		return 0, err
	}
	n, err := tx.count(ctx, "erase sightings", `DELETE FROM observable_sightings WHERE case_id = $1`, caseID)
	if err != nil {
		return 0, err
	}
	if _, err := tx.exec(ctx, "erase observable cases", `DELETE FROM observable_cases WHERE case_id = $1`, caseID); err != nil {
		return 0, err
	}
	for _, id := range ids {
		if _, err := tx.exec(ctx, "erase orphan observable", `DELETE FROM observables WHERE id = $1 AND source = ''
			AND NOT EXISTS (SELECT 1 FROM observable_cases WHERE observable_id = $1)`, id); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// CaseObservableIDs lists the observables a case sighted.
func (tx *Tx) CaseObservableIDs(ctx context.Context, caseID int64) ([]int64, error) {
	return queryAll(ctx, tx, "case observable ids", `SELECT observable_id FROM observable_cases WHERE case_id = $1`, scanInt64, caseID)
}
