package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"strings"
)

// tokenBytes of randomness gives 256 bits: unguessable and collision-free.
const tokenBytes = 32

// tokenEncoding is unpadded base32; lower-cased afterwards so tokens are
// safe in URLs and headers and survive case-insensitive copy and paste.
var tokenEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewToken returns prefix + "_" + 32 random bytes in lower-case base32,
// e.g. "hvt_3k...". The prefix tells a leaked token's kind at a glance
// (and lets secret scanners find it); it must be lower-case ASCII letters
// or digits.
func NewToken(prefix string) (string, error) {
	if !isTokenPrefix(prefix) {
		return "", fmt.Errorf("auth: token prefix %q must be non-empty [a-z0-9]", prefix)
	}
	secret := make([]byte, tokenBytes)
	if _, err := rand.Read(secret); err != nil {
		return "", fmt.Errorf("auth: reading token randomness: %w", err)
	}
	return prefix + "_" + strings.ToLower(tokenEncoding.EncodeToString(secret)), nil
}

func isTokenPrefix(prefix string) bool {
	if prefix == "" {
		return false
	}
	for _, c := range prefix {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// HashToken returns the hex SHA-256 of token, which is what gets stored.
// A fast unsalted hash is right here, unlike for passwords: tokens carry
// 256 random bits, so brute force is hopeless anyway, and a deterministic
// hash lets the database look a token up by its hash in one index probe.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
