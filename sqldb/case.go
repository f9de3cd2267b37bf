package sqldb

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/textnorm"
)

// NextCaseNumber allocates the next number of the year, distinct under concurrent transactions.
// SQLite: a per-year counter row (SQLite has one writer, and a rollback gives the number back).
// PostgreSQL: a per-year sequence, which does not serialise concurrent creations (caseseq.go).
func (tx *Tx) NextCaseNumber(ctx context.Context, year int) (string, error) {
	if tx.dialect == Postgres {
		seq, err := tx.nextFromSequence(ctx, year)
		if err != nil {
			return "", err
		}
		return haven.FormatCaseNumber(year, seq), nil
	}
	var seq int64
	err := tx.queryRow(ctx, `INSERT INTO case_counters (year, last) VALUES ($1, 1)
		ON CONFLICT (year) DO UPDATE SET last = case_counters.last + 1 RETURNING last`, year).Scan(&seq)
	if err != nil {
		return "", mapError("next case number", err)
	}
	return haven.FormatCaseNumber(year, seq), nil
}

// InsertCase stores a new case; assignee and team are resolved from their names.
func (tx *Tx) InsertCase(ctx context.Context, c *haven.Case) error {
	id, err := tx.insertID(ctx, "insert case", `INSERT INTO cases (number, title, summary, status,
		priority_rank, categories, tags, language, country, region, assignee_id, team_id, tier, tlp,
		consent, requester_id, first_response_due, resolution_due, due_sort, outcome, created_at,
		updated_at, closed_at, version, compartment, restricted, next_update_due)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
			(SELECT id FROM users WHERE username = $11), (SELECT id FROM teams WHERE name = $12),
			$13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, 1, $24, $25, $26) RETURNING id`,
		c.Number, c.Title, c.Summary, c.Status, c.Priority.Rank(), toJSON(c.Categories), toJSON(c.Tags),
		c.Language, c.Country, c.Region, c.Assignee, c.Team, c.Tier, c.TLP, toJSON(c.Consent),
		nullID(c.RequesterID), nullMicros(c.FirstResponseDue), nullMicros(c.ResolutionDue), dueSort(c),
		c.Outcome, micros(c.CreatedAt), micros(c.UpdatedAt), nullMicros(c.ClosedAt), c.Compartment, c.IsRestricted(),
		nullMicros(c.NextUpdateDue))
	if err != nil {
		return err
	}
	c.ID, c.Version, c.Restricted = id, 1, c.IsRestricted()
	if tx.fresh == nil {
		tx.fresh = map[int64]bool{}
	}
	tx.fresh[c.ID] = true
	if err := tx.markCaseDays(ctx, c); err != nil {
		return err
	}
	if err := tx.grantNamed(ctx, c); err != nil { // a new case has no access to clear
		return err
	}
	if err := tx.writeLabels(ctx, c); err != nil {
		return err
	}
	tx.noteWritten(c)
	return nil
}

// UpdateCase writes c if nobody changed it since it was read (same version). Writers that read
// c in their transaction hold its row lock (locking.go), so only a stale copy from elsewhere fails.
func (tx *Tx) UpdateCase(ctx context.Context, c *haven.Case) error {
	if tx.unchangedSinceWritten(c) {
		return nil
	}
	if err := tx.markCaseDays(ctx, c); err != nil {
		return err
	}
	// The labels are written again below; cleared first, the trigger that carries the case's
	// last update to its labels (migration 0050) has none to change.
	before, err := tx.clearLabels(ctx, c.ID)
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, "update case", `UPDATE cases SET title = $1, summary = $2, status = $3,
		priority_rank = $4, categories = $5, tags = $6, language = $7, country = $8, region = $9,
		assignee_id = (SELECT id FROM users WHERE username = $10),
		team_id = (SELECT id FROM teams WHERE name = $11), tier = $12, tlp = $13, consent = $14,
		requester_id = $15, first_response_due = $16, resolution_due = $17, due_sort = $18,
		outcome = $19, updated_at = $20, closed_at = $21, version = version + 1, compartment = $24,
		restricted = $25, next_update_due = $26 WHERE id = $22 AND version = $23`,
		c.Title, c.Summary, c.Status, c.Priority.Rank(), toJSON(c.Categories), toJSON(c.Tags),
		c.Language, c.Country, c.Region, c.Assignee, c.Team, c.Tier, c.TLP, toJSON(c.Consent),
		nullID(c.RequesterID), nullMicros(c.FirstResponseDue), nullMicros(c.ResolutionDue), dueSort(c),
		c.Outcome, micros(c.UpdatedAt), nullMicros(c.ClosedAt), c.ID, c.Version, c.Compartment, c.IsRestricted(),
		nullMicros(c.NextUpdateDue))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return haven.Errorf(haven.ECONFLICT, "case %s was changed by someone else; reload and try again", c.Number)
	}
	c.Version++
	c.Restricted = c.IsRestricted()
	if err := tx.writeRestrictedTo(ctx, c); err != nil {
		return err
	}
	tx.noteRelabelled(c.ID, before, c)
	if err := tx.writeLabels(ctx, c); err != nil {
		return err
	}
	if _, opened := tx.written[c.ID]; opened {
		tx.noteWritten(c)
	}
	return nil
}

