package haven

import (
	"context"
	"io"
	"time"
)

// Attachment is a file on a message or a case. Its bytes live in a BlobStore under their sha256;
// Haven never serves one inline.
type Attachment struct {
	ID          int64     `json:"id"`
	CaseID      int64     `json:"case_id"`
	MessageID   int64     `json:"message_id,omitempty"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Quarantined bool      `json:"quarantined"`
	CreatedAt   time.Time `json:"created_at"`
}

// BlobStore keeps attachment bytes, addressed by their hex sha256.
type BlobStore interface {
	// Put stores r and returns its sha256 and size; storing the same bytes twice is harmless.
	Put(ctx context.Context, r io.Reader) (sha256hex string, size int64, err error)
	Get(ctx context.Context, sha256hex string) (io.ReadCloser, error)
	Delete(ctx context.Context, sha256hex string) error
}

// AttachmentStore is what the service layer needs from storage for attachment metadata.
type AttachmentStore interface {
	InsertAttachment(ctx context.Context, a *Attachment) error
	CaseAttachments(ctx context.Context, caseID int64) ([]*Attachment, error)
}
