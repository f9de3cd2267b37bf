package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/textnorm"
)

// Full-text search is where the dialects differ: FTS5 on SQLite, tsvector + GIN on PostgreSQL.
// Both receive text already normalised by textnorm (Arabic folding, article stripping), so the
// index uses the plain unicode61 tokenizer or the 'simple' configuration, with no stemming.

// writeSearchDoc records the new document of a case; flushSearchDocs writes it before commit.
func (tx *Tx) writeSearchDoc(ctx context.Context, caseID int64, doc string) error {
	tx.searchDocs[caseID] = doc
	return nil
}

// flushSearchDocs writes the documents changed in this transaction to the index.
func (tx *Tx) flushSearchDocs(ctx context.Context) error {
	ids := make([]int64, 0, len(tx.searchDocs))
	for id := range tx.searchDocs {
		ids = append(ids, id)
	}
	slices.Sort(ids) // a stable order keeps PostgreSQL's row locks deadlock-free
	for _, id := range ids {
		if err := tx.indexDoc(ctx, id, tx.searchDocs[id]); err != nil {
			return err
		}
	}
	clear(tx.searchDocs)
	return nil
}

// indexDoc replaces the indexed document of a case.
func (tx *Tx) indexDoc(ctx context.Context, caseID int64, doc string) error {
	if tx.dialect == Postgres {
		_, err := tx.exec(ctx, "index case", `INSERT INTO case_search (case_id, tsv) VALUES ($1, to_tsvector('simple', $2))
			ON CONFLICT (case_id) DO UPDATE SET tsv = excluded.tsv`, caseID, doc)
		return err
	}
	if _, err := tx.exec(ctx, "unindex case", `DELETE FROM case_search WHERE rowid = $1`, caseID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, "index case", `INSERT INTO case_search (rowid, body) VALUES ($1, $2)`, caseID, doc)
	return err
}

// searchFrom prepares a full-text search and returns its FROM clause. Left alone, each planner
// picks a slow plan for some words at 100,000 cases:
//
//   - SQLite drives the query from the match list, fetching and sorting every matching case
//     (117 ms for a common word). Pinning the index of the sort order makes it walk the index in
//     order and test each case against the materialised match set, stopping after one page.
//   - PostgreSQL seq-scans case_search for rare words: the table looks small because the
//     tsvectors live in TOAST, and the planner does not cost detoasting 100,000 of them (2 s for
//     "pegasus" against 9 ms through the GIN index). Sequential scans are turned off for this
//     read transaction only; common words keep the plan that walks cases_updated (2 ms). And
//     every search is planned for its own words: after five runs of a prepared statement (pgx
//     caches them) PostgreSQL may switch to a generic plan that ignores them (55 ms at p50).
func (tx *Tx) searchFrom(ctx context.Context, sort haven.CaseSort) (string, error) {
	if tx.dialect == Postgres {
		if _, err := tx.exec(ctx, "search plan", `SET LOCAL enable_seqscan = off`); err != nil {
			return "", err
		}
		_, err := tx.exec(ctx, "search plan", `SET LOCAL plan_cache_mode = force_custom_plan`)
		return caseJoins, err
	}
	index := map[haven.CaseSort]string{haven.SortUpdated: "INDEXED BY cases_updated",
		haven.SortPriority: "INDEXED BY cases_priority", haven.SortDue: "INDEXED BY cases_due",
		haven.SortCreated: "NOT INDEXED"}[sort]
	return ` FROM cases c ` + index + caseOtherJoins, nil
}

// Notes and message bodies are encrypted, so the index must not hold their words either: each word
// is indexed as the keyed hashes (blind index, 64 bits) of its prefixes from three letters up to
// blindMaxPrefix letters, or of the whole word when shorter. A query word then matches its own
// hash as an exact term (cut to blindMaxPrefix letters), which finds every indexed word it is a
// prefix of. Without the index key the terms reveal nothing. The cap keeps a long message's terms
// (and the full-text index's work) down by a quarter: a query word longer than it matches every
// word sharing its first blindMaxPrefix letters, which in practice are the same word's forms.
const (
	blindTermPrefix = "zz"
	blindMaxPrefix  = 8
)

