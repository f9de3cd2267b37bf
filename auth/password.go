// Package auth holds Haven's credential primitives: argon2id password hashes, API and session
// tokens (stored as hashes), TOTP second factors with QR codes as SVG, and recovery codes.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// MaxPasswordBytes bounds password length. Argon2 pre-hashes its input so
// cost does not grow with length, but nobody needs more, and a bound keeps
// request bodies and logs of mistakes small.
const MaxPasswordBytes = 1024

// Limits accepted when parsing a stored hash, so a corrupted or tampered
// row cannot make one login allocate gigabytes or spin for minutes.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 64
	minSaltLen   = 8 // RFC 9106 minimum
	minKeyLen    = 16
	maxKeyLen    = 128
	maxSaltLen   = 128
)

var (
	ErrPasswordEmpty   = errors.New("auth: password is empty")
	ErrPasswordTooLong = errors.New("auth: password is longer than 1024 bytes")
	ErrMalformedHash   = errors.New("auth: malformed password hash")
)

// b64 is the unpadded standard alphabet the PHC string format uses.
// Strict rejects non-canonical encodings so each hash has one spelling.
var b64 = base64.RawStdEncoding.Strict()

// Params are the argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over memory
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams returns the parameters for new password hashes
// (64 MiB, 2 passes, 2 lanes, 16-byte salt, 32-byte key).
func DefaultParams() Params {
	return Params{Memory: 64 * 1024, Time: 2, Threads: 2, SaltLen: 16, KeyLen: 32}
}

func (p Params) validate() error {
	switch {
	case p.Memory == 0 || p.Memory > maxMemoryKiB:
		return fmt.Errorf("memory %d KiB out of range 1..%d", p.Memory, maxMemoryKiB)
	case p.Time == 0 || p.Time > maxTime:
		return fmt.Errorf("time %d out of range 1..%d", p.Time, maxTime)
	case p.Threads == 0:
		return errors.New("threads must be at least 1")
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("salt length %d out of range %d..%d", p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("key length %d out of range %d..%d", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// HashPassword hashes password with DefaultParams and returns a PHC string:
// $argon2id$v=19$m=65536,t=2,p=2$<salt>$<hash>.
func HashPassword(password string) (string, error) {
	return HashPasswordWith(password, DefaultParams())
}

// HashPasswordWith is HashPassword with explicit parameters (cheap ones in
// tests, stronger ones after a policy change).
func HashPasswordWith(password string, p Params) (string, error) {
	if err := checkPassword(password); err != nil {
		return "", err
	}
	if err := p.validate(); err != nil {
		return "", fmt.Errorf("auth: invalid params: %w", err)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: reading salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

func checkPassword(password string) error {
	if password == "" {
		return ErrPasswordEmpty
	}
	if len(password) > MaxPasswordBytes {
		return ErrPasswordTooLong
	}
	return nil
}

// VerifyPassword reports whether password matches the PHC-encoded hash.
// An error means the stored hash itself is unusable, not a wrong password.
func VerifyPassword(encoded, password string) (bool, error) {
	h, err := parseHash(encoded)
	if err != nil {
		return false, err
	}
	key := argon2.IDKey([]byte(password), h.salt, h.params.Time, h.params.Memory,
		h.params.Threads, h.params.KeyLen)
	return subtle.ConstantTimeCompare(key, h.key) == 1, nil
}

// NeedsRehash reports whether encoded was made with parameters other than
// p, so the caller should re-hash the password after a successful login.
// Unparseable hashes also need replacing.
func NeedsRehash(encoded string, p Params) bool {
	h, err := parseHash(encoded)
	return err != nil || h.params != p
}

type parsedHash struct {
	params Params
	salt   []byte
	key    []byte
}

// parseHash decodes $argon2id$v=19$m=..,t=..,p=..$<salt>$<key>.
func parseHash(encoded string) (parsedHash, error) {
	fields := strings.Split(encoded, "$")
	if len(fields) != 6 || fields[0] != "" {
		return parsedHash{}, fmt.Errorf("%w: want 5 '$'-separated fields", ErrMalformedHash)
	}
	if fields[1] != "argon2id" {
		return parsedHash{}, fmt.Errorf("%w: algorithm %q, want argon2id", ErrMalformedHash, fields[1])
	}
	if fields[2] != "v="+strconv.Itoa(argon2.Version) {
		return parsedHash{}, fmt.Errorf("%w: version %q, want v=%d", ErrMalformedHash, fields[2], argon2.Version)
	}
	params, err := parseCost(fields[3])
	if err != nil {
		return parsedHash{}, fmt.Errorf("%w: %w", ErrMalformedHash, err)
	}
	salt, err := b64.DecodeString(fields[4])
	if err != nil {
		return parsedHash{}, fmt.Errorf("%w: salt: %w", ErrMalformedHash, err)
	}
	key, err := b64.DecodeString(fields[5])
	if err != nil {
		return parsedHash{}, fmt.Errorf("%w: hash: %w", ErrMalformedHash, err)
	}
	params.SaltLen, params.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := params.validate(); err != nil {
		return parsedHash{}, fmt.Errorf("%w: %w", ErrMalformedHash, err)
	}
	return parsedHash{params: params, salt: salt, key: key}, nil
}

// parseCost parses "m=65536,t=2,p=2" strictly: exactly these keys, in
// this order, as plain decimal numbers.
func parseCost(s string) (Params, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return Params{}, fmt.Errorf("parameters %q: want m=,t=,p=", s)
	}
	m, err := parseUintField(parts[0], "m=", 32)
	if err != nil {
		return Params{}, err
	}
	t, err := parseUintField(parts[1], "t=", 32)
	if err != nil {
		return Params{}, err
	}
	p, err := parseUintField(parts[2], "p=", 8)
	if err != nil {
		return Params{}, err
	}
	return Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(p)}, nil
}

func parseUintField(field, key string, bits int) (uint64, error) {
	digits, ok := strings.CutPrefix(field, key)
	if !ok {
		return 0, fmt.Errorf("parameter %q: want %s<number>", field, key)
	}
	// Base 10 rejects signs, underscores and "0x" forms.
	n, err := strconv.ParseUint(digits, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("parameter %q: %w", field, err)
	}
	return n, nil
}
