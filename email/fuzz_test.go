package email

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"

	"github.com/haven-helpline/haven"
)

func FuzzParse(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join(corpusDir, "*.eml"))
	dsns, _ := filepath.Glob(filepath.Join(dsnDir, "*.eml")) // bounce parsing
	for _, name := range append(names, dsns...) {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		p := Parse(raw)
		checkParsed(t, p)
	})
}

// checkParsed asserts what every Parse result guarantees.
func checkParsed(t *testing.T, p *Parsed) {
	if p.recovered != "" {
		t.Fatalf("Parse recovered from a panic: %s", p.recovered)
	}
	if !utf8.ValidString(p.Text) || !utf8.ValidString(p.Subject) || !utf8.ValidString(p.HTML) {
		t.Fatalf("invalid UTF-8 in result: %+q / %+q", p.Subject, p.Text)
	}
	if DedupeKey(p) == "" {
		t.Fatal("empty dedupe key")
	}
	if problem := unsafeHTML(p.HTML); problem != "" {
		t.Fatalf("unsafe HTML (%s): %q", problem, p.HTML)
	}
	checkBounce(t, p.Bounce)
	if p.Bounce != nil && !p.AutoReply {
		t.Fatal("a bounce not marked as an auto-reply")
	}
	for _, fwd := range p.Forwarded {
		checkParsed(t, fwd)
	}
}

// checkBounce asserts what a Bounce guarantees: the returned message's id,
// clean and without <>, and a valid status code or none.
func checkBounce(t *testing.T, b *haven.Bounce) {
	if b == nil {
		return
	}
	id := b.OriginalMessageID
	if id == "" || len(id) > maxIDLen || !utf8.ValidString(id) || strings.ContainsAny(id, "<>\x00") {
		t.Fatalf("bad original Message-ID %q", id)
	}
	if b.Status != "" && !statusRE.MatchString(b.Status) {
		t.Fatalf("bad status %q", b.Status)
	}
}

func FuzzSanitizeHTML(f *testing.F) {
	for _, s := range xssPayloads {
		f.Add(s)
	}
	f.Add(xssHTML)
	f.Fuzz(func(t *testing.T, in string) {
		out := SanitizeHTML(in)
		if problem := unsafeHTML(out); problem != "" {
			t.Fatalf("SanitizeHTML(%q) = %q: %s", in, out, problem)
		}
	})
}

// dangerousElems must never be produced by the sanitiser.
var dangerousElems = setOf("script", "style", "iframe", "frame", "frameset", "form", "input", "button", "textarea",
	"select", "object", "embed", "applet", "svg", "math", "base", "meta", "link", "noscript", "template")

// unsafeHTML tokenises s as a browser would and reports the first script,
// event handler, scriptable URL or remote image it finds. Text that merely
// mentions "javascript:" is harmless and not reported.
func unsafeHTML(s string) string {
	z := xhtml.NewTokenizer(strings.NewReader(s))
	for tt := z.Next(); tt != xhtml.ErrorToken; tt = z.Next() {
		if tt != xhtml.StartTagToken && tt != xhtml.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		if dangerousElems[tok.Data] {
			return "element " + tok.Data
		}
		for _, a := range tok.Attr {
			if problem := unsafeAttr(tok.Data, a); problem != "" {
				return problem
			}
		}
	}
	return ""
}

func unsafeAttr(elem string, a xhtml.Attribute) string {
	key := strings.ToLower(a.Key)
	if strings.HasPrefix(key, "on") || key == "style" || key == "srcdoc" || key == "formaction" {
		return "attribute " + key
	}
	// Browsers ignore whitespace and control characters inside a scheme.
	val := strings.ToLower(strings.Map(func(r rune) rune {
		if r <= ' ' {
			return -1
		}
		return r
	}, a.Val))
	for _, scheme := range []string{"javascript:", "vbscript:", "data:"} {
		if strings.HasPrefix(val, scheme) {
			return "scheme in " + key
		}
	}
	if elem == "img" && key == "src" && !strings.HasPrefix(val, "cid:") {
		return "remote image " + a.Val
	}
	return ""
}
