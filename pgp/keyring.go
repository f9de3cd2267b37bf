package pgp

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ProtonMail/gopenpgp/v3/crypto"
)

// Keyring holds the helpline's unlocked private keys. The first key is the
// current one: it signs outbound mail and every reply is also encrypted to
// it. Later keys (e.g. kept after a key rotation) only decrypt.
//
// A Keyring is safe for concurrent use. go-crypto key objects are not (they
// cache signature checks and even serialisation state in place), so the
// Keyring keeps the unlocked keys serialised and every operation parses
// its own key objects from them.
type Keyring struct {
	keys         [][]byte // unlocked private keys, binary, current first
	fingerprints []string
	ids          []uint64 // key IDs of all keys and subkeys, to name recipients
}

// NewKeyring unlocks each armored private key with passphrase (nil for keys
// stored unlocked). Errors name the fingerprint of the key that failed.
func NewKeyring(privates [][]byte, passphrase []byte) (*Keyring, error) {
	if len(privates) == 0 {
		return nil, errors.New("pgp: no helpline private key given")
	}
	k := &Keyring{}
	for i, data := range privates {
		key, err := unlockPrivate(data, passphrase)
		if err != nil {
			return nil, fmt.Errorf("pgp: helpline key #%d: %w", i+1, err)
		}
		if i == 0 {
			if err := checkCurrent(key); err != nil {
				return nil, err
			}
		}
		bin, err := key.Serialize()
		if err != nil {
			return nil, fmt.Errorf("pgp: serialising helpline key %s: %w", fingerprint(key), err)
		}
		k.keys = append(k.keys, bin)
		k.fingerprints = append(k.fingerprints, fingerprint(key))
		k.ids = append(k.ids, keyIDs(key)...)
		key.ClearPrivateParams()
	}
	return k, nil
}

// unlockPrivate parses one private key and unlocks it if it is locked.
func unlockPrivate(data, passphrase []byte) (*crypto.Key, error) {
	key, err := parseKey(data)
	if err != nil {
		return nil, err
	}
	fpr := fingerprint(key)
	if !key.IsPrivate() {
		return nil, fmt.Errorf("pgp: key %s is a public key, a private key is needed", fpr)
	}
	locked, err := key.IsLocked()
	if err != nil {
		return nil, fmt.Errorf("pgp: key %s: %w", fpr, err)
	}
	if !locked {
		return key, nil
	}
	unlocked, err := key.Unlock(passphrase)
	if err != nil {
		return nil, fmt.Errorf("pgp: unlocking key %s (wrong passphrase?): %w", fpr, err)
	}
	return unlocked, nil
}

// checkCurrent makes sure the current key can do its job, so a bad key is
// reported at startup rather than when the first reply is sent.
func checkCurrent(key *crypto.Key) error {
	now := time.Now().Unix()
	if !key.CanVerify(now) {
		return fmt.Errorf("pgp: helpline key %s cannot sign (expired, revoked or no signing key)", fingerprint(key))
	}
	if !key.CanEncrypt(now) {
		return fmt.Errorf("pgp: helpline key %s cannot encrypt (expired, revoked or no encryption subkey)", fingerprint(key))
	}
	return nil
}

// Fingerprints lists the helpline keys' fingerprints, current key first.
func (k *Keyring) Fingerprints() []string {
	return slices.Clone(k.fingerprints)
}

// copyRing returns fresh key objects for all helpline keys, for one
// operation.
func (k *Keyring) copyRing() (*crypto.KeyRing, error) {
	ring, err := crypto.NewKeyRing(nil)
	if err != nil {
		return nil, fmt.Errorf("pgp: creating keyring: %w", err)
	}
	for i := range k.keys {
		key, err := k.key(i)
		if err != nil {
			return nil, err
		}
		if err := ring.AddKey(key); err != nil {
			return nil, fmt.Errorf("pgp: helpline key %s: %w", k.fingerprints[i], err)
		}
	}
	return ring, nil
}

// key returns a fresh key object for helpline key i (0 = current key).
func (k *Keyring) key(i int) (*crypto.Key, error) {
	key, err := crypto.NewKeyWithCloneFlag(k.keys[i], true)
	if err != nil {
		return nil, fmt.Errorf("pgp: reading helpline key %s: %w", k.fingerprints[i], err)
	}
	return key, nil
}

// holds reports whether any helpline key or subkey has the given key ID.
func (k *Keyring) holds(id uint64) bool {
	return slices.Contains(k.ids, id)
}

// Unlocked returns an armored private key without its passphrase, for storing it encrypted by
// other means (Haven's master key). A locked key needs passphrase.
func Unlocked(armoredPrivate, passphrase []byte) ([]byte, error) {
	key, err := unlockPrivate(armoredPrivate, passphrase)
	if err != nil {
		return nil, err
	}
	defer key.ClearPrivateParams()
	armored, err := key.Armor()
	if err != nil {
		return nil, fmt.Errorf("pgp: armoring key %s: %w", fingerprint(key), err)
	}
	return []byte(armored), nil
}
