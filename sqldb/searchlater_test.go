package sqldb

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/keyring"
	"github.com/haven-helpline/haven/testenv"
)

// openSearchLater opens a migrated SQLite database at path with kr whose documents wait for a
// search or a full batch (never for an idle writer), so that what is pending is known.
func openSearchLater(t *testing.T, path string, kr *keyring.Keyring) *DB {
	t.Helper()
	db := openUnlockedWith(t, path, kr)
	db.later.idle.Store(int64(time.Hour))
	return db
}

// indexedMatches counts the documents of the index holding word, read from the index itself.
func indexedMatches(t *testing.T, db *DB, word string) int {
	t.Helper()
	var n int
	if err := db.read.QueryRow(`SELECT COUNT(*) FROM case_search WHERE case_search MATCH $1`, word).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func pendingRows(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.read.QueryRow(`SELECT COUNT(*) FROM search_pending`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// searchNumbers lists the numbers of the cases a text search finds.
func searchNumbers(t *testing.T, db *DB, text string) []string {
	t.Helper()
	var page *haven.CasePage
	err := db.View(context.Background(), func(tx haven.Tx) (err error) {
		page, err = tx.FindCases(context.Background(), haven.CaseFilter{Text: text, Limit: 50, Viewer: haven.Viewer{Now: time.Now()}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var numbers []string
	for _, c := range page.Items {
		numbers = append(numbers, c.Number)
	}
	return numbers
}

func newSearchCase(t *testing.T, db *DB, title string) *haven.Case {
	t.Helper()
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	c := &haven.Case{Title: title, Summary: "routine", Status: haven.StatusOpen, Priority: haven.P3, TLP: "amber",
		Tier: 1, Tags: []string{}, Categories: []string{}, CreatedAt: now, UpdatedAt: now}
	if err := db.Update(context.Background(), func(tx haven.Tx) error { return insertIndexed(context.Background(), tx, c) }); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSearchLaterWrittenBeforeSearch: a committed case's document waits outside the index, and
// a text search has it written before reading.
func TestSearchLaterWrittenBeforeSearch(t *testing.T) {
	db := openSearchLater(t, filepath.Join(t.TempDir(), "haven.db"), testenv.Keyring(t))
	c := newSearchCase(t, db, "zanzibar phishing")
	if n := indexedMatches(t, db, "zanzibar"); n != 0 {
		t.Fatalf("the document was written in its transaction (%d in the index)", n)
	}
	if n, kept := pendingRows(t, db), db.SearchDocumentsWaiting(); n != 1 || kept != 1 {
		t.Fatalf("%d pending rows, %d documents kept; want 1, 1", n, kept)
	}
	if got := searchNumbers(t, db, "zanzib"); len(got) != 1 || got[0] != c.Number {
		t.Fatalf("search found %v, want [%s]", got, c.Number)
	}
	if n, p, kept := indexedMatches(t, db, "zanzibar"), pendingRows(t, db), db.SearchDocumentsWaiting(); n != 1 || p != 0 || kept != 0 {
		t.Fatalf("after the search: %d in the index, %d pending, %d kept; want 1, 0, 0", n, p, kept)
	}
}

// TestSearchDocumentHoldsEachWordOnce: a case's own text is indexed with each word once (the
// index keeps which cases hold a word, not how often), and the case is still found by it.
func TestSearchDocumentHoldsEachWordOnce(t *testing.T) {
	db := openSearchLater(t, filepath.Join(t.TempDir(), "haven.db"), testenv.Keyring(t))
	c := newSearchCase(t, db, "Zanzibar phishing, zanzibar PHISHING routine zanzibar")
	db.later.mu.Lock()
	doc := db.later.kept[c.ID].doc
	db.later.mu.Unlock()
	words := strings.Fields(doc)
	for i, w := range words {
		if slices.Contains(words[:i], w) {
			t.Fatalf("document %q holds %q twice", doc, w)
		}
	}
	for _, w := range []string{"zanzibar", "phishing", "routine"} {
		if !slices.Contains(words, w) {
			t.Fatalf("document %q lacks %q", doc, w)
		}
	}
	if got := searchNumbers(t, db, "zanzibar routine"); len(got) != 1 || got[0] != c.Number {
		t.Fatalf("search found %v, want [%s]", got, c.Number)
	}
}

// TestSearchLaterWrittenInBatches: once searchLaterBatch documents wait, the writer writes them
// without any search asking.
func TestSearchLaterWrittenInBatches(t *testing.T) {
	ctx := context.Background()
	db := openSearchLater(t, filepath.Join(t.TempDir(), "haven.db"), testenv.Keyring(t))
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	err := db.Update(ctx, func(tx haven.Tx) error {
		for i := range searchLaterBatch {
			c := &haven.Case{Title: fmt.Sprintf("batched %d", i), Summary: "routine", Status: haven.StatusOpen,
				Priority: haven.P3, TLP: "amber", Tier: 1, Tags: []string{}, Categories: []string{}, CreatedAt: now, UpdatedAt: now}
			if err := insertIndexed(ctx, tx, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The writer takes this one after writing the documents due: no search, no sleep.
	if err := db.Update(ctx, func(haven.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if n, p := indexedMatches(t, db, "batched"), pendingRows(t, db); n != searchLaterBatch || p != 0 {
		t.Fatalf("%d in the index, %d pending; want %d, 0", n, p, searchLaterBatch)
	}
}

// TestSearchLaterOtherProcess: a document pending from another process (or from one that died)
// is written from its case as committed, and a document kept in memory is used only while it
// is the latest written.
func TestSearchLaterOtherProcess(t *testing.T) {
	ctx := context.Background()
	path, kr := filepath.Join(t.TempDir(), "haven.db"), testenv.Keyring(t)
	a := openSearchLater(t, path, kr)
	b := openSearchLater(t, path, kr)
	c := newSearchCase(t, a, "alphaword account") // kept by a
	err := b.Update(ctx, func(htx haven.Tx) error {
		tx := htx.(*Tx)
		fresh, err := tx.CaseByID(ctx, c.ID)
		if err != nil {
			return err
		}
		fresh.Title = "bravoword account"
		if err := tx.UpdateCase(ctx, fresh); err != nil {
			return err
		}
		return tx.IndexCase(ctx, fresh) // kept by b, with a newer stamp
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := searchNumbers(t, a, "bravoword"); len(got) != 1 || got[0] != c.Number {
		t.Fatalf("a's search for the title b wrote found %v, want [%s]", got, c.Number)
	}
	if got := searchNumbers(t, a, "alphaword"); len(got) != 0 {
		t.Fatalf("a wrote its own outdated document: the old title finds %v", got)
	}

	other := newSearchCase(t, a, "charlieword account") // kept by a only
	if got := searchNumbers(t, b, "charlieword"); len(got) != 1 || got[0] != other.Number {
		t.Fatalf("b's search for a case a left pending found %v, want [%s]", got, other.Number)
	}
	// b wrote it: a's copy is of no use any more, and must not keep a's writer writing after
	// every batch (a kept document over a second old makes the writer write).
	if err := a.catchUpSearch(ctx); err != nil {
		t.Fatal(err)
	}
	if kept := a.SearchDocumentsWaiting(); kept != 0 {
		t.Fatalf("a still keeps %d documents another process wrote", kept)
	}
}

// TestSearchLaterScrub: a purged case's old document is out of the index once Scrub returns.
func TestSearchLaterScrub(t *testing.T) {
	ctx := context.Background()
	db := openSearchLater(t, filepath.Join(t.TempDir(), "haven.db"), testenv.Keyring(t))
	c := newSearchCase(t, db, "secretname threat")
	if err := db.catchUpSearch(ctx); err != nil {
		t.Fatal(err)
	}
	if n := indexedMatches(t, db, "secretname"); n != 1 {
		t.Fatalf("%d documents hold the word before the purge, want 1", n)
	}
	err := db.Update(ctx, func(tx haven.Tx) error { return tx.PurgeCase(ctx, c.ID, time.Now()) })
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Scrub(ctx); err != nil {
		t.Fatal(err)
	}
	if n := indexedMatches(t, db, "secretname"); n != 0 {
		t.Fatalf("%d documents still hold the purged case's word after Scrub", n)
	}
}

// TestSearchLaterDiskFull: with no room to write the pending documents, a search answers from the
// index as it is, without an error, and the documents wait; with room again, the next search
// writes them first and finds the case.
func TestSearchLaterDiskFull(t *testing.T) {
	ctx := context.Background()
	db := openSearchLater(t, filepath.Join(t.TempDir(), "haven.db"), testenv.Keyring(t))
	var words strings.Builder
	for i := range 4000 { // enough terms that their segment needs pages the file does not have
		fmt.Fprintf(&words, "term%dx ", i)
	}
	c := newSearchCase(t, db, "roomless "+words.String())
	if err := db.CapPages(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if got := searchNumbers(t, db, "roomless"); len(got) != 0 {
		t.Fatalf("found %v before the document could be written", got)
	}
	if n := pendingRows(t, db); n != 1 {
		t.Fatalf("%d pending rows with the disk full, want 1", n)
	}
	if err := db.CapPages(ctx, 1<<20); err != nil {
		t.Fatal(err)
	}
	if got := searchNumbers(t, db, "roomless"); len(got) != 1 || got[0] != c.Number {
		t.Fatalf("with room again the search found %v, want [%s]", got, c.Number)
	}
}
