package keyring

import (
	"crypto/rand"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// Keyring seals new keys under the current master key and opens keys sealed
// by the current or any previous master key. It is immutable after
// NewKeyring and safe for concurrent use.
//
// Rotating the master key: build NewKeyring(newKey, oldKey), call Reseal on
// every stored SealedKey (data, index and file keys alike) and save the
// result when it reports a change; once no sealed key names the old ID,
// drop the old key from the configuration. The encrypted data itself is
// never rewritten.
type Keyring struct {
	current *MasterKey
	byID    map[[masterIDSize]byte]*MasterKey
}

// NewKeyring returns a keyring sealing with current and also able to open
// keys sealed by any of previous. A nil key is a wiring bug and panics.
func NewKeyring(current *MasterKey, previous ...*MasterKey) *Keyring {
	if current == nil || current.key == nil {
		panic("keyring: NewKeyring needs a current master key")
	}
	k := &Keyring{current: current, byID: map[[masterIDSize]byte]*MasterKey{current.rawID: current}}
	for _, mk := range previous {
		if mk == nil || mk.key == nil {
			panic("keyring: NewKeyring given a nil previous master key")
		}
		if _, dup := k.byID[mk.rawID]; !dup {
			k.byID[mk.rawID] = mk
		}
	}
	return k
}

// CurrentID returns the ID of the master key that seals new keys.
func (k *Keyring) CurrentID() string { return k.current.id }

// MasterKeys returns every master key the keyring holds, the current one first; a rotation builds
// a keyring with a new current key and these as previous ones.
func (k *Keyring) MasterKeys() []*MasterKey {
	out := []*MasterKey{k.current}
	for _, mk := range k.byID {
		if mk != k.current {
			out = append(out, mk)
		}
	}
	return out
}

// seal encrypts a key under the current master key; see SealedKey for the
// format.
func (k *Keyring) seal(p purpose, key []byte) (SealedKey, error) {
	out := make([]byte, sealedHeaderSize+nonceSize, sealedMinSize+len(key))
	out[0] = sealedVersion
	out[1] = byte(p)
	copy(out[2:sealedHeaderSize], k.current.rawID[:])
	nonce := out[sealedHeaderSize:]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("keyring: reading randomness: %w", err)
	}
	aead, err := chacha20poly1305.NewX(k.current.key.bytes[:])
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	return aead.Seal(out, nonce, key, out[:sealedHeaderSize]), nil
}

// open authenticates and decrypts a sealed key of the wanted purpose.
func (k *Keyring) open(want purpose, sk SealedKey) ([]byte, error) {
	h, err := parseSealedHeader(sk)
	if err != nil {
		return nil, err
	}
	if h.purpose != want {
		return nil, fmt.Errorf("%w: it is a %s, not a %s", ErrWrongPurpose, h.purpose, want)
	}
	key, _, err := k.openAny(h, sk)
	return key, err
}

// openAny decrypts sk with the master key its header names and also returns
// that master key.
func (k *Keyring) openAny(h sealedHeader, sk SealedKey) ([]byte, *MasterKey, error) {
	mk, ok := k.byID[h.masterID]
	if !ok {
		return nil, nil, fmt.Errorf("%w: %s", ErrUnknownMasterKey, sk.MasterID())
	}
	aead, err := chacha20poly1305.NewX(mk.key.bytes[:])
	if err != nil {
		return nil, nil, fmt.Errorf("keyring: %w", err)
	}
	nonce := sk[sealedHeaderSize : sealedHeaderSize+nonceSize]
	key, err := aead.Open(nil, nonce, sk[sealedHeaderSize+nonceSize:], sk[:sealedHeaderSize])
	if err != nil {
		return nil, nil, fmt.Errorf("%w: sealed %s", ErrTampered, h.purpose)
	}
	return key, mk, nil
}

// open32 opens a sealed data or index key, which must be exactly 32 bytes.
func (k *Keyring) open32(want purpose, sk SealedKey) (*hiddenKey, error) {
	key, err := k.open(want, sk)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	if len(key) != keySize {
		return nil, fmt.Errorf("%w: sealed %s holds %d bytes, want %d", ErrMalformed, want, len(key), keySize)
	}
	out := newHiddenKey()
	copy(out.bytes[:], key)
	return out, nil
}

// Reseal re-encrypts any sealed key (data, index or file) under the current
// master key. When sk is already sealed by the current master it is checked
// and returned unchanged with changed == false, so a rotation job can skip
// the write.
func (k *Keyring) Reseal(sk SealedKey) (resealed SealedKey, changed bool, err error) {
	h, err := parseSealedHeader(sk)
	if err != nil {
		return nil, false, err
	}
	key, mk, err := k.openAny(h, sk)
	if err != nil {
		return nil, false, err
	}
	defer clear(key)
	if mk == k.current {
		return sk, false, nil
	}
	resealed, err = k.seal(h.purpose, key)
	if err != nil {
		return nil, false, err
	}
	return resealed, true, nil
}
