package service

import (
	"bytes"
	"context"
	"io"
	"mime"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
)

var _ haven.AttachmentService = (*Service)(nil)

// AddAttachment encrypts a file into the vault and records it on the case. The bytes are sealed
// before the transaction (file I/O does not hold the writer); if the transaction fails, the blob
// is deleted again.
func (s *Service) AddAttachment(ctx context.Context, number string, in haven.AttachmentUpload) (*haven.Attachment, error) {
	if s.cfg.Files == nil {
		return nil, haven.Errorf(haven.EINTERNAL, "this server has no file store configured")
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if _, err := readCase(ctx, s, number, func(haven.Tx, *haven.Case) (bool, error) { return true, nil }); err != nil {
		return nil, err // nothing is stored for a case the caller cannot see
	}
	stored, err := s.cfg.Files.Seal(ctx, bytes.NewReader(in.Data))
	if err != nil {
		return nil, err
	}
	a := &haven.Attachment{Filename: in.Filename, ContentType: declaredType(in.ContentType), Size: stored.Size,
		SHA256: stored.SHA256, BlobID: stored.BlobID, FileKey: stored.FileKey, MessageID: in.MessageID}
	if s.cfg.Classify != nil {
		a.Quarantined, a.SuspiciousReason = s.cfg.Classify(a.Filename, a.ContentType, in.Data)
	}
	found := attachmentFound(in.Filename, in.Data, stored.SHA256)
	out, err := changeCase(ctx, s, number, func(tx haven.Tx, u *haven.User, c *haven.Case, now time.Time) (*haven.Attachment, error) {
		a.CaseID, a.CreatedAt = c.ID, now
		if err := tx.InsertAttachment(ctx, a); err != nil {
			return nil, err
		}
		if err := s.sightObservables(ctx, tx, c, haven.SightingSource{Kind: "attachment", ID: a.ID}, found, now); err != nil {
			return nil, err
		}
		return a, s.touch(ctx, tx, u, c, now, "attachment.added", "attachment", a.ID,
			map[string]any{"sha256": a.SHA256, "size": a.Size, "quarantined": a.Quarantined})
	})
	if err != nil {
		// Best effort: a file left behind is unreadable, as its key was never stored.
		_ = s.cfg.Files.Delete(context.WithoutCancel(ctx), stored.BlobID)
		return nil, err
	}
	return out, nil
}

// declaredType keeps the media type of a Content-Type, lower-cased, without parameters.
func declaredType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || !strings.Contains(mt, "/") {
		return "application/octet-stream"
	}
	return mt
}

// Attachments lists a case's attachments.
func (s *Service) Attachments(ctx context.Context, number string) ([]*haven.Attachment, error) {
	return readCase(ctx, s, number, func(tx haven.Tx, c *haven.Case) ([]*haven.Attachment, error) {
		return tx.CaseAttachments(ctx, c.ID)
	})
}

// OpenAttachment returns an attachment and its decrypted bytes. A download is a read of
// personal data, so it is recorded.
func (s *Service) OpenAttachment(ctx context.Context, number string, id int64) (*haven.Attachment, io.ReadCloser, error) {
	if s.cfg.Files == nil {
		return nil, nil, haven.Errorf(haven.EINTERNAL, "this server has no file store configured")
	}
	a, err := readCase(ctx, s, number, func(tx haven.Tx, c *haven.Case) (*haven.Attachment, error) {
		return tx.AttachmentByID(ctx, c.ID, id)
	})
	if err != nil {
		return nil, nil, err
	}
	if len(a.FileKey) == 0 {
		return nil, nil, haven.Errorf(haven.ENOTFOUND, "attachment %d was erased", id)
	}
	u, _ := reader(ctx)
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		return record(ctx, tx, s.clock.Now(), u, "attachment.downloaded", "attachment", a.ID, a.CaseID, nil)
	})
	if err != nil {
		return nil, nil, err
	}
	r, err := s.cfg.Files.Open(ctx, a.BlobID, a.FileKey)
	return a, r, err
}

// sweepShredded deletes the blobs whose keys an erasure or a purge destroyed. It runs after the
// commit: a crash before it leaves only unreadable ciphertext, which the next sweep deletes.
func (s *Service) sweepShredded(ctx context.Context) error {
	if s.cfg.Files == nil {
		return nil
	}
	for {
		var blobs []string
		err := s.store.View(ctx, func(tx haven.Tx) (err error) {
			blobs, err = tx.ShreddedBlobs(ctx, 100)
			return err
		})
		if err != nil || len(blobs) == 0 {
			return err
		}
		for _, b := range blobs {
			if err := s.cfg.Files.Delete(ctx, b); err != nil {
				return err
			}
			if err := s.store.Update(ctx, func(tx haven.Tx) error { return tx.ForgetBlob(ctx, b) }); err != nil {
				return err
			}
		}
	}
}
