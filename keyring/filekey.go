package keyring

import (
	"fmt"
	"io"

	"filippo.io/age"
)

// FileKey encrypts one attachment with age (streaming, chunked
// authenticated encryption). It wraps an age X25519 identity; the matching
// recipient is derived from it and never stored. Store only the sealed
// form (SealFileKey) beside the attachment's row: deleting that sealed key
// makes the attachment unreadable for good, even where the encrypted blob
// survives in backups (crypto-shredding). The zero value is not usable.
type FileKey struct {
	key *hiddenIdentity
}

// NewFileKey makes a random file key for one attachment.
func NewFileKey() (FileKey, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return FileKey{}, fmt.Errorf("keyring: generating file key: %w", err)
	}
	return FileKey{key: &hiddenIdentity{identity: id}}, nil
}

// SealFileKey seals fk under the current master key.
func (k *Keyring) SealFileKey(fk FileKey) (SealedKey, error) {
	if fk.key == nil {
		return nil, ErrZeroKey
	}
	// age exposes an identity only in its text form; that is what is sealed.
	text := []byte(fk.key.identity.String())
	defer clear(text)
	return k.seal(purposeFileKey, text)
}

// OpenFileKey unseals a file key made by SealFileKey.
func (k *Keyring) OpenFileKey(sk SealedKey) (FileKey, error) {
	text, err := k.open(purposeFileKey, sk)
	if err != nil {
		return FileKey{}, err
	}
	defer clear(text)
	id, err := age.ParseX25519Identity(string(text))
	if err != nil {
		// age's message is not wrapped: it might quote the secret text.
		return FileKey{}, fmt.Errorf("%w: sealed file key does not hold an age identity", ErrMalformed)
	}
	return FileKey{key: &hiddenIdentity{identity: id}}, nil
}

// EncryptWriter returns a writer that encrypts to dst. The caller must
// Close it to write the final chunk; Close does not close dst.
func (fk FileKey) EncryptWriter(dst io.Writer) (io.WriteCloser, error) {
	if fk.key == nil {
		return nil, ErrZeroKey
	}
	w, err := age.Encrypt(dst, fk.key.identity.Recipient())
	if err != nil {
		return nil, fmt.Errorf("keyring: encrypt attachment: %w", err)
	}
	return w, nil
}

// DecryptReader returns a reader of the plaintext of src. A wrong key or a
// damaged header fails here. Damage or truncation later in the stream
// fails at the Read that reaches it, after earlier chunks (64 KiB each)
// have already been returned: read to io.EOF before trusting or serving
// the content as complete.
func (fk FileKey) DecryptReader(src io.Reader) (io.Reader, error) {
	if fk.key == nil {
		return nil, ErrZeroKey
	}
	r, err := age.Decrypt(src, fk.key.identity)
	if err != nil {
		return nil, fmt.Errorf("keyring: decrypt attachment: %w", err)
	}
	return r, nil
}
