package pgp

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"

	"github.com/ProtonMail/gopenpgp/v3/crypto"
)

// EncryptMIME wraps an already built inner MIME entity (its headers, a
// blank line, its body) into a PGP/MIME multipart/encrypted body (RFC 3156
// §4). The inner entity gets CRLF line breaks, is signed with the current
// helpline key, and is encrypted to every recipient key and to the helpline
// key, so the sent copy stays readable. It returns the Content-Type value
// for the top-level header and the body; the caller adds From, To, Subject,
// MIME-Version and the rest.
func (k *Keyring) EncryptMIME(inner []byte, recipientKeys [][]byte) (contentType string, body []byte, err error) {
	if len(recipientKeys) == 0 {
		return "", nil, errors.New("pgp: no recipient key given")
	}
	recipients, err := k.recipientRing(recipientKeys)
	if err != nil {
		return "", nil, err
	}
	signer, err := k.signingRing()
	if err != nil {
		return "", nil, err
	}
	defer signer.ClearPrivateParams()
	armored, err := encryptSigned(canonicalCRLF(inner), recipients, signer)
	if err != nil {
		return "", nil, err
	}
	return multipartEncrypted(armored)
}

// recipientRing checks and collects the recipients' keys plus the public
// half of the current helpline key.
func (k *Keyring) recipientRing(recipientKeys [][]byte) (*crypto.KeyRing, error) {
	ring, err := crypto.NewKeyRing(nil)
	if err != nil {
		return nil, fmt.Errorf("pgp: creating keyring: %w", err)
	}
	for i, data := range recipientKeys {
		keys, err := readKeys(data)
		if err != nil {
			return nil, fmt.Errorf("pgp: recipient key #%d: %w", i+1, err)
		}
		for _, key := range keys {
			if err := encryptable(key); err != nil {
				return nil, err
			}
			if err := addPublic(ring, key); err != nil {
				return nil, err
			}
		}
	}
	own, err := k.key(0)
	if err != nil {
		return nil, err
	}
	defer own.ClearPrivateParams()
	if err := addPublic(ring, own); err != nil {
		return nil, err
	}
	return ring, nil
}

// signingRing returns a fresh copy of the current helpline key alone;
// signing with the whole ring would add one signature per old key.
func (k *Keyring) signingRing() (*crypto.KeyRing, error) {
	own, err := k.key(0)
	if err != nil {
		return nil, err
	}
	ring, err := crypto.NewKeyRing(own)
	if err != nil {
		return nil, fmt.Errorf("pgp: helpline key %s: %w", k.fingerprints[0], err)
	}
	return ring, nil
}

// encryptSigned signs and encrypts in one OpenPGP message (RFC 3156 §6.2,
// the form every PGP/MIME client reads) and armors it.
func encryptSigned(plain []byte, recipients, signer *crypto.KeyRing) ([]byte, error) {
	enc, err := crypto.PGP().Encryption().Recipients(recipients).SigningKeys(signer).New()
	if err != nil {
		return nil, fmt.Errorf("pgp: preparing encryption: %w", err)
	}
	msg, err := enc.Encrypt(plain)
	if err != nil {
		return nil, fmt.Errorf("pgp: encrypting: %w", err)
	}
	armored, err := msg.ArmorBytes()
	if err != nil {
		return nil, fmt.Errorf("pgp: armoring: %w", err)
	}
	return canonicalCRLF(armored), nil
}

// multipartEncrypted lays out the two RFC 3156 parts around the armored
// message.
func multipartEncrypted(armored []byte) (string, []byte, error) {
	boundary, err := newBoundary()
	if err != nil {
		return "", nil, err
	}
	var b bytes.Buffer
	b.WriteString("This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n")
	b.WriteString("--" + boundary + "\r\n")
	b.WriteString("Content-Type: application/pgp-encrypted\r\n")
	b.WriteString("Content-Description: PGP/MIME version identification\r\n\r\n")
	b.WriteString("Version: 1\r\n\r\n")
	b.WriteString("--" + boundary + "\r\n")
	b.WriteString("Content-Type: application/octet-stream; name=\"encrypted.asc\"\r\n")
	b.WriteString("Content-Description: OpenPGP encrypted message\r\n")
	b.WriteString("Content-Disposition: inline; filename=\"encrypted.asc\"\r\n\r\n")
	b.Write(bytes.TrimRight(armored, "\r\n"))
	b.WriteString("\r\n\r\n--" + boundary + "--\r\n")
	ct := mime.FormatMediaType("multipart/encrypted", map[string]string{
		"protocol": "application/pgp-encrypted",
		"boundary": boundary,
	})
	return ct, b.Bytes(), nil
}

// newBoundary returns a random boundary. Armored lines never start with
// "--h", so the payload cannot contain a delimiter line.
func newBoundary() (string, error) {
	buf := make([]byte, 18)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("pgp: random boundary: %w", err)
	}
	return "haven-pgp-" + hex.EncodeToString(buf), nil
}
