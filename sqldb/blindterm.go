package sqldb

import (
	"context"
	"database/sql"

	"github.com/haven-helpline/haven"
)

// The marker that starts every blind term (search.go: searchTerms, blindTerm) on SQLite.
//
// SQLite's full-text index keeps a ready-made list for every prefix of 3 to 8 characters of every
// term (migration 0043). A blind term needs none of them, since a query looks it up whole, but
// FTS5 cannot leave a term out of its prefix lists. Behind the two-letter "zz" every blind term
// added six lists whose prefixes are hex digits of the hash: a 5 KB message's ~2,000 terms wrote
// ~10,000 index entries instead of ~2,000, and merging them took half of the single writer's time
// (email intake fell from ~560 to ~105 messages/s). Behind a constant marker of eight characters
// every prefix of 3 to 8 characters is the marker's own, so a document's blind terms share the
// same six lists, one entry each.
//
// The marker starts with ى (alef maqsura), which textnorm folds to ي: no normalised query word
// starts with it, so no word typed in a search can match blind terms as a prefix (behind "zz",
// a query for "zzab" matched every blind term starting so). The rest is ASCII because FTS5's
// tokenizer reads ASCII fastest. Migration 0047 rewrites the terms stored before it.
const sqliteTermMarker = "ىzzzzzzz"

// termMarker is the marker of blind terms in dialect d. PostgreSQL's index (a GIN index of
// tsvectors) has no prefix lists, so its terms keep "zz" and its stored data stays as it is.
func termMarker(d Dialect) string {
	if d == SQLite {
		return sqliteTermMarker
	}
	return blindTermPrefix
}

// termMarkerVersion is the migration that rewrites SQLite's stored blind terms with the marker;
// reindexBlindTerms then writes the documents of the cases that have such terms again.
const termMarkerVersion = 47

// reindexBlindTerms replaces, after migration 0047, the indexed documents of the cases that have
// stored parts (notes, messages), a batch at a time; the others' documents hold no blind term.
func reindexBlindTerms(ctx context.Context, tx *sql.Tx, d Dialect, version int) error {
	if d != SQLite || version != termMarkerVersion {
		return nil
	}
	for after := int64(0); ; {
		docs, last, err := docsWhere(ctx, tx.QueryContext, SQLite,
			`c.id > $1 AND c.id IN (SELECT case_id FROM search_parts) ORDER BY c.id LIMIT $2`, after, 2000)
		if err != nil || len(docs) == 0 {
			return err
		}
		for id, doc := range docs {
			if _, err := tx.ExecContext(ctx, `DELETE FROM case_search WHERE rowid = $1`, id); err != nil {
				return haven.Internal("reindex blind terms", err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_search (rowid, body) VALUES ($1, $2)`, id, doc); err != nil {
				return haven.Internal("reindex blind terms", err)
			}
		}
		after = last
	}
}
