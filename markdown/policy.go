package markdown

import (
	"net/url"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
)

// dirBlocks are the elements that get dir="auto" (see dirAuto); the policy keeps that attribute
// on them and nowhere else.
var dirBlocks = []string{"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "blockquote"}

// newPolicy is stricter than bluemonday's UGC policy: an allowlist of exactly the elements
// CommonMark and the GFM table/strikethrough/autolink extensions produce. Not allowed, so removed
// even if goldmark ever let them through: script, style, iframe, object, embed, form, input, svg,
// math, every style and event attribute, ids (they could clash with the page's own), classes.
func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li", "pre",
		"code", "em", "strong", "del", "hr", "br", "table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,9}$`)).OnElements("ol")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|center|right)$`)).OnElements("th", "td")
	p.AllowAttrs("dir").Matching(regexp.MustCompile(`^auto$`)).OnElements(dirBlocks...)
	allowLinks(p)
	// No <img>, whatever its source: an article must make no request to anywhere else (a remote
	// image tells its host who reads which guide, and when). imageAsText keeps the alt text.
	return p
}

// allowLinks keeps http, https and mailto links only: no javascript:, vbscript: or data:, and no
// relative or scheme-relative (//host) URL, which would resolve against wherever the article is
// shown. Every link gets rel="nofollow noreferrer" (no referrer tells the target that a helpline
// pointed here); web links also open in a new tab with "noopener", so the target cannot script
// the helpline's tab.
func allowLinks(p *bluemonday.Policy) {
	p.AllowAttrs("href", "title").OnElements("a")
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(false)
	p.AllowURLSchemes("mailto")
	p.AllowURLSchemeWithCustomPolicy("http", webURL)
	p.AllowURLSchemeWithCustomPolicy("https", webURL)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
}

// webURL refuses a web link without a host ("https:kb/x" resolves against the page on a browser
// at https, so it is a relative link in disguise) and one with a user part, whose only use in an
// article is to pass "https://helpline.example@evil.example/" off as the helpline.
func webURL(u *url.URL) bool {
	return u.Host != "" && u.User == nil
}
