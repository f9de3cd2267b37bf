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
func Normalize(s string) string {
	return strings.Join(Tokens(s), " ")
}

// Tokens splits s into normalised search tokens.
func Tokens(s string) []string {
	var tokens []string
	var word []byte // reused between words; copied out once per token
	flush := func() {
		if len(word) > 0 {
			tokens = append(tokens, finishToken(string(word)))
			word = word[:0]
		}
	}
	for _, r := range s {
		r = unicode.ToLower(r)
		switch {
		case isIgnorable(r):
			// Dropped without ending the word: "كَلِمَة" is one word.
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word = appendFolded(word, r)
		default:
			flush()
		}
	}
	flush()
	return tokens
}

// PrefixQuery returns the distinct normalised tokens of a user query, in
// their original order, for use as prefix terms.
func PrefixQuery(s string) []string {
	var terms []string
	seen := make(map[string]bool)
	for _, tok := range Tokens(s) {
		if seen[tok] {
			continue
		}
		seen[tok] = true
		terms = append(terms, tok)
		if len(terms) == MaxQueryTokens {
			break
		}
	}
	return terms
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
func finishToken(word string) string {
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
func stripArabicArticles(word string) string {
	for {
		stripped := stripOneArticle(word)
		if stripped == word {
			return word
		}
		word = stripped
	}
}

// stripOneArticle removes the longest article prefix whose remainder is
// still at least minStemRunes long, or returns word unchanged.
func stripOneArticle(word string) string {
	for _, article := range arabicArticles {
		rest, ok := strings.CutPrefix(word, article)
		if ok && runeCountAtLeast(rest, minStemRunes) {
			return rest
		}
	}
	return word
}

func runeCountAtLeast(s string, n int) bool {
	for range s {
		n--
		if n <= 0 {
			return true
		}
	}
	return n <= 0
}

func truncateRunes(s string, limit int) string {
	count := 0
	for i := range s {
		if count == limit {
			return s[:i]
		}
		count++
	}
	return s
}
