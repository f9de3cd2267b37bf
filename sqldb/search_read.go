package sqldb

import (
	"cmp"
	"context"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/textnorm"
)

// A text search ordered by recency must cost what its page costs, not what its matches cost: a
// common word matches a tenth of a million cases, and materialising, fetching or sorting them all
// took 26/162 ms (p50/p99) at 300,000 cases. findByText reads the match list newest case first
// (case ids grow with time; FTS5 returns matches in rowid order and stops early), a growing
// chunk at a time, keeping the best page of the cases that pass the filters and need-to-know.
// It stops when the matches run out (the page is exact) or once it holds a full page. Sorted
// by creation, that page is the answer. Sorted by last update, the only cases that can still
// belong on it are older matches (smaller ids) updated after the page's last case: walkHits
// walks the recency index down to that case, a batch at a time, and tests those older cases
// (resolve). Nothing falls back to a plan that costs what the corpus costs.
const (
	firstChunk = 256
	maxChunk   = 16384
	// With a category or tag filter: the first chunk of matches asked for (fewer match).
	labelChunk = 64
)

// The text of an older candidate is tested on SQLite either by reading the match list further
// down inside the engine (~0.15 µs a match) or by deriving the candidate's document in Go and
// matching it (docMatches: its row, its notes' terms, normalisation: ~60 µs); resolve picks the
// cheaper for each batch. docCost is a document's cost in matches read.
const docCost = 400

// hit is a candidate of the page: its id and last update (micros), the recency sort keys.
type hit struct{ id, updated int64 }

// labelFilter is a category ("c") or tag ("t") filter. A search tests it on each match by the
// label's primary key: as "c.id IN (cases with the label)", SQLite built the list of every case
// with the label (95,000 for a common category) for each query it ran.
type labelFilter struct{ kind, label string }

// labelsSQL is the condition that the case whose id is col carries every label.
func labelsSQL(q *queryBuilder, labels []labelFilter, col string) string {
	s := ""
	for _, l := range labels {
		s += " AND EXISTS (SELECT 1 FROM case_labels l WHERE l.kind = " + q.arg(l.kind) + " AND l.label = " + q.arg(l.label) +
			" AND l.case_id = " + col + ")"
	}
	return s
}

// textFilters returns the conditions of f other than its text, labels tested by key, and the
// labels, which the match list also applies.
func (tx *Tx) textFilters(f haven.CaseFilter) (*queryBuilder, []labelFilter, error) {
	plain := f
	plain.Text, plain.Category, plain.Tag = "", "", ""
	q := &queryBuilder{}
	if err := tx.caseFilters(q, plain); err != nil {
		return nil, nil, err
	}
	var labels []labelFilter
	if f.Category != "" {
		labels = append(labels, labelFilter{"c", f.Category})
	}
	if f.Tag != "" {
		labels = append(labels, labelFilter{"t", f.Tag})
	}
	if len(labels) > 0 {
		q.add("TRUE" + labelsSQL(q, labels, "c.id"))
	}
	return q, labels, nil
}

// findByText serves a text search sorted by last update or creation, read forwards; ok is false
// for the other orders (priority, due) and backward pages, which keep the plan of FindCases.
func (tx *Tx) findByText(ctx context.Context, f haven.CaseFilter) (page *haven.CasePage, ok bool, err error) {
	sort := f.Sort
	if sort == "" {
		sort = haven.SortUpdated
	}
	tokens := textnorm.PrefixQuery(f.Text)
	if (sort != haven.SortUpdated && sort != haven.SortCreated) || len(tokens) == 0 {
		return nil, false, nil
	}
	q, labels, err := tx.textFilters(f)
	if err != nil {
		return nil, true, err
	}
	plain := f
	plain.Text = ""
	order, back, err := caseKeyset(q, plain)
	if err != nil || back {
		return nil, !back, err
	}
	from, below, err := cursorStart(f, sort)
	if err != nil {
		return nil, true, err
	}
	if _, err := tx.searchFrom(ctx, sort); err != nil { // PostgreSQL's per-search plan settings
		return nil, true, err
	}
	s, err := tx.startScan(ctx, tokens, labels, f)
	if err != nil {
		return nil, true, err
	}
	s.last = below
	ts := &textSearch{tx: tx, s: s, q: q, order: order, sort: sort, tokens: tokens, f: f, want: f.Limit + 1}
	best, err := ts.bestHits(ctx, from)
	if err != nil {
		return nil, true, err
	}
	page, err = tx.casesOf(ctx, f, best, order)
	return page, true, err
}

