package sqldb

import (
	"strconv"
	"strings"
	"sync"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/textnorm"
)

// A case's own words (its title and summary, normalised) were computed inside the transaction
// that indexes the case, which on SQLite is the single writer: ~6 % of its time per case
// created at 64 API clients. PrepareCaseText lets the service normalise them first, in the
// request's own goroutine, and keeps the words here; the writer then only looks them up. The
// words are a function of the text they are kept under, so a missing or dropped entry costs
// the writer the work again, never a different document. The writer keeps what it computes
// too: a case's own words are needed again each time a message or note joins its document.

// ownWordsKeepBytes bounds the words kept (with their keys); beyond it they are all dropped.
// At intake ~3 KB a case, so the words of the last ~2,500 cases.
const ownWordsKeepBytes = 8 << 20

// ownWords keeps the normalised words of cases' titles and summaries (per database handle).
type ownWords struct {
	mu    sync.Mutex
	words map[string]string
	bytes int
}

// ownWordsKey is a title and summary as one key (the length keeps "a"+"bc" from "ab"+"c").
func ownWordsKey(title, summary string) string {
	return strconv.Itoa(len(title)) + ":" + title + summary
}

// normaliseOwn is the distinct normalised words of a title and summary.
func normaliseOwn(title, summary string) string {
	return textnorm.NormalizeDistinct(title + " " + summary)
}

// of returns the words of title and summary, computing and keeping them when not kept.
func (w *ownWords) of(title, summary string) string {
	key := ownWordsKey(title, summary)
	w.mu.Lock()
	words, ok := w.words[key]
	w.mu.Unlock()
	if ok {
		return words
	}
	words = normaliseOwn(title, summary)
	w.keep(key, words)
	return words
}

// keep keeps words under key, dropping everything kept first when the bound would be passed.
func (w *ownWords) keep(key, words string) {
	size := len(key) + len(words)
	if size > ownWordsKeepBytes/16 {
		return // one huge summary would flush everything else
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.words == nil || w.bytes+size > ownWordsKeepBytes {
		w.words, w.bytes = map[string]string{}, 0
	}
	if _, ok := w.words[key]; !ok {
		w.words[key], w.bytes = words, w.bytes+size
	}
}

// PrepareCaseText normalises a case's title and summary ahead of the write transaction that
// will index them (haven.CaseTextPreparer), so that the work is not done inside it. PostgreSQL's
// transactions run in their requests' goroutines already: nothing to move, nothing kept.
func (db *DB) PrepareCaseText(title, summary string) {
	if db.Dialect != Postgres {
		db.ownWords.of(title, summary)
	}
}

// caseOwnText is ownText for a case this transaction indexes, from the words kept when there.
func (tx *Tx) caseOwnText(c *haven.Case) string {
	if c.IsRestricted() || tx.db == nil || tx.dialect == Postgres {
		return ownText(c.Number, c.Title, c.Summary, c.IsRestricted(), c.Categories, c.Tags)
	}
	return joinWords(textnorm.NormalizeDistinct(c.Number), tx.db.ownWords.of(c.Title, c.Summary))
}

// joinWords joins two normalised texts, either of which may be empty.
func joinWords(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}

// ownText is the normalised text a case contributes itself; it is derived, so never stored twice.
// A restricted case contributes only its number, categories and tags: its members find it by
// those and by filters, and nobody else's search learns anything from it.
func ownText(number, title, summary string, restricted bool, categories, tags []string) string {
	if restricted {
		return textnorm.NormalizeDistinct(number + " " + strings.Join(categories, " ") + " " + strings.Join(tags, " "))
	}
	return joinWords(textnorm.NormalizeDistinct(number), normaliseOwn(title, summary))
}
