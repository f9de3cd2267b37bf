package indicator

import (
	"strings"

	xhtml "golang.org/x/net/html"
)

// linkAttributes are the attributes whose values a browser follows or loads.
var linkAttributes = map[string]bool{"href": true, "src": true, "action": true, "formaction": true,
	"background": true, "poster": true, "data": true, "cite": true}

// HTML finds the observables in an HTML body: in its text, and in the targets of its links,
// images and forms — where a phishing mail hides the real address behind honest-looking text.
func (e *Extractor) HTML(s string) []Observable {
	f := &found{e: e, seen: map[string]bool{}}
	z := xhtml.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return f.out
		case xhtml.TextToken:
			f.text(string(z.Text()))
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			for {
				key, val, more := z.TagAttr()
				if linkAttributes[string(key)] {
					f.link(strings.TrimSpace(string(val)))
				}
				if !more {
					break
				}
			}
		}
	}
}

// link reads a link target: a URL, an email address (mailto:) or a phone number (tel:).
func (f *found) link(target string) {
	lower := strings.ToLower(target)
	switch {
	case strings.HasPrefix(lower, "mailto:"):
		addr, _, _ := strings.Cut(target[len("mailto:"):], "?")
		f.email(addr)
	case strings.HasPrefix(lower, "tel:"):
		f.phones(target[len("tel:"):])
	case strings.Contains(target, "://"):
		f.url(Refang(target))
	}
}
