package sqldb

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// A case's own words prepared before its transaction are the ones the transaction indexes, and
// they are the words it would have computed itself.
func TestPreparedOwnWordsIndexed(t *testing.T) {
	ctx := context.Background()
	db := openUnlocked(t, filepath.Join(t.TempDir(), "h.db"))
	const title, summary = "Compte piraté", "Le téléphone de la journaliste a été compromis"
	if before := ownText("HVN-1", title, summary, false, nil, nil); before != "hvn 1 compte pirate le telephone de la journaliste a ete compromis" {
		t.Fatalf("ownText = %q", before)
	}
	db.PrepareCaseText(title, summary)
	key := ownWordsKey(title, summary)
	if got := db.ownWords.words[key]; got != normaliseOwn(title, summary) {
		t.Fatalf("prepared words %q, want %q", got, normaliseOwn(title, summary))
	}
	// What the writer indexes is what was kept: a marker put in their place is found.
	db.ownWords.words[key] = "keptmarker"
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	err := db.Update(ctx, func(tx haven.Tx) error {
		return insertIndexed(ctx, tx, &haven.Case{Title: title, Summary: summary, Status: haven.StatusNew,
			Priority: haven.P3, Tags: []string{}, Categories: []string{}, CreatedAt: now, UpdatedAt: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := searchNumbers(t, db, "keptmarker"); len(got) != 1 {
		t.Fatalf("the kept words were not indexed: %v", got)
	}
	// A case whose words were not prepared is indexed with words the writer computes and keeps.
	err = db.Update(ctx, func(tx haven.Tx) error {
		return insertIndexed(ctx, tx, &haven.Case{Title: "Menace", Summary: "تهديد بالقتل", Status: haven.StatusNew,
			Priority: haven.P1, Tags: []string{}, Categories: []string{}, CreatedAt: now, UpdatedAt: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := searchNumbers(t, db, "تهديد"); len(got) != 1 {
		t.Fatalf("unprepared case not found: %v", got)
	}
	if got := db.ownWords.words[ownWordsKey("Menace", "تهديد بالقتل")]; got != normaliseOwn("Menace", "تهديد بالقتل") {
		t.Fatalf("the writer kept %q", got)
	}
}

// A restricted case's title and summary stay out of its document even when prepared.
func TestPreparedOwnWordsNotForRestricted(t *testing.T) {
	db := openUnlocked(t, filepath.Join(t.TempDir(), "h.db"))
	db.PrepareCaseText("secret title", "secret summary")
	c := &haven.Case{Number: "HVN-7", Title: "secret title", Summary: "secret summary", RestrictedTo: []string{"ana"},
		Categories: []string{"doxxing"}, Tags: []string{}}
	tx := &Tx{db: db}
	if got := tx.caseOwnText(c); strings.Contains(got, "secret") || !strings.Contains(got, "doxxing") {
		t.Fatalf("restricted case's own text %q", got)
	}
}

// The kept words are bounded by bytes: passing the bound drops them all, and a single huge text
// is not kept at all.
func TestOwnWordsBounded(t *testing.T) {
	var w ownWords
	summary := strings.Repeat("mot ", 1000) // ~4 KB of key each
	most := 0
	for n := 0; len(w.words) >= most; n++ {
		if w.bytes > ownWordsKeepBytes {
			t.Fatalf("%d bytes kept", w.bytes)
		}
		most = len(w.words)
		w.of(strings.Repeat("x", n), summary)
	}
	if len(w.words) != 1 || most < ownWordsKeepBytes/(4096+5000) {
		t.Fatalf("%d kept after the bound was passed (%d before)", len(w.words), most)
	}
	huge := strings.Repeat("mot ", ownWordsKeepBytes/16/4+1)
	w.of("huge", huge)
	if _, ok := w.words[ownWordsKey("huge", huge)]; ok || len(w.words) != 1 {
		t.Fatalf("a huge text was kept (%d entries)", len(w.words))
	}
}

// Prepared or not, a case is found by its words on both databases; only SQLite, whose single
// writer the preparation relieves, keeps them.
func TestPreparedOwnWordsOnEachDialect(t *testing.T) {
	onEachDialect(t, func(t *testing.T, name string, db *DB) {
		ctx := context.Background()
		const title, summary = "Doxxing", "Adresse personnelle publiée sur un forum"
		db.PrepareCaseText(title, summary)
		now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
		err := db.Update(ctx, func(tx haven.Tx) error {
			return insertIndexed(ctx, tx, &haven.Case{Title: title, Summary: summary, Status: haven.StatusNew,
				Priority: haven.P2, Tags: []string{}, Categories: []string{}, CreatedAt: now, UpdatedAt: now})
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := searchNumbers(t, db, "publiee forum"); len(got) != 1 {
			t.Fatalf("case not found by its words: %v", got)
		}
		if kept := len(db.ownWords.words); (name == "sqlite") != (kept == 1) {
			t.Fatalf("%s keeps %d texts", name, kept)
		}
	})
}

// Concurrent requests and the writer share the kept words: each gets the words of its own text,
// even while others fill the bound and drop everything (go test -race checks the locking).
func TestOwnWordsConcurrent(t *testing.T) {
	var w ownWords
	summary := strings.Repeat("Mot de passe volé ", 200)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 400; i++ {
				title := "cas " + strconv.Itoa(i) + strings.Repeat("x", g) // 3,200 texts of ~3.6 KB: past the bound
				if got, want := w.of(title, summary), normaliseOwn(title, summary); got != want {
					errs <- got
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for got := range errs {
		t.Fatalf("wrong words %q", got)
	}
}
