package textnorm

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// trickyInputs are the cases most likely to expose a difference between the
// optimised code and the reference implementation. They also seed the fuzzer.
var trickyInputs = []string{
	// Empty and separator-only input.
	"", " ", "\t\n\r", "...!?", "— « » ‹›", "\x00", "a\x00b",

	// Arabic articles, including repeated and bare ones.
	"ال", "لل", "وال", "بال", "كال", "فال", "الا", "الى", "اللحم",
	"الال", "الالال", "للل", "لللل", "للللل", "والوال", "والحساب",
	"بالالتزام", "الالتزام", "التزام", "وبالحساب", "فالكتاب", "كالبحر",
	strings.Repeat("ال", 100), strings.Repeat("وال", 50) + "حساب",
	"ال١٢", "ال12", "123ال", "الـ", "ـال", "الـحساب", "ال" + "\u064e" + "حساب",

	// Tashkeel, superscript alef, tatweel, Quranic marks.
	"كَلِمَة", "وَالْحِسَابُ", "هٰذا", "ٱلْحَمْدُ", "تـــويتر", "ـــ", "\u064b\u064c",
	"ذٰلِكَ ٱلْكِتَٰبُ لَا رَيْبَۛ فِيهِۛ", "۞ ۝١٢", "a\u0640b",

	// Letter variants.
	"أمن إمن آمن ٱمن", "مستشفى مستشفی", "کتاب", "مدرسة",

	// Arabic-Indic and Persian digits.
	"٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹", "+٩٦٣ ٩٩٩-١٢٣", "۱۴۰۲/۰۵/۱۲", "٣G",

	// Latin diacritics, precomposed and combining.
	"e\u0301te\u0301", "E\u0301", "\u0301", "a\u0301\u0302\u0303b", "L'Été Réseau",
	"Ça ÀÉÎÕÜ ñÑ", "São Tomé, Coração; niño, pingüino",

	// Letters that fold to two ASCII letters, and odd case mappings.
	"Straße", "STRASSE", "ẞ", "ß", "Æsir", "æ", "Œuvre", "œ", "ĳ Ĳ",
	"þorn Þ", "İstanbul", "ıi", "ſ", "\u212a", "\u212b", "Ⱥ Ⱦ ȺȾ",

	// Invisible format characters.
	"a\u200db", "a\u200cb", "a\u200eb", "a\u200fb", "a\u00adb", "\u200c",
	"\ufeffBOM", "می\u200cخواهم", "\u200f\u0627\u0644\u062d\u0633\u0627\u0628",

	// Cyrillic, Greek, Hebrew and others.
	"Ёлка", "ёжик ЁЖ", "Привет, мир!", "Ελληνικά ΣΊΣΥΦΟΣ", "שָׁלוֹם",
	"中文 测试", "한국어", "🙂 emoji 🙂",

	// Mixed scripts.
	"Facebookالحساب", "الحسابFacebook", "abcال", "حسابي على Instagram-2024",
	"L'équipe: تم اختراق حسابي على الفيسبوك", "ёال",

	// Long tokens, around MaxTokenRunes and the word buffer size.
	strings.Repeat("x", 63), strings.Repeat("x", 64), strings.Repeat("x", 65),
	strings.Repeat("x", 127), strings.Repeat("x", 128), strings.Repeat("x", 129),
	strings.Repeat("x", 1000), strings.Repeat("é", 70), strings.Repeat("ß", 40),
	strings.Repeat("æ", 100), strings.Repeat("ب", 200), "ال" + strings.Repeat("ب", 64),
	strings.Repeat("e\u0301", 70), strings.Repeat("中", 70), strings.Repeat("🙂a", 70),
	strings.Repeat("x", 200) + " " + strings.Repeat("y", 3),

	// Invalid UTF-8.
	"\xff", "\xff\xfe", "a\xffb", "ال\xffحساب", "\xd8", "ab\xd8", "\xe2\x80",
	"a\xe2\x80b", "\xed\xa0\x80", "\xc0\xaf", "\uFFFD", "a\uFFFDb",

	// Query shapes: duplicates and more than MaxQueryTokens terms.
	"Été ete ÉTÉ reseau", "الحساب حساب والحساب كلمة",
	strings.Repeat("a b c d e f g h i j k l m n o p q r s t ", 2),
	"a a a a a a a a a a a a a a a a a a b c",
	"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 15 15 16 17",
}

// checkMatchesReference fails unless Normalize, Tokens and PrefixQuery give
// exactly what the reference implementation gives for in.
func checkMatchesReference(t *testing.T, in string) {
	t.Helper()
	if got, want := Normalize(in), referenceNormalize(in); got != want {
		t.Errorf("Normalize(%q) = %q, reference %q", in, got, want)
	}
	if got, want := Tokens(in), referenceTokens(in); !sameStrings(got, want) {
		t.Errorf("Tokens(%q) = %q, reference %q", in, got, want)
	}
	if got, want := PrefixQuery(in), referencePrefixQuery(in); !sameStrings(got, want) {
		t.Errorf("PrefixQuery(%q) = %q, reference %q", in, got, want)
	}
}

// sameStrings is slices.Equal that also tells nil from empty, so callers
// checking for nil keep working.
func sameStrings(a, b []string) bool {
	return (a == nil) == (b == nil) && slices.Equal(a, b)
}

func TestMatchesReference(t *testing.T) {
	for _, in := range trickyInputs {
		checkMatchesReference(t, in)
	}
	checkMatchesReference(t, strings.Join(trickyInputs, " "))
	checkMatchesReference(t, strings.Join(trickyInputs, ""))
	checkMatchesReference(t, benchText)
}

// TestEveryRuneMatchesReference covers the precomputed fold table and the
// slow path alike: each rune alone, inside a word, and after an article.
func TestEveryRuneMatchesReference(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	for r := rune(0); r <= utf8.MaxRune; r++ {
		c := string(r)
		for _, in := range [...]string{c, "a" + c + "b", "ال" + c + "ب"} {
			if Normalize(in) != referenceNormalize(in) {
				checkMatchesReference(t, in) // reports the details
				return
			}
		}
	}
}

func FuzzMatchesReference(f *testing.F) {
	for _, seed := range trickyInputs {
		f.Add(seed)
	}
	f.Fuzz(checkMatchesReference)
}
