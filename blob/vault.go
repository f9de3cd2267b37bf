package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/keyring"
)

// Vault is a haven.FileVault: each file is encrypted with age under a new file key, the
// ciphertext is stored in a Dir (named by its own hash), and the file key is returned sealed by
// the master key, for the caller to keep beside the file's metadata.
type Vault struct {
	dir  *Dir
	keys *keyring.Keyring
}

var _ haven.FileVault = (*Vault)(nil)

// NewVault stores encrypted files in dir under keys.
func NewVault(dir *Dir, keys *keyring.Keyring) *Vault { return &Vault{dir: dir, keys: keys} }

// Seal encrypts r into the store. The plaintext is hashed and counted on its way to the cipher,
// and never touches the disk.
func (v *Vault) Seal(ctx context.Context, r io.Reader) (haven.StoredFile, error) {
	fk, err := keyring.NewFileKey()
	if err != nil {
		return haven.StoredFile{}, haven.Internal("file key", err)
	}
	sealed, err := v.keys.SealFileKey(fk)
	if err != nil {
		return haven.StoredFile{}, haven.Internal("seal file key", err)
	}
	pr, pw := io.Pipe()
	h := sha256.New()
	var size int64
	go func() {
		enc, err := fk.EncryptWriter(pw)
		if err == nil {
			size, err = io.Copy(enc, io.TeeReader(r, h))
			if err == nil {
				err = enc.Close()
			}
		}
		pw.CloseWithError(err)
	}()
	blobID, _, err := v.dir.Put(ctx, pr)
	pr.CloseWithError(err) // unblocks the writer if Put gave up early
	if err != nil {
		return haven.StoredFile{}, err
	}
	return haven.StoredFile{BlobID: blobID, FileKey: sealed, SHA256: hex.EncodeToString(h.Sum(nil)), Size: size}, nil
}

// Open decrypts a stored file. Damage to the blob fails the read that reaches it.
func (v *Vault) Open(ctx context.Context, blobID string, fileKey []byte) (io.ReadCloser, error) {
	if len(fileKey) == 0 {
		return nil, haven.Errorf(haven.ENOTFOUND, "the file was erased")
	}
	fk, err := v.keys.OpenFileKey(fileKey)
	if err != nil {
		return nil, haven.Internal("open file key", err)
	}
	f, err := v.dir.Get(ctx, blobID)
	if err != nil {
		return nil, err
	}
	plain, err := fk.DecryptReader(f)
	if err != nil {
		_ = f.Close() // only read from: the decryption error is the one to report
		return nil, haven.Internal("decrypt file", err)
	}
	return struct {
		io.Reader
		io.Closer
	}{plain, f}, nil
}

// Delete removes a stored file's ciphertext.
func (v *Vault) Delete(ctx context.Context, blobID string) error { return v.dir.Delete(ctx, blobID) }
