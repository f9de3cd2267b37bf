package service_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/blob"
	"github.com/haven-helpline/haven/service"
	"github.com/haven-helpline/haven/testenv"
)

// withFiles gives the fixture a service that stores attachments in a vault under dir.
func (f *erasureFixture) withFiles(t *testing.T, dir string) {
	t.Helper()
	d, err := blob.NewDir(dir, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	cfg := service.DefaultConfig()
	cfg.Files = blob.NewVault(d, testenv.Keyring(t))
	cfg.Classify = func(name, _ string, data []byte) (bool, string) {
		if strings.HasSuffix(name, ".exe") || strings.HasPrefix(string(data), "MZ") {
			return true, "executable"
		}
		return false, ""
	}
	f.svc = service.New(f.db, &fixedClock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}, cfg)
}

func blobCount(t *testing.T, dir string) int {
	n := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Base(filepath.Dir(p)) != "tmp" {
			n++
		}
		return nil
	})
	return n
}

// TestAttachmentsShreddedWithTheirPerson: attachments are encrypted, flagged, opened by who may
// see the case, and deleted for good when their requester is erased.
func TestAttachmentsShreddedWithTheirPerson(t *testing.T) {
	f := newErasureFixture(t)
	dir := t.TempDir()
	f.withFiles(t, dir)
	a, err := f.svc.AddAttachment(f.handler, f.number, haven.AttachmentUpload{Filename: `C:\Users\x\passport.jpg`, ContentType: "image/jpeg; name=x", Data: []byte("JPEG passport of Yasmin")})
	if err != nil || a.Filename != "passport.jpg" || a.ContentType != "image/jpeg" || a.Quarantined {
		t.Fatalf("add: %+v %v", a, err)
	}
	exe, err := f.svc.AddAttachment(f.handler, f.number, haven.AttachmentUpload{Filename: "invoice.pdf", Data: []byte("MZ\x90\x00 payload")})
	if err != nil || !exe.Quarantined || exe.SuspiciousReason != "executable" {
		t.Fatalf("a PE named .pdf: %+v %v", exe, err)
	}
	_, err = f.svc.AddAttachment(f.handler, "HV-2026-999999", haven.AttachmentUpload{Filename: "x", Data: []byte("x")})
	wantCode(t, err, haven.ENOTFOUND)
	if n := blobCount(t, dir); n != 2 {
		t.Fatalf("%d blobs stored, want 2 (nothing for the refused upload)", n)
	}
	got, r, err := f.svc.OpenAttachment(f.lead, f.number, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	content, _ := io.ReadAll(r)
	r.Close()
	if string(content) != "JPEG passport of Yasmin" || got.SHA256 != a.SHA256 {
		t.Fatalf("opened %q %+v", content, got)
	}
	if n := countEventsIn(t, f, "attachment.downloaded"); n != 1 {
		t.Fatalf("%d download events", n)
	}
	if _, err := f.svc.EraseRequester(f.lead, f.requesterID); err != nil {
		t.Fatal(err)
	}
	if n := blobCount(t, dir); n != 0 {
		t.Fatalf("%d blobs left after the erasure", n)
	}
	_, _, err = f.svc.OpenAttachment(f.lead, f.number, a.ID)
	wantCode(t, err, haven.ENOTFOUND)
	list, err := f.svc.Attachments(f.lead, f.number)
	if err != nil || len(list) != 2 || list[0].Filename != "" || list[0].Size == 0 {
		t.Fatalf("after erasure the metadata stays without names: %+v %v", list, err)
	}
}
