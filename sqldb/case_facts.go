package sqldb

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
)

// factsBatch is how many cases one INSERT writes (17 parameters each).
const factsBatch = 100

// PutDayCaseFacts replaces the stored facts of the cases created on day: the roll-up job
// calls it with the day's facts as DayFacts read them (with those closed that day, skipped).
// Only the rows that changed are written (a busy day's job, every minute, mostly finds its
// facts as they were: the write lock is held the shorter).
func (tx *Tx) PutDayCaseFacts(ctx context.Context, day time.Time, facts []*haven.CaseFact) error {
	from, to := micros(day), micros(day.AddDate(0, 0, 1))
	old, err := tx.dayFactRows(ctx, from, to)
	if err != nil {
		return err
	}
	var changed []*haven.CaseFact
	var stale []int64
	for _, f := range facts {
		if at := micros(f.CreatedAt); at < from || at >= to {
			continue
		}
		row, had := old[f.ID]
		delete(old, f.ID)
		if had && row == factRowOf(f) {
			continue
		}
		if had {
			stale = append(stale, f.ID)
		}
		changed = append(changed, f)
	}
	for id := range old { // no longer a case of that day
		stale = append(stale, id)
	}
	if err := tx.deleteCaseFacts(ctx, stale); err != nil {
		return err
	}
	for len(changed) > 0 {
		n := min(factsBatch, len(changed))
		if err := tx.insertCaseFacts(ctx, changed[:n]); err != nil {
			return err
		}
		changed = changed[n:]
	}
	return nil
}

// factRow is a stored fact as compared: the columns of case_facts.
type factRow struct {
	created, closed, first, team, assignee  int64
	rank                                    int
	country, language, channel, outcome     string
	categories, platforms, slaFirst, slaRes string
	consent, restricted                     bool
}

func factRowOf(f *haven.CaseFact) factRow {
	return factRow{created: micros(f.CreatedAt), closed: closedKey(f.ClosedAt), first: microsOrZero(f.FirstResponseAt),
		team: f.TeamID, assignee: f.AssigneeID, rank: f.Priority.Rank(), country: f.Country, language: f.Language,
		channel: f.Channel, outcome: string(f.Outcome), categories: toJSON(f.Categories), platforms: strings.Join(f.Platforms, ","),
		slaFirst: f.SLAFirstResponse, slaRes: f.SLAResolution, consent: f.Consented, restricted: f.Restricted}
}

// dayFactRows reads the stored facts of the cases created in [from, to), by case.
func (tx *Tx) dayFactRows(ctx context.Context, from, to int64) (map[int64]factRow, error) {
	rows, err := tx.query(ctx, `SELECT case_id, created_at, closed_key, first_response_at, COALESCE(team_id, 0),
		COALESCE(assignee_id, 0), priority_rank, country, language, channel, outcome, categories, platforms, sla_first,
		sla_resolution, consent, restricted FROM case_facts WHERE created_at >= $1 AND created_at < $2`, from, to)
	if err != nil {
		return nil, mapError("day facts", err)
	}
	defer rows.Close()
	out := map[int64]factRow{}
	for rows.Next() {
		var id int64
		var r factRow
		if err := rows.Scan(&id, &r.created, &r.closed, &r.first, &r.team, &r.assignee, &r.rank, &r.country, &r.language,
			&r.channel, &r.outcome, &r.categories, &r.platforms, &r.slaFirst, &r.slaRes, &r.consent, &r.restricted); err != nil {
			return nil, mapError("day facts", err)
		}
		out[id] = r
	}
	return out, mapError("day facts", rows.Err())
}