// noteWritten remembers the state of a case this transaction opened, as last written: writing
// it again unchanged (an email opening a case wrote it at its creation and again once filed)
// rewrote every index of its row and its labels. Only cases opened in the transaction: a case
// read from before it gets a new version from every write, which is how concurrent writers are
// seen to have taken turns. Statements that change cases otherwise (a category renamed,
// requesters merged, a purge) forget every state. The state is the case's JSON: ~3.7 µs a case
// with a 1.5 KB summary, under 1 % of a case created, and it misses no field a copy could.
func (tx *Tx) noteWritten(c *haven.Case) {
	state, err := json.Marshal(c)
	if err != nil {
		return // never equal: the case is written again
	}
	if tx.written == nil {
		tx.written = map[int64][]byte{}
	}
	tx.written[c.ID] = state
}

// unchangedSinceWritten reports whether c is exactly as this transaction last wrote it.
func (tx *Tx) unchangedSinceWritten(c *haven.Case) bool {
	last, ok := tx.written[c.ID]
	if !ok {
		return false
	}
	state, err := json.Marshal(c)
	return err == nil && bytes.Equal(state, last)
}

// clearLabels deletes the labels of a case and returns them and its priority, to tell whether
// they change (noteRelabelled).
func (tx *Tx) clearLabels(ctx context.Context, caseID int64) ([]labelFilter, error) {
	if tx.dialect == SQLite { // no RETURNING in a WITH on SQLite
		before, err := queryAll(ctx, tx, "clear labels", `SELECT kind, label FROM case_labels WHERE case_id = $1
			UNION ALL SELECT 'p', CAST(priority_rank AS TEXT) FROM cases WHERE id = $1`, scanLabel, caseID)
		if err != nil {
			return nil, err
		}
		_, err = tx.exec(ctx, "clear labels", `DELETE FROM case_labels WHERE case_id = $1`, caseID)
		return before, err
	}
	tx.changed = true
	// The priority the case has until the update that follows (a label of kind "p" here).
	return queryAll(ctx, tx, "clear labels", `WITH gone AS (DELETE FROM case_labels WHERE case_id = $1 RETURNING kind, label)
		SELECT kind, label FROM gone UNION ALL SELECT 'p', priority_rank::text FROM cases WHERE id = $1`, scanLabel, caseID)
}

func scanLabel(row rowScanner) (labelFilter, error) {
	var l labelFilter
	return l, row.Scan(&l.kind, &l.label)
}

// writeLabels inserts the case's tags and categories in one statement (one round trip on
// PostgreSQL, where each was one per label), each with the case's last update (search_read.go).
func (tx *Tx) writeLabels(ctx context.Context, c *haven.Case) error {
	if len(c.Tags)+len(c.Categories) == 0 {
		return nil
	}
	q := &queryBuilder{}
	id, updated := q.arg(c.ID), q.arg(micros(c.UpdatedAt))
	rows := make([]string, 0, len(c.Tags)+len(c.Categories))
	for _, l := range c.Tags {
		rows = append(rows, "("+id+", 't', "+q.arg(l)+", "+updated+")")
	}
	for _, l := range c.Categories {
		rows = append(rows, "("+id+", 'c', "+q.arg(l)+", "+updated+")")
	}
	return tx.execLater(ctx, "case_labels", "insert labels", `INSERT INTO case_labels (case_id, kind, label, updated_at) VALUES `+
		strings.Join(rows, ", "), q.args...)
}

