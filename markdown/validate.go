package markdown

import (
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"github.com/haven-helpline/haven"
)

// maxProblems caps how many problems Validate lists: enough for an author to see the pattern.
const maxProblems = 10

// Validate tells an author why an article cannot be saved: too large, not UTF-8, raw HTML with
// a script, frame, plugin or form, or a link to a javascript:, vbscript: or data: URL. The
// renderer would remove all of these anyway; refusing them here means the author gets a
// field-level error with line numbers instead of an article that silently lost a part.
func Validate(src string) error {
	if err := checkSource(src); err != nil {
		return err
	}
	source := []byte(src)
	doc := goldmark.New(goldmark.WithExtensions(markdownExtensions()...)).Parser().Parse(text.NewReader(source))
	s := &scan{source: source, lines: newLineIndex(source)}
	_ = ast.Walk(doc, s.visit)
	if len(s.problems) == 0 {
		return nil
	}
	return invalidBody(strings.Join(s.problems, "; "))
}

func invalidBody(msg string) error {
	return &haven.Error{Code: haven.EINVALID, Message: "the article cannot be saved", Fields: map[string]string{"body": msg}}
}