// cursorStart is where a page after f.Cursor starts: the recency walk after from (sorted by
// update), the match list below below (sorted by creation: the cursor's case id).
func cursorStart(f haven.CaseFilter, sort haven.CaseSort) (from hit, below int64, err error) {
	from, below = hit{id: math.MaxInt64, updated: math.MaxInt64}, math.MaxInt64
	if f.Cursor == "" {
		return from, below, nil
	}
	if sort == haven.SortCreated {
		k, _, err := decodeCursorDir(f.Cursor, string(f.Sort), 1)
		if err != nil {
			return from, below, err
		}
		return from, k[0], nil
	}
	k, _, err := decodeCursorDir(f.Cursor, string(f.Sort), 2)
	if err != nil {
		return from, below, err
	}
	return hit{updated: k[0], id: k[1]}, below, nil
}

// textSearch is one search read newest match first: its match list, its other conditions (q)
// and order, and the size of the page (want: one more than the limit).
type textSearch struct {
	tx     *Tx
	s      *textScan
	q      *queryBuilder
	order  string
	sort   haven.CaseSort
	tokens []string
	f      haven.CaseFilter
	want   int
}

// bestHits returns the first want cases of the order among the matches that pass q, the
// recency walk (sorted by update) starting after from.
func (t *textSearch) bestHits(ctx context.Context, from hit) ([]hit, error) {
	var best []hit
	chunk := firstChunk
	if len(t.s.labels) > 0 {
		chunk = labelChunk
	}
	for ; ; chunk = min(2*chunk, maxChunk) {
		ids, err := t.s.next(ctx, chunk)
		if err != nil {
			return nil, err
		}
		if len(ids) > 0 {
			hits, err := t.tx.filterHits(ctx, t.q, t.order, ids, t.want)
			if err != nil {
				return nil, err
			}
			best = topHits(append(best, hits...), t.sort, t.want)
		}
		switch {
		case t.s.done:
			return best, nil // every match was read
		case len(best) >= t.want && t.sort == haven.SortCreated:
			return best, nil // older matches come after the page
		case len(best) >= t.want:
			return t.walkHits(ctx, from, best)
		}
	}
}

// walkHits completes a page sorted by update: the matches older than those read (ids below
// s.last) that were updated after the page's last case belong on it too. The recency index is
// walked down from from (the cursor) to that last case, a batch of candidates at a time, reading
// only the index; each batch is tested (resolve), and the page's last case, so the walk's end,
// moves up as older matches join it. The walk costs what the page's time window holds: the cases
// updated in it (of the status, priority or team filtered on), of which the older ones are tested.
func (t *textSearch) walkHits(ctx context.Context, from hit, best []hit) ([]hit, error) {
	floor := t.s.last // matches from here up were all read and filtered
	for n := firstChunk; ; n = min(2*n, maxChunk) {
		cands, err := t.candidates(ctx, from, best[t.want-1], floor, n)
		if err != nil || len(cands) == 0 {
			return best, err
		}
		from = cands[len(cands)-1]
		matched, err := t.tx.resolve(ctx, t.s, t.q, t.order, t.tokens, cands)
		if err != nil {
			return nil, err
		}
		best = topHits(append(best, matched...), haven.SortUpdated, t.want)
		if len(cands) < n {
			return best, nil
		}
	}
}

// window adds the condition of the walk: ids below floor, after from and before last in
// update order.
func window(c *queryBuilder, from, last hit, floor int64) {
	windowOn(c, "c.updated_at", "c.id", from, last, floor)
}

// windowOn is window over the columns updated and id (a case's, or its labels').
func windowOn(c *queryBuilder, updated, id string, from, last hit, floor int64) {
	tu, fu := c.arg(last.updated), c.arg(from.updated)
	c.add(updated + " >= " + tu)
	c.add("(" + updated + " > " + tu + " OR " + id + " > " + c.arg(last.id) + ")")
	c.add(updated + " <= " + fu)
	c.add("(" + updated + " < " + fu + " OR " + id + " < " + c.arg(from.id) + ")")
	c.add(id + " < " + c.arg(floor))
}

