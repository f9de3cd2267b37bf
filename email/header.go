package email

import (
	"bufio"
	"bytes"
	"io"
	"mime"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

type headerStatus int

const (
	headerOK       headerStatus = iota // go-message read it
	headerRepaired                     // read by the tolerant fallback: lines were skipped or the blank line was missing
	headerNone                         // no header field at all
)

// readHeader splits an entity into header and body. go-message is tried
// first; when it refuses, a tolerant reader recovers what it can.
func readHeader(b []byte) (message.Header, []byte, headerStatus) {
	r := bytes.NewReader(b)
	br := bufio.NewReaderSize(r, min(len(b), 4096)) // parts are often tiny
	h, err := textproto.ReadHeader(br)
	if err == nil {
		off := len(b) - r.Len() - br.Buffered()
		return message.Header{Header: h}, b[off:], headerOK
	}
	return tolerantHeader(b)
}

type field struct{ k, v string }

// tolerantHeader reads "Key: value" lines, skipping malformed ones. A
// malformed line followed by no further header line is taken as the start of
// a body whose separating blank line is missing.
func tolerantHeader(b []byte) (message.Header, []byte, headerStatus) {
	var fields []field
	body := b[len(b):]
	for pos := 0; pos < len(b); {
		line, next := restOfLine(b, pos)
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			body = b[next:]
			break
		}
		if k, v, ok := splitField(line); ok {
			fields = append(fields, field{k, v})
		} else if line[0] == ' ' || line[0] == '\t' {
			if n := len(fields); n > 0 {
				fields[n-1].v += " " + string(bytes.TrimSpace(line))
			}
		} else if len(fields) == 0 || !headerFollows(b, next) {
			body = b[pos:]
			break
		}
		pos = next
	}
	if len(fields) == 0 {
		return message.Header{}, b, headerNone
	}
	var h message.Header
	for i := len(fields) - 1; i >= 0; i-- {
		// go-message keeps fields last-first so Get returns the first one.
		h.Add(fields[i].k, fields[i].v)
	}
	return h, body, headerRepaired
}

// splitField parses one header line; the key must be an RFC 5322 field name.
func splitField(line []byte) (k, v string, ok bool) {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return "", "", false
	}
	key := bytes.TrimRight(line[:i], " \t")
	if len(key) == 0 {
		return "", "", false
	}
	for _, c := range key {
		if c < 33 || c > 126 {
			return "", "", false
		}
	}
	return string(key), string(bytes.TrimSpace(line[i+1:])), true
}

// headerFollows reports whether a header line appears before the next blank
// line, i.e. whether a bad line sits inside the header block.
func headerFollows(b []byte, pos int) bool {
	for n := 0; pos < len(b) && n < 100; n++ {
		line, next := restOfLine(b, pos)
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			return false
		}
		if _, _, ok := splitField(line); ok {
			return true
		}
		pos = next
	}
	return false
}

// headerText decodes an unstructured header (RFC 2047, any charset) into one
// clean line.
func (ps *parser) headerText(v string) string {
	s := cleanText(ps.decodeWords(v))
	return strings.Join(strings.Fields(s), " ")
}

// decodeWords decodes RFC 2047 encoded words; raw 8-bit bytes are read in the
// message's charset when they are not UTF-8.
func (ps *parser) decodeWords(v string) string {
	v = ps.rawHeaderText(v)
	if !strings.Contains(v, "=?") {
		return v
	}
	d := mime.WordDecoder{CharsetReader: ps.wordCharset}
	out, err := d.DecodeHeader(v)
	if err != nil {
		return v
	}
	return out
}

// wordCharset never fails, so one odd encoded word cannot hide the rest of
// the header; unknown charsets are decoded best effort and flagged.
func (ps *parser) wordCharset(label string, r io.Reader) (io.Reader, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	s, ok := decodeCharset(data, label)
	if !ok {
		ps.p.CharsetFallback = true
	}
	return strings.NewReader(s), nil
}

func (ps *parser) rawHeaderText(v string) string {
	if utf8.ValidString(v) {
		return v
	}
	if ps.hint != "" {
		if s, ok := decodeCharset([]byte(v), ps.hint); ok {
			return s
		}
	}
	ps.p.CharsetFallback = true
	return bestEffort([]byte(v))
}

