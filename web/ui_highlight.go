package web

import (
	"html/template"
	"net/url"
	"strings"
	"unicode"

	"github.com/haven-helpline/haven/textnorm"
)

func urlParse(s string) (*url.URL, error) { return url.Parse(s) }

// highlight escapes text and marks the words that the search query matched: a word matches when
// its normalised form (Arabic folded, articles removed, lower case) starts with a query term,
// as the index matches. Everything is escaped; only the <mark> elements are markup.
func highlight(text, query string) template.HTML {
	terms := textnorm.PrefixQuery(query)
	if len(terms) == 0 {
		return template.HTML(template.HTMLEscapeString(text))
	}
	var b strings.Builder
	for len(text) > 0 {
		i := strings.IndexFunc(text, isWordRune)
		if i < 0 {
			b.WriteString(template.HTMLEscapeString(text))
			break
		}
		b.WriteString(template.HTMLEscapeString(text[:i]))
		text = text[i:]
		j := strings.IndexFunc(text, func(r rune) bool { return !isWordRune(r) })
		if j < 0 {
			j = len(text)
		}
		word := text[:j]
		text = text[j:]
		if matchesAnyTerm(word, terms) {
			b.WriteString("<mark>" + template.HTMLEscapeString(word) + "</mark>")
		} else {
			b.WriteString(template.HTMLEscapeString(word))
		}
	}
	return template.HTML(b.String())
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func matchesAnyTerm(word string, terms []string) bool {
	for _, tok := range textnorm.Tokens(word) {
		for _, t := range terms {
			if strings.HasPrefix(tok, t) {
				return true
			}
		}
	}
	return false
}