// candidates reads up to n cases with ids below floor, after from and before last in update
// order (newest first), from an index in that order alone.
func (t *textSearch) candidates(ctx context.Context, from, last hit, floor int64, n int) ([]hit, error) {
	if label, ok := t.walkLabel(); ok {
		return t.labelCandidates(ctx, label, from, last, floor, n)
	}
	c := &queryBuilder{}
	index := t.recencyIndex(c)
	window(c, from, last, floor)
	table := ` FROM cases c`
	if t.tx.dialect == SQLite {
		table += ` INDEXED BY ` + index
	}
	return t.tx.hits(ctx, table, c, ` ORDER BY c.updated_at DESC, c.id DESC`, n)
}

// walkLabel returns the label whose cases the walk reads in update order (migration 0050): a
// category or a tag filter, unless a priority, status or team filter has its index.
func (t *textSearch) walkLabel() (labelFilter, bool) {
	f := t.f
	if len(t.s.labels) == 0 || len(f.Priority) == 1 || len(f.Status) == 1 || len(f.Teams) == 0 && f.Team != "" {
		return labelFilter{}, false
	}
	return t.s.labels[0], true
}

// labelCandidates is candidates from the label's index in update order: only the cases that
// carry it (a category holds a few percent of the cases of a page's window).
func (t *textSearch) labelCandidates(ctx context.Context, label labelFilter, from, last hit, floor int64, n int) ([]hit, error) {
	c := &queryBuilder{}
	c.add("l.kind = " + c.arg(label.kind))
	c.add("l.label = " + c.arg(label.label))
	windowOn(c, "l.updated_at", "l.case_id", from, last, floor)
	table := ` FROM case_labels l`
	if t.tx.dialect == SQLite {
		table += ` INDEXED BY case_labels_recency`
	}
	query := `SELECT l.case_id, l.updated_at` + table + c.whereSQL() + ` ORDER BY l.updated_at DESC, l.case_id DESC LIMIT ` + c.arg(n)
	return queryAll(ctx, t.tx, "search candidates", query, func(row rowScanner) (hit, error) {
		var h hit
		return h, row.Scan(&h.id, &h.updated)
	}, c.args...)
}

// recencyIndex adds the condition of the index the walk reads and returns its name: a filter on
// one priority, status or team has an index in update order of its own, which holds only the
// cases that pass it (a priority filter keeps 3 % of them: walking every case in the page's window
// tested thousands).
func (t *textSearch) recencyIndex(c *queryBuilder) string {
	f := t.f
	switch {
	case len(f.Priority) == 1:
		c.add("c.priority_rank = " + c.arg(f.Priority[0].Rank()))
		return "cases_priority"
	case len(f.Status) == 1:
		c.add("c.status = " + c.arg(string(f.Status[0])))
		return "cases_status"
	case len(f.Teams) == 0 && f.Team != "":
		c.add("c.team_id = (SELECT id FROM teams WHERE name = " + c.arg(f.Team) + ")")
		return "cases_team"
	}
	return "cases_updated"
}

// resolve returns the candidates that pass q and match the text: all older than the matches
// read (below s.last). On PostgreSQL the GIN index is asked for those in the candidates' buckets,
// or their documents are tested by key (amongPostgres). On SQLite, where a probe of FTS5 by rowid costs ~1 ms, either
// the match list is read further down inside SQLite, returning only the candidates it holds,
// or their documents are derived and matched in Go (~60 µs each), whichever costs less (cut).
// Need-to-know and the other filters are then read for the candidates that match or may
// match, not for the many that cannot.
func (tx *Tx) resolve(ctx context.Context, s *textScan, q *queryBuilder, order string, tokens []string, cands []hit) ([]hit, error) {
	cands, err := tx.withLabels(ctx, s.labels, cands)
	if err != nil || len(cands) == 0 {
		return nil, err
	}
	slices.SortFunc(cands, func(a, b hit) int { return cmp.Compare(b.id, a.id) })
	below := make([]int64, len(cands)) // all below s.last: the walk reads no case the scan read
	for i, h := range cands {
		below[i] = h.id
	}
	var test []int64
	cut := s.last
	if tx.dialect == SQLite {
		cut = s.cut(below)
	}
	derive := map[int64]bool{}
	var among []int64
	for _, id := range below {
		if id >= cut || tx.dialect == Postgres {
			among = append(among, id)
		} else {
			derive[id] = true
			test = append(test, id)
		}
	}
	found, err := s.among(ctx, cut, among)
	if err != nil {
		return nil, err
	}
	test = append(test, found...)
	if len(test) == 0 {
		return nil, nil
	}
	passing, err := tx.filterHits(ctx, q, order, test, len(test))
	if err != nil {
		return nil, err
	}
	var matched, unknown []hit
	for _, h := range passing {
		if derive[h.id] {
			unknown = append(unknown, h)
		} else {
			matched = append(matched, h)
		}
	}
	more, err := tx.docHits(ctx, unknown, tokens)
	return append(matched, more...), err
}

