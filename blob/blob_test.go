package blob_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/blob"
)

func TestDirRoundTripAndDedupe(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	d, err := blob.NewDir(root, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	content := "From: phisher@example.net\r\n\r\nyour account is locked"
	want := sha256.Sum256([]byte(content))
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ { // concurrent puts of the same bytes end as one blob
		wg.Add(1)
		go func() {
			defer wg.Done()
			sum, n, err := d.Put(ctx, strings.NewReader(content))
			if err != nil || sum != hex.EncodeToString(want[:]) || n != int64(len(content)) {
				t.Errorf("put: %s %d %v", sum, n, err)
			}
		}()
	}
	wg.Wait()
	sum := hex.EncodeToString(want[:])
	r, err := d.Get(ctx, sum)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if string(got) != content {
		t.Fatalf("got %q", got)
	}
	if tmp, _ := os.ReadDir(filepath.Join(root, "tmp")); len(tmp) != 0 {
		t.Fatalf("temporary files left: %d", len(tmp))
	}
	if err := d.Delete(ctx, sum); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Get(ctx, sum); haven.ErrorCode(err) != haven.ENOTFOUND {
		t.Fatalf("after delete: %v", err)
	}
	if err := d.Delete(ctx, sum); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
}

func TestDirRefusesBadInput(t *testing.T) {
	ctx := context.Background()
	d, err := blob.NewDir(t.TempDir(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.Put(ctx, strings.NewReader("eleven byte")); haven.ErrorCode(err) != haven.ETOOLARGE {
		t.Fatalf("oversized: %v", err)
	}
	for _, bad := range []string{"../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("a", 63), ""} {
		if _, err := d.Get(ctx, bad); haven.ErrorCode(err) != haven.EINVALID {
			t.Errorf("Get(%q): %v", bad, err)
		}
		if err := d.Delete(ctx, bad); haven.ErrorCode(err) != haven.EINVALID {
			t.Errorf("Delete(%q): %v", bad, err)
		}
	}
}
