package pgp

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// entity is one parsed MIME entity. OpenPGP needs the exact bytes of a
// signed part (RFC 3156 §5), so parsing never re-serialises: the header is
// parsed for its fields, and body stays a slice of the input.
type entity struct {
	body      []byte // undecoded body (Content-Transfer-Encoding still applied)
	header    textproto.Header
	mediaType string // lower-case, "text/plain" when absent (RFC 2045 §5.2)
	params    map[string]string
}

// Limits that keep hostile or fuzzed input from recursing or fanning out
// without bound.
const (
	maxDepth = 16
	maxParts = 1000
)

// parseEntity splits raw into header and body and parses the Content-Type.
func parseEntity(raw []byte) (*entity, error) {
	bodyStart := headerEnd(raw)
	// The extra blank line lets ReadHeader stop cleanly on a header that
	// runs to the end of the input without one.
	hr := io.MultiReader(bytes.NewReader(raw[:bodyStart]), strings.NewReader("\r\n\r\n"))
	h, err := textproto.ReadHeader(bufio.NewReader(hr))
	if err != nil {
		return nil, fmt.Errorf("pgp: reading MIME header: %w", err)
	}
	e := &entity{body: raw[bodyStart:], header: h, mediaType: "text/plain"}
	if ct := h.Get("Content-Type"); ct != "" {
		// ParseMediaType returns the media type even when a parameter is
		// malformed; a sloppy parameter must not hide PGP content.
		mt, params, _ := mime.ParseMediaType(ct)
		if mt != "" {
			e.mediaType, e.params = mt, params
		}
	}
	return e, nil
}

// headerEnd returns the offset where the body starts: just after the first
// empty line (CRLF or bare LF), or len(raw) when there is none.
func headerEnd(raw []byte) int {
	for off := 0; off < len(raw); {
		next := lineEnd(raw, off)
		if len(bytes.TrimRight(raw[off:next], "\r\n")) == 0 {
			return next
		}
		off = next
	}
	return len(raw)
}

// lineEnd returns the offset just past the line terminator of the line that
// starts at off (or len(b) for a last line without one).
func lineEnd(b []byte, off int) int {
	if i := bytes.IndexByte(b[off:], '\n'); i >= 0 {
		return off + i + 1
	}
	return len(b)
}

// splitMultipart returns the raw bytes of each body part (RFC 2046 §5.1.1).
// The line break before a delimiter belongs to the delimiter, so each part
// is byte-exact as the signer saw it. A missing close delimiter is
// tolerated: the last part then runs to the end of the body.
func splitMultipart(body []byte, boundary string) [][]byte {
	if boundary == "" {
		return nil
	}
	delim := "--" + boundary
	var parts [][]byte
	start := -1 // start of the current part; -1 while in the preamble
	for off := 0; off < len(body) && len(parts) < maxParts; {
		next := lineEnd(body, off)
		line := strings.TrimRight(string(body[off:next]), " \t\r\n")
		if line == delim || line == delim+"--" {
			if start >= 0 {
				parts = append(parts, body[start:trimLineBreak(body, start, off)])
			}
			if line != delim {
				return parts
			}
			start = next
		}
		off = next
	}
	if start >= 0 && start < len(body) {
		parts = append(parts, body[start:])
	}
	return parts
}

// trimLineBreak returns end moved back over the CRLF or LF that precedes a
// delimiter line, never before start.
func trimLineBreak(b []byte, start, end int) int {
	if end-start >= 1 && b[end-1] == '\n' {
		end--
		if end-start >= 1 && b[end-1] == '\r' {
			end--
		}
	}
	return end
}

// decodedBody undoes the Content-Transfer-Encoding. Charset is deliberately
// left alone: signatures cover the bytes the sender's client produced.
func (e *entity) decodedBody() ([]byte, error) {
	var r io.Reader = bytes.NewReader(e.body)
	switch strings.ToLower(strings.TrimSpace(e.header.Get("Content-Transfer-Encoding"))) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, bytes.NewReader(stripSpace(e.body)))
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("pgp: decoding %s body: %w", e.mediaType, err)
	}
	return out, nil
}

// stripSpace removes the line breaks and stray blanks of a base64 body.
func stripSpace(b []byte) []byte {
	return bytes.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, b)
}

// canonicalCRLF turns every bare LF into CRLF, the canonical form RFC 3156
// requires for signed MIME data; existing CRLFs are kept.
func canonicalCRLF(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b) + bytes.Count(b, []byte("\n")))
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			out.WriteByte('\r')
		}
		out.WriteByte(c)
	}
	return out.Bytes()
}

// isAttachment reports whether the sender marked the part as a file rather
// than as message text; attachments are never taken for the message body.
func (e *entity) isAttachment() bool {
	disp, _, _ := mime.ParseMediaType(e.header.Get("Content-Disposition"))
	return strings.EqualFold(disp, "attachment")
}
