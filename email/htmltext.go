package email

import (
	"strings"
	"unicode"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// skipContent are elements whose text is never shown to a reader.
var skipContent = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Title: true, atom.Noscript: true,
	atom.Template: true, atom.Iframe: true, atom.Object: true, atom.Head: true,
}

// blockElems start and end on their own line.
var blockElems = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true,
	atom.H5: true, atom.H6: true, atom.Ul: true, atom.Ol: true, atom.Table: true, atom.Tr: true,
	atom.Blockquote: true, atom.Pre: true, atom.Hr: true, atom.Section: true, atom.Article: true,
	atom.Header: true, atom.Footer: true, atom.Form: true, atom.Dl: true, atom.Dt: true, atom.Dd: true,
	atom.Address: true, atom.Center: true, atom.Fieldset: true, atom.Body: true, atom.Html: true,
}

// HTMLToText renders readable plain text from HTML: block elements become
// line breaks, links read "text (url)", entities are decoded, and script,
// style and other invisible content is dropped.
func HTMLToText(s string) string {
	t := &textWriter{}
	z := xhtml.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			return t.result()
		}
		tok := z.Token()
		switch tt {
		case xhtml.TextToken:
			t.text(tok.Data)
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			t.start(tok, tt == xhtml.SelfClosingTagToken)
		case xhtml.EndTagToken:
			t.end(tok)
		}
	}
}

type textWriter struct {
	b        strings.Builder
	skip     int // depth inside skipContent elements
	pre      int // depth inside <pre>
	space    bool
	href     string
	linkText strings.Builder
	inLink   bool
}

func (t *textWriter) start(tok xhtml.Token, selfClosing bool) {
	a := tok.DataAtom
	switch {
	case a == atom.Body:
		t.skip = 0 // a missing </head> must not hide the body
	case skipContent[a]:
		if !selfClosing {
			t.skip++
		}
	case a == atom.Br:
		t.newline(1)
	case a == atom.Li && t.skip == 0:
		t.newline(1)
		t.b.WriteString("- ")
	case a == atom.Td || a == atom.Th:
		t.space = true
	case a == atom.Img:
		if alt := strings.TrimSpace(attr(tok, "alt")); alt != "" && t.skip == 0 {
			t.text(alt)
		}
	case a == atom.A:
		t.inLink, t.href = true, attr(tok, "href")
		t.linkText.Reset()
	case a == atom.Pre:
		t.pre++
		t.newline(2)
	case blockElems[a]:
		t.newline(blockGap(a))
	}
}

func (t *textWriter) end(tok xhtml.Token) {
	a := tok.DataAtom
	switch {
	case skipContent[a]:
		if t.skip > 0 {
			t.skip--
		}
	case a == atom.A && t.inLink:
		t.inLink = false
		if showHref(t.href) && !sameTarget(t.linkText.String(), t.href) {
			t.space = true
			t.text("(" + t.href + ")")
		}
	case a == atom.Pre:
		if t.pre > 0 {
			t.pre--
		}
		t.newline(2)
	case blockElems[a]:
		t.newline(blockGap(a))
	}
}

// blockGap is how many line breaks an element implies: paragraphs are set off
// by a blank line, other blocks by a single break.
func blockGap(a atom.Atom) int {
	switch a {
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote, atom.Table:
		return 2
	}
	return 1
}

func showHref(href string) bool {
	h := strings.ToLower(strings.TrimSpace(href))
	return h != "" && !strings.HasPrefix(h, "#") && !strings.HasPrefix(h, "javascript:") &&
		!strings.HasPrefix(h, "cid:") && !strings.HasPrefix(h, "data:")
}

// text appends visible text, collapsing whitespace outside <pre>.
func (t *textWriter) text(s string) {
	if t.skip > 0 || s == "" {
		return
	}
	if t.inLink {
		t.linkText.WriteString(s)
	}
	if t.pre > 0 {
		t.b.WriteString(s)
		return
	}
	words := strings.FieldsFunc(s, isHTMLSpace)
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	t.space = t.space || isHTMLSpace(first)
	for i, w := range words {
		if i > 0 || t.space {
			t.writeSpace()
		}
		t.b.WriteString(w)
	}
	if len(words) > 0 {
		t.space = isHTMLSpace(last)
	}
}

func isHTMLSpace(r rune) bool { return unicode.IsSpace(r) || r == '\u00a0' }

// writeSpace separates words, except at the start of a line.
func (t *textWriter) writeSpace() {
	str := t.b.String()
	if len(str) > 0 && str[len(str)-1] != '\n' && str[len(str)-1] != ' ' {
		t.b.WriteByte(' ')
	}
}

// newline ends the current line with up to n line breaks in a row.
func (t *textWriter) newline(n int) {
	t.space = false
	if t.skip > 0 || t.b.Len() == 0 {
		return
	}
	str := t.b.String()
	have := len(str) - len(strings.TrimRight(str, "\n"))
	for ; have < n; have++ {
		t.b.WriteByte('\n')
	}
}

func (t *textWriter) result() string {
	lines := strings.Split(t.b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
