package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"github.com/haven-helpline/haven"
)

// SQLite's search documents carry a term for each category and tag of their case and one for its
// priority (migration 0053), as PostgreSQL's do (search.go), so that FTS5 intersects a word with
// the labels and priority filtered on itself, streaming both lists in case order: filtered in SQL
// match by match, or range by range through the labels' index, a common word with a category or a
// priority it rarely goes with read the whole corpus (80–240 ms at a million cases for an empty
// page, against ~10 ms for FTS5 to intersect the two lists).
//
// A label's term is drawn at random once and kept in label_terms, so that a category's rename
// moves one row instead of writing every document of the category again: a trigger draws it when
// a case first carries the label, and it goes when no case carries the label any more. The terms sit behind
// the blind terms' marker, which no query word can start with (blindterm.go); "label" and
// "priority" keep them apart from the blind terms' hexadecimal digits.

// labelTermsVersion is the migration that adds label terms to SQLite's documents (it empties
// the index; rebuildSearch then writes every document again).
const labelTermsVersion = 53

// sqliteLabelTerm is the term, in SQLite's documents, of a label whose drawn key is key.
func sqliteLabelTerm(key string) string { return sqliteTermMarker + "label" + key }

// sqlitePriorityTerm is the term, in SQLite's documents, of a priority's rank.
func sqlitePriorityTerm(rank int) string { return sqliteTermMarker + "priority" + strconv.Itoa(rank) }

// sqliteIndexSQL writes a SQLite document ($2) as case $1's, followed by its label and priority
// terms, read in the same statement; $3 is the marker (sqliteTermMarker).
const sqliteIndexSQL = `INSERT INTO case_search (rowid, body) VALUES ($1, $2
	|| COALESCE((SELECT group_concat(' ' || $3 || 'label' || t.term, '') FROM case_labels l
		JOIN label_terms t ON t.kind = l.kind AND t.label = l.label WHERE l.case_id = $1), '')
	|| COALESCE((SELECT ' ' || $3 || 'priority' || priority_rank FROM cases WHERE id = $1), ''))`

// labelTermsExpr is the FTS5 expression of the terms of labels and of a single priority filtered
// on, to AND with the words (SQLite). A label no case ever carried has no term: nothing matches.
func (tx *Tx) labelTermsExpr(ctx context.Context, labels []labelFilter, f haven.CaseFilter) (string, error) {
	expr := ""
	for _, l := range labels {
		key := "none"
		err := tx.queryRow(ctx, `SELECT term FROM label_terms WHERE kind = $1 AND label = $2`, l.kind, l.label).Scan(&key)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", mapError("label terms", err)
		}
		expr += ` AND "` + sqliteLabelTerm(key) + `"`
	}
	if len(f.Priority) == 1 {
		expr += ` AND "` + sqlitePriorityTerm(f.Priority[0].Rank()) + `"`
	}
	return expr, nil
}

// dropLabel records, on SQLite, that a case stopped carrying a label: its term goes before commit
// if no case carries it any more (forgetDroppedLabels).
func (tx *Tx) dropLabel(l labelFilter) {
	if tx.dialect == SQLite {
		tx.dropped = append(tx.dropped, l)
	}
}

// forgetDroppedLabels deletes the terms of the labels dropped in this transaction that no case
// carries any more: a tag is text a handler wrote, and a purge or an erasure that takes it off
// its last case must not leave it behind in label_terms.
func (tx *Tx) forgetDroppedLabels(ctx context.Context) error {
	for _, l := range tx.dropped {
		if _, err := tx.exec(ctx, "forget label term", `DELETE FROM label_terms WHERE kind = $1 AND label = $2
			AND NOT EXISTS (SELECT 1 FROM case_labels WHERE kind = $1 AND label = $2)`, l.kind, l.label); err != nil {
			return err
		}
	}
	tx.dropped = tx.dropped[:0]
	return nil
}

// moveLabelTerm gives a renamed category's term to its new slug (SQLite). A term left under the
// new slug (a category of that slug renamed or removed before, still carried by some case) is
// not taken over: the moved cases' documents are written again instead, with that one.
func (tx *Tx) moveLabelTerm(ctx context.Context, from, to string) error {
	if tx.dialect != SQLite {
		return nil
	}
	var taken int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM label_terms WHERE kind = 'c' AND label = $1`, to).Scan(&taken); err != nil {
		return mapError("move label term", err)
	}
	if taken == 0 {
		_, err := tx.exec(ctx, "move label term", `UPDATE label_terms SET label = $1 WHERE kind = 'c' AND label = $2`, to, from)
		return err
	}
	ids, err := queryAll(ctx, tx, "move label term", `SELECT case_id FROM case_labels WHERE kind = 'c' AND label = $1`, scanID, to)
	for _, id := range ids {
		tx.markRelabelled(id)
	}
	tx.dropLabel(labelFilter{"c", from}) // no case carries it any more
	return err
}
