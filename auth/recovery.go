package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"strings"
	"unicode"
)

// recoveryAlphabet is Crockford's base32 in lower case: no i, l, o or u,
// so nothing on the printed sheet can be misread, and normalisation maps
// the letters people type by mistake (i, l, o) to the digits they meant.
const recoveryAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// Recovery codes are 16 symbols (80 bits) in groups of 4. The hashes are
// unsalted, so a thief of the database attacks all users' codes at once;
// 80 bits keeps even that search out of reach, where 60 bits spread over
// thousands of stored codes would not.
const (
	recoveryGroups    = 4
	recoveryGroupLen  = 4
	maxRecoveryCodes  = 100
	recoverySymbolLen = recoveryGroups * recoveryGroupLen
)

// NewRecoveryCodes returns n single-use recovery codes such as
// "7k2m-q9xd-4hf0-bn3w", to show the user once, and the hashes to store
// in their place (hashes[i] belongs to codes[i]).
func NewRecoveryCodes(n int) (codes []string, hashes []string, err error) {
	if n < 1 || n > maxRecoveryCodes {
		return nil, nil, fmt.Errorf("auth: recovery code count %d out of range 1..%d", n, maxRecoveryCodes)
	}
	buf := make([]byte, recoverySymbolLen)
	for range n {
		if _, err := rand.Read(buf); err != nil {
			return nil, nil, fmt.Errorf("auth: reading recovery code randomness: %w", err)
		}
		var code strings.Builder
		for i, b := range buf {
			if i > 0 && i%recoveryGroupLen == 0 {
				code.WriteByte('-')
			}
			// 256 is a multiple of 32, so the low five bits are uniform.
			code.WriteByte(recoveryAlphabet[b&31])
		}
		codes = append(codes, code.String())
		hashes = append(hashes, hashRecoveryCode(code.String()))
	}
	return codes, hashes, nil
}

// hashRecoveryCode is the hex SHA-256 of the normalised code. A fast hash
// is adequate for the same reason as in HashToken: the codes are random
// with 80 bits of entropy, not chosen by people, so there is no small
// dictionary to try and a slow hash would add nothing.
func hashRecoveryCode(code string) string {
	return HashToken(normaliseRecoveryCode(code))
}

// MatchRecoveryCode reports which of hashes, if any, code matches, so the
// caller can delete that hash (each code works once). Input is forgiving
// about case, spaces, dashes and i/l/o typed for 1/1/0.
func MatchRecoveryCode(code string, hashes []string) (index int, ok bool) {
	norm := normaliseRecoveryCode(code)
	if norm == "" {
		return -1, false
	}
	got := []byte(HashToken(norm))
	// Compare against every hash without stopping at a match, so the time
	// taken does not tell which position matched.
	index = -1
	for i, h := range hashes {
		eq := subtle.ConstantTimeCompare(got, []byte(h))
		index = subtle.ConstantTimeSelect(eq, i, index)
	}
	return index, index >= 0
}

func normaliseRecoveryCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch r = unicode.ToLower(r); {
		case r == '-' || unicode.IsSpace(r):
			return -1
		case r == 'i' || r == 'l':
			return '1'
		case r == 'o':
			return '0'
		}
		return r
	}, code)
}
