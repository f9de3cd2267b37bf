package auth

import (
	"regexp"
	"strings"
	"testing"
)

var recoveryFormat = regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$`)

func TestNewRecoveryCodes(t *testing.T) {
	codes, hashes, err := NewRecoveryCodes(10)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 10 || len(hashes) != 10 {
		t.Fatalf("got %d codes, %d hashes; want 10 each", len(codes), len(hashes))
	}
	for i, code := range codes {
		if !recoveryFormat.MatchString(code) {
			t.Errorf("code %q does not look like xxxx-xxxx-xxxx-xxxx in Crockford base32", code)
		}
		if hashes[i] != HashToken(strings.ReplaceAll(code, "-", "")) {
			t.Errorf("hash %d is not the SHA-256 of the normalised code", i)
		}
	}
}

func TestNewRecoveryCodesUnique(t *testing.T) {
	seen := make(map[string]bool)
	for range 10 {
		codes, _, err := NewRecoveryCodes(100)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range codes {
			if seen[c] {
				t.Fatalf("duplicate recovery code %q", c)
			}
			seen[c] = true
		}
	}
}

func TestNewRecoveryCodesCount(t *testing.T) {
	for _, n := range []int{-1, 0, maxRecoveryCodes + 1} {
		if _, _, err := NewRecoveryCodes(n); err == nil {
			t.Errorf("NewRecoveryCodes(%d) succeeded, want error", n)
		}
	}
}

func TestRecoveryHashStable(t *testing.T) {
	// Pins the stored form: lower-case hex SHA-256 of the code without
	// dashes (sha256sum of "abcdefghjkmnpqrs"). Changing it would lock
	// every user out of their stored codes.
	const want = "54a4c55a9009eae9f27d09ce2693cecaa2f44fd29978f881c314b3c88d7307bb"
	if got := hashRecoveryCode("abcd-efgh-jkmn-pqrs"); got != want {
		t.Errorf("hashRecoveryCode = %s, want %s", got, want)
	}
}

func TestMatchRecoveryCode(t *testing.T) {
	codes, hashes, err := NewRecoveryCodes(5)
	if err != nil {
		t.Fatal(err)
	}
	for i, code := range codes {
		if got, ok := MatchRecoveryCode(code, hashes); !ok || got != i {
			t.Errorf("MatchRecoveryCode(codes[%d]) = %d, %v; want %d, true", i, got, ok, i)
		}
	}
	// Single use: once the caller deletes the matched hash, the code fails
	// and the others still match at their new positions.
	used := 2
	rest := append(append([]string{}, hashes[:used]...), hashes[used+1:]...)
	if got, ok := MatchRecoveryCode(codes[used], rest); ok {
		t.Errorf("used code still matches at %d", got)
	}
	if got, ok := MatchRecoveryCode(codes[4], rest); !ok || got != 3 {
		t.Errorf("codes[4] after deletion = %d, %v; want 3, true", got, ok)
	}
	wrong := []string{"", " - ", "0000-0000-0000-0000", codes[0][:len(codes[0])-1], codes[0] + "0", hashes[0]}
	for _, w := range wrong {
		if got, ok := MatchRecoveryCode(w, hashes); ok {
			t.Errorf("MatchRecoveryCode(%q) matched %d", w, got)
		}
	}
	if _, ok := MatchRecoveryCode(codes[0], nil); ok {
		t.Error("matched against no hashes")
	}
}

func TestMatchRecoveryCodeNormalises(t *testing.T) {
	hashes := []string{hashRecoveryCode("zzzz-zzzz-zzzz-zzzz"), hashRecoveryCode("abcd-efgh-1jk1-0pqr")}
	for _, input := range []string{
		"abcd-efgh-1jk1-0pqr",
		"ABCD EFGH-ijkl opqr",      // case, mixed separators, i/l/o for 1/1/0
		"  abcdefgh1jk10pqr\n",     // no separators, surrounding space
		"ab-cd ef\tgh-IJ-KL-OP-QR", // odd grouping
	} {
		if got, ok := MatchRecoveryCode(input, hashes); !ok || got != 1 {
			t.Errorf("MatchRecoveryCode(%q) = %d, %v; want 1, true", input, got, ok)
		}
	}
}
