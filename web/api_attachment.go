package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/haven-helpline/haven"
)

// uploadOverhead is room for the multipart framing around an attachment of the largest size.
const uploadOverhead = 64 << 10

// addAttachment takes one file as multipart/form-data (field "file").
func (s *Server) addAttachment(w http.ResponseWriter, r *http.Request) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "multipart/form-data" {
		return withStatus(http.StatusUnsupportedMediaType, haven.Errorf(haven.EINVALID,
			"send the file as multipart/form-data in a field named file"))
	}
	limit := int64(haven.MaxAttachment + uploadOverhead)
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	f, hdr, err := r.FormFile("file")
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return tooLarge(haven.MaxAttachment)
	}
	if err != nil {
		return &haven.Error{Code: haven.EINVALID, Message: "no file in the form", Fields: map[string]string{"file": "required"}}
	}
	defer func() { _ = f.Close() }() // an upload being read: closing loses nothing
	data, err := io.ReadAll(io.LimitReader(f, haven.MaxAttachment+1))
	if err != nil {
		return haven.Errorf(haven.EINVALID, "the upload was cut short: %v", err)
	}
	if len(data) > haven.MaxAttachment {
		return tooLarge(haven.MaxAttachment)
	}
	a, err := s.svc.Attachments.AddAttachment(r.Context(), r.PathValue("number"), haven.AttachmentUpload{
		Filename: hdr.Filename, ContentType: hdr.Header.Get("Content-Type"), Data: data})
	return created(w, a, err)
}

func (s *Server) listAttachments(w http.ResponseWriter, r *http.Request) error {
	as, err := s.svc.Attachments.Attachments(r.Context(), r.PathValue("number"))
	return replyList(w, as, err)
}

// downloadAttachment serves a file as a download and never as a page: whatever its declared
// type, it goes out as application/octet-stream with Content-Disposition: attachment, nosniff and
// a sandboxing CSP, so a hostile HTML or SVG file cannot run in Haven's origin.
func (s *Server) downloadAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return haven.Errorf(haven.EINVALID, "attachment id must be a number")
	}
	a, body, err := s.svc.Attachments.OpenAttachment(r.Context(), r.PathValue("number"), id)
	if err != nil {
		return err
	}
	defer func() { _ = body.Close() }() // a file being read: closing loses nothing
	s.writeAttachment(w, a, body)
	return nil
}

// writeAttachment sends a file as a download (API and web interface alike).
func (s *Server) writeAttachment(w http.ResponseWriter, a *haven.Attachment, body io.Reader) {
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", contentDisposition(a.Filename))
	h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Haven-SHA256", a.SHA256)
	if a.Quarantined {
		h.Set("X-Haven-Warning", "suspicious file ("+a.SuspiciousReason+"): open it only in an isolated environment")
	}
	if _, err := io.Copy(w, body); err != nil {
		// Headers are gone; the short body (Content-Length) tells the client it failed.
		s.log.Error("attachment download failed", "attachment", a.ID, "err", err)
	}
}

// contentDisposition names the download safely: an ASCII fallback and the UTF-8 name (RFC 6266).
func contentDisposition(name string) string {
	if name == "" {
		name = "attachment"
	}
	ascii := []rune{}
	for _, r := range name {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			r = '_'
		}
		ascii = append(ascii, r)
	}
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, string(ascii), url.PathEscape(name))
}