const caseColumns = `c.id, c.number, c.title, c.summary, c.status, c.priority_rank, c.categories,
	c.tags, c.language, c.country, c.region, COALESCE(u.username, ''), COALESCE(t.name, ''), c.tier,
	c.tlp, c.consent, c.requester_id, COALESCE(r.pseudonym, ''), COALESCE(r.name, ''), r.data_key,
	c.first_response_due, c.resolution_due, c.outcome, c.created_at, c.updated_at, c.closed_at,
	c.version, c.due_sort, c.compartment, c.restricted, c.purged_at, c.next_update_due`

// briefCaseColumns are caseColumns without the summary, for lists that do not show it (the
// summary is most of a case row's bytes).
var briefCaseColumns = strings.Replace(caseColumns, "c.summary", "''", 1)

const caseJoins = ` FROM cases c` + caseOtherJoins

const caseOtherJoins = `
	LEFT JOIN users u ON u.id = c.assignee_id
	LEFT JOIN teams t ON t.id = c.team_id
	LEFT JOIN requesters r ON r.id = c.requester_id`

type rowScanner interface{ Scan(dest ...any) error }

// scanCase reads one row of caseColumns and returns the case and its due_sort key.
func (tx *Tx) scanCase(row rowScanner) (*haven.Case, int64, error) {
	var c haven.Case
	var rank int
	var cats, tags, consent string
	var requester sql.NullInt64
	var frd, rd, nud, closed, purged sql.NullInt64
	var created, updated, due int64
	var pseudonym, name string
	var sealed []byte
	err := row.Scan(&c.ID, &c.Number, &c.Title, &c.Summary, &c.Status, &rank, &cats, &tags,
		&c.Language, &c.Country, &c.Region, &c.Assignee, &c.Team, &c.Tier, &c.TLP, &consent,
		&requester, &pseudonym, &name, &sealed, &frd, &rd, &c.Outcome, &created, &updated, &closed, &c.Version, &due,
		&c.Compartment, &c.Restricted, &purged, &nud)
	if err != nil {
		return nil, 0, err
	}
	if c.RequesterName, err = tx.displayName(sealed, pseudonym, name); err != nil {
		return nil, 0, err
	}
	c.Priority = haven.PriorityFromRank(rank)
	c.Categories = stringsFromJSON(cats)
	c.Tags = stringsFromJSON(tags)
	c.Consent = consentFromJSON(consent)
	c.RequesterID = requester.Int64
	c.FirstResponseDue, c.ResolutionDue, c.ClosedAt = timePtr(frd), timePtr(rd), timePtr(closed)
	c.PurgedAt, c.NextUpdateDue = timePtr(purged), timePtr(nud)
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	if c.Categories == nil {
		c.Categories = []string{}
	}
	if c.Tags == nil {
		c.Tags = []string{}
	}
	c.RestrictedTo = []string{}
	return &c, due, nil
}

// displayName decrypts the requester's pseudonym, or name when there is none, for case lists.
func (tx *Tx) displayName(sealed []byte, pseudonym, name string) (string, error) {
	if pseudonym == "" && name == "" {
		return "", nil
	}
	k, err := tx.openRecordKey(sealed)
	if err != nil {
		return "", err
	}
	if pseudonym != "" {
		return k.open(pseudonym, "requester:pseudonym")
	}
	return k.open(name, "requester:name")
}

// CaseByNumber reads one case; a PostgreSQL write transaction locks its row first (locking.go).
func (tx *Tx) CaseByNumber(ctx context.Context, number string) (*haven.Case, error) {
	if err := tx.lockCase(ctx, "number = $1", number); err != nil {
		return nil, err
	}
	c, _, err := tx.scanCase(tx.queryRow(ctx, `SELECT `+caseColumns+caseJoins+` WHERE c.number = $1`, number))
	if err != nil {
		return nil, notFound(err, "case "+number)
	}
	return c, tx.loadRestrictedTo(ctx, c)
}

