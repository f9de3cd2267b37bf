// Package blob stores attachment bytes in a directory, addressed by their sha256: identical files
// are kept once, and a file's name is its integrity check.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/haven-helpline/haven"
)

// Dir is a content-addressed store over a directory tree: DIR/ab/cd/abcd… for the hash abcd….
type Dir struct {
	root    string
	maxSize int64
}

// NewDir returns a store in root (created if missing) refusing blobs larger than maxSize bytes.
func NewDir(root string, maxSize int64) (*Dir, error) {
	if err := os.MkdirAll(filepath.Join(root, "tmp"), 0o700); err != nil {
		return nil, haven.Internal("create blob directory", err)
	}
	return &Dir{root: root, maxSize: maxSize}, nil
}

// Put copies r into the store and returns its sha256 and size. The bytes are written to a
// temporary file, synced, and renamed into place, so a crash never leaves a partial blob under a
// valid name.
func (d *Dir) Put(ctx context.Context, r io.Reader) (string, int64, error) {
	tmp, err := os.CreateTemp(filepath.Join(d.root, "tmp"), "put-*")
	if err != nil {
		return "", 0, haven.Internal("blob temp file", err)
	}
	defer func() {
		// No-ops once closed and renamed; after a failure, the failure is what Put reports.
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, d.maxSize+1))
	if err != nil {
		return "", 0, haven.Internal("write blob", err)
	}
	if n > d.maxSize {
		return "", 0, haven.Errorf(haven.ETOOLARGE, "the file is larger than %d bytes", d.maxSize)
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, haven.Internal("sync blob", err)
	}
	if err := tmp.Close(); err != nil {
		return "", 0, haven.Internal("close blob", err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	final := d.path(sum)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return "", 0, haven.Internal("blob directory", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return "", 0, haven.Internal("store blob", err)
	}
	return sum, n, nil
}

// Get opens a blob for reading.
func (d *Dir) Get(ctx context.Context, sum string) (io.ReadCloser, error) {
	if !validSum(sum) {
		return nil, haven.Errorf(haven.EINVALID, "not a sha256: %q", sum)
	}
	f, err := os.Open(d.path(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, haven.Errorf(haven.ENOTFOUND, "file %s not found", sum)
	}
	if err != nil {
		return nil, haven.Internal("open blob", err)
	}
	return f, nil
}

// Delete removes a blob; deleting a missing blob is not an error.
func (d *Dir) Delete(ctx context.Context, sum string) error {
	if !validSum(sum) {
		return haven.Errorf(haven.EINVALID, "not a sha256: %q", sum)
	}
	if err := os.Remove(d.path(sum)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return haven.Internal("delete blob", err)
	}
	return nil
}

func (d *Dir) path(sum string) string {
	return filepath.Join(d.root, sum[0:2], sum[2:4], sum)
}

// validSum accepts exactly 64 lower-case hex digits, so a name can never climb out of the tree.
func validSum(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
