// Package textnorm normalises text for full-text search.
//
// The same functions must be applied to the text being indexed and to the
// user's query: SQLite FTS5 (unicode61) and PostgreSQL ('simple') only ever
// see the normalised form, so any difference between the two sides would
// silently lose matches.
//
// Output tokens contain only letters and digits. That is deliberate: the
// unicode61 tokenizer treats every other category (including combining
// marks) as a separator, so a token containing a mark would be split again
// by the database and prefix queries would stop matching.
package textnorm

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxTokenRunes bounds token length so pathological input (a base64 blob,
// a URL without separators) cannot bloat the index.
const MaxTokenRunes = 64

// MaxQueryTokens bounds the number of prefix terms in one search query.
const MaxQueryTokens = 16

// minStemRunes is how much of a word must remain after removing an Arabic
// article; shorter remainders mean the "article" was really part of the word.
const minStemRunes = 2

// arabicArticles lists the definite article and its prefixed forms,
// longest first so that "وال" wins over "ال".
var arabicArticles = [...]string{"وال", "بال", "كال", "فال", "لل", "ال"}

// Normalize returns the normalised tokens of s joined by single spaces.
//
// It runs once per case inside the database's single writer, so it writes
// straight into one builder instead of collecting tokens first.
func Normalize(s string) string {
	var b strings.Builder
	var buf [wordBufSize]byte
	word := buf[:0]
	for rest := s; ; {
		if word, rest = nextWord(rest, word); len(word) == 0 {
			break
		}
		if b.Len() == 0 {
			// Folding rarely lengthens text, so len(s) is almost always
			// enough and the builder allocates once.
			b.Grow(len(s))
		} else {
			b.WriteByte(' ')
		}
		b.Write(finishToken(word))
	}
	return b.String()
}

// NormalizeDistinct is Normalize keeping only the first occurrence of each token.
//
// A search document needs each word once: the indexes keep which cases hold a word, not how
// often or where (FTS5 detail=none, PostgreSQL's position-less tsvectors). A 1.5 KB summary
// repeats ~40 % of its words, and FTS5 tokenises each occurrence and files it under the word
// and six prefixes inside the database's single writer.
func NormalizeDistinct(s string) string {
	joined := Normalize(s)
	seen := make(map[string]struct{}, len(joined)/8)
	var b strings.Builder
	b.Grow(len(joined))
	for rest := joined; rest != ""; {
		var token string
		token, rest, _ = strings.Cut(rest, " ") // tokens never contain a space
		if _, ok := seen[token]; ok {
			continue
		}
		seen[token] = struct{}{}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(token)
	}
	return b.String()
}

// Tokens splits s into normalised search tokens.
//
// The tokens are substrings of one string, which costs two allocations
// instead of one per token.
func Tokens(s string) []string {
	joined := Normalize(s)
	if joined == "" {
		return nil
	}
	return strings.Split(joined, " ") // tokens never contain a space
}

// PrefixQuery returns the distinct normalised tokens of a user query, in
// their original order, for use as prefix terms.
func PrefixQuery(s string) []string {
	var terms []string
	var buf [wordBufSize]byte
	word := buf[:0]
	// Stopping at MaxQueryTokens terms leaves the rest of a pasted wall of
	// text unscanned; the terms are the same as with a full scan.
	for rest := s; len(terms) < MaxQueryTokens; {
		if word, rest = nextWord(rest, word); len(word) == 0 {
			break
		}
		// At most MaxQueryTokens terms: a linear scan beats a map.
		if tok := finishToken(word); !containsToken(terms, tok) {
			terms = append(terms, string(tok))
		}
	}
	return terms
}

func containsToken(terms []string, tok []byte) bool {
	for _, t := range terms {
		if t == string(tok) { // the compiler does not allocate for this comparison
			return true
		}
	}
	return false
}

// wordBufSize covers nearly every real word, so a buffer of this size on
// the caller's stack means ordinary text never allocates one.
const wordBufSize = 128

// nextWord folds the next word of s into word[:0], reusing its memory, and
// returns it with the rest of s. The word is empty at the end of s.
func nextWord(s string, word []byte) (folded []byte, rest string) {
	word = word[:0]
	for len(s) > 0 {
		r, size := rune(s[0]), 1
		if r >= utf8.RuneSelf {
			// Invalid bytes decode as U+FFFD, exactly as a range loop would.
			r, size = utf8.DecodeRuneInString(s)
		}
		s = s[size:]
		var inWord bool
		if word, inWord = appendRune(word, r); !inWord && len(word) > 0 {
			break
		}
	}
	return word, s
}

// appendRune appends the search form of r to word. It reports false when r
// is a separator, i.e. ends the word.
func appendRune(word []byte, r rune) ([]byte, bool) {
	if r < fastRunes {
		f := &fastFolds[r]
		if f.n == 1 {
			// The common case; appending a single byte avoids a memmove call.
			return append(word, f.folded[0]), f.inWord
		}
		return append(word, f.folded[:f.n]...), f.inWord
	}
	return appendRuneSlow(word, r)
}

// appendRuneSlow is the definition of how a rune is folded; appendRune
// only adds a cache in front of it.
func appendRuneSlow(word []byte, r rune) ([]byte, bool) {
	r = unicode.ToLower(r)
	switch {
	case isIgnorable(r):
		// Dropped without ending the word: "كَلِمَة" is one word.
		return word, true
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		return appendFolded(word, r), true
	}
	return word, false
}

// fastRunes covers every rune that UTF-8 encodes in one or two bytes:
// ASCII, Latin, Greek, Cyrillic, Hebrew and Arabic. The Unicode table
// look-ups in appendRuneSlow dominated the cost for these.
const fastRunes = 0x800

// runeFold is the precomputed result of appendRuneSlow for one rune.
type runeFold struct {
	inWord bool    // false: a separator
	n      uint8   // len(folded); 0 with inWord means ignorable
	folded [4]byte // at most one rune, or two ASCII letters ("ae", "ss")
}

var fastFolds [fastRunes]runeFold

func init() {
	var buf [utf8.UTFMax]byte
	for r := range rune(fastRunes) {
		folded, inWord := appendRuneSlow(buf[:0], r)
		f := &fastFolds[r]
		if len(folded) > len(f.folded) {
			panic("textnorm: folded rune does not fit in runeFold")
		}
		f.inWord = inWord
		f.n = uint8(copy(f.folded[:], folded))
	}
}

// isIgnorable reports runes that are removed inside a word rather than
// treated as separators.
func isIgnorable(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return false // fast path: ASCII has no marks or format characters
	case r == 'ـ': // tatweel (U+0640): typographic stretching, a letter (Lm) by category
		return true
	case r >= 0x06D6 && r <= 0x06ED: // Quranic annotation marks
		return true
	case unicode.Is(unicode.M, r):
		// Combining marks: Arabic tashkeel (U+064B–U+065F), superscript
		// alef (U+0670), decomposed Latin accents. They are optional in
		// everyday writing, and the database tokenizers would split on them.
		return true
	case unicode.Is(unicode.Cf, r):
		// Format characters (ZWNJ, LRM/RLM from phone keyboards, soft
		// hyphen) are invisible; splitting on them would break words.
		return true
	}
	return false
}

