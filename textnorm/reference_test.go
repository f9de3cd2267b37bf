package textnorm

// This file is a frozen, verbatim copy of the original implementation
// (identifiers prefixed with "reference"). It is the oracle for the
// optimised production code: the search index is built from Normalize's
// output, so the rewrite must reproduce it byte for byte, forever.
// Do not "fix" or modernise anything here; change production code instead,
// and only together with a reindex.

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// referenceMaxTokenRunes bounds token length so pathological input (a base64 blob,
// a URL without separators) cannot bloat the index.
const referenceMaxTokenRunes = 64

// referenceMaxQueryTokens bounds the number of prefix terms in one search query.
const referenceMaxQueryTokens = 16

// referenceMinStemRunes is how much of a word must remain after removing an Arabic
// article; shorter remainders mean the "article" was really part of the word.
const referenceMinStemRunes = 2

// referenceArabicArticles lists the definite article and its prefixed forms,
// longest first so that "وال" wins over "ال".
var referenceArabicArticles = [...]string{"وال", "بال", "كال", "فال", "لل", "ال"}

// referenceNormalize returns the normalised tokens of s joined by single spaces.
func referenceNormalize(s string) string {
	return strings.Join(referenceTokens(s), " ")
}

// referenceTokens splits s into normalised search tokens.
func referenceTokens(s string) []string {
	var tokens []string
	var word []byte // reused between words; copied out once per token
	flush := func() {
		if len(word) > 0 {
			tokens = append(tokens, referenceFinishToken(string(word)))
			word = word[:0]
		}
	}
	for _, r := range s {
		r = unicode.ToLower(r)
		switch {
		case referenceIsIgnorable(r):
			// Dropped without ending the word: "كَلِمَة" is one word.
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word = referenceAppendFolded(word, r)
		default:
			flush()
		}
	}
	flush()
	return tokens
}

// referencePrefixQuery returns the distinct normalised tokens of a user query, in
// their original order, for use as prefix terms.
func referencePrefixQuery(s string) []string {
	var terms []string
	seen := make(map[string]bool)
	for _, tok := range referenceTokens(s) {
		if seen[tok] {
			continue
		}
		seen[tok] = true
		terms = append(terms, tok)
		if len(terms) == referenceMaxQueryTokens {
			break
		}
	}
	return terms
}

// referenceIsIgnorable reports runes that are removed inside a word rather than
// treated as separators.
func referenceIsIgnorable(r rune) bool {
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

// referenceAppendFolded appends the search form of one lower-cased letter or digit.
func referenceAppendFolded(word []byte, r rune) []byte {
	if folded, ok := referenceFoldArabic(r); ok {
		return utf8.AppendRune(word, folded)
	}
	if r == 'ё' {
		return utf8.AppendRune(word, 'е')
	}
	if latin := referenceFoldLatin(r); latin != "" {
		return append(word, latin...)
	}
	return utf8.AppendRune(word, r)
}

// referenceFoldArabic unifies letter variants that people type interchangeably and
// maps Arabic-Indic digits to ASCII so phone numbers match either way.
func referenceFoldArabic(r rune) (rune, bool) {
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

// referenceFoldLatin strips diacritics from lower-case Latin letters of the
// Latin-1 Supplement and Latin Extended-A blocks (French, Spanish,
// Portuguese, and their neighbours). It returns "" for other runes.
func referenceFoldLatin(r rune) string {
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

// referenceFinishToken applies the word-level steps to an already folded word.
func referenceFinishToken(word string) string {
	return referenceTruncateRunes(referenceStripArabicArticles(word), referenceMaxTokenRunes)
}

// referenceStripArabicArticles removes the definite article (and its و/ب/ك/ف/ل
// prefixed forms) repeatedly until none is left.
//
// Stripping only once would not be idempotent and, worse, would disagree
// with itself across index and query: "بالالتزام" would index as "التزام"
// while the query "التزام" normalises to "تزام". Repeating until nothing
// more can be stripped makes both sides land on the same stem, and makes
// referenceNormalize(referenceNormalize(x)) == referenceNormalize(x).
func referenceStripArabicArticles(word string) string {
	for {
		stripped := referenceStripOneArticle(word)
		if stripped == word {
			return word
		}
		word = stripped
	}
}

// referenceStripOneArticle removes the longest article prefix whose remainder is
// still at least referenceMinStemRunes long, or returns word unchanged.
func referenceStripOneArticle(word string) string {
	for _, article := range referenceArabicArticles {
		rest, ok := strings.CutPrefix(word, article)
		if ok && referenceRuneCountAtLeast(rest, referenceMinStemRunes) {
			return rest
		}
	}
	return word
}

func referenceRuneCountAtLeast(s string, n int) bool {
	for range s {
		n--
		if n <= 0 {
			return true
		}
	}
	return n <= 0
}

func referenceTruncateRunes(s string, limit int) string {
	count := 0
	for i := range s {
		if count == limit {
			return s[:i]
		}
		count++
	}
	return s
}