// addressList parses an address header with net/mail, falling back to a loose
// reading so malformed headers still yield the addresses they contain.
func (ps *parser) addressList(h message.Header, key string) []Address {
	v := ps.rawHeaderText(strings.Join(h.Values(key), ", "))
	if strings.TrimSpace(v) == "" {
		return nil
	}
	ap := mail.AddressParser{WordDecoder: &mime.WordDecoder{CharsetReader: ps.wordCharset}}
	list, err := ap.ParseList(v)
	if err != nil {
		return ps.looseAddresses(v)
	}
	out := make([]Address, 0, len(list))
	for _, a := range list {
		out = append(out, Address{Name: ps.headerText(a.Name), Addr: normAddr(a.Address)})
	}
	return out
}

func (ps *parser) looseAddresses(v string) []Address {
	var out []Address
	for _, chunk := range splitOutsideQuotes(v, ",;") {
		chunk = strings.TrimSpace(chunk)
		var a Address
		if i := strings.LastIndexByte(chunk, '<'); i >= 0 {
			addr, _, _ := strings.Cut(chunk[i+1:], ">")
			a = Address{Name: strings.Trim(chunk[:i], ` "'`), Addr: addr}
		} else if j := strings.IndexByte(chunk, '@'); j >= 0 || (chunk != "" && !strings.ContainsAny(chunk, " \t:")) {
			a.Addr = chunk
			for _, f := range strings.Fields(chunk) {
				if strings.Contains(f, "@") {
					a.Addr = f
				}
			}
		}
		a.Name = ps.headerText(a.Name)
		a.Addr = normAddr(strings.TrimPrefix(strings.Trim(a.Addr, `<>"' `), "mailto:"))
		if a.Addr != "" || a.Name != "" {
			out = append(out, a)
		}
	}
	return out
}

// splitOutsideQuotes splits s at any of seps that is not inside quotes or
// angle brackets.
func splitOutsideQuotes(s, seps string) []string {
	var out []string
	quoted, angle, start := false, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case c == '<' && !quoted:
			angle = true
		case c == '>' && !quoted:
			angle = false
		case !quoted && !angle && strings.IndexByte(seps, c) >= 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// normAddr lower-cases the domain only: local parts may be case-sensitive.
func normAddr(a string) string {
	a = cleanText(strings.TrimSpace(a))
	if i := strings.LastIndexByte(a, '@'); i >= 0 {
		return a[:i+1] + strings.ToLower(a[i+1:])
	}
	return a
}

var msgIDRE = regexp.MustCompile(`<([^<>\s]+)>`)

// maxIDLen bounds an identifier: a hostile header must not bloat indexes.
const maxIDLen = 998

// firstMsgID returns the first message id of a header, without <>.
func firstMsgID(v string) string {
	if ids := msgIDList(v); len(ids) > 0 {
		return ids[0]
	}
	return ""
}

// msgIDList returns the ids of a References-like header in order. Ids
// missing their angle brackets are accepted as whitespace-separated tokens.
func msgIDList(v string) []string {
	v = cleanText(v)
	var raw []string
	if m := msgIDRE.FindAllStringSubmatch(v, 500); len(m) > 0 {
		for _, s := range m {
			raw = append(raw, s[1])
		}
	} else {
		raw = strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
	}
	var out []string
	for _, id := range raw {
		id = strings.Trim(id, "<> \"")
		if id != "" {
			out = append(out, truncateUTF8(id, maxIDLen))
		}
	}
	return out
}

// dateLayouts are the non-RFC shapes seen from broken mailers.
var dateLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04 -0700",
	"2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 06 15:04:05 -0700",
	"Mon Jan _2 15:04:05 2006",
	"Mon Jan _2 15:04:05 MST 2006",
	"Mon, 2 January 2006 15:04:05 -0700",
	time.RFC3339,
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05",
}

var commentRE = regexp.MustCompile(`\([^()]*\)`)

func parseDate(v string) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	if t, err := mail.ParseDate(v); err == nil {
		return t
	}
	v = strings.Join(strings.Fields(commentRE.ReplaceAllString(v, "")), " ")
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t
		}
	}
	return time.Time{}
}