// appendFolded appends the search form of one lower-cased letter or digit.
func appendFolded(word []byte, r rune) []byte {
	if folded, ok := foldArabic(r); ok {
		return utf8.AppendRune(word, folded)
	}
	if r == 'ё' {
		return utf8.AppendRune(word, 'е')
	}
	if latin := foldLatin(r); latin != "" {
		return append(word, latin...)
	}
	return utf8.AppendRune(word, r)
}

// foldArabic unifies letter variants that people type interchangeably and
// maps Arabic-Indic digits to ASCII so phone numbers match either way.
func foldArabic(r rune) (rune, bool) {
	switch {
	case r == 'أ' || r == 'إ' || r == 'آ' || r == 'ٱ':
		return 'ا', true
	case r == 'ى' || r == 'ی': // alef maqsura, Persian/Urdu yeh
		return 'ي', true
	case r == 'ة': // teh marbuta
		return 'ه', true
	case r == 'ک': // Persian/Urdu keheh
		return 'ك', true
	case r >= '٠' && r <= '٩':
		return '0' + (r - '٠'), true
	case r >= '۰' && r <= '۹': // Extended (Persian/Urdu) digits
		return '0' + (r - '۰'), true
	}
	return 0, false
}

// foldLatin strips diacritics from lower-case Latin letters of the
// Latin-1 Supplement and Latin Extended-A blocks (French, Spanish,
// Portuguese, and their neighbours). It returns "" for other runes.
func foldLatin(r rune) string {
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å', 'ā', 'ă', 'ą':
		return "a"
	case 'æ':
		return "ae"
	case 'ç', 'ć', 'ĉ', 'ċ', 'č':
		return "c"
	case 'ď', 'đ', 'ð':
		return "d"
	case 'è', 'é', 'ê', 'ë', 'ē', 'ĕ', 'ė', 'ę', 'ě':
		return "e"
	case 'ĝ', 'ğ', 'ġ', 'ģ':
		return "g"
	case 'ĥ', 'ħ':
		return "h"
	case 'ì', 'í', 'î', 'ï', 'ĩ', 'ī', 'ĭ', 'į', 'ı':
		return "i"
	case 'ĳ':
		return "ij"
	case 'ĵ':
		return "j"
	case 'ķ', 'ĸ':
		return "k"
	case 'ĺ', 'ļ', 'ľ', 'ŀ', 'ł':
		return "l"
	case 'ñ', 'ń', 'ņ', 'ň', 'ŉ', 'ŋ':
		return "n"
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø', 'ō', 'ŏ', 'ő':
		return "o"
	case 'œ':
		return "oe"
	case 'ŕ', 'ŗ', 'ř':
		return "r"
	case 'ś', 'ŝ', 'ş', 'š', 'ſ':
		return "s"
	case 'ß':
		return "ss"
	case 'ţ', 'ť', 'ŧ':
		return "t"
	case 'þ':
		return "th"
	case 'ù', 'ú', 'û', 'ü', 'ũ', 'ū', 'ŭ', 'ů', 'ű', 'ų':
		return "u"
	case 'ŵ':
		return "w"
	case 'ý', 'ÿ', 'ŷ':
		return "y"
	case 'ź', 'ż', 'ž':
		return "z"
	}
	return ""
}

