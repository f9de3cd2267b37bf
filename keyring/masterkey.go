package keyring

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// MasterKeyPrefix starts the text form of a master key. The version in it
// lets a future format be told apart without guessing.
const MasterKeyPrefix = "haven-master-key-v1:"

const (
	keySize      = 32 // bytes in every symmetric key (master, data, index)
	masterIDSize = 8  // bytes of the master key ID stored in sealed keys

	// maxKeyFileSize bounds how much of a key file is read; a real one is
	// about 64 bytes, so anything larger is a misconfiguration.
	maxKeyFileSize = 4096
)

// masterIDDomain separates the ID hash from any other use of SHA-256 over
// the key, so the ID can never equal some other value derived from it.
const masterIDDomain = "haven/keyring/master-key-id/v1\x00"

// base64Key is the encoding of the master key's text form: URL-safe, no
// padding, and strict so that each key has exactly one text form.
var base64Key = base64.RawURLEncoding.Strict()

// MasterKey is the key-encryption key. It lives outside the database (a file
// or the HAVEN_MASTER_KEY environment variable) and only ever seals other
// keys.
type MasterKey struct {
	key   *hiddenKey
	rawID [masterIDSize]byte
	id    string
}

// GenerateMasterKey returns a new random master key in its text form,
// "haven-master-key-v1:" followed by 43 base64url characters.
func GenerateMasterKey() (encoded string, err error) {
	var key [keySize]byte
	if _, err := rand.Read(key[:]); err != nil {
		return "", fmt.Errorf("keyring: reading randomness: %w", err)
	}
	return MasterKeyPrefix + base64Key.EncodeToString(key[:]), nil
}

// ParseMasterKey parses the text form made by GenerateMasterKey. Leading and
// trailing whitespace (such as the newline at the end of a key file) is
// ignored. Errors wrap ErrInvalidMasterKey and never repeat the input.
func ParseMasterKey(s string) (*MasterKey, error) {
	s = strings.TrimSpace(s)
	encoded, ok := strings.CutPrefix(s, MasterKeyPrefix)
	if !ok {
		return nil, fmt.Errorf("%w: must start with %q", ErrInvalidMasterKey, MasterKeyPrefix)
	}
	if n := base64Key.DecodedLen(len(encoded)); n != keySize {
		return nil, fmt.Errorf("%w: wrong length: %d characters after the prefix, want %d",
			ErrInvalidMasterKey, len(encoded), base64Key.EncodedLen(keySize))
	}
	key := newHiddenKey()
	// The decoder's own error is dropped on purpose: only its position would
	// be useful, and a message about a secret should say as little as possible.
	if _, err := base64Key.Decode(key.bytes[:], []byte(encoded)); err != nil {
		return nil, fmt.Errorf("%w: not valid unpadded base64url", ErrInvalidMasterKey)
	}
	return newMasterKey(key), nil
}

func newMasterKey(key *hiddenKey) *MasterKey {
	sum := sha256.Sum256(append([]byte(masterIDDomain), key.bytes[:]...))
	mk := &MasterKey{key: key}
	copy(mk.rawID[:], sum[:masterIDSize])
	mk.id = hex.EncodeToString(mk.rawID[:])
	return mk
}

// ID returns a short, stable, non-secret identifier of the key (16 hex
// digits). Sealed keys record it so the right master can be found after a
// rotation.
func (mk MasterKey) ID() string { return mk.id }

// LoadMasterKey finds the master key: envValue (the content of
// HAVEN_MASTER_KEY) wins when it is not blank; otherwise the key is read
// from filePath, which must not be accessible to group or others
// (ErrInsecureKeyFile). With neither, or when filePath does not exist, it
// returns ErrNoMasterKey.
func LoadMasterKey(envValue, filePath string) (*MasterKey, error) {
	if strings.TrimSpace(envValue) != "" {
		mk, err := ParseMasterKey(envValue)
		if err != nil {
			return nil, fmt.Errorf("HAVEN_MASTER_KEY: %w", err)
		}
		return mk, nil
	}
	if filePath == "" {
		return nil, ErrNoMasterKey
	}
	return loadMasterKeyFile(filePath)
}

func loadMasterKeyFile(path string) (*MasterKey, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: key file %s: %w", ErrNoMasterKey, path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("keyring: master key file: %w", err)
	}
	defer func() { _ = f.Close() }() // only read from
	// Stat the open file, not the path, so the mode checked is the mode of
	// the file actually read.
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("keyring: master key file: %w", err)
	}
	if mode := info.Mode().Perm(); mode&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o; run: chmod 600 %s",
			ErrInsecureKeyFile, path, mode, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("keyring: master key file: %w", err)
	}
	if len(data) > maxKeyFileSize {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrInvalidMasterKey, path, maxKeyFileSize)
	}
	mk, err := ParseMasterKey(string(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return mk, nil
}
