package sqldb

import (
	"context"
	"slices"
	"strings"
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

// searchClause returns a condition matching cases whose document has every token as a prefix.
// Tokens hold only letters and digits (textnorm guarantees it); quoting is defence in depth.
func (tx *Tx) searchClause(q *queryBuilder, tokens []string) string {
	if tx.dialect == Postgres {
		terms := make([]string, len(tokens))
		for i, t := range tokens {
			terms[i] = "'" + strings.NewReplacer(`'`, `''`, `\`, `\\`).Replace(t) + "':*"
		}
		return "c.id IN (SELECT case_id FROM case_search WHERE tsv @@ to_tsquery('simple', " +
			q.arg(strings.Join(terms, " & ")) + "))"
	}
	terms := make([]string, len(tokens))
	for i, t := range tokens {
		terms[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"*`
	}
	return "c.id IN (SELECT rowid FROM case_search WHERE case_search MATCH " + q.arg(strings.Join(terms, " ")) + ")"
}
