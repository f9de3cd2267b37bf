package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strconv"
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
	if err := tx.reindexRelabelled(ctx); err != nil {
		return err
	}
	if err := tx.forgetDroppedLabels(ctx); err != nil {
		return err
	}
	ids := make([]int64, 0, len(tx.searchDocs))
	for id := range tx.searchDocs {
		ids = append(ids, id)
	}
	slices.Sort(ids) // a stable order keeps PostgreSQL's row locks deadlock-free
	if tx.pendsDocs() {
		// SQLite: written after the transaction (searchlater.go)
		return tx.pendSearchDocs(ctx, ids)
	}
	for _, id := range ids {
		if err := tx.indexDoc(ctx, id, tx.searchDocs[id]); err != nil {
			return err
		}
	}
	if err := tx.flushLabelTerms(ctx); err != nil {
		return err
	}
	clear(tx.searchDocs)
	return nil
}

// PostgreSQL's documents carry a term for each category ("~c" and its key) and tag ("~t" and
// the tag) of their case, and for its priority ("~p" and its rank), so that the GIN index
// intersects a word with a category or a priority itself (nextPostgres): filtered match by
// match, a common word and a P1 filter (3 % of cases) read the word's matches by the tens of
// thousands. The priority is kept as a label of kind "p" here, never in case_labels. Like the
// bucket terms, no query word can be one.
const labelTermsSQL = `ARRAY(SELECT '~' || kind || label FROM case_labels WHERE case_id = $1
	UNION ALL SELECT '~p' || priority_rank FROM cases WHERE id = $1)`

// labelQuery is the tsquery of the terms of labels.
func labelQuery(labels []labelFilter) string {
	terms := make([]string, len(labels))
	for i, l := range labels {
		terms[i] = "'" + tsqueryQuote.Replace("~"+l.kind+l.label) + "'"
	}
	return strings.Join(terms, " & ")
}

