package email

import (
	"html"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlPolicy is built once and only read afterwards: bluemonday policies are
// safe for concurrent use once constructed, and building one compiles
// regexps, too costly per message.
var htmlPolicy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	// Relative URLs mean nothing in mail; cid: lets inline images reference
	// their attachment. Remote images are removed after sanitising.
	p.AllowRelativeURLs(false)
	p.AllowURLSchemes("mailto", "http", "https", "cid")
	p.AllowElements("center", "font")
	return p
})

// linkRel is forced on every link: no referrer leaks the helpline's use of
// the link, no opener lets the target script the tab.
const linkRel = "nofollow noopener noreferrer"

// SanitizeHTML makes message HTML safe to display: bluemonday's UGC policy
// removes scripts, styles, forms, frames, objects and event handlers; then
// every image not served from the message itself (cid:) is replaced by its
// alt text, so no tracking pixel fires, and each link shows its real target
// after its text when the two differ, exposing deceptive links.
func SanitizeHTML(s string) string {
	return rewriteHTML(htmlPolicy().Sanitize(s))
}

// rewriteHTML post-processes bluemonday output, which is well formed and
// free of raw-text elements, so re-tokenising it is faithful.
func rewriteHTML(s string) string {
	z := xhtml.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	b.Grow(len(s))
	var link *linkState
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			link.close(&b)
			return b.String()
		}
		tok := z.Token()
		switch {
		case tt == xhtml.TextToken:
			b.WriteString(html.EscapeString(tok.Data))
			link.text(tok.Data)
		case tok.DataAtom == atom.Img && tt != xhtml.EndTagToken:
			writeImg(&b, tok)
		case tok.DataAtom == atom.A && tt == xhtml.StartTagToken:
			link.close(&b) // links do not nest
			link = openLink(&b, tok)
		case tok.DataAtom == atom.A && tt == xhtml.EndTagToken:
			link.close(&b)
			link = nil
		default:
			b.WriteString(tok.String())
		}
	}
}

// writeImg keeps cid: images and replaces any other by its alt text.
func writeImg(b *strings.Builder, tok xhtml.Token) {
	src, alt := attr(tok, "src"), attr(tok, "alt")
	if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(src)), "cid:") {
		b.WriteString(html.EscapeString(alt))
		return
	}
	kept := tok.Attr[:0]
	for _, a := range tok.Attr {
		switch a.Key {
		case "src", "alt", "width", "height", "title", "align":
			kept = append(kept, a)
		}
	}
	tok.Attr = kept
	tok.Type = xhtml.SelfClosingTagToken
	b.WriteString(tok.String())
}

type linkState struct {
	href   string
	b      strings.Builder
	closed bool
}

func openLink(b *strings.Builder, tok xhtml.Token) *linkState {
	l := &linkState{href: attr(tok, "href")}
	attrs := []xhtml.Attribute{}
	if l.href != "" {
		attrs = append(attrs, xhtml.Attribute{Key: "href", Val: l.href},
			xhtml.Attribute{Key: "rel", Val: linkRel}, xhtml.Attribute{Key: "target", Val: "_blank"})
	}
	if t := attr(tok, "title"); t != "" {
		attrs = append(attrs, xhtml.Attribute{Key: "title", Val: t})
	}
	tok.Attr = attrs
	b.WriteString(tok.String())
	return l
}

func (l *linkState) text(s string) {
	if l != nil && l.b.Len() < 4096 {
		l.b.WriteString(s)
	}
}

// close ends the link and appends its target when the visible text does not
// already say it, e.g. "paypal.com [https://evil.example/login]".
func (l *linkState) close(b *strings.Builder) {
	if l == nil || l.closed {
		return
	}
	l.closed = true
	b.WriteString("</a>")
	if l.href != "" && !sameTarget(l.b.String(), l.href) {
		b.WriteString(" [" + html.EscapeString(l.href) + "]")
	}
}

// sameTarget compares a link's text with its href, ignoring scheme, "www.",
// case and a trailing slash.
func sameTarget(text, href string) bool {
	return normURL(text) == normURL(href)
}

func normURL(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, p := range []string{"https://", "http://", "mailto:", "www."} {
		s = strings.TrimPrefix(s, p)
	}
	return strings.TrimSuffix(s, "/")
}

func attr(tok xhtml.Token, key string) string {
	for _, a := range tok.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
