package haven

import (
	"context"
	"io"
	"path"
	"strings"
	"time"
	"unicode/utf8"
)

// Attachment is a file on a message or a case. Its bytes are stored encrypted, under a key of its
// own, by a FileVault; Haven never serves one inline.
type Attachment struct {
	ID          int64  `json:"id"`
	CaseID      int64  `json:"case_id"`
	MessageID   int64  `json:"message_id,omitempty"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"` // as declared by the sender; never trusted
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"` // of the plaintext
	// Quarantined marks a suspicious file: executable, macro document, archive, or a name that
	// lies about the content. It can still be downloaded, with a warning.
	Quarantined      bool      `json:"quarantined"`
	SuspiciousReason string    `json:"suspicious_reason,omitempty"`
	CreatedAt        time.Time `json:"created_at"`
	// BlobID and FileKey (sealed) locate and unlock the encrypted bytes; they never leave the server.
	BlobID  string `json:"-"`
	FileKey []byte `json:"-"`
}

// MaxAttachment is the largest attachment accepted through the API.
const MaxAttachment = 25 << 20

// AttachmentUpload is a file to add to a case.
type AttachmentUpload struct {
	Filename    string
	ContentType string
	Data        []byte
	MessageID   int64 // 0: on the case itself
}

// Validate checks an upload and cleans its name: no directories, no control characters.
func (u *AttachmentUpload) Validate() error {
	u.Filename = CleanFilename(u.Filename)
	v := Validation{}
	v.Check(len(u.Data) > 0, "file", "the file is empty")
	v.Check(len(u.Data) <= MaxAttachment, "file", "at most 25 MB")
	v.Check(utf8.ValidString(u.Filename) && len(u.Filename) <= 255, "filename", "at most 255 bytes of UTF-8")
	return v.Err()
}

// CleanFilename keeps the last path element of a sender-given name, without control characters;
// an empty result becomes "attachment".
func CleanFilename(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = path.Base("/" + name)
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	if name == "/" || name == "." || strings.TrimSpace(name) == "" {
		return "attachment"
	}
	return name
}

// StoredFile is where a FileVault put an encrypted file, and what it learnt of the plaintext.
type StoredFile struct {
	BlobID  string
	FileKey []byte // sealed by the master key
	SHA256  string
	Size    int64
}

// FileVault keeps files encrypted at rest, each under its own key: destroying the sealed key
// (crypto-shredding) makes the file unreadable for good, wherever copies of the blob remain.
type FileVault interface {
	Seal(ctx context.Context, r io.Reader) (StoredFile, error)
	// Open decrypts a stored file. The reader fails if the blob was altered.
	Open(ctx context.Context, blobID string, fileKey []byte) (io.ReadCloser, error)
	Delete(ctx context.Context, blobID string) error
}

// AttachmentService adds, lists and opens a case's attachments.
type AttachmentService interface {
	AddAttachment(ctx context.Context, number string, in AttachmentUpload) (*Attachment, error)
	Attachments(ctx context.Context, number string) ([]*Attachment, error)
	// OpenAttachment returns the attachment and its bytes; the caller closes the reader and must
	// serve it as a download, never inline.
	OpenAttachment(ctx context.Context, number string, id int64) (*Attachment, io.ReadCloser, error)
}

// AttachmentStore is what the service layer needs from storage for attachment metadata.
type AttachmentStore interface {
	InsertAttachment(ctx context.Context, a *Attachment) error
	CaseAttachments(ctx context.Context, caseID int64) ([]*Attachment, error)
	AttachmentByID(ctx context.Context, caseID, id int64) (*Attachment, error)
	// ShreddedBlobs lists up to limit blobs whose key was destroyed (erasure, purge).
	ShreddedBlobs(ctx context.Context, limit int) ([]string, error)
	// ForgetBlob records that a shredded blob was deleted.
	ForgetBlob(ctx context.Context, blobID string) error
}
