package markdown

import (
	"strings"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// breaks are the elements whose edges separate words; inline elements (em, a, code…) do not, so
// "un*safe*" stays one word.
var breaks = map[atom.Atom]bool{
	atom.P: true, atom.Li: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true,
	atom.H5: true, atom.H6: true, atom.Td: true, atom.Th: true, atom.Tr: true, atom.Blockquote: true,
	atom.Pre: true, atom.Br: true, atom.Hr: true, atom.Ul: true, atom.Ol: true, atom.Table: true,
}

// htmlText reads the text of sanitised HTML, which is well formed and has no script or style
// whose content would not be shown, so every text token is visible text.
func htmlText(s string) string {
	var b strings.Builder
	b.Grow(len(s) / 2)
	z := xhtml.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case xhtml.TextToken:
			b.Write(z.Text())
		case xhtml.StartTagToken, xhtml.EndTagToken, xhtml.SelfClosingTagToken:
			if name, _ := z.TagName(); breaks[atom.Lookup(name)] {
				b.WriteByte(' ')
			}
		}
	}
}