var tsqueryQuote = strings.NewReplacer(`'`, `''`, `\`, `\\`)

// noteRelabelled records that the labels or priority of a case changed: its document's label
// terms are written again before commit, whoever changed them and whether or not the case's
// document is indexed again.
func (tx *Tx) noteRelabelled(caseID int64, before []labelFilter, c *haven.Case) {
	after := make([]labelFilter, 0, len(c.Tags)+len(c.Categories)+1)
	after = append(after, priorityTerm(c.Priority))
	for _, t := range c.Tags {
		after = append(after, labelFilter{"t", t})
	}
	for _, cat := range c.Categories {
		after = append(after, labelFilter{"c", cat})
	}
	order := func(a, b labelFilter) int { return strings.Compare(a.kind+"\x00"+a.label, b.kind+"\x00"+b.label) }
	slices.SortFunc(before, order)
	slices.SortFunc(after, order)
	if !slices.Equal(slices.Compact(before), slices.Compact(after)) {
		tx.markRelabelled(caseID)
	}
	for _, l := range before {
		if l.kind != "p" && !slices.Contains(after, l) {
			tx.dropLabel(l)
		}
	}
}

// markRelabelled records that the label terms of a case's document must be written again before
// commit (on SQLite, the whole document).
func (tx *Tx) markRelabelled(caseID int64) {
	if tx.relabelled == nil {
		tx.relabelled = map[int64]bool{}
	}
	tx.relabelled[caseID] = true
}

// priorityTerm is the label of kind "p" standing for a priority in the terms of a document.
func priorityTerm(p haven.Priority) labelFilter {
	return labelFilter{"p", strconv.Itoa(p.Rank())}
}

// reindexRelabelled writes again, on SQLite, the documents of relabelled cases not indexed again
// in this transaction: FTS5 replaces a document whole (labelterms.go).
func (tx *Tx) reindexRelabelled(ctx context.Context) error {
	if tx.dialect != SQLite {
		return nil
	}
	for id := range tx.relabelled {
		if _, whole := tx.searchDocs[id]; whole {
			continue
		}
		c, err := tx.CaseByID(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.IndexCase(ctx, c); err != nil {
			return err
		}
	}
	clear(tx.relabelled)
	return nil
}

// flushLabelTerms replaces the label terms of the documents of relabelled cases not indexed
// again in this transaction (PostgreSQL; SQLite's are indexed again whole: reindexRelabelled).
func (tx *Tx) flushLabelTerms(ctx context.Context) error {
	if tx.dialect != Postgres {
		return nil
	}
	ids := make([]int64, 0, len(tx.relabelled))
	for id := range tx.relabelled {
		if _, whole := tx.searchDocs[id]; !whole {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids) // a stable order keeps PostgreSQL's row locks deadlock-free
	for _, id := range ids {
		if err := tx.execLater(ctx, "case_search", "relabel search document", `UPDATE case_search
			SET tsv = ts_delete(tsv, ARRAY(SELECT lexeme FROM unnest(tsv) WHERE lexeme LIKE '~c%' OR lexeme LIKE '~t%' OR lexeme LIKE '~p%'))
				|| array_to_tsvector(`+labelTermsSQL+`)
			WHERE case_id = $1`, id); err != nil {
			return err
		}
	}
	clear(tx.relabelled)
	return nil
}

// pgLexemes are the terms of a PostgreSQL document, space-separated: each word's prefixes from
// three letters up to blindMaxPrefix (the whole word when shorter), as SQLite's prefix lists
// hold them, and the blind terms as they are. A query word is then an exact term (cut to
// blindMaxPrefix letters): a prefix query ("whatsapp:*") made the GIN index gather the
// documents of every term it expands to on each read, ~40 times the cost of one term at a
// million cases, whichever ids were asked for.
func (tx *Tx) pgLexemes(doc string) string {
	seen := map[string]bool{}
	var out strings.Builder
	var prefixes []string
	for _, word := range strings.Fields(doc) {
		if seen[word] {
			continue
		}
		prefixes = prefixes[:0]
		if tx.isBlindTerm(word) {
			prefixes = append(prefixes, word)
		} else {
			prefixes = appendWordPrefixes(prefixes, word)
		}
		for _, p := range prefixes {
			if !seen[p] {
				seen[p] = true
				if out.Len() > 0 {
					out.WriteByte(' ')
				}
				out.WriteString(p)
			}
		}
		seen[word] = true
	}
	return out.String()
}

// isBlindTerm reports whether a word of a document is a blind term: the marker and 16 hex digits.
func (tx *Tx) isBlindTerm(word string) bool {
	hex, ok := strings.CutPrefix(word, tx.keys.termMarker)
	return ok && len(hex) == 16 && strings.Trim(hex, "0123456789abcdef") == ""
}

// indexDoc replaces the indexed document of a case.
func (tx *Tx) indexDoc(ctx context.Context, caseID int64, doc string) error {
	if tx.dialect == Postgres {
		// The bucket's and block's terms let a search ask the GIN index for the matches of a
		// range of ids (nextPostgres); the label terms, for those of a category or tag.
		return tx.execLater(ctx, "case_search", "index case", `INSERT INTO case_search (case_id, tsv)
			VALUES ($1, array_to_tsvector(string_to_array($2, ' ') || ARRAY[$3::text, $4::text] || `+labelTermsSQL+`))
			ON CONFLICT (case_id) DO UPDATE SET tsv = excluded.tsv`, caseID, tx.pgLexemes(doc), bucketTerm(caseID), blockTerm(caseID))
	}
	if _, err := tx.exec(ctx, "unindex case", `DELETE FROM case_search WHERE rowid = $1`, caseID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, "index case", sqliteIndexSQL, caseID, doc, sqliteTermMarker) // with its label terms
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
		var seqscan, planCache string // SET LOCAL both, in one round trip
		err := tx.queryRow(ctx, `SELECT set_config('enable_seqscan', 'off', true),
			set_config('plan_cache_mode', 'force_custom_plan', true)`).Scan(&seqscan, &planCache)
		return caseJoins, mapError("search plan", err)
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
	blindTermPrefix = "zz" // on PostgreSQL; SQLite's marker is longer (blindterm.go)
	blindMaxPrefix  = 8
)

// searchTerms turns text into the blind terms described above.
// Each term is written once: matching needs no more, and a long message repeats most of its
// words' prefixes many times.
func (tx *Tx) searchTerms(text string) string { return tx.keys.searchTerms(text) }

// SearchTerms turns text into blind terms outside any transaction (haven.Store).
func (db *DB) SearchTerms(text string) string {
	k := db.keys()
	if k == nil {
		return "" // locked: the transaction that would use the terms is refused anyway
	}
	return k.searchTerms(text)
}

func (k *keys) searchTerms(text string) string {
	blinder := k.index.Blinder("search")
	tokens := textnorm.Tokens(text)
	seen := make(map[string]struct{}, 4*len(tokens)) // words and prefixes already written
	out := make([]byte, 0, 8*len(text))
	var prefixes []string
	for _, token := range tokens {
		if _, ok := seen[token]; ok && utf8.RuneCountInString(token) <= blindMaxPrefix {
			continue // a repeated word: its prefixes are written
		}
		prefixes = appendWordPrefixes(prefixes[:0], token)
		for _, prefix := range prefixes {
			if _, ok := seen[prefix]; ok {
				continue
			}
			seen[prefix] = struct{}{}
			out = append(out, k.termMarker...)
			out = append(blinder.AppendBlind(out, prefix, 16), ' ')
		}
	}
	return string(out)
}

// appendWordPrefixes appends the prefixes of token that are indexed: from three letters up to
// blindMaxPrefix letters, or the whole token when shorter than three. They share token's memory.
func appendWordPrefixes(prefixes []string, token string) []string {
	letters := 0
	for i := range token { // i is the byte offset of each letter
		if letters >= 3 {
			prefixes = append(prefixes, token[:i])
		}
		letters++
		if letters > blindMaxPrefix {
			return prefixes
		}
	}
	return append(prefixes, token)
}

// blindTerm is the index term a query word looks for.
func (tx *Tx) blindTerm(word string) string {
	if runes := []rune(word); len(runes) > blindMaxPrefix {
		word = string(runes[:blindMaxPrefix])
	}
	return tx.keys.termMarker + tx.keys.index.Blind("search", word)[:16]
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
		return "c.id IN (SELECT case_id FROM case_search WHERE tsv @@ " + q.arg(tx.matchExpr(tokens)) + "::tsquery)"
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
			// Exact terms, read as they are (::tsquery): the documents hold the prefixes.
			terms[i] = "('" + tsqueryQuote.Replace(t) + "' | '" + tx.blindTerm(t) + "')"
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

// rebuildSearch re-indexes every case after a migration that emptied SQLite's index (0043, 0053),
// a batch of cases at a time: their own text (as ownText derives it) followed by their stored
// parts and, from 0053, their label and priority terms (labelterms.go).
func rebuildSearch(ctx context.Context, tx *sql.Tx, d Dialect, version int) error {
	if d != SQLite || version != searchRebuildVersion && version != labelTermsVersion {
		return nil
	}
	for after := int64(0); ; {
		docs, last, err := searchDocs(ctx, tx, after, 2000)
		if err != nil || len(docs) == 0 {
			return err
		}
		for id, doc := range docs {
			query, args := `INSERT INTO case_search (rowid, body) VALUES ($1, $2)`, []any{id, doc}
			if version >= labelTermsVersion { // as indexDoc writes it, with its label terms
				query, args = sqliteIndexSQL, append(args, sqliteTermMarker)
			}
			if _, err := tx.ExecContext(ctx, query, args...); err != nil {
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
