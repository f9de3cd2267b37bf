package sqldb

import (
	"context"
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

// prefixable reports whether a search word is long enough to match as a prefix: a one- or
// two-letter prefix expands to thousands of index terms (126 ms for "a" at 100,000 cases), so
// such words match whole words only.
func prefixable(token string) bool { return utf8.RuneCountInString(token) >= 3 }

// searchClause returns a condition matching cases whose document has every token as a prefix.
// Tokens hold only letters and digits (textnorm guarantees it); quoting is defence in depth.
func (tx *Tx) searchClause(q *queryBuilder, tokens []string) string {
	if tx.dialect == Postgres {
		terms := make([]string, len(tokens))
		for i, t := range tokens {
			terms[i] = "'" + strings.NewReplacer(`'`, `''`, `\`, `\\`).Replace(t) + "'"
			if prefixable(t) {
				terms[i] += ":*"
			}
			terms[i] = "(" + terms[i] + " | '" + tx.blindTerm(t) + "')"
		}
		return "c.id IN (SELECT case_id FROM case_search WHERE tsv @@ to_tsquery('simple', " +
			q.arg(strings.Join(terms, " & ")) + "))"
	}
	terms := make([]string, len(tokens))
	for i, t := range tokens {
		terms[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
		if prefixable(t) {
			terms[i] += "*"
		}
		terms[i] = "(" + terms[i] + ` OR "` + tx.blindTerm(t) + `")`
	}
	return "c.id IN (SELECT rowid FROM case_search WHERE case_search MATCH " + q.arg(strings.Join(terms, " AND ")) + ")"
}
