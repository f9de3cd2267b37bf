// Package pgp reads and writes OpenPGP mail for Haven: it decrypts and
// verifies inbound PGP/MIME (RFC 3156) and inline PGP, and encrypts replies
// as PGP/MIME. Key handling is done with gopenpgp v3.
package pgp

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ProtonMail/gopenpgp/v3/crypto"
)

// KeyInfo describes a key as Haven shows and stores it.
type KeyInfo struct {
	Fingerprint string // primary key fingerprint, upper-case hex
	UserIDs     []string
	Emails      []string // lower-cased, deduplicated
	CanEncrypt  bool     // has a usable (valid, unexpired) encryption key now
	IsPrivate   bool
	Expires     time.Time // zero = never
	Revoked     bool
}

// Inspect parses a public or private key, armored or binary.
func Inspect(armored []byte) (KeyInfo, error) {
	key, err := parseKey(armored)
	if err != nil {
		return KeyInfo{}, err
	}
	now := time.Now().Unix()
	emails, uids := identities(key)
	return KeyInfo{
		Fingerprint: fingerprint(key),
		UserIDs:     uids,
		Emails:      emails,
		CanEncrypt:  key.CanEncrypt(now),
		IsPrivate:   key.IsPrivate(),
		Expires:     expiry(key),
		Revoked:     key.IsRevoked(now),
	}, nil
}

// PublicFromAny returns the armored public key of a public or private key,
// so a private key pasted by mistake never gets stored or sent as-is.
func PublicFromAny(armored []byte) ([]byte, error) {
	key, err := parseKey(armored)
	if err != nil {
		return nil, err
	}
	pub, err := key.GetArmoredPublicKey()
	if err != nil {
		return nil, fmt.Errorf("pgp: exporting public key %s: %w", fingerprint(key), err)
	}
	return []byte(pub), nil
}

// GenerateKey creates a helpline key pair (Ed25519 signing key with a
// Curve25519 encryption subkey, RFC 4880 v4 format so GnuPG 2.2 and every
// mainstream client can use it) and returns it armored, locked with
// passphrase. An empty passphrase leaves the key unlocked.
func GenerateKey(name, email string, passphrase []byte) ([]byte, error) {
	handle := crypto.PGP()
	key, err := handle.KeyGeneration().AddUserId(name, email).New().GenerateKey()
	if err != nil {
		return nil, fmt.Errorf("pgp: generating key: %w", err)
	}
	defer key.ClearPrivateParams()
	if len(passphrase) > 0 {
		locked, err := handle.LockKey(key, passphrase)
		if err != nil {
			return nil, fmt.Errorf("pgp: locking new key: %w", err)
		}
		key = locked
	}
	armored, err := key.Armor()
	if err != nil {
		return nil, fmt.Errorf("pgp: armoring new key: %w", err)
	}
	return []byte(armored), nil
}

// parseKey reads one key, armored or binary. Text pasted around an armored
// block (mail quotes, instructions) is ignored.
func parseKey(data []byte) (*crypto.Key, error) {
	if i := bytes.Index(data, []byte("-----BEGIN PGP ")); i > 0 {
		data = data[i:]
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("pgp: not an OpenPGP key: empty input")
	}
	key, err := crypto.NewKey(data)
	if err != nil {
		return nil, fmt.Errorf("pgp: not an OpenPGP key: %w", err)
	}
	return key, nil
}

// fingerprint is the primary key fingerprint as Haven stores it.
func fingerprint(key *crypto.Key) string {
	return strings.ToUpper(key.GetFingerprint())
}

// identities returns the key's e-mail addresses and user IDs, primary
// identity first so the most relevant name is shown first.
func identities(key *crypto.Key) (emails, uids []string) {
	entity := key.GetEntity()
	_, primary := entity.PrimaryIdentity(time.Time{}, nil)
	for name := range entity.Identities {
		if primary != nil && name == primary.Name {
			continue
		}
		uids = append(uids, name)
	}
	slices.Sort(uids)
	if primary != nil {
		uids = append([]string{primary.Name}, uids...)
	}
	for _, name := range uids {
		email := strings.ToLower(entity.Identities[name].UserId.Email)
		if email != "" && !slices.Contains(emails, email) {
			emails = append(emails, email)
		}
	}
	return emails, uids
}

// expiry is the primary key's expiry from its self-signature; zero when the
// key never expires. A zero date asks go-crypto to ignore time checks, so an
// already expired key still reports when it expired.
func expiry(key *crypto.Key) time.Time {
	entity := key.GetEntity()
	sig, err := entity.PrimarySelfSignature(time.Time{}, nil)
	if err != nil || sig == nil || sig.KeyLifetimeSecs == nil || *sig.KeyLifetimeSecs == 0 {
		return time.Time{}
	}
	created := entity.PrimaryKey.CreationTime
	return created.Add(time.Duration(*sig.KeyLifetimeSecs) * time.Second).UTC()
}

// encryptable checks that a recipient key can be encrypted to now, with an
// error that names the key so an operator knows which record to fix.
func encryptable(key *crypto.Key) error {
	now := time.Now().Unix()
	fpr := fingerprint(key)
	switch {
	case key.IsRevoked(now):
		return fmt.Errorf("pgp: recipient key %s is revoked", fpr)
	case key.IsExpired(now):
		return fmt.Errorf("pgp: recipient key %s %s", fpr, expiredWhen(key))
	case !key.CanEncrypt(now):
		return fmt.Errorf("pgp: recipient key %s has no usable encryption key (sign-only, or its encryption subkey is expired or revoked)", fpr)
	}
	return nil
}

// expiredWhen words an expiry for an error message.
func expiredWhen(key *crypto.Key) string {
	if at := expiry(key); !at.IsZero() {
		return "expired on " + at.Format(time.DateOnly)
	}
	return "is expired or has no valid self-signature"
}

// keyIDs lists the key IDs of a key and all its subkeys; messages name
// recipients and signers by (sub)key ID, Haven by primary fingerprint.
func keyIDs(key *crypto.Key) []uint64 {
	entity := key.GetEntity()
	ids := []uint64{entity.PrimaryKey.KeyId}
	for _, sub := range entity.Subkeys {
		ids = append(ids, sub.PublicKey.KeyId)
	}
	return ids
}

// hexKeyID formats a key ID the way GnuPG users see it.
func hexKeyID(id uint64) string {
	return fmt.Sprintf("0x%016X", id)
}
