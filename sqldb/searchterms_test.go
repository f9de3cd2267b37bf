package sqldb

import (
	"strings"
	"testing"

	"github.com/haven-helpline/haven/keyring"
	"github.com/haven-helpline/haven/textnorm"
)

// TestWordPrefixes: a word is indexed by its prefixes of three to eight letters, a shorter word whole.
func TestWordPrefixes(t *testing.T) {
	for word, want := range map[string]string{
		"a":          "a",
		"ab":         "ab",
		"abc":        "abc",
		"abcd":       "abc abcd",
		"abcdefgh":   "abc abcd abcde abcdef abcdefg abcdefgh",
		"abcdefghij": "abc abcd abcde abcdef abcdefg abcdefgh",
		"حسابات":     "حسا حساب حسابا حسابات",
		"пароль":     "пар паро парол пароль",
	} {
		if got := strings.Join(appendWordPrefixes(nil, word), " "); got != want {
			t.Errorf("appendWordPrefixes(%q) = %q, want %q", word, got, want)
		}
	}
}

// TestSearchTermsEachOnce: a text's terms are the blind index of each distinct indexed prefix of
// its words, once each, in the order the words come.
func TestSearchTermsEachOnce(t *testing.T) {
	index, err := keyring.NewIndexKey()
	if err != nil {
		t.Fatal(err)
	}
	k := &keys{index: index, termMarker: sqliteTermMarker}
	text := "Phishing phished PHISHING a ab حسابات حساب пароль пароль internationalisation international"
	var want []string
	seen := map[string]bool{}
	for _, word := range textnorm.Tokens(text) {
		for _, prefix := range appendWordPrefixes(nil, word) {
			if !seen[prefix] {
				seen[prefix] = true
				want = append(want, sqliteTermMarker+index.Blind("search", prefix)[:16])
			}
		}
	}
	if got := strings.Fields(k.searchTerms(text)); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("terms:\n got %q\nwant %q", got, want)
	}
	// phi…phishing 6, phishe and phished 2, a, ab, حسا…حسابات 4, пар…пароль 4, int…internat 6
	if len(want) != 24 {
		t.Fatalf("%d terms, want 24", len(want))
	}
}
