package blob_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/blob"
	"github.com/haven-helpline/haven/testenv"
)

func TestVaultEncryptsEachFile(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	dir, err := blob.NewDir(root, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	v := blob.NewVault(dir, testenv.Keyring(t))
	secret := bytes.Repeat([]byte("passport scan of Leila Haddad "), 1000)
	a, err := v.Seal(ctx, bytes.NewReader(secret))
	if err != nil {
		t.Fatal(err)
	}
	b, err := v.Seal(ctx, bytes.NewReader(secret))
	if err != nil {
		t.Fatal(err)
	}
	if a.BlobID == b.BlobID || a.SHA256 != b.SHA256 || a.Size != int64(len(secret)) {
		t.Fatalf("two seals of one file: %+v %+v", a, b)
	}
	r, err := v.Open(ctx, a.BlobID, a.FileKey)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("round trip: %v", err)
	}
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			raw, _ := os.ReadFile(p)
			if bytes.Contains(raw, []byte("Leila Haddad")) {
				t.Errorf("%s holds the plaintext", p)
			}
		}
		return nil
	})
	if _, err := v.Open(ctx, a.BlobID, nil); haven.ErrorCode(err) != haven.ENOTFOUND {
		t.Fatalf("open without a key: %v", err)
	}
	if _, err := v.Open(ctx, a.BlobID, b.FileKey); err == nil {
		t.Fatal("another file's key opened the file")
	}
	tamper(t, root, a.BlobID)
	r, err = v.Open(ctx, a.BlobID, a.FileKey)
	if err == nil {
		_, err = io.ReadAll(r)
		r.Close()
	}
	if err == nil {
		t.Fatal("a tampered blob decrypted")
	}
	if err := v.Delete(ctx, b.BlobID); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Open(ctx, b.BlobID, b.FileKey); haven.ErrorCode(err) != haven.ENOTFOUND {
		t.Fatalf("open after delete: %v", err)
	}
	if _, err := v.Seal(ctx, strings.NewReader(strings.Repeat("x", 2<<20))); haven.ErrorCode(err) != haven.ETOOLARGE {
		t.Fatalf("oversized seal: %v", err)
	}
}

func tamper(t *testing.T, root, id string) {
	t.Helper()
	p := filepath.Join(root, id[0:2], id[2:4], id)
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)-20] ^= 1
	if err := os.WriteFile(p, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}
