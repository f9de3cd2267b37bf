package keyring

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
)

// IndexKey computes blind indexes: keyed hashes that let the database find
// a requester by email, phone or handle without storing the value in
// plaintext. It is separate from the master key so that rotating the master
// key re-seals the index key but leaves every stored index value valid.
// Haven needs one index key per installation. The zero value is not usable.
type IndexKey struct {
	key *hiddenKey
}

// NewIndexKey makes a random index key; seal it with SealIndexKey and
// store the sealed form once per installation.
func NewIndexKey() (IndexKey, error) {
	key := newHiddenKey()
	if _, err := rand.Read(key.bytes[:]); err != nil {
		return IndexKey{}, fmt.Errorf("keyring: reading randomness: %w", err)
	}
	return IndexKey{key: key}, nil
}

// SealIndexKey seals ik under the current master key.
func (k *Keyring) SealIndexKey(ik IndexKey) (SealedKey, error) {
	if ik.key == nil {
		return nil, ErrZeroKey
	}
	return k.seal(purposeIndexKey, ik.key.bytes[:])
}

// OpenIndexKey unseals an index key made by SealIndexKey.
func (k *Keyring) OpenIndexKey(sk SealedKey) (IndexKey, error) {
	key, err := k.open32(purposeIndexKey, sk)
	if err != nil {
		return IndexKey{}, err
	}
	return IndexKey{key: key}, nil
}

// Blind returns the blind index of a value: hex HMAC-SHA-256 over the
// length-prefixed kind and value, so ("ab", "c") and ("a", "bc") differ and
// an email and a phone number never collide. The caller must normalise the
// value first (the same way when storing and when searching), e.g.
// lower-cased email, E.164 phone number.
//
// The output must never change for a given key, kind and value: stored
// indexes depend on it (a test pins it). Blind panics on a zero IndexKey,
// because hashing without a secret key would make the index reversible by
// anyone who can guess values.
func (ik IndexKey) Blind(kind, normalizedValue string) string {
	if ik.key == nil {
		panic("keyring: Blind called on a zero IndexKey")
	}
	mac := hmac.New(sha256.New, ik.key.bytes[:])
	buf := make([]byte, 0, 16+len(kind)+len(normalizedValue))
	buf = appendLengthPrefixed(buf, kind)
	buf = appendLengthPrefixed(buf, normalizedValue)
	mac.Write(buf)
	return hex.EncodeToString(mac.Sum(nil))
}

func appendLengthPrefixed(buf []byte, s string) []byte {
	buf = binary.BigEndian.AppendUint64(buf, uint64(len(s)))
	return append(buf, s...)
}

// Blinder computes many blind indexes of one kind with one keyed hash, reset between values:
// indexing a long text blinds thousands of word prefixes, and setting up the HMAC each time was
// most of the cost. Its results equal Blind's. A Blinder is not safe for concurrent use.
type Blinder struct {
	mac  hash.Hash
	kind []byte
	buf  []byte
	sum  []byte
}

// Blinder returns a Blinder for kind. It panics on a zero IndexKey, like Blind.
func (ik IndexKey) Blinder(kind string) *Blinder {
	if ik.key == nil {
		panic("keyring: Blinder called on a zero IndexKey")
	}
	return &Blinder{mac: hmac.New(sha256.New, ik.key.bytes[:]), kind: appendLengthPrefixed(nil, kind)}
}

// Blind returns the hex blind index of value, as IndexKey.Blind(kind, value) would.
func (b *Blinder) Blind(value string) string {
	return hex.EncodeToString(b.mac256(value))
}

// AppendBlind appends the first hexDigits hex digits of value's blind index to dst (at most 64),
// without the allocations of Blind: indexing a 5 KB message blinds over a thousand prefixes.
func (b *Blinder) AppendBlind(dst []byte, value string, hexDigits int) []byte {
	sum := b.mac256(value)
	return hex.AppendEncode(dst, sum[:(min(hexDigits, 2*len(sum))+1)/2])[:len(dst)+min(hexDigits, 2*len(sum))]
}

// mac256 is value's keyed hash, valid until the next call.
func (b *Blinder) mac256(value string) []byte {
	b.mac.Reset()
	b.buf = appendLengthPrefixed(append(b.buf[:0], b.kind...), value)
	b.mac.Write(b.buf)
	b.sum = b.mac.Sum(b.sum[:0])
	return b.sum
}
