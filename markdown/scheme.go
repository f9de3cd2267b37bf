package markdown

import (
	"html"
	"strings"

	"github.com/yuin/goldmark/util"
)

// scriptableSchemes run code or carry a whole document when a link is followed.
var scriptableSchemes = []string{"javascript", "vbscript", "data"}

// dangerousScheme returns the scriptable scheme dest starts with, as a browser reads it, or "".
func dangerousScheme(dest string) string {
	d := browserForm(dest)
	for _, s := range scriptableSchemes {
		if strings.HasPrefix(d, s+":") {
			return s
		}
	}
	return ""
}

// browserForm is s lowercased without the ASCII whitespace and control characters browsers
// ignore inside a URL ("java\tscript:" is javascript:).
func browserForm(s string) string {
	return strings.ToLower(strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, s))
}

// htmlUnescape decodes character references as an attribute value is decoded
// ("&#106;avascript:").
func htmlUnescape(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	return html.UnescapeString(s)
}

// resolveDestination decodes a Markdown link destination as the renderer will write it: the
// parser keeps backslash escapes and character references ("&#106;avascript:") as written.
func resolveDestination(dest []byte) string {
	dest = util.UnescapePunctuations(dest)
	dest = util.ResolveNumericReferences(dest)
	return string(util.ResolveEntityNames(dest))
}