// CaseByID reads one case; a PostgreSQL write transaction locks its row first (locking.go).
func (tx *Tx) CaseByID(ctx context.Context, id int64) (*haven.Case, error) {
	if err := tx.lockCase(ctx, "id = $1", id); err != nil {
		return nil, err
	}
	c, _, err := tx.scanCase(tx.queryRow(ctx, `SELECT `+caseColumns+caseJoins+` WHERE c.id = $1`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("case %d", id))
	}
	return c, tx.loadRestrictedTo(ctx, c)
}

func notFound(err error, what string) error {
	if haven.ErrorCode(mapError("", err)) == haven.ENOTFOUND {
		return &haven.Error{Code: haven.ENOTFOUND, Message: what + " not found", Err: err}
	}
	return mapError("read "+what, err)
}

// queryBuilder accumulates WHERE clauses with numbered parameters.
type queryBuilder struct {
	where []string
	args  []any
}

// arg adds a parameter and returns its placeholder.
func (q *queryBuilder) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

func (q *queryBuilder) add(clause string) { q.where = append(q.where, clause) }

func (q *queryBuilder) whereSQL() string {
	if len(q.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(q.where, " AND ")
}

// FindCases lists cases matching f, one keyset page at a time.
func (tx *Tx) FindCases(ctx context.Context, f haven.CaseFilter) (*haven.CasePage, error) {
	if f.Text != "" {
		if err := tx.searchCurrent(ctx); err != nil { // no document pending (searchlater.go)
			return nil, err
		}
	}
	if f.Text != "" && !f.Reverse { // findByText reads newest first only
		if page, ok, err := tx.findByText(ctx, f); ok {
			return page, err
		}
	}
	q := &queryBuilder{}
	if err := tx.caseFilters(q, f); err != nil {
		return nil, err
	}
	order, back, err := caseKeyset(q, f)
	if err != nil {
		return nil, err
	}
	from := caseJoins
	if f.Text != "" {
		if from, err = tx.searchFrom(ctx, f.Sort); err != nil {
			return nil, err
		}
	}
	limit := q.arg(f.Limit + 1)
	columns := caseColumns
	if f.Brief {
		columns = briefCaseColumns
	}
	query := `SELECT ` + columns + from + q.whereSQL() + order + ` LIMIT ` + limit
	if f.Text != "" && tx.dialect == Postgres {
		// Choose the page's ids from the narrow covering index, then fetch only those rows.
		query = `SELECT ` + columns + caseJoins + ` WHERE c.id IN (SELECT c.id FROM cases c` + q.whereSQL() +
			order + ` LIMIT ` + limit + `)` + order
	}
	rows, err := tx.query(ctx, query, q.args...)
	if err != nil {
		return nil, mapError("find cases", err)
	}
	defer rows.Close()
	page := &haven.CasePage{Items: []*haven.Case{}}
	var dues []int64
	more := false
	for rows.Next() {
		c, due, err := tx.scanCase(rows)
		if err != nil {
			return nil, mapError("scan case", err)
		}
		if len(page.Items) == f.Limit {
			more = true
			break
		}
		page.Items = append(page.Items, c)
		dues = append(dues, due)
	}
	if err := rows.Err(); err != nil {
		return nil, mapError("find cases", err)
	}
	pageCursors(page, f, dues, back, more)
	return page, nil
}

// pageCursors sets the cursors of a page read after (or, back, before) f.Cursor: more says
// whether a row lay beyond the page in the direction read. A page read backwards comes in
// reverse and is put back in the list's order; the way it came from always has rows.
func pageCursors(page *haven.CasePage, f haven.CaseFilter, dues []int64, back, more bool) {
	if back {
		slices.Reverse(page.Items)
		slices.Reverse(dues)
	}
	n := len(page.Items)
	if n == 0 {
		return
	}
	if more || back {
		page.Next = cursorAt(f, page.Items[n-1], dues[n-1], false)
	}
	if back && more || !back && f.Cursor != "" {
		page.Prev = cursorAt(f, page.Items[0], dues[0], true)
	}
}

// CountCases counts the cases matching f, stopping at limit: the inner LIMIT bounds the work.
func (tx *Tx) CountCases(ctx context.Context, f haven.CaseFilter, limit int) (int, error) {
	if f.Text != "" {
		if err := tx.searchCurrent(ctx); err != nil { // no document pending (searchlater.go)
			return 0, err
		}
		return tx.countByText(ctx, f, limit)
	}
	q := &queryBuilder{}
	if err := tx.caseFilters(q, f); err != nil {
		return 0, err
	}
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM cases c`+q.whereSQL()+` LIMIT `+q.arg(limit)+`) AS capped`, q.args...).Scan(&n)
	return n, mapError("count cases", err)
}

func (tx *Tx) caseFilters(q *queryBuilder, f haven.CaseFilter) error {
	q.add(visibility(q, f.Viewer))
	if len(f.Status) > 0 {
		var ph []string
		for _, s := range f.Status {
			ph = append(ph, q.arg(string(s)))
		}
		q.add("c.status IN (" + strings.Join(ph, ", ") + ")")
	}
	if f.OpenOnly {
		q.add("c.status NOT IN ('resolved', 'closed')")
	}
	if len(f.Priority) > 0 {
		var ph []string
		for _, p := range f.Priority {
			ph = append(ph, q.arg(p.Rank()))
		}
		q.add("c.priority_rank IN (" + strings.Join(ph, ", ") + ")")
	}
	switch f.Assignee {
	case "":
	case "none":
		q.add("c.assignee_id IS NULL")
	default:
		q.add("c.assignee_id = (SELECT id FROM users WHERE username = " + q.arg(f.Assignee) + ")")
	}
	if len(f.Teams) > 0 {
		var ph []string
		for _, t := range f.Teams {
			ph = append(ph, q.arg(t))
		}
		q.add("c.team_id IN (SELECT id FROM teams WHERE name IN (" + strings.Join(ph, ", ") + "))")
	} else if f.Team != "" {
		q.add("c.team_id = (SELECT id FROM teams WHERE name = " + q.arg(f.Team) + ")")
	}
	if f.Tag != "" {
		q.add("c.id IN (SELECT case_id FROM case_labels WHERE kind = 't' AND label = " + q.arg(f.Tag) + ")")
	}
	if f.Category != "" {
		q.add("c.id IN (SELECT case_id FROM case_labels WHERE kind = 'c' AND label = " + q.arg(f.Category) + ")")
	}
	if f.BreachingSoon {
		q.add("c.due_sort <= " + q.arg(micros(f.Viewer.Now.Add(haven.BreachingWindow))))
	}
	if f.OverdueTasks {
		q.add("c.id IN (SELECT case_id FROM tasks WHERE done = FALSE AND due_at < " + q.arg(micros(f.Viewer.Now)) + ")")
	}
	if f.RequesterID != 0 {
		q.add("c.requester_id = " + q.arg(f.RequesterID))
	}
	if f.Text != "" {
		tokens := textnorm.PrefixQuery(f.Text)
		if len(tokens) == 0 {
			return &haven.Error{Code: haven.EINVALID, Message: "the search has no words", Fields: map[string]string{"q": "no searchable words"}}
		}
		q.add(tx.searchClause(q, tokens))
	}
	return nil
}

// sortKeys are the columns each sort orders by, the last one unique; desc marks those read
// newest (largest) first.
var sortKeys = map[haven.CaseSort][]struct {
	col  string
	desc bool
}{
	haven.SortPriority: {{"c.priority_rank", false}, {"c.updated_at", true}, {"c.id", true}},
	haven.SortDue:      {{"c.due_sort", false}, {"c.id", false}},
	haven.SortCreated:  {{"c.id", true}},
	haven.SortUpdated:  {{"c.updated_at", true}, {"c.id", true}},
}

// caseKeyset adds the keyset condition for f.Cursor and returns the ORDER BY clause, and whether
// the cursor reads backwards (the page before it): then the order is reversed, and FindCases
// puts the rows back in the list's order.
func caseKeyset(q *queryBuilder, f haven.CaseFilter) (string, bool, error) {
	keys, ok := sortKeys[f.Sort]
	if !ok {
		keys = sortKeys[haven.SortUpdated] // an unset sort, as before Normalize
	}
	var k []int64
	back := false
	if f.Cursor != "" {
		var err error
		if k, back, err = decodeCursorDir(f.Cursor, cursorSort(f), len(keys)); err != nil {
			return "", false, err
		}
	}
	flip := back != f.Reverse // a reversed list read backwards reads the keys' own way
	if k != nil {
		// (a > k0 OR (a = k0 AND (b < k1 OR (b = k1 AND ...)))), each comparison as the order
		// reads that column, flipped when reading backwards or reversed.
		cond := ""
		for i := len(keys) - 1; i >= 0; i-- {
			op := ">"
			if keys[i].desc != flip {
				op = "<"
			}
			c := keys[i].col + " " + op + " " + q.arg(k[i])
			if cond != "" {
				c = "(" + c + " OR (" + keys[i].col + " = " + q.arg(k[i]) + " AND " + cond + "))"
			}
			cond = c
		}
		q.add(cond)
	}
	order := make([]string, len(keys))
	for i, key := range keys {
		order[i] = key.col + " ASC"
		if key.desc != flip {
			order[i] = key.col + " DESC"
		}
	}
	return " ORDER BY " + strings.Join(order, ", "), back, nil
}

// cursorSort names f's order in its cursors: a cursor of the reversed list is not one of the
// list read the usual way.
func cursorSort(f haven.CaseFilter) string {
	if f.Reverse {
		return "-" + string(f.Sort)
	}
	return string(f.Sort)
}

// cursorAt is the cursor after c (back false) or before it (back true) in f's order.
func cursorAt(f haven.CaseFilter, c *haven.Case, due int64, back bool) string {
	sort, name := f.Sort, cursorSort(f)
	switch sort {
	case haven.SortPriority:
		return encodeCursorDir(name, back, int64(c.Priority.Rank()), micros(c.UpdatedAt), c.ID)
	case haven.SortDue:
		return encodeCursorDir(name, back, due, c.ID)
	case haven.SortCreated:
		return encodeCursorDir(name, back, c.ID)
	}
	return encodeCursorDir(name, back, micros(c.UpdatedAt), c.ID)
}

// IndexCase re-indexes a case after its title, summary or restriction changed.
func (tx *Tx) IndexCase(ctx context.Context, c *haven.Case) error {
	return tx.reindex(ctx, c.ID, c.IsRestricted(), tx.caseOwnText(c))
}

// AppendCaseText sets one part (a note, a message) of the case's search document. The part holds
// no plaintext: each word becomes the keyed hashes of its prefixes (searchTerms).
func (tx *Tx) AppendCaseText(ctx context.Context, caseID int64, part, text string) error {
	return tx.AppendCaseTerms(ctx, caseID, part, tx.searchTerms(text))
}

// AppendCaseTerms sets one part of the case's search document from terms made by SearchTerms.
func (tx *Tx) AppendCaseTerms(ctx context.Context, caseID int64, part, terms string) error {
	delete(tx.fresh, caseID) // it has parts now
	if err := tx.execLater(ctx, "search_parts", "search part", `INSERT INTO search_parts (case_id, part, body) VALUES ($1, $2, $3)
		ON CONFLICT (case_id, part) DO UPDATE SET body = excluded.body`, caseID, part, terms); err != nil {
		return err
	}
	c, err := tx.CaseByID(ctx, caseID)
	if err != nil {
		return err
	}
	return tx.IndexCase(ctx, c)
}

// reindex writes the case's document: its own text followed by its stored parts (not for a
// restricted case, whose notes and messages stay out of the index; none yet for a fresh one).
func (tx *Tx) reindex(ctx context.Context, caseID int64, restricted bool, own string) error {
	if restricted || tx.fresh[caseID] {
		return tx.writeSearchDoc(ctx, caseID, own)
	}
	rows, err := tx.query(ctx, `SELECT body FROM search_parts WHERE case_id = $1 ORDER BY part`, caseID)
	if err != nil {
		return mapError("search parts", err)
	}
	defer rows.Close()
	var doc strings.Builder
	doc.WriteString(own)
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			return mapError("search parts", err)
		}
		doc.WriteByte(' ')
		doc.WriteString(b)
	}
	if err := rows.Err(); err != nil {
		return mapError("search parts", err)
	}
	return tx.writeSearchDoc(ctx, caseID, doc.String())
}