// withLabels keeps the candidates that carry every label, read from the labels' primary key
// alone: a category keeps a few percent of the cases that a page's window holds, and reading
// their rows first cost ~5 µs each.
func (tx *Tx) withLabels(ctx context.Context, labels []labelFilter, cands []hit) ([]hit, error) {
	if len(labels) == 0 {
		return cands, nil
	}
	ids := make([]int64, len(cands))
	for i, h := range cands {
		ids[i] = h.id
	}
	b, _ := json.Marshal(ids)
	q := &queryBuilder{}
	query := `SELECT j.value FROM json_each(` + q.arg(string(b)) + `) j WHERE TRUE` + labelsSQL(q, labels, "j.value")
	if tx.dialect == Postgres {
		q = &queryBuilder{}
		query = `SELECT j.id FROM (SELECT value::bigint AS id FROM jsonb_array_elements_text(` + q.arg(string(b)) +
			`::jsonb)) j WHERE TRUE` + labelsSQL(q, labels, "j.id")
	}
	keep, err := queryAll(ctx, tx, "search labels", query, scanID, q.args...)
	if err != nil {
		return nil, err
	}
	slices.Sort(keep)
	return slices.DeleteFunc(cands, func(h hit) bool {
		_, found := slices.BinarySearch(keep, h.id)
		return !found
	}), nil
}

// docHits derives the documents of hs and keeps those that match the tokens.
func (tx *Tx) docHits(ctx context.Context, hs []hit, tokens []string) ([]hit, error) {
	if len(hs) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(hs))
	for i, h := range hs {
		ids[i] = h.id
	}
	p := &queryBuilder{}
	docs, _, err := docsWhere(ctx, tx.query, tx.dialect, tx.idsIn(p, ids), p.args...)
	if err != nil {
		return nil, err
	}
	var out []hit
	for _, h := range hs {
		if tx.docMatches(docs[h.id], tokens) {
			out = append(out, h)
		}
	}
	return out, nil
}

// filterHits keeps the cases of ids that pass q, the first want of the order.
func (tx *Tx) filterHits(ctx context.Context, q *queryBuilder, order string, ids []int64, want int) ([]hit, error) {
	c := q.clone()
	return tx.hits(ctx, tx.casesIn(c, ids), c, order, want)
}

// casesIn is the FROM clause of the cases ids, adding its condition to q. SQLite is made to read
// them by id (CROSS JOIN fixes the join order): left to choose, it walked a filter's index
// instead (every open case for a status filter) and tested each against the list.
func (tx *Tx) casesIn(q *queryBuilder, ids []int64) string {
	if tx.dialect == Postgres {
		q.add(tx.idsIn(q, ids))
		return ` FROM cases c`
	}
	b, _ := json.Marshal(ids)
	from := ` FROM json_each(` + q.arg(string(b)) + `) j CROSS JOIN cases c`
	q.add("c.id = j.value")
	return from
}

// hits runs a candidate query: ids and last updates in the order, at most want.
func (tx *Tx) hits(ctx context.Context, from string, q *queryBuilder, order string, want int) ([]hit, error) {
	query := `SELECT c.id, c.updated_at` + from + q.whereSQL() + order + ` LIMIT ` + q.arg(want)
	return queryAll(ctx, tx, "search candidates", query, func(row rowScanner) (hit, error) {
		var h hit
		return h, row.Scan(&h.id, &h.updated)
	}, q.args...)
}