// deleteCaseFacts removes cases' facts and their categories, a batch of ids per statement.
func (tx *Tx) deleteCaseFacts(ctx context.Context, ids []int64) error {
	for len(ids) > 0 {
		n := min(500, len(ids))
		q := &queryBuilder{}
		marks := make([]string, n)
		for i, id := range ids[:n] {
			marks[i] = q.arg(id)
		}
		in := " WHERE case_id IN (" + strings.Join(marks, ", ") + ")"
		if _, err := tx.exec(ctx, "clear fact categories", "DELETE FROM case_fact_categories"+in, q.args...); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "clear case facts", "DELETE FROM case_facts"+in, q.args...); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// factColumnList are the columns of a stored fact, in case_facts and case_fact_categories.
const factColumnList = `case_id, created_at, closed_key, first_response_at, team_id, assignee_id, country, language,
	channel, priority_rank, outcome, categories, consent, platforms, sla_first, sla_resolution, restricted`

// insertCaseFacts writes a batch of facts, then the same once per category (with those above
// them), each in one statement.
func (tx *Tx) insertCaseFacts(ctx context.Context, facts []*haven.CaseFact) error {
	q, cq := &queryBuilder{}, &queryBuilder{}
	var rows, cats []string
	for _, f := range facts {
		rows = append(rows, "("+strings.Join(factValues(q, f), ", ")+")")
		for _, c := range withAncestors(f.Categories) {
			cats = append(cats, "("+cq.arg(c)+", "+strings.Join(factValues(cq, f), ", ")+")")
		}
	}
	if _, err := tx.exec(ctx, "put case facts", `INSERT INTO case_facts (`+factColumnList+`) VALUES `+strings.Join(rows, ", "),
		q.args...); err != nil {
		return err
	}
	if len(cats) == 0 {
		return nil
	}
	_, err := tx.exec(ctx, "put fact categories", `INSERT INTO case_fact_categories (category, `+factColumnList+`) VALUES `+
		strings.Join(cats, ", "), cq.args...)
	return err
}

// factValues are the placeholders of a fact's columns (factColumnList), its values added to q.
func factValues(q *queryBuilder, f *haven.CaseFact) []string {
	return []string{q.arg(f.ID), q.arg(micros(f.CreatedAt)), q.arg(closedKey(f.ClosedAt)), q.arg(microsOrZero(f.FirstResponseAt)),
		q.arg(nullID(f.TeamID)), q.arg(nullID(f.AssigneeID)), q.arg(f.Country), q.arg(f.Language), q.arg(f.Channel),
		q.arg(f.Priority.Rank()), q.arg(string(f.Outcome)), q.arg(toJSON(f.Categories)), q.arg(f.Consented),
		q.arg(strings.Join(f.Platforms, ",")), q.arg(f.SLAFirstResponse), q.arg(f.SLAResolution), q.arg(f.Restricted)}
}

// withAncestors is each category with those above it, once each.
func withAncestors(categories []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range categories {
		for ; c != "" && !seen[c]; c = haven.CategoryParent(c) {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

func closedKey(closed time.Time) int64 {
	if closed.IsZero() {
		return openEndKey
	}
	return micros(closed)
}

// openEndKey is openEnd as a number.
const openEndKey = int64(9223372036854775807)

func microsOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return micros(t)
}

// StoredCaseFacts reads the stored facts of the cases open at some time in the period that match
// q's filters, through the index of the filter: every case, or (hidden) the restricted cases v
// may not see, which the caller takes away.
func (tx *Tx) StoredCaseFacts(ctx context.Context, f haven.CaseStatsQuery, v haven.Viewer, hidden bool, each func(*haven.CaseFact)) error {
	q := &queryBuilder{}
	from := "case_facts x"
	if f.Category != "" { // the category's branch: one range of its own table's index, the facts beside it
		from = "case_fact_categories x"
		q.add("x.category = " + q.arg(f.Category))
	}
	q.add("x.closed_key >= " + q.arg(micros(f.From)))
	q.add("x.created_at < " + q.arg(micros(f.To)))
	if f.Team != "" {
		q.add("x.team_id = (SELECT id FROM teams WHERE name = " + q.arg(f.Team) + ")")
	}
	if f.Country != "" {
		q.add("x.country = " + q.arg(f.Country))
	}
	if hidden {
		from += " JOIN cases c ON c.id = x.case_id"
		q.add("x.restricted = TRUE")
		q.add("NOT COALESCE(" + visibility(q, v) + ", FALSE)") // an unassigned case's assignee test is NULL
	}
	names, err := tx.factNames(ctx)
	if err != nil {
		return err
	}
	rows, err := tx.query(ctx, `SELECT x.created_at, x.closed_key, x.first_response_at, COALESCE(x.team_id, 0), x.country,
		x.language, x.channel, x.priority_rank, x.outcome, COALESCE(x.assignee_id, 0), x.categories, x.consent, x.platforms,
		x.sla_first, x.sla_resolution FROM `+from+q.whereSQL(), q.args...)
	if err != nil {
		return mapError("stored case facts", err)
	}
	defer rows.Close()
	codes, lists := codeInterner{}, map[string][]string{}
	for rows.Next() {
		fact, err := scanStoredFact(rows, codes, lists, names)
		if err != nil {
			return err
		}
		each(fact)
	}
	return mapError("stored case facts", rows.Err())
}

var priorities = [4]haven.Priority{haven.P1, haven.P2, haven.P3, haven.P4}

// scanStoredFact reads one stored fact; its few distinct codes are shared strings, and its few
// distinct lists of categories and platforms are parsed once (callers only read them).
func scanStoredFact(rows *sql.Rows, codes codeInterner, lists map[string][]string, names *factNames) (*haven.CaseFact, error) {
	var f haven.CaseFact
	var created, closed, first, team, assignee int64
	var rank int
	var country, language, channel, outcome, categories, platforms, slaFirst, slaRes sql.RawBytes
	if err := rows.Scan(&created, &closed, &first, &team, &country, &language, &channel, &rank, &outcome, &assignee,
		&categories, &f.Consented, &platforms, &slaFirst, &slaRes); err != nil {
		return nil, mapError("stored case facts", err)
	}
	f.CreatedAt = fromMicros(created)
	if rank >= 1 && rank <= 4 {
		f.Priority = priorities[rank-1] // without formatting a string per case
	}
	if closed != openEndKey {
		f.ClosedAt = fromMicros(closed)
	}
	if first != 0 {
		f.FirstResponseAt = fromMicros(first)
	}
	f.Team, f.Country, f.Language, f.Channel = names.teams[team], codes.get(country), codes.get(language), codes.get(channel)
	f.Outcome, f.Assignee = haven.Outcome(codes.get(outcome)), names.users[assignee]
	f.SLAFirstResponse, f.SLAResolution = codes.get(slaFirst), codes.get(slaRes)
	f.Categories, f.Platforms = parsedList(lists, categories, true), parsedList(lists, platforms, false)
	return &f, nil
}

// factNames are the teams' and users' names by id: read once for a query rather than joined to
// each of its rows.
type factNames struct{ teams, users map[int64]string }

func (tx *Tx) factNames(ctx context.Context) (*factNames, error) {
	n := &factNames{teams: map[int64]string{}, users: map[int64]string{}}
	for _, t := range []struct {
		sql string
		m   map[int64]string
	}{{`SELECT id, name FROM teams`, n.teams}, {`SELECT id, username FROM users`, n.users}} {
		pairs, err := queryAll(ctx, tx, "fact names", t.sql, func(row rowScanner) (idName, error) {
			var p idName
			return p, row.Scan(&p.id, &p.name)
		})
		if err != nil {
			return nil, err
		}
		for _, p := range pairs {
			t.m[p.id] = p.name
		}
	}
	return n, nil
}

type idName struct {
	id   int64
	name string
}

// parsedList is a JSON list (categories) or a comma-separated one (platforms), parsed on its
// first sight only.
func parsedList(lists map[string][]string, raw sql.RawBytes, isJSON bool) []string {
	if len(raw) == 0 || string(raw) == "[]" {
		return nil
	}
	if l, ok := lists[string(raw)]; ok { // a JSON list starts with '[', a platform never does
		return l
	}
	var l []string
	if isJSON {
		l = fromJSON[[]string](string(raw))
	} else {
		l = strings.Split(string(raw), ",")
	}
	lists[string(raw)] = l
	return l
}

// DashboardEscalationFacts is EscalationFacts with the dashboard's filters on the cases. Each
// escalation's case is read (escalations are few) and need-to-know tested on it alone, rather
// than every restricted case of all time tested first as EscalationFacts does.
func (tx *Tx) DashboardEscalationFacts(ctx context.Context, f haven.CaseStatsQuery, v haven.Viewer, each func(*haven.EscalationFact)) error {
	q := &queryBuilder{}
	q.add("c.id = e.case_id")
	q.add("e.sent_at >= " + q.arg(micros(f.From)))
	q.add("e.sent_at < " + q.arg(micros(f.To)))
	if f.Team != "" {
		q.add("c.team_id = (SELECT id FROM teams WHERE name = " + q.arg(f.Team) + ")")
	}
	if f.Country != "" {
		q.add("c.country = " + q.arg(f.Country))
	}
	if f.Category != "" { // each escalation's case tested by its own labels (escalations are few)
		if tx.dialect == Postgres {
			q.add("EXISTS (SELECT 1 FROM case_labels l WHERE l.case_id = c.id AND l.kind = 'c' AND (l.label = " + q.arg(f.Category) +
				" OR l.label LIKE " + q.arg(escapeLike(f.Category)+"/%") + " ESCAPE '\\'))")
		} else {
			q.add(tx.inCategory(q, f.Category))
		}
	}
	q.add(visibility(q, v))
	rows, err := tx.query(ctx, `SELECT e.case_id, e.platform, e.kind, e.state, e.sent_at, e.first_response_at, e.closed_at,
		e.due_at FROM escalations e CROSS JOIN cases c`+q.whereSQL(), q.args...) // the period's escalations first (SQLite would start from a team's cases)
	if err != nil {
		return mapError("escalation facts", err)
	}
	defer rows.Close()
	codes, fact := codeInterner{}, &haven.EscalationFact{}
	for rows.Next() {
		if _, err := scanEscalationFact(rows, fact, codes); err != nil {
			return mapError("escalation facts", err)
		}
		each(fact)
	}
	return mapError("escalation facts", rows.Err())
}

// AnalyzeStatistics refreshes PostgreSQL's planner statistics of the roll-ups and the stored
// facts, which a rebuild rewrites whole (autovacuum would get to it, later). SQLite's planner
// keeps no statistics Haven relies on: nothing to do there.
func (db *DB) AnalyzeStatistics(ctx context.Context) error {
	if db.Dialect != Postgres {
		return nil
	}
	_, err := db.write.ExecContext(ctx, `ANALYZE case_rollups, case_rollup_totals, case_facts, case_fact_categories`)
	return mapError("analyze statistics", err)
}
