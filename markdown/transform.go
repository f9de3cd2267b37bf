package markdown

import (
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// dirAuto sets dir="auto" on every text block, so that each paragraph, item, heading and cell
// takes its direction from its own first strong character: an Arabic paragraph in an English
// guide (or the reverse) lays out right without the author marking it. It is set in the AST,
// never taken from the source, and the policy allows no other value.
type dirAuto struct{}

var autoValue = []byte("auto")

func (dirAuto) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering && takesDir(n) {
			n.SetAttributeString("dir", autoValue)
		}
		return ast.WalkContinue, nil
	})
}

func takesDir(n ast.Node) bool {
	switch n.Kind() {
	case ast.KindParagraph, ast.KindHeading, ast.KindListItem, ast.KindBlockquote, east.KindTableCell:
		return true
	}
	return false
}

// imageAsText renders an image as its alt text: images are never shown (see newPolicy), but the
// words the author wrote for them still belong to the article.
type imageAsText struct{}

func (imageAsText) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindImage, func(util.BufWriter, []byte, ast.Node, bool) (ast.WalkStatus, error) {
		return ast.WalkContinue, nil // the children, the alt text, render as ordinary inline text
	})
}