// topHits sorts hits in the order (newest update, or newest case, first) and keeps want.
func topHits(hits []hit, sort haven.CaseSort, want int) []hit {
	slices.SortFunc(hits, func(a, b hit) int {
		if sort == haven.SortUpdated && a.updated != b.updated {
			return cmp.Compare(b.updated, a.updated)
		}
		return cmp.Compare(b.id, a.id)
	})
	return hits[:min(len(hits), want)]
}

// textScan reads the match list of a search (the cases whose document matches and that carry
// the labels) newest case first, and remembers what it read.
type textScan struct {
	tx     *Tx
	expr   string
	words  int // the words of expr, all to match
	labels []labelFilter
	read   []int64 // the matches read, largest id first (their share of ids estimates the rest's)
	last   int64   // every match with an id from last up has been read
	done   bool    // every match has been read
	span   int64   // PostgreSQL: the width of the next range of ids read
	top    int64   // PostgreSQL: where the scan started (its first s.last)
	fine   int     // PostgreSQL: a range of more buckets than this is read through their blocks
	// PostgreSQL: a labelled scan that has read this many ids may read the rest at once (restAtOnce).
	restAfter int64
	// PostgreSQL: terms of the documents a filter asks for besides the labels (a priority).
	terms []labelFilter
}

// newTextScan starts reading the matches of tokens that carry labels, from the newest.
func (tx *Tx) newTextScan(tokens []string, labels []labelFilter) *textScan {
	return &textScan{tx: tx, expr: tx.matchExpr(tokens), words: len(tokens), labels: labels, last: math.MaxInt64, span: pgBucket,
		fine: fineBuckets, restAfter: pgMaxSpan}
}

// startScan starts reading the matches of tokens that carry labels and, where the documents hold
// it as a term, the priority f filters on: on PostgreSQL the terms are ANDed in the tsquery
// (pgQuery), on SQLite in the FTS5 expression (labelterms.go).
func (tx *Tx) startScan(ctx context.Context, tokens []string, labels []labelFilter, f haven.CaseFilter) (*textScan, error) {
	s := tx.newTextScan(tokens, labels)
	if tx.dialect == Postgres {
		s.terms = tx.filterTerms(f)
		return s, nil
	}
	terms, err := tx.labelTermsExpr(ctx, labels, f)
	s.expr += terms
	return s, err
}

// cut chooses how far down to read the match list for the candidates ids (below s.last,
// largest first): to the id that minimises the matches read (estimated from the share of ids
// matching so far) plus the documents derived for the candidates below it; s.last when deriving
// them all costs less.
func (s *textScan) cut(ids []int64) int64 {
	if s.done || len(s.read) == 0 { // labels are terms of the expression: the share read is theirs too
		return s.last
	}
	density := float64(len(s.read)) / float64(max(s.read[0]-s.last+1, 1))
	cost, cut := float64(docCost*len(ids)), s.last
	for i, id := range ids {
		c := density*float64(s.last-id) + float64(docCost*(len(ids)-i-1))
		if c < cost {
			cost, cut = c, id
		}
	}
	return cut
}

// next reads up to n more matches (fewer: the last ones) and returns them.
//
// FTS5 returns up to n matches in rowid order and stops. PostgreSQL's GIN index returns matches
// in no useful order (a bitmap of all of them): it is asked for the matches of a range of ids
// at a time (nextPostgres).
func (s *textScan) next(ctx context.Context, n int) ([]int64, error) {
	if s.done {
		return nil, nil
	}
	if s.tx.dialect == SQLite { // the labels are terms of the expression (startScan)
		q := &queryBuilder{}
		ids, err := queryAll(ctx, s.tx, "search matches", `SELECT rowid FROM case_search WHERE case_search MATCH `+q.arg(s.expr)+
			` AND rowid < `+q.arg(s.last)+` ORDER BY rowid DESC LIMIT `+q.arg(n), scanID, q.args...)
		if err != nil {
			return nil, err
		}
		s.add(ids, len(ids) < n)
		return ids, nil
	}
	return s.nextPostgres(ctx, n)
}

// add records matches read below s.last; done says that none is left below them.
func (s *textScan) add(ids []int64, done bool) {
	s.read = append(s.read, ids...)
	if len(ids) > 0 {
		s.last = ids[len(ids)-1]
	}
	s.done = s.done || done
}