// finishToken applies the word-level steps to an already folded word.
// The result shares word's memory.
func finishToken(word []byte) []byte {
	return truncateRunes(stripArabicArticles(word), MaxTokenRunes)
}

// stripArabicArticles removes the definite article (and its و/ب/ك/ف/ل
// prefixed forms) repeatedly until none is left.
//
// Stripping only once would not be idempotent and, worse, would disagree
// with itself across index and query: "بالالتزام" would index as "التزام"
// while the query "التزام" normalises to "تزام". Repeating until nothing
// more can be stripped makes both sides land on the same stem, and makes
// Normalize(Normalize(x)) == Normalize(x).
func stripArabicArticles(word []byte) []byte {
	for {
		stripped := stripOneArticle(word)
		if len(stripped) == len(word) {
			return word
		}
		word = stripped
	}
}

// stripOneArticle removes the longest article prefix whose remainder is
// still at least minStemRunes long, or returns word unchanged.
func stripOneArticle(word []byte) []byte {
	if len(word) == 0 || word[0] < utf8.RuneSelf {
		return word // articles are Arabic: skip the checks for ASCII words
	}
	for _, article := range arabicArticles {
		if len(word) < len(article) || string(word[:len(article)]) != article {
			continue
		}
		if rest := word[len(article):]; runeCountAtLeast(rest, minStemRunes) {
			return rest
		}
	}
	return word
}

// runeCountAtLeast looks at no more than n runes, so that stripping
// article after article from a huge word stays linear.
func runeCountAtLeast(b []byte, n int) bool {
	for ; n > 0 && len(b) > 0; n-- {
		_, size := utf8.DecodeRune(b)
		b = b[size:]
	}
	return n <= 0
}

func truncateRunes(b []byte, limit int) []byte {
	if len(b) <= limit {
		return b // no more runes than bytes
	}
	i := 0
	for count := 0; i < len(b); count++ {
		if count == limit {
			return b[:i]
		}
		_, size := utf8.DecodeRune(b[i:])
		i += size
	}
	return b
}
