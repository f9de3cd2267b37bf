package markdown

import (
	"strings"

	xhtml "golang.org/x/net/html"
)

// allowedOutput is every element the renderer may produce, with the attributes each may carry.
// Checking against this allowlist, rather than a list of known-bad tags, also catches a payload
// nobody thought of.
var allowedOutput = map[string]string{
	"p": "dir", "li": "dir", "blockquote": "dir", "th": "dir align", "td": "dir align",
	"h1": "dir", "h2": "dir", "h3": "dir", "h4": "dir", "h5": "dir", "h6": "dir",
	"ul": "", "ol": "start", "pre": "", "code": "", "em": "", "strong": "", "del": "", "hr": "",
	"br": "", "table": "", "thead": "", "tbody": "", "tr": "", "a": "href title rel target",
}

// unsafeOutput tokenises html as a browser would and reports the first thing that could run
// code, load something from elsewhere or break out of the article; "" when there is none.
func unsafeOutput(html string) string {
	lower := strings.ToLower(html)
	for _, bad := range []string{"<script", "<iframe", "<img", "<svg", "<math", "<style"} {
		if strings.Contains(lower, bad) {
			return "contains " + bad
		}
	}
	z := xhtml.NewTokenizer(strings.NewReader(html))
	for tt := z.Next(); tt != xhtml.ErrorToken; tt = z.Next() {
		if tt != xhtml.StartTagToken && tt != xhtml.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		attrs, ok := allowedOutput[tok.Data]
		if !ok {
			return "element " + tok.Data
		}
		for _, a := range tok.Attr {
			if problem := unsafeAttr(tok.Data, attrs, a); problem != "" {
				return problem
			}
		}
	}
	return ""
}

func unsafeAttr(elem, allowed string, a xhtml.Attribute) string {
	if strings.HasPrefix(a.Key, "on") || !strings.Contains(" "+allowed+" ", " "+a.Key+" ") {
		return "attribute " + a.Key + " on " + elem
	}
	if dangerousScheme(a.Val) != "" {
		return "scriptable URL in " + a.Key
	}
	if a.Key != "href" {
		return ""
	}
	for _, scheme := range []string{"https://", "http://", "mailto:"} {
		if strings.HasPrefix(a.Val, scheme) {
			return ""
		}
	}
	return "href " + a.Val + " is not an absolute http(s) or mailto URL"
}