// nextPostgres reads the matches in the next range of ids below s.last, its width sized from
// the share of ids matched so far to hold about twice the matches asked for (from pgBucket ids
// up to pgMaxSpan). Each document carries the terms of its bucket of ids and of its block of
// buckets (bucketTerm, blockTerm), so the GIN index answers "the matches among these ids" from their
// short posting lists (~0.4 ms for a common word's bucket at a million cases), where testing the
// newest documents one by one (detoasting each tsvector) cost ~3 µs each from memory and ~60 µs
// from disk. A rare or absent word reads on range by range, each range wider, to the oldest.
func (s *textScan) nextPostgres(ctx context.Context, n int) ([]int64, error) {
	if s.last == math.MaxInt64 {
		if err := s.tx.queryRow(ctx, `SELECT COALESCE(MAX(case_id), 0) + 1 FROM case_search`).Scan(&s.last); err != nil {
			return nil, mapError("search matches", err)
		}
	}
	if s.top == 0 {
		s.top = s.last
	}
	lo := max(s.last-s.span, 0) &^ (pgBucket - 1) // whole buckets below the first
	q := &queryBuilder{}
	match := s.pgQuery(q)
	if s.restAtOnce(n) {
		lo = 0
	} else {
		match = `(` + match + ` && ` + q.arg(s.rangeQuery(lo, s.last)) + `::tsquery)`
	}
	// "+ 0" keeps the planner from reading the range through the primary key and testing each
	// document: the GIN index is the only way in. A range read by blocks is cut to its ids here.
	query := `SELECT case_id FROM case_search WHERE tsv @@ ` + match + ` AND case_id + 0 >= ` + q.arg(lo) +
		` AND case_id + 0 < ` + q.arg(s.last) + ` ORDER BY case_id DESC`
	ids, err := queryAll(ctx, s.tx, "search matches", query, scanID, q.args...)
	if err != nil {
		return nil, err
	}
	s.read, s.last, s.done = append(s.read, ids...), lo, lo == 0
	if density := s.density(); density == 0 {
		s.span = min(pgMaxSpan, 4*s.span)
	} else {
		s.span = min(pgMaxSpan, max(2*s.span, int64(2*float64(n)/density)))
	}
	return ids, nil
}

// restAtOnce reports whether a labelled scan reads all its remaining matches at once: when the
// ranges read, a quarter of a million ids or more, predict fewer than n below them. A range's
// cost is that of its ids (the GIN index steps through its buckets' or blocks' postings): a
// common word with a category it rarely goes with swept the whole corpus range after range
// (45–80 ms at a million cases for no match), where the index intersects the word and the label
// alone in a few milliseconds. Unlabelled scans never need it (a word matching few ids is itself
// a short posting list), and the guard on the ids read keeps a combination that is rare among
// the newest cases but common among older ones from reading its tens of thousands at once.
func (s *textScan) restAtOnce(n int) bool {
	if len(s.labels)+len(s.terms) == 0 || s.top-s.last < s.restAfter {
		return false
	}
	return s.density()*float64(s.last) < float64(n)
}

// density is the share of the ids read so far that matched (PostgreSQL).
func (s *textScan) density() float64 {
	if s.top <= s.last {
		return 1
	}
	return float64(len(s.read)) / float64(s.top-s.last)
}

// pgQuery is the tsquery of the scan's words and, as terms of the documents (search.go), its
// labels: the GIN index intersects them. The labels are not looked up for each match here:
// filterHits reads them with the other filters for the matches it keeps.
func (s *textScan) pgQuery(q *queryBuilder) string {
	words := q.arg(s.expr) + `::tsquery`
	terms := append(slices.Clip(s.labels), s.terms...)
	if len(terms) == 0 {
		return words
	}
	return `(` + words + ` && ` + q.arg(labelQuery(terms)) + `::tsquery)`
}

// filterTerms are the terms of the documents (besides labels) that a filter asks for: a single
// priority, on PostgreSQL (search.go). filterHits still applies every filter to the matches.
func (tx *Tx) filterTerms(f haven.CaseFilter) []labelFilter {
	if tx.dialect != Postgres || len(f.Priority) != 1 {
		return nil
	}
	return []labelFilter{priorityTerm(f.Priority[0])}
}

