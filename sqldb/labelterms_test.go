package sqldb

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
)

// TestSQLiteLabelTerms checks that every SQLite document carries exactly the terms of its case's
// labels and priority (labelterms.go) after insert, after migration 0053 rebuilt an index written
// without them, after labels and priorities changed through UpdateCase alone, a category's rename
// (its term moved, or, when its new slug already has one, its cases' documents written again) and a
// purge, and that a label no case carries any more (a purged case's tag) keeps no term; and that labelled and priority-filtered scans return exactly the matches that carry them.
func TestSQLiteLabelTerms(t *testing.T) {
	ctx := context.Background()
	db := openUnlocked(t, filepath.Join(t.TempDir(), "haven.db"))
	want := loadLabelled(t, db)
	checkLabelTerms(t, db, "after insert")

	// The index as it was before 0053: documents without label terms, no label_terms table.
	raw, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = raw.Rollback() }()
	if _, err := raw.ExecContext(ctx, `DROP TRIGGER case_labels_term; DROP TABLE label_terms; INSERT INTO case_search (case_search) VALUES ('delete-all')`); err != nil {
		t.Fatal(err)
	}
	for after := int64(0); ; {
		docs, last, err := searchDocs(ctx, raw, after, 500)
		if err != nil {
			t.Fatal(err)
		}
		if len(docs) == 0 {
			break
		}
		for id, doc := range docs {
			if _, err := raw.ExecContext(ctx, `INSERT INTO case_search (rowid, body) VALUES ($1, $2)`, id, doc); err != nil {
				t.Fatal(err)
			}
		}
		after = last
	}
	body, err := fs.ReadFile(migrationFS, "migrations/sqlite/0053_label_terms.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, string(body)); err != nil {
		t.Fatal(err)
	}
	if err := rebuildSearch(ctx, raw, SQLite, labelTermsVersion); err != nil {
		t.Fatal(err)
	}
	if err := raw.Commit(); err != nil {
		t.Fatal(err)
	}
	checkLabelTerms(t, db, "after migration 0053")

	relabel(t, db, want) // UpdateCase alone, then "phishing" renamed "lure"
	checkLabelTerms(t, db, "after relabelling and a rename")
	checkLabelledScans(t, db, want)

	// A case carries "ghost", which is no category: renaming "lure" to it finds its term taken.
	err = db.Update(ctx, func(htx haven.Tx) error {
		c := &haven.Case{Title: "Ghost", Summary: "whatsapp ghost", Status: haven.StatusOpen, Priority: haven.P3,
			TLP: "amber", Tier: 1, Tags: []string{"purge me"}, Categories: []string{"ghost"}}
		if err := insertIndexed(ctx, htx, c); err != nil {
			return err
		}
		if _, err := htx.RenameCategory(ctx, "lure", "ghost"); err != nil {
			return err
		}
		untagged := &haven.Case{Title: "Untagged", Summary: "whatsapp", Status: haven.StatusOpen, Priority: haven.P3,
			TLP: "amber", Tier: 1, Tags: []string{"a name to forget"}, Categories: []string{"other"}}
		if err := insertIndexed(ctx, htx, untagged); err != nil {
			return err
		}
		untagged.Tags = []string{} // a handler takes the tag off again: nothing keeps its text
		if err := htx.UpdateCase(ctx, untagged); err != nil {
			return err
		}
		return htx.PurgeCase(ctx, c.ID, c.CreatedAt) // its tag goes, and the tag's term with it
	})
	if err != nil {
		t.Fatal(err)
	}
	checkLabelTerms(t, db, "after a rename into a taken term and a purge")
}

// checkLabelTerms checks that each label's and each priority's term matches exactly the cases
// that carry it, that every label carried has a term, and that no label no case carries has one.
func checkLabelTerms(t *testing.T, db *DB, when string) {
	t.Helper()
	ctx := context.Background()
	if err := db.catchUpSearch(ctx); err != nil { // the documents pending written (searchlater.go)
		t.Fatal(err)
	}
	err := db.View(ctx, func(htx haven.Tx) (err error) {
		tx := htx.(*Tx)
		var untermed int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM case_labels l
			WHERE NOT EXISTS (SELECT 1 FROM label_terms t WHERE t.kind = l.kind AND t.label = l.label)`).Scan(&untermed); err != nil {
			return err
		}
		if untermed > 0 {
			t.Errorf("%s: %d labels have no term", when, untermed)
		}
		var orphans []string // a tag's text outliving its last case (a purge, an erasure)
		if orphans, err = queryAll(ctx, tx, "orphan terms", `SELECT t.kind || ':' || t.label FROM label_terms t
			WHERE NOT EXISTS (SELECT 1 FROM case_labels l WHERE l.kind = t.kind AND l.label = t.label)`,
			func(row rowScanner) (string, error) {
				var l string
				return l, row.Scan(&l)
			}); err != nil {
			return err
		}
		if len(orphans) > 0 {
			t.Errorf("%s: terms kept for labels no case carries: %v", when, orphans)
		}
		type carried struct{ term, carriers string }
		sets, err := queryAll(ctx, tx, "label sets", `SELECT 'label' || t.term, 'SELECT case_id FROM case_labels WHERE kind = ''' || t.kind || ''' AND label = ''' || replace(t.label, '''', '''''') || ''''
			FROM label_terms t UNION ALL SELECT 'priority' || r.value, 'SELECT id FROM cases WHERE priority_rank = ' || r.value FROM json_each('[1,2,3,4]') r`,
			func(row rowScanner) (carried, error) {
				var c carried
				return c, row.Scan(&c.term, &c.carriers)
			})
		if err != nil {
			return err
		}
		for _, set := range sets {
			got, err := queryAll(ctx, tx, "term matches", `SELECT rowid FROM case_search WHERE case_search MATCH $1 ORDER BY rowid`,
				scanID, `"`+sqliteTermMarker+set.term+`"`)
			if err != nil {
				return err
			}
			expected, err := queryAll(ctx, tx, "carriers", set.carriers+` ORDER BY 1`, scanID)
			if err != nil {
				return err
			}
			if !slices.Equal(got, expected) {
				t.Errorf("%s: term %s matches %d cases, %d carry it (%s)", when, set.term, len(got), len(expected), set.carriers)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkLabelledScans reads words with a category, a tag or a priority through the SQLite scan and
// compares each with the matches want records.
func checkLabelledScans(t *testing.T, db *DB, want map[string][]int64) {
	t.Helper()
	ctx := context.Background()
	err := db.View(ctx, func(htx haven.Tx) error {
		tx := htx.(*Tx)
		for _, key := range []string{"whatsapp/c/lure", "signal/c/lure", "whatsapp/c/phishing", "whatsapp/t/o'brien", "whatsapp/p/1"} {
			word, rest, _ := strings.Cut(key, "/")
			kind, label, _ := strings.Cut(rest, "/")
			var labels []labelFilter
			var f haven.CaseFilter
			if kind == "p" {
				f.Priority = []haven.Priority{haven.P1}
			} else {
				labels = []labelFilter{{kind, label}}
			}
			s, err := tx.startScan(ctx, []string{word}, labels, f)
			if err != nil {
				return err
			}
			var got []int64
			for calls := 0; !s.done; calls++ {
				if calls > 64 {
					return fmt.Errorf("the scan of %q did not end", key)
				}
				ids, err := s.next(ctx, 32)
				if err != nil {
					return err
				}
				got = append(got, ids...)
			}
			if !slices.Equal(got, want[key]) {
				t.Errorf("%q: %d matches %v…, want %d", key, len(got), got[:min(len(got), 5)], len(want[key]))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
