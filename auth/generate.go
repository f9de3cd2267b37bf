package auth

import (
	"crypto/rand"
	"fmt"
)

// passwordAlphabet leaves out 0/O, 1/l/I so a password read off a screen
// or paper cannot be mistyped. 57 symbols × 20 characters ≈ 116 bits.
const passwordAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

const generatedPasswordLen = 20

// GeneratePassword returns a random 20-character password from an
// unambiguous alphabet, meant to be shown to a person once.
func GeneratePassword() (string, error) {
	// Bytes at or above the largest multiple of the alphabet size are
	// rejected so that every symbol is equally likely (no modulo bias).
	const limit = 256 - 256%len(passwordAlphabet)
	out := make([]byte, 0, generatedPasswordLen)
	buf := make([]byte, 2*generatedPasswordLen)
	for len(out) < generatedPasswordLen {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("auth: reading password randomness: %w", err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < generatedPasswordLen {
				out = append(out, passwordAlphabet[int(b)%len(passwordAlphabet)])
			}
		}
	}
	return string(out), nil
}
