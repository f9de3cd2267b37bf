package markdown

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// dangerousTag finds the opening of an element that runs code, loads a plugin or frame, or
// posts data. A tag name cannot contain spaces, so the name never spans lines.
var dangerousTag = regexp.MustCompile(`(?i)<(script|iframe|object|embed|form)\b`)

// dangerousAttr finds an attribute value (in raw HTML, after entity decoding and whitespace
// removal, as a browser reads it) that starts with a scriptable scheme.
var dangerousAttr = regexp.MustCompile(`=["']?(javascript|vbscript|data):`)

// scan walks a parsed article and collects what Validate refuses, each with its line.
type scan struct {
	source   []byte
	lines    lineIndex
	problems []string
}

func (s *scan) visit(n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering || len(s.problems) >= maxProblems {
		return ast.WalkContinue, nil
	}
	switch n := n.(type) {
	case *ast.HTMLBlock:
		s.rawHTML(n.Lines())
		if n.HasClosure() {
			s.rawHTMLSegment(n.ClosureLine)
		}
	case *ast.RawHTML:
		s.rawHTML(n.Segments)
	case *ast.Link:
		s.destination(n.Pos(), resolveDestination(n.Destination))
	case *ast.Image:
		s.destination(n.Pos(), resolveDestination(n.Destination))
	case *ast.AutoLink:
		s.destination(n.Pos(), string(n.URL(s.source)))
	}
	return ast.WalkContinue, nil
}

func (s *scan) rawHTML(segs *text.Segments) {
	for i := range segs.Len() {
		s.rawHTMLSegment(segs.At(i))
	}
}

func (s *scan) rawHTMLSegment(seg text.Segment) {
	raw := string(seg.Value(s.source))
	if m := dangerousTag.FindStringSubmatch(raw); m != nil {
		s.add(seg.Start, fmt.Sprintf("raw HTML <%s> is not allowed", strings.ToLower(m[1])))
	}
	if m := dangerousAttr.FindStringSubmatch(browserForm(htmlUnescape(raw))); m != nil {
		s.add(seg.Start, fmt.Sprintf("raw HTML with a %s: URL is not allowed", m[1]))
	}
}

func (s *scan) destination(pos int, dest string) {
	if scheme := dangerousScheme(dest); scheme != "" {
		s.add(pos, fmt.Sprintf("a link to a %s: URL is not allowed", scheme))
	}
}

func (s *scan) add(pos int, msg string) {
	if len(s.problems) < maxProblems {
		s.problems = append(s.problems, fmt.Sprintf("line %d: %s", s.lines.line(pos), msg))
	}
}

// lineIndex maps byte offsets to 1-based line numbers.
type lineIndex []int // offsets of the '\n' bytes

func newLineIndex(src []byte) lineIndex {
	var idx lineIndex
	for i, c := range src {
		if c == '\n' {
			idx = append(idx, i)
		}
	}
	return idx
}

// line answers 1 for an offset the parser did not record (-1): still a pointer into the article.
func (idx lineIndex) line(pos int) int {
	if pos < 0 {
		return 1
	}
	return sort.SearchInts(idx, pos) + 1
}