// searchTerms turns text into the blind terms described above.
// Each term is written once: matching needs no more, and a long message repeats most of its
// words' prefixes many times.
func (tx *Tx) searchTerms(text string) string { return tx.keys.searchTerms(text) }

// SearchTerms turns text into blind terms outside any transaction (haven.Store).
func (db *DB) SearchTerms(text string) string {
	if db.keys == nil {
		return "" // locked: the transaction that would use the terms is refused anyway
	}
	return db.keys.searchTerms(text)
}

func (k *keys) searchTerms(text string) string {
	var b strings.Builder
	blinder := k.index.Blinder("search")
	seen := map[string]bool{}
	for _, token := range textnorm.Tokens(text) {
		runes := []rune(token)
		for n := min(3, len(runes)); n <= min(len(runes), blindMaxPrefix); n++ {
			prefix := string(runes[:n])
			if seen[prefix] {
				continue
			}
			seen[prefix] = true
			b.WriteString(blindTermPrefix + blinder.Blind(prefix)[:16])
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// blindTerm is the index term a query word looks for.
func (tx *Tx) blindTerm(word string) string {
	if runes := []rune(word); len(runes) > blindMaxPrefix {
		word = string(runes[:blindMaxPrefix])
	}
	return blindTermPrefix + tx.keys.index.Blind("search", word)[:16]
}

// indexedPrefix cuts a query word to blindMaxPrefix letters: SQLite's index keeps a list for
// every prefix up to that length (migration 0043), so a prefix reads like one word instead of
// expanding over the vocabulary; a longer word is looked for by its first letters, as blind
// terms are, which in practice finds the same word's forms.
func indexedPrefix(t string) string {
	if runes := []rune(t); len(runes) > blindMaxPrefix {
		return string(runes[:blindMaxPrefix])
	}
	return t
}

// prefixable reports whether a search word is long enough to match as a prefix: a one- or
// two-letter prefix expands to thousands of index terms (126 ms for "a" at 100,000 cases), so
// such words match whole words only.
func prefixable(token string) bool { return utf8.RuneCountInString(token) >= 3 }

// searchClause returns a condition matching cases whose document has every token as a prefix.
func (tx *Tx) searchClause(q *queryBuilder, tokens []string) string {
	if tx.dialect == Postgres {
		return "c.id IN (SELECT case_id FROM case_search WHERE tsv @@ to_tsquery('simple', " + q.arg(tx.matchExpr(tokens)) + "))"
	}
	return "c.id IN (SELECT rowid FROM case_search WHERE case_search MATCH " + q.arg(tx.matchExpr(tokens)) + ")"
}

// matchExpr is the query of the full-text index (an FTS5 MATCH expression, or a tsquery) for
// cases whose document has every token as a prefix, in plain text or as a blind term.
// Tokens hold only letters and digits (textnorm guarantees it); quoting is defence in depth.
func (tx *Tx) matchExpr(tokens []string) string {
	terms := make([]string, len(tokens))
	if tx.dialect == Postgres {
		for i, t := range tokens {
			if prefixable(t) {
				t = indexedPrefix(t) // as on SQLite, so that both dialects find the same cases
			}
			terms[i] = "'" + strings.NewReplacer(`'`, `''`, `\`, `\\`).Replace(t) + "'"
			if prefixable(t) {
				terms[i] += ":*"
			}
			terms[i] = "(" + terms[i] + " | '" + tx.blindTerm(t) + "')"
		}
		return strings.Join(terms, " & ")
	}
	for i, t := range tokens {
		if prefixable(t) {
			t = indexedPrefix(t)
			terms[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"*`
		} else {
			terms[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
		}
		terms[i] = "(" + terms[i] + ` OR "` + tx.blindTerm(t) + `")`
	}
	return strings.Join(terms, " AND ")
}

// A text search ordered by recency must cost what its page costs, not what its matches cost: a
// common word matches a tenth of a million cases, and materialising, fetching or sorting them all
// took 26/162 ms (p50/p99) at 300,000 cases. findByText reads the match list newest case first
// (case ids grow with time; FTS5 returns matches in rowid order and stops early), a growing
// chunk at a time, keeping the best page of the cases that pass the filters and need-to-know.
// It stops when the matches run out (the page is exact) or once it holds a full page. Sorted
// by creation, that page is the answer. Sorted by last update, the only cases that can still
// belong on it are older matches (smaller ids) updated after the page's last case: walkHits
// walks the recency index down to that case and tests the few older ones. Past scanCap matches
// without a full page (filters that keep few of them), or with more than probeCap older cases
// to test (many old cases updated lately), the search falls back to the plan of FindCases.
const (
	firstChunk = 256
	scanCap    = 16384
	probeCap   = 96
	// PostgreSQL: a window of documents with under 1/rareShare matching is a rare word; past
	// pgWindowCap documents tested one by one, the remaining matches come from the GIN index.
	rareShare   = 64
	pgWindowCap = 4096
)

// hit is a candidate of the page: its id and last update (micros), the recency sort keys.
type hit struct{ id, updated int64 }

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
	plain := f
	plain.Text = ""
	q := &queryBuilder{}
	if err := tx.caseFilters(q, plain); err != nil {
		return nil, true, err
	}
	order, back, err := caseKeyset(q, plain)
	if err != nil {
		return nil, true, err
	}
	if back {
		return nil, false, nil
	}
	if _, err := tx.searchFrom(ctx, sort); err != nil { // PostgreSQL's per-search plan settings
		return nil, true, err
	}
	best, ok, err := tx.bestHits(ctx, q, order, sort, tokens, f.Limit+1)
	if err != nil || !ok {
		return nil, ok, err
	}
	page, err = tx.casesOf(ctx, f, best, order)
	return page, true, err
}

// bestHits returns the first want cases of the order among the matches that pass q; ok is
// false when scanCap matches left fewer than a page (filters that keep few of them).
func (tx *Tx) bestHits(ctx context.Context, q *queryBuilder, order string, sort haven.CaseSort, tokens []string, want int) (best []hit, ok bool, err error) {
	expr := tx.matchExpr(tokens)
	last, chunk, scanned := int64(math.MaxInt64), firstChunk, 0
	for {
		ids, next, done, err := tx.matchIDs(ctx, expr, last, chunk)
		if err != nil {
			return nil, true, err
		}
		scanned, last = scanned+len(ids), next
		if len(ids) > 0 {
			hits, err := tx.filterHits(ctx, q, order, ids, want)
			if err != nil {
				return nil, true, err
			}
			best = topHits(append(best, hits...), sort, want)
		}
		switch {
		case done:
			return best, true, nil // every match was read
		case len(best) >= want && sort == haven.SortCreated:
			return best, true, nil // older matches come after the page
		case len(best) >= want:
			more, ok, err := tx.walkHits(ctx, q, order, tokens, last, best[want-1], want)
			return topHits(append(best, more...), sort, want), ok, err
		case scanned >= scanCap:
			return nil, false, nil
		}
		chunk = min(2*chunk, scanCap)
	}
}

// matchIDs reads the next matching case ids below before, largest first: from (the returned)
// last up, every match has been read; done says that none is left below.
//
// FTS5 returns up to n matches in rowid order and stops. PostgreSQL's GIN index returns matches
// in no useful order (a bitmap of all of them), and walking case_search backwards tests each
// document (~4 µs, detoasting it): a window of n documents is tested that way, and when it held
// few matches (a rare word: walking on would test the whole table), or pgWindowCap documents
// did not fill the page, the rest come from the GIN index at once, at the cost of the
// remaining matches.
func (tx *Tx) matchIDs(ctx context.Context, expr string, before int64, n int) (ids []int64, last int64, done bool, err error) {
	scan := func(row rowScanner) (int64, error) {
		var id int64
		return id, row.Scan(&id)
	}
	if tx.dialect == SQLite {
		ids, err = queryAll(ctx, tx, "search matches", `SELECT rowid FROM case_search WHERE case_search MATCH $1
			AND rowid < $2 ORDER BY rowid DESC LIMIT $3`, scan, expr, before, n)
		if len(ids) > 0 {
			before = ids[len(ids)-1]
		}
		return ids, before, len(ids) < n, err
	}
	type doc struct {
		id    int64
		match bool
	}
	window, err := queryAll(ctx, tx, "search matches", `SELECT case_id, tsv @@ to_tsquery('simple', $1) FROM case_search
		WHERE case_id < $2 ORDER BY case_id DESC LIMIT $3`, func(row rowScanner) (doc, error) {
		var d doc
		return d, row.Scan(&d.id, &d.match)
	}, expr, before, n)
	if err != nil || len(window) == 0 {
		return nil, before, true, err
	}
	for _, d := range window {
		if d.match {
			ids = append(ids, d.id)
		}
	}
	last = window[len(window)-1].id
	if len(window) < n || len(ids)*rareShare >= len(window) && n < pgWindowCap {
		return ids, last, len(window) < n, nil
	}
	rest, err := queryAll(ctx, tx, "search matches", `SELECT case_id FROM (SELECT case_id FROM case_search
		WHERE tsv @@ to_tsquery('simple', $1) AND case_id < $2 OFFSET 0) m`, scan, expr, last)
	slices.SortFunc(rest, func(a, b int64) int { return cmp.Compare(b, a) })
	return append(ids, rest...), 0, true, err
}

// filterHits keeps the cases of ids that pass q, the first want of the order.
func (tx *Tx) filterHits(ctx context.Context, q *queryBuilder, order string, ids []int64, want int) ([]hit, error) {
	c := q.clone()
	c.add(tx.idsIn(c, ids))
	return tx.hits(ctx, ` FROM cases c`, c, order, want)
}

// walkHits finds the cases that can still displace a page ending at t: matches older than last
// (the smallest id read) updated after t, walking the recency index down to t. Those cases
// are few unless many old cases were updated lately. Probing the full-text index costs ~0.3 ms
// a case (FTS5 opens an iterator per segment and term), so their documents are derived and
// matched here instead, as the index would; past probeCap of them ok is false, and the search
// takes the plan of FindCases.
func (tx *Tx) walkHits(ctx context.Context, q *queryBuilder, order string, tokens []string, last int64, t hit, want int) (more []hit, ok bool, err error) {
	c := &queryBuilder{args: slices.Clone(q.args)}
	c.where = append([]string{"(c.updated_at > " + c.arg(t.updated) + " OR (c.updated_at = " + c.arg(t.updated) +
		" AND c.id > " + c.arg(t.id) + "))", "c.id < " + c.arg(last)}, q.where...)
	from := ` FROM cases c`
	if tx.dialect == SQLite {
		from = ` FROM cases c INDEXED BY cases_updated`
	}
	older, err := tx.hits(ctx, from, c, order, probeCap+1)
	if err != nil || len(older) == 0 || len(older) > probeCap {
		return nil, err != nil || len(older) == 0, err
	}
	ids := make([]int64, len(older))
	for i, h := range older {
		ids[i] = h.id
	}
	p := &queryBuilder{}
	docs, _, err := docsWhere(ctx, tx.query, tx.dialect, tx.idsIn(p, ids), p.args...)
	if err != nil {
		return nil, true, err
	}
	for _, h := range older {
		if tx.docMatches(docs[h.id], tokens) {
			more = append(more, h)
		}
	}
	return more, true, nil
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

// casesOf reads the page's cases (best holds up to one more, which says a next page exists).
func (tx *Tx) casesOf(ctx context.Context, f haven.CaseFilter, best []hit, order string) (*haven.CasePage, error) {
	page := &haven.CasePage{Items: []*haven.Case{}}
	more := len(best) > f.Limit
	best = best[:min(len(best), f.Limit)]
	if len(best) == 0 {
		return page, nil
	}
	ids := make([]int64, len(best))
	for i, h := range best {
		ids[i] = h.id
	}
	columns := caseColumns
	if f.Brief {
		columns = briefCaseColumns
	}
	q := &queryBuilder{}
	rows, err := tx.query(ctx, `SELECT `+columns+caseJoins+` WHERE `+tx.idsIn(q, ids)+order, q.args...)
	if err != nil {
		return nil, mapError("find cases", err)
	}
	defer rows.Close()
	var dues []int64
	for rows.Next() {
		c, due, err := tx.scanCase(rows)
		if err != nil {
			return nil, mapError("scan case", err)
		}
		page.Items = append(page.Items, c)
		dues = append(dues, due)
	}
	if err := rows.Err(); err != nil {
		return nil, mapError("find cases", err)
	}
	pageCursors(page, f, dues, false, more)
	return page, nil
}

// idsIn is the condition "c.id is one of ids", as one JSON array parameter.
func (tx *Tx) idsIn(q *queryBuilder, ids []int64) string {
	return "c.id IN " + idList(tx.dialect, q, ids)
}

// idList is the subquery of ids, passed as one JSON array parameter.
func idList(d Dialect, q *queryBuilder, ids []int64) string {
	b, _ := json.Marshal(ids)
	if d == Postgres {
		return "(SELECT value::bigint FROM jsonb_array_elements_text(" + q.arg(string(b)) + "::jsonb))"
	}
	return "(SELECT value FROM json_each(" + q.arg(string(b)) + "))"
}

// clone copies the builder, so that each query adds its own conditions and parameters.
func (q *queryBuilder) clone() *queryBuilder {
	return &queryBuilder{where: slices.Clone(q.where), args: slices.Clone(q.args)}
}

// searchRebuildVersion is the migration that recreates SQLite's full-text index (0043: prefix
// lists); its documents are derived in Go, so the migration's transaction writes them again.
const searchRebuildVersion = 43

// rebuildSearch re-indexes every case after the migration that recreated the index, a batch of
// cases at a time: their own text (as ownText derives it) followed by their stored parts.
func rebuildSearch(ctx context.Context, tx *sql.Tx, d Dialect, version int) error {
	if d != SQLite || version != searchRebuildVersion {
		return nil
	}
	for after := int64(0); ; {
		docs, last, err := searchDocs(ctx, tx, after, 2000)
		if err != nil || len(docs) == 0 {
			return err
		}
		for id, doc := range docs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_search (rowid, body) VALUES ($1, $2)`, id, doc); err != nil {
				return haven.Internal("rebuild search index", err)
			}
		}
		after = last
	}
}

// rowsQuery runs a query in a transaction: (*sql.Tx).QueryContext during a migration, Tx.query
// otherwise.
type rowsQuery func(ctx context.Context, query string, args ...any) (*sql.Rows, error)

// searchDocs derives the documents of up to n cases with ids above after; last is the largest.
func searchDocs(ctx context.Context, tx *sql.Tx, after int64, n int) (docs map[int64]string, last int64, err error) {
	return docsWhere(ctx, tx.QueryContext, SQLite, `c.id > $1 ORDER BY c.id LIMIT $2`, after, n)
}

// docsWhere derives the search documents of the cases matching cond, exactly as reindex writes
// them: their own text (ownText) followed by their stored parts (none for a restricted case).
func docsWhere(ctx context.Context, query rowsQuery, d Dialect, cond string, args ...any) (docs map[int64]string, last int64, err error) {
	rows, err := query(ctx, `SELECT c.id, c.number, c.title, c.summary, c.restricted, c.categories, c.tags
		FROM cases c WHERE `+cond, args...)
	if err != nil {
		return nil, 0, mapError("search documents", err)
	}
	defer func() { _ = rows.Close() }() // read to the end below
	docs = map[int64]string{}
	var ids []int64
	for rows.Next() {
		var id int64
		var number, title, summary, cats, tags string
		var restricted bool
		if err := rows.Scan(&id, &number, &title, &summary, &restricted, &cats, &tags); err != nil {
			return nil, 0, mapError("search documents", err)
		}
		var c, t []string
		_ = json.Unmarshal([]byte(cats), &c) // written by toJSON; a bad value indexes no labels
		_ = json.Unmarshal([]byte(tags), &t)
		docs[id], last = ownText(number, title, summary, restricted, c, t), max(last, id)
		if !restricted {
			ids = append(ids, id)
		}
	}
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return docs, last, mapError("search documents", err)
	}
	return docs, last, appendParts(ctx, query, d, docs, ids)
}

// appendParts appends the stored parts (notes, messages: blind terms) of the cases ids to their
// documents, in part order as reindex does.
func appendParts(ctx context.Context, query rowsQuery, d Dialect, docs map[int64]string, ids []int64) error {
	q := &queryBuilder{}
	in := idList(d, q, ids)
	rows, err := query(ctx, `SELECT case_id, body FROM search_parts WHERE case_id IN `+in+` ORDER BY case_id, part`, q.args...)
	if err != nil {
		return mapError("search documents", err)
	}
	defer func() { _ = rows.Close() }() // read to the end below
	for rows.Next() {
		var id int64
		var body string
		if err := rows.Scan(&id, &body); err != nil {
			return mapError("search documents", err)
		}
		docs[id] += " " + body
	}
	return mapError("search documents", rows.Err())
}

// docMatches is the full-text match of the index, for a document derived in Go: every query token
// is a prefix of one of its words (a whole word when shorter than three letters), or one of its
// blind terms. Both sides are textnorm's output, so a word is what FTS5 and tsvector index.
func (tx *Tx) docMatches(doc string, tokens []string) bool {
	words := strings.Fields(doc)
	for _, t := range tokens {
		blind, prefix := tx.blindTerm(t), indexedPrefix(t)
		if !slices.ContainsFunc(words, func(w string) bool {
			return w == t || w == blind || prefixable(t) && strings.HasPrefix(w, prefix)
		}) {
			return false
		}
	}
	return true
}

// countByText counts the cases matching a text search, up to limit (the UI shows "1000+"):
// read newest match first in growing chunks, as findByText does, so that a common word stops
// after about limit matches and a rare one after its few, instead of testing every case of the
// list against the whole match set.
func (tx *Tx) countByText(ctx context.Context, f haven.CaseFilter, limit int) (int, error) {
	tokens := textnorm.PrefixQuery(f.Text)
	plain := f
	plain.Text, plain.Cursor = "", ""
	q := &queryBuilder{}
	if err := tx.caseFilters(q, plain); err != nil {
		return 0, err
	}
	if len(tokens) == 0 {
		return 0, &haven.Error{Code: haven.EINVALID, Message: "the search has no words", Fields: map[string]string{"q": "no searchable words"}}
	}
	if _, err := tx.searchFrom(ctx, f.Sort); err != nil {
		return 0, err
	}
	expr := tx.matchExpr(tokens)
	n, last, chunk := 0, int64(math.MaxInt64), firstChunk
	for n < limit {
		ids, next, done, err := tx.matchIDs(ctx, expr, last, chunk)
		if err != nil {
			return 0, err
		}
		if len(ids) > 0 {
			c := q.clone()
			c.add(tx.idsIn(c, ids))
			var k int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM cases c`+c.whereSQL(), c.args...).Scan(&k); err != nil {
				return 0, mapError("count cases", err)
			}
			n += k
		}
		if done {
			break
		}
		last, chunk = next, min(2*chunk, scanCap)
	}
	return min(n, limit), nil
}
