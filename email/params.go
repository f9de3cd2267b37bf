package email

import (
	"cmp"
	"mime"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/emersion/go-message"
)

// contentType returns the lower-case media type and its parameters. A missing
// type is text/plain (RFC 2045 §5.2); a malformed header is read loosely.
func contentType(h message.Header) (string, map[string]string) {
	v := h.Get("Content-Type")
	if strings.TrimSpace(v) == "" {
		return "text/plain", map[string]string{}
	}
	mt, params := parseParams(v)
	if !strings.Contains(mt, "/") || strings.ContainsAny(mt, " \t") {
		mt = "text/plain"
	}
	return mt, params
}

// disposition returns the lower-case disposition ("inline", "attachment",
// or "") and its parameters.
func disposition(h message.Header) (string, map[string]string) {
	v := h.Get("Content-Disposition")
	if strings.TrimSpace(v) == "" {
		return "", map[string]string{}
	}
	return parseParams(v)
}

// parseParams parses "value; k=v" headers. mime.ParseMediaType handles the
// standard cases; the loose parser takes over for syntax errors and for
// RFC 2231 values in charsets the standard library ignores (windows-1256…).
func parseParams(v string) (string, map[string]string) {
	mt, params, err := mime.ParseMediaType(v)
	if err != nil {
		return looseParams(v)
	}
	// The standard library drops RFC 2231 values in charsets other than
	// UTF-8 yet keeps their plain continuations, so re-read any such value.
	lower := strings.ToLower(v)
	for _, k := range []string{"filename", "name"} {
		if !strings.Contains(lower, k+"*") {
			continue
		}
		if _, lp := looseParams(v); lp[k] != "" {
			params[k] = lp[k]
		}
	}
	return strings.ToLower(mt), params
}

type piece struct {
	idx     int
	val     string
	encoded bool
}

// looseParams splits on semicolons outside quotes and assembles RFC 2231
// continuations (name*0*=charset'lang'%xx; name*1=...).
func looseParams(v string) (string, map[string]string) {
	segs := splitOutsideQuotes(v, ";")
	mt := strings.ToLower(strings.TrimSpace(segs[0]))
	if f := strings.Fields(mt); len(f) > 0 {
		mt = f[0]
	}
	params := map[string]string{}
	ext := map[string][]piece{}
	for _, s := range segs[1:] {
		k, val, ok := strings.Cut(s, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		val = unquote(strings.TrimSpace(val))
		if !ok || k == "" {
			continue
		}
		if base, rest, star := strings.Cut(k, "*"); star {
			n, _ := strconv.Atoi(strings.TrimSuffix(rest, "*"))
			ext[base] = append(ext[base], piece{n, val, rest == "" || strings.HasSuffix(rest, "*")})
			continue
		}
		if _, dup := params[k]; !dup {
			params[k] = val
		}
	}
	for k, pieces := range ext {
		params[k] = join2231(pieces)
	}
	return mt, params
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
		return strings.ReplaceAll(strings.ReplaceAll(s, `\"`, `"`), `\\`, `\`)
	}
	return s
}

// join2231 concatenates continuation pieces and decodes the charset named by
// the first encoded piece.
func join2231(pieces []piece) string {
	slices.SortStableFunc(pieces, func(a, b piece) int { return cmp.Compare(a.idx, b.idx) })
	var raw []byte
	label := ""
	for i, p := range pieces {
		val := p.val
		if p.encoded && i == 0 {
			if parts := strings.SplitN(val, "'", 3); len(parts) == 3 {
				label, val = parts[0], parts[2]
			}
		}
		if p.encoded {
			raw = append(raw, pctDecode(val)...)
		} else {
			raw = append(raw, val...)
		}
	}
	s, _ := decodeCharset(raw, label)
	return s
}

// pctDecode undoes %xx escapes, keeping malformed ones literally.
func pctDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return out
}

// filename picks the declared file name (disposition first, then the
// Content-Type name) and decodes it.
func (ps *parser) filename(dparams, params map[string]string) string {
	name := dparams["filename"]
	if strings.TrimSpace(name) == "" {
		name = params["name"]
	}
	return sanitizeFilename(ps.decodeWords(name))
}

// maxFilename bounds names for storage and display, in bytes.
const maxFilename = 200

// sanitizeFilename strips directories, control and bidi-override characters
// (used to disguise "exe.pdf"), and trailing dots/spaces that Windows drops.
func sanitizeFilename(name string) string {
	name = cleanText(name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || isBidiControl(r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimRight(strings.TrimSpace(name), ". ")
	if len(name) > maxFilename {
		ext := path.Ext(name)
		if len(ext) > 16 {
			ext = ""
		}
		name = truncateUTF8(name, maxFilename-len(ext)) + ext
	}
	return name
}

func isBidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069
}

// emlName names a forwarded message's evidence file after its subject.
func emlName(subject string) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, subject)
	name = sanitizeFilename(truncateUTF8(name, 100))
	if name == "" {
		name = "forwarded-message"
	}
	return name + ".eml"
}
