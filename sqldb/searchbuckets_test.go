package sqldb

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/testenv"
)

// TestPostgresSearchBuckets loads cases over three buckets of ids and checks that every
// document carries its bucket's and block's terms (after insert, update and migration 0051),
// that its label terms follow its labels (changed without the document being indexed again, or
// by a category's rename), and that the scan, asking the GIN index for one range of ids at a
// time (through buckets, or through blocks cut to the range), returns every match once, newest
// first, and ends: for a common word, a rare one, a word
// only in notes (blind terms), a word of restricted cases (out of the index), and words with a
// category (the renamed one, and the old name, which no case carries any more).
func TestPostgresSearchBuckets(t *testing.T) {
	ctx := context.Background()
	db := openUnlocked(t, testenv.Postgres(t))
	want := loadLabelled(t, db)
	body, err := fs.ReadFile(migrationFS, "migrations/postgres/0051_search_buckets.sql")
	if err != nil {
		t.Fatal(err)
	}
	// A document written before 0051 (whole words, no bucket or label terms): after the
	// migration its "whatsapps" is found by "whatsapp", which is not one of its words.
	old := want["whatsapp"][slices.IndexFunc(want["whatsapp"], func(id int64) bool { return !slices.Contains(want["signal"], id) })]
	if _, err := db.write.ExecContext(ctx, `UPDATE case_search SET tsv = to_tsvector('simple', 'whatsapps account') WHERE case_id = $1`, old); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, string(body)); err != nil {
		t.Fatal(err)
	}
	relabel(t, db, want)
	err = db.View(ctx, func(htx haven.Tx) error {
		tx := htx.(*Tx)
		var without int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM case_search
			WHERE NOT tsv @@ ('''~b' || (case_id / 1024) || ''' & ''~B' || (case_id / 65536) || '''')::tsquery`).Scan(&without); err != nil {
			return err
		}
		if without != 0 {
			t.Errorf("%d documents lack their bucket's or block's term", without)
		}
		var stale int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM case_search s
			WHERE ARRAY(SELECT lexeme FROM unnest(s.tsv) WHERE lexeme LIKE '~c%' OR lexeme LIKE '~t%' OR lexeme LIKE '~p%' ORDER BY 1)
				<> ARRAY(SELECT t FROM (SELECT '~' || kind || label AS t FROM case_labels WHERE case_id = s.case_id
					UNION ALL SELECT '~p' || priority_rank FROM cases WHERE id = s.case_id) x ORDER BY 1)`).Scan(&stale); err != nil {
			return err
		}
		if stale != 0 {
			t.Errorf("%d documents' label and priority terms are not their case's", stale)
		}
		if _, err := tx.searchFrom(ctx, haven.SortCreated); err != nil {
			return err
		}
		if err := checkBitmapAnd(ctx, t, tx, want); err != nil {
			return err
		}
		for _, word := range []string{"whatsapp", "pegasus", "signal", "secretword", "whatsapp/c/lure", "signal/c/lure", "whatsapp/c/phishing", "whatsapp/t/o'brien", "whatsapp/p/1"} {
			var labels []labelFilter
			if w, label, ok := strings.Cut(word, "/c/"); ok {
				word, labels = w, []labelFilter{{"c", label}}
			}
			if w, tag, ok := strings.Cut(word, "/t/"); ok {
				word, labels = w, []labelFilter{{"t", tag}}
			}
			var terms []labelFilter
			if w, rank, ok := strings.Cut(word, "/p/"); ok {
				word, terms = w, []labelFilter{{"p", rank}}
			}
			key := word
			for _, l := range append(slices.Clip(labels), terms...) {
				key += "/" + l.kind + "/" + l.label
			}
			// Ranges by buckets, or (wider than one) by blocks; and one bucket a range (3 reads)
			// where a labelled scan reads the rest at once after the first (restAtOnce: 2 reads),
			// as a quarter of a million ids read make it.
			for _, fine := range []int{fineBuckets, 1, -1} {
				s := tx.newTextScan([]string{word}, labels)
				s.fine, s.terms = max(fine, 1), terms
				if fine < 0 {
					s.restAfter = 1
				}
				var got []int64
				calls := 0
				for chunk := firstChunk; !s.done; calls, chunk = calls+1, 2*chunk {
					if calls > 64 {
						return fmt.Errorf("the scan of %q did not end", word)
					}
					if fine < 0 {
						s.span = 1
					}
					ids, err := s.next(ctx, chunk)
					if err != nil {
						return err
					}
					got = append(got, ids...)
				}
				if labelled := len(labels)+len(terms) > 0; fine < 0 && calls != map[bool]int{false: 3, true: 2}[labelled] {
					t.Errorf("%q, one bucket a range: %d reads (labelled %v)", key, calls, labelled)
				}
				if !slices.Equal(got, want[key]) {
					for _, id := range want[key] {
						if !slices.Contains(got, id) {
							t.Logf("missing %d", id)
						}
					}
					t.Errorf("%q (by buckets up to %d): %d matches %v…, want %d %v…", key, fine, len(got), got[:min(len(got), 5)], len(want[key]), want[key][:min(len(want[key]), 5)])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// relabel moves some cases into or out of "phishing", and changes the priority of others, through
// UpdateCase alone (no IndexCase: their documents' terms must follow all the same), then renames
// "phishing" to "lure", and
// records the matches the labelled scans must then return in want.
func relabel(t *testing.T, db *DB, want map[string][]int64) {
	ctx := context.Background()
	err := db.Update(ctx, func(htx haven.Tx) error {
		tx := htx.(*Tx)
		for _, id := range []int64{2, 3, 4, 301, 302, 1500, 2600} {
			c, err := tx.CaseByID(ctx, id)
			if err != nil {
				return err
			}
			if slices.Contains(c.Categories, "phishing") {
				c.Categories = []string{"other"}
			} else {
				c.Categories = []string{"phishing"}
			}

			if err := tx.UpdateCase(ctx, c); err != nil {
				return err
			}
		}
		for _, id := range []int64{4, 5, 6, 7, 904, 2599} { // the priority alone changes
			c, err := tx.CaseByID(ctx, id)
			if err != nil {
				return err
			}
			c.Priority = haven.P1
			if c.Priority == haven.P1 && id%2 == 0 {
				c.Priority = haven.P2
			}
			if err := tx.UpdateCase(ctx, c); err != nil {
				return err
			}
		}
		_, err := tx.RenameCategory(ctx, "phishing", "lure")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.View(ctx, func(htx haven.Tx) error {
		tx := htx.(*Tx)
		for _, word := range []string{"whatsapp", "signal"} {
			for _, id := range want[word] {
				c, err := tx.CaseByID(ctx, id)
				if err != nil {
					return err
				}
				if slices.Contains(c.Categories, "lure") {
					want[word+"/c/lure"] = append(want[word+"/c/lure"], id)
				}
				if c.Priority == haven.P1 {
					want[word+"/p/1"] = append(want[word+"/p/1"], id)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(want["whatsapp/c/lure"]) < 100 || len(want["signal/c/lure"]) < 50 {
		t.Fatalf("too few labelled matches to test: %d, %d", len(want["whatsapp/c/lure"]), len(want["signal/c/lure"]))
	}
}

// checkBitmapAnd intersects every third case with the matches of words through the GIN index's
// bitmap (as a walk tests scattered candidates), and checks that plain index scans are back on;
// then tests dense and sparse candidates as a walk does (amongPostgres).
func checkBitmapAnd(ctx context.Context, t *testing.T, tx *Tx, want map[string][]int64) error {
	var ids []int64
	for id := int64(1); id <= 2*pgBucket+600; id += 3 {
		ids = append(ids, id)
	}
	for _, word := range []string{"whatsapp", "pegasus", "signal"} {
		got, err := tx.newTextScan([]string{word}, nil).bitmapAnd(ctx, ids)
		if err != nil {
			return err
		}
		expected := slices.DeleteFunc(slices.Clone(want[word]), func(id int64) bool { return (id-1)%3 != 0 })
		slices.Sort(got)
		slices.Sort(expected)
		if len(expected) == 0 || !slices.Equal(got, expected) {
			t.Errorf("%q among every third case: %v, want %v", word, got, expected)
		}
	}
	// The same through amongPostgres: every third case (dense buckets, read through the GIN
	// index), and one case in each bucket (sparse, tested by key).
	// Two words ("whatsapp account": every "whatsapp" case) are tested by key, never through
	// the bitmaps of each.
	for _, word := range []string{"whatsapp", "pegasus", "signal", "whatsapp account"} {
		for _, set := range [][]int64{ids, {1, 4, pgBucket + 2, 1003, 2*pgBucket + 1, 2000}} {
			got, err := tx.newTextScan(strings.Fields(word), nil).amongPostgres(ctx, set)
			if err != nil {
				return err
			}
			expected := slices.DeleteFunc(slices.Clone(want[strings.Fields(word)[0]]), func(id int64) bool { return !slices.Contains(set, id) })
			slices.Sort(got)
			slices.Sort(expected)
			if !slices.Equal(got, expected) {
				t.Errorf("%q among %d cases: %v, want %v", word, len(set), got, expected)
			}
		}
	}
	var indexScan string
	if err := tx.queryRow(ctx, `SHOW enable_indexscan`).Scan(&indexScan); err != nil {
		return err
	}
	if indexScan != "on" {
		t.Errorf("enable_indexscan is %s after the intersection", indexScan)
	}
	return nil
}

// loadLabelled inserts cases over three buckets of ids (some restricted, some with notes, tags,
// categories and priorities) and returns, for each word (and word/t/tag), its cases newest first.
func loadLabelled(t *testing.T, db *DB) map[string][]int64 {
	ctx := context.Background()
	want := map[string][]int64{}
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	err := db.Update(ctx, func(htx haven.Tx) error {
		tx := htx.(*Tx)
		for i := range 2*pgBucket + 600 {
			c := &haven.Case{Title: fmt.Sprintf("Case %d", i), Summary: "routine", Status: haven.StatusOpen, Priority: haven.P3,
				TLP: "amber", Tier: 1, Tags: []string{}, Categories: []string{"other"}, CreatedAt: t0, UpdatedAt: t0}
			switch {
			case i%500 == 7: // restricted: only its number and labels are indexed
				c.TLP, c.Summary = "red", "secretword"
			case i%997 == 5:
				c.Summary = "pegasus"
			case i%3 == 0:
				c.Summary = "whatsapp account"
			}
			words := []string{}
			if !c.IsRestricted() {
				words = strings.Fields(strings.TrimSuffix(c.Summary, " account"))
			}
			if i%4 == 1 {
				c.Categories = []string{"phishing"}
			}
			if i%20 == 3 {
				c.Priority = haven.P1
			}
			if i%11 == 2 { // tags that tsquery's syntax must not read as syntax
				c.Tags = []string{"two words", "o'brien", `back\slash`, "a & !b"}
			}
			if err := insertIndexed(ctx, tx, c); err != nil {
				return err
			}
			if i%7 == 0 && !c.IsRestricted() {
				if err := tx.AppendCaseText(ctx, c.ID, "note:1", "switched to Signal"); err != nil {
					return err
				}
				words = append(words, "signal")
			}
			for _, w := range words {
				want[w] = append([]int64{c.ID}, want[w]...)
				if len(c.Tags) > 0 {
					want[w+"/t/o'brien"] = append([]int64{c.ID}, want[w+"/t/o'brien"]...)
				}
			}
		}
		return nil // "phishing" is one of the categories a new database has
	})
	if err != nil {
		t.Fatal(err)
	}
	return want
}
