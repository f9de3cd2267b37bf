package keyring

import (
	"crypto/rand"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// DataKey encrypts the fields of one record (a requester, a message, a
// note). Each record gets its own; only its SealedKey is stored. The zero
// value is not usable.
type DataKey struct {
	key *hiddenKey
}

// fieldVersion is the first byte of every field ciphertext:
//
//	version (1) | nonce (24) | XChaCha20-Poly1305 ciphertext and tag (n+16)
const fieldVersion = 1

const fieldMinSize = 1 + nonceSize + tagSize

// NewDataKey makes a random data key and returns it together with its
// sealed form, which the caller stores with the record.
func (k *Keyring) NewDataKey() (DataKey, SealedKey, error) {
	key := newHiddenKey()
	if _, err := rand.Read(key.bytes[:]); err != nil {
		return DataKey{}, nil, fmt.Errorf("keyring: reading randomness: %w", err)
	}
	sealed, err := k.seal(purposeDataKey, key.bytes[:])
	if err != nil {
		return DataKey{}, nil, err
	}
	return DataKey{key: key}, sealed, nil
}

// OpenKey unseals a data key made by NewDataKey.
func (k *Keyring) OpenKey(sk SealedKey) (DataKey, error) {
	key, err := k.open32(purposeDataKey, sk)
	if err != nil {
		return DataKey{}, err
	}
	return DataKey{key: key}, nil
}

// Encrypt encrypts one field value with XChaCha20-Poly1305 and a random
// nonce. aad names where the value lives, e.g. "requester:42:name": it is
// not stored but must be given again to Decrypt, so a ciphertext copied to
// another row or column fails to decrypt instead of showing up in the wrong
// place. Use the same AAD spelling in every code path.
func Encrypt(dk DataKey, plaintext, aad []byte) ([]byte, error) {
	if dk.key == nil {
		return nil, ErrZeroKey
	}
	out := make([]byte, 1+nonceSize, fieldMinSize+len(plaintext))
	out[0] = fieldVersion
	nonce := out[1:]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("keyring: reading randomness: %w", err)
	}
	aead, err := chacha20poly1305.NewX(dk.key.bytes[:])
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	return aead.Seal(out, nonce, plaintext, fieldAAD(aad)), nil
}

// Decrypt reverses Encrypt. It returns ErrTampered when the ciphertext was
// modified, the AAD differs, or dk is not the record's key, and
// ErrMalformed when the input is too short or of an unknown version.
func Decrypt(dk DataKey, ciphertext, aad []byte) ([]byte, error) {
	if dk.key == nil {
		return nil, ErrZeroKey
	}
	if len(ciphertext) < fieldMinSize {
		return nil, fmt.Errorf("%w: ciphertext is %d bytes, shorter than the minimum %d", ErrMalformed, len(ciphertext), fieldMinSize)
	}
	if ciphertext[0] != fieldVersion {
		return nil, fmt.Errorf("%w: ciphertext version %d is not supported", ErrMalformed, ciphertext[0])
	}
	aead, err := chacha20poly1305.NewX(dk.key.bytes[:])
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	nonce := ciphertext[1 : 1+nonceSize]
	plaintext, err := aead.Open(nil, nonce, ciphertext[1+nonceSize:], fieldAAD(aad))
	if err != nil {
		return nil, fmt.Errorf("%w: field", ErrTampered)
	}
	return plaintext, nil
}

// fieldAAD authenticates the version byte along with the caller's AAD, so
// a ciphertext cannot be relabelled as another format version.
func fieldAAD(aad []byte) []byte {
	return append([]byte{fieldVersion}, aad...)
}

// EncryptString is Encrypt for string values and a string AAD.
func EncryptString(dk DataKey, plaintext, aad string) ([]byte, error) {
	return Encrypt(dk, []byte(plaintext), []byte(aad))
}

// DecryptString is Decrypt returning a string.
func DecryptString(dk DataKey, ciphertext []byte, aad string) (string, error) {
	plaintext, err := Decrypt(dk, ciphertext, []byte(aad))
	if err != nil {
		return "", err
	}
	return string(plaintext), nil
}