// PostgreSQL's documents carry the terms of their bucket of pgBucket ids and of their block of
// pgBlock ids (powers of two). The GIN index checks each match against every term of a
// disjunction: a range of 64 buckets cost ~30 ms for a common word (13,000 matches) where its
// block costs ~1 ms, so a range wider than fineBuckets buckets is read through the blocks that
// hold it, cut to the range by its ids. The terms cannot be written by anyone: their "~" is not
// a letter or digit, so textnorm never makes it; documents and queries hold terms as they are
// (array_to_tsvector, ::tsquery).
const (
	pgBucket    = 1024
	pgBlock     = 64 * pgBucket
	pgMaxSpan   = 4 * pgBlock
	fineBuckets = 8
	// A bucket holding this many of a walk's candidates is read through the GIN index; this many
	// candidates outside such buckets, of a word matching at most pgBitmapDensity of the ids
	// read, are intersected with the GIN index's bitmap of its matches (bitmapAnd: its cost is
	// that of all the matches, up to 93 ms for the commonest words).
	pgDenseBucket   = 8
	pgBitmapAnd     = 32
	pgBitmapDensity = 1.0 / 32
)

func bucketTerm(id int64) string { return "~b" + strconv.FormatInt(id/pgBucket, 10) }

func blockTerm(id int64) string { return "~B" + strconv.FormatInt(id/pgBlock, 10) }

// rangeQuery is the tsquery matching the documents of the buckets, or when they are more than
// s.fine, the blocks, that hold ids lo to hi-1.
func (s *textScan) rangeQuery(lo, hi int64) string {
	term, step := bucketTerm, int64(pgBucket)
	if hi-lo > int64(s.fine)*pgBucket {
		term, step = blockTerm, pgBlock
	}
	var b strings.Builder
	for id := lo &^ (step - 1); id < hi; id += step {
		if b.Len() > 0 {
			b.WriteString(" | ")
		}
		b.WriteString("'" + term(id) + "'")
	}
	return b.String()
}

// amongPostgres returns those of ids that match. Most of a walk's candidates were created
// shortly before the matches read, a bucket or two of ids: the GIN index is asked for the
// matches in the buckets holding at least pgDenseBucket candidates, then kept to the candidates.
// The others (cases reopened long after creation, scattered over the years) are intersected with
// the index's bitmap of every match (bitmapAnd), or when few have their documents tested by key,
// which detoasts each (~15 µs; asking the index for hundreds of sparse buckets cost ~100 ms).
func (s *textScan) amongPostgres(ctx context.Context, ids []int64) ([]int64, error) {
	perBucket := map[int64]int{}
	for _, id := range ids {
		perBucket[id/pgBucket]++
	}
	var dense, sparse []int64
	var buckets []string // the dense buckets' terms, each once
	for _, id := range ids {
		bucket := id / pgBucket
		switch {
		case perBucket[bucket] < pgDenseBucket:
			sparse = append(sparse, id)
			continue
		case !slices.Contains(buckets, "'"+bucketTerm(id)+"'"):
			buckets = append(buckets, "'"+bucketTerm(id)+"'")
		}
		dense = append(dense, id)
	}
	var found []int64
	if len(dense) > 0 {
		q := &queryBuilder{}
		query := `SELECT case_id FROM case_search WHERE tsv @@ (` + s.pgQuery(q) + ` && ` + q.arg(strings.Join(buckets, " | ")) +
			`::tsquery) AND case_id + 0 IN ` + idList(Postgres, q, dense)
		ids, err := queryAll(ctx, s.tx, "search matches", query, scanID, q.args...)
		if err != nil {
			return nil, err
		}
		found = ids
	}
	if len(sparse) == 0 {
		return found, nil
	}
	// With labels, terms or several words, the share read is that of them all together: it says
	// nothing of each word's own matches, whose bitmaps the intersection would build (two common
	// words matching few cases together cost ~11 ms a batch through it, ~4 ms by key).
	if len(sparse) < pgBitmapAnd || s.density() > pgBitmapDensity || len(s.labels)+len(s.terms) > 0 || s.words > 1 {
		q := &queryBuilder{}
		query := `SELECT j.id FROM ` + idList(Postgres, q, sparse) + ` j(id)
			WHERE (SELECT s.tsv @@ ` + s.pgQuery(q) + ` FROM case_search s WHERE s.case_id = j.id)`
		ids, err := queryAll(ctx, s.tx, "search matches", query, scanID, q.args...)
		return append(found, ids...), err
	}
	ids, err := s.bitmapAnd(ctx, sparse)
	return append(found, ids...), err
}

