package email

import (
	"bytes"
	"encoding/base64"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	htmlcharset "golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/charmap"
)

// maxFallbackText caps Text for messages we could not parse at all: the raw
// bytes are kept by the caller, Text is only a preview.
const maxFallbackText = 1 << 20

// decodeTransfer undoes a Content-Transfer-Encoding. It is deliberately
// tolerant: broken base64 or quoted-printable yields whatever could be
// decoded. known is false for encodings we do not understand, in which case
// the bytes are returned untouched. The result never aliases body, so
// Parsed stays valid when the caller reuses its buffer.
func decodeTransfer(enc string, body []byte) (data []byte, known bool) {
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "base64":
		return decodeBase64(body), true
	case "quoted-printable":
		return decodeQP(body), true
	case "", "7bit", "8bit", "binary":
		return bytes.Clone(body), true
	default:
		return bytes.Clone(body), false
	}
}

// base64Alphabet marks bytes of the standard alphabet; everything else
// (line breaks, stray punctuation from broken mailers) is skipped.
var base64Alphabet = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") {
		t[c] = true
	}
	return t
}()

// decodeBase64 decodes as much as possible. Padding ends a segment (some
// mailers concatenate independently encoded chunks); a truncated tail is
// decoded up to its last complete byte.
func decodeBase64(body []byte) []byte {
	out := make([]byte, 0, len(body)*3/4)
	seg := make([]byte, 0, min(len(body), 1<<16))
	flush := func() {
		if n := len(seg) % 4; n == 1 {
			seg = seg[:len(seg)-1] // a lone sextet cannot make a byte
		}
		// seg holds only alphabet bytes in a decodable length, so this
		// cannot fail; on any surprise we keep what was appended.
		out, _ = base64.RawStdEncoding.AppendDecode(out, seg)
		seg = seg[:0]
	}
	for _, c := range body {
		switch {
		case base64Alphabet[c]:
			seg = append(seg, c)
		case c == '=' && len(seg) > 0:
			flush()
		}
	}
	flush()
	return out
}

// decodeQP decodes quoted-printable leniently: malformed escapes are kept
// literally instead of aborting, as real mailers produce them.
func decodeQP(body []byte) []byte {
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '=' {
			out = append(out, c)
			continue
		}
		if i+2 < len(body) && isHex(body[i+1]) && isHex(body[i+2]) {
			out = append(out, unhex(body[i+1])<<4|unhex(body[i+2]))
			i += 2
			continue
		}
		if j, ok := softBreak(body, i+1); ok {
			i = j - 1
			continue
		}
		out = append(out, c)
	}
	return out
}

// softBreak reports whether body[i:] starts with optional blanks then a line
// break (a QP soft line break) and returns the index just past it.
func softBreak(body []byte, i int) (int, bool) {
	for i < len(body) && (body[i] == ' ' || body[i] == '\t') {
		i++
	}
	switch {
	case i >= len(body):
		return i, true
	case body[i] == '\n':
		return i + 1, true
	case body[i] == '\r' && i+1 < len(body) && body[i+1] == '\n':
		return i + 2, true
	}
	return i, false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' || 'a' <= c && c <= 'f'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// decodeCharset converts data in the labelled charset to UTF-8. ok is false
// when the label is unknown or the bytes are invalid for it; the result is
// then a best-effort decoding and the caller must raise CharsetFallback.
func decodeCharset(data []byte, label string) (s string, ok bool) {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	switch label {
	case "", "utf-8", "utf8", "us-ascii", "ascii", "unicode-1-1-utf-8":
		if utf8.Valid(data) {
			return string(data), true
		}
		return bestEffort(data), false
	}
	r, err := charset.Reader(label, bytes.NewReader(data))
	if err != nil {
		return bestEffort(data), false
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return bestEffort(data), false
	}
	return string(out), true
}

// decodeHTMLCharset handles HTML parts without a charset parameter: the
// document may declare its own in a <meta> tag.
func decodeHTMLCharset(data []byte) (string, bool) {
	if utf8.Valid(data) {
		return string(data), true
	}
	_, name, _ := htmlcharset.DetermineEncoding(data, "text/html")
	if name == "" || name == "windows-1252" {
		return bestEffort(data), false
	}
	return decodeCharset(data, name)
}

// bestEffort decodes bytes of unknown charset: valid UTF-8 sequences are kept
// and every other byte is read as windows-1252, so a mostly-UTF-8 body with a
// stray byte keeps its Arabic or Cyrillic text intact.
func bestEffort(data []byte) string {
	if utf8.Valid(data) {
		return string(data)
	}
	var b strings.Builder
	b.Grow(len(data) + len(data)/2)
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		if r == utf8.RuneError && n <= 1 {
			r = charmap.Windows1252.DecodeByte(data[0])
			n = 1
		}
		b.WriteRune(r)
		data = data[n:]
	}
	return b.String()
}

// cleanText makes a string safe to store: valid UTF-8 and free of NUL bytes,
// which PostgreSQL text columns reject.
func cleanText(s string) string {
	if !utf8.ValidString(s) {
		s = bestEffort([]byte(s))
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return s
}

// truncateUTF8 cuts s to at most n bytes without splitting a rune.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
