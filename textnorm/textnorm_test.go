package textnorm

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// singleToken normalises a one-word input and fails unless it yields
// exactly one token.
func singleToken(t *testing.T, s string) string {
	t.Helper()
	toks := Tokens(s)
	if len(toks) != 1 {
		t.Fatalf("Tokens(%q) = %q, want exactly one token", s, toks)
	}
	return toks[0]
}

func TestQueryIsPrefixOfIndexedForms(t *testing.T) {
	tests := []struct {
		query   string
		indexed []string
	}{
		{"حساب", []string{"حساب", "الحساب", "حسابات", "الحسابات", "والحساب", "بالحساب", "للحساب", "كالحساب", "فالحساب"}},
		{"فيسبوك", []string{"الفيسبوك", "فيسبوك"}},
		{"التزام", []string{"الالتزام", "بالالتزام"}},
		{"كلمة", []string{"كَلِمَة", "الكلمة"}},
		{"ete", []string{"Été", "ÉTÉS"}},
	}
	for _, tt := range tests {
		q := singleToken(t, tt.query)
		for _, text := range tt.indexed {
			if got := singleToken(t, text); !strings.HasPrefix(got, q) {
				t.Errorf("query %q -> %q is not a prefix of %q -> %q", tt.query, q, text, got)
			}
		}
	}
}

func TestEquivalentSpellings(t *testing.T) {
	tests := []struct {
		name string
		a, b string
	}{
		{"tashkeel", "كَلِمَة", "كلمه"},
		{"superscript alef", "هٰذا", "هذا"},
		{"hamza above", "أمن", "امن"},
		{"hamza below", "إمن", "امن"},
		{"madda", "آمن", "امن"},
		{"wasla", "ٱمن", "امن"},
		{"tatweel", "تـــويتر", "تويتر"},
		{"alef maqsura", "مستشفى", "مستشفي"},
		{"persian yeh", "مستشفی", "مستشفي"},
		{"keheh", "کتاب", "كتاب"},
		{"teh marbuta", "مدرسة", "مدرسه"},
		{"arabic-indic digits", "٠١٢٣٤٥٦٧٨٩", "0123456789"},
		{"persian digits", "۰۱۲۳۴۵۶۷۸۹", "0123456789"},
		{"yo", "Ёлка", "елка"},
		{"decomposed accent", "e\u0301te\u0301", "ete"},
		{"zwnj inside word", "می\u200cخواهم", "میخواهم"},
		{"case", "FaceBook", "facebook"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if a, b := Normalize(tt.a), Normalize(tt.b); a != b {
				t.Errorf("Normalize(%q) = %q, Normalize(%q) = %q; want equal", tt.a, a, tt.b, b)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  ...  ", nil},
		{"L'Été Réseau", []string{"l", "ete", "reseau"}},
		{"Ёлка", []string{"елка"}},
		{"São Tomé, Coração; niño, pingüino", []string{"sao", "tome", "coracao", "nino", "pinguino"}},
		{"Œuvre Straße", []string{"oeuvre", "strasse"}},
		{"ال", []string{"ال"}},
		{"الى", []string{"الي"}},
		{"الا", []string{"الا"}},
		{"لل", []string{"لل"}},
		{"وال", []string{"وال"}},
		{"اللحم", []string{"لحم"}},
		{"الحساب مقفل!", []string{"حساب", "مقفل"}},
		{"حسابي على Instagram-2024", []string{"حسابي", "علي", "instagram", "2024"}},
		{"a\u0640b", []string{"ab"}},
		{strings.Repeat("x", 70), []string{strings.Repeat("x", MaxTokenRunes)}},
		{"ال" + strings.Repeat("ب", 70), []string{strings.Repeat("ب", MaxTokenRunes)}},
	}
	for _, tt := range tests {
		if got := Tokens(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeJoinsTokens(t *testing.T) {
	in := "  L'Été  —  الحساب\t123 "
	if got, want := Normalize(in), strings.Join(Tokens(in), " "); got != want {
		t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
	}
}

func TestNormalizeDistinctKeepsFirstOfEachToken(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"compte compte", "compte"},
		{"Compte piraté, COMPTE pirate; compte", "compte pirate"},
		{"الحساب حساب والحساب mot", "حساب mot"},
		{"b a b c a", "b a c"},
	}
	for _, tt := range tests {
		if got := NormalizeDistinct(tt.in); got != tt.want {
			t.Errorf("NormalizeDistinct(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPrefixQuery(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Été ete ÉTÉ reseau", []string{"ete", "reseau"}},
		{"الحساب حساب والحساب كلمة", []string{"حساب", "كلمه"}},
		{strings.Repeat("a b c d e f g h i j k l m n o p q r s t ", 2), strings.Fields("a b c d e f g h i j k l m n o p")},
	}
	for _, tt := range tests {
		if got := PrefixQuery(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("PrefixQuery(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, seed := range []string{
		"", "ال", "الى", "اللحم", "الالتزام", "بالالتزام", "وال", "لللل",
		"كَلِمَة", "تـــويتر", "L'Été Réseau", "Ёлка", "Straße", "İstanbul",
		"e\u0301", "\xff\xfe", "۞ ۝١٢", strings.Repeat("الـ", 40),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		once := Normalize(in)
		if !utf8.ValidString(once) {
			t.Fatalf("Normalize(%q) = %q is not valid UTF-8", in, once)
		}
		if twice := Normalize(once); twice != once {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, once, twice)
		}
		var distinct []string
		for _, tok := range Tokens(in) {
			if !slices.Contains(distinct, tok) {
				distinct = append(distinct, tok)
			}
		}
		if got, want := NormalizeDistinct(in), strings.Join(distinct, " "); got != want {
			t.Fatalf("NormalizeDistinct(%q) = %q, want %q", in, got, want)
		}
		for _, tok := range Tokens(in) {
			if tok == "" || strings.ContainsAny(tok, " \t\n") {
				t.Fatalf("Tokens(%q) has bad token %q", in, tok)
			}
			if utf8.RuneCountInString(tok) > MaxTokenRunes {
				t.Fatalf("Tokens(%q) has token longer than %d runes: %q", in, MaxTokenRunes, tok)
			}
		}
	})
}

var benchText = strings.Repeat(
	"L'équipe a reçu un signalement: mon compte Facebook a été piraté. "+
		"تم اختراق حسابي على الفيسبوك وتغيير كَلِمَة المرور والبريد الإلكتروني. "+
		"Someone changed my password and is posting from my account. ", 6)

func BenchmarkNormalize(b *testing.B) {
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		Normalize(benchText)
	}
}

func BenchmarkTokens(b *testing.B) {
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		Tokens(benchText)
	}
}

// benchQuery is a typical search box entry, with a repeated term.
const benchQuery = "Facebook piraté الحساب حسابي كَلِمَة المرور facebook"

func BenchmarkPrefixQuery(b *testing.B) {
	b.SetBytes(int64(len(benchQuery)))
	for b.Loop() {
		PrefixQuery(benchQuery)
	}
}

func BenchmarkNormalizeDistinct(b *testing.B) {
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		NormalizeDistinct(benchText)
	}
}