// bitmapAnd returns those of ids that match, intersecting the GIN index's bitmap of every match
// with the primary key's bitmap of ids: ~2 ms for 256 ids of a word matching 10,000 cases, where
// testing 256 documents by key cost ~4 ms warm and ~18 ms cold. Left to
// choose, PostgreSQL looks each id up and tests its document, so plain index scans are turned off
// for this statement alone.
func (s *textScan) bitmapAnd(ctx context.Context, ids []int64) (found []int64, err error) {
	if err := s.setIndexScan(ctx, "off"); err != nil {
		return nil, err
	}
	defer func() {
		if resetErr := s.setIndexScan(ctx, "on"); err == nil {
			err = resetErr
		}
	}()
	list := make([]string, len(ids))
	for i, id := range ids {
		list[i] = strconv.FormatInt(id, 10)
	}
	q := &queryBuilder{}
	query := `SELECT case_id FROM case_search WHERE tsv @@ ` + s.pgQuery(q) + ` AND case_id = ANY(` +
		q.arg("{"+strings.Join(list, ",")+"}") + `::bigint[])`
	return queryAll(ctx, s.tx, "search matches", query, scanID, q.args...)
}

// setIndexScan sets enable_indexscan for the rest of the transaction.
func (s *textScan) setIndexScan(ctx context.Context, to string) error {
	var now string
	return mapError("search plan", s.tx.queryRow(ctx, `SELECT set_config('enable_indexscan', $1, true)`, to).Scan(&now))
}

// among returns those of ids (all below s.last, from lo up) that match: on PostgreSQL, those
// the GIN index finds in their buckets or their documents tested by key (amongPostgres); on
// SQLite, the match list is read from lo to s.last inside the engine, handing back only the ids
// asked about ("+rowid" keeps the list from becoming FTS5 lookups by rowid, ~1 ms each).
func (s *textScan) among(ctx context.Context, lo int64, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if s.tx.dialect == Postgres {
		return s.amongPostgres(ctx, ids)
	}
	b, _ := json.Marshal(ids)
	q := &queryBuilder{}
	query := `SELECT rowid FROM case_search WHERE case_search MATCH ` + q.arg(s.expr) + ` AND rowid >= ` + q.arg(lo) +
		` AND rowid < ` + q.arg(s.last) + ` AND +rowid IN (SELECT value FROM json_each(` + q.arg(string(b)) + `))`
	return queryAll(ctx, s.tx, "search matches", query, scanID, q.args...)
}

func scanID(row rowScanner) (int64, error) {
	var id int64
	return id, row.Scan(&id)
}

// countByText counts the cases matching a text search, up to limit (the UI shows "1000+"):
// read newest match first in growing chunks, as findByText does, so that a common word stops
// after about limit matches and a rare one after its few, instead of testing every case of the
// list against the whole match set.
func (tx *Tx) countByText(ctx context.Context, f haven.CaseFilter, limit int) (int, error) {
	tokens := textnorm.PrefixQuery(f.Text)
	if len(tokens) == 0 {
		return 0, &haven.Error{Code: haven.EINVALID, Message: "the search has no words", Fields: map[string]string{"q": "no searchable words"}}
	}
	plain := f
	plain.Cursor = ""
	q, labels, err := tx.textFilters(plain)
	if err != nil {
		return 0, err
	}
	if _, err := tx.searchFrom(ctx, f.Sort); err != nil {
		return 0, err
	}
	s, err := tx.startScan(ctx, tokens, labels, f)
	if err != nil {
		return 0, err
	}
	n := 0
	for chunk := firstChunk; n < limit && !s.done; chunk = min(2*chunk, maxChunk) {
		ids, err := s.next(ctx, chunk)
		if err != nil {
			return 0, err
		}
		if len(ids) == 0 {
			continue // the scan is done
		}
		c := q.clone()
		from := tx.casesIn(c, ids)
		var k int
		if err := tx.queryRow(ctx, `SELECT COUNT(*)`+from+c.whereSQL(), c.args...).Scan(&k); err != nil {
			return 0, mapError("count cases", err)
		}
		n += k
	}
	return min(n, limit), nil
}
