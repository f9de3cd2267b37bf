package markdown

import (
	"bytes"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"

	"github.com/haven-helpline/haven"
)

// Renderer turns article Markdown into sanitised HTML and plain text. Both of its parts are built
// once by New and only read afterwards, so one Renderer serves every request concurrently.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// New builds the Markdown converter and the sanitising policy. Building a policy compiles
// regexps, too costly to repeat per article.
func New() *Renderer {
	return &Renderer{md: newMarkdown(), policy: newPolicy()}
}

// newMarkdown is CommonMark plus the GFM parts articles use. It leaves goldmark's html.WithUnsafe
// off, so raw HTML becomes an "omitted" comment and javascript:/vbscript:/data: links lose their
// href. Heading ids (WithAutoHeadingID, WithAttribute) stay off too: an id taken from article text
// could clash with, or shadow, an id of the page around it.
func newMarkdown() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(markdownExtensions()...),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(dirAuto{}, 100))),
		goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(imageAsText{}, 100))),
	)
}

// markdownExtensions are shared with Validate so that it parses exactly what the renderer does.
// Task lists (the rest of GFM) are left out: they render as <input>, which is not allowed.
func markdownExtensions() []goldmark.Extender {
	return []goldmark.Extender{
		// align="…" instead of the default style="text-align:…": styles are not allowed.
		extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
		extension.Strikethrough,
		extension.Linkify,
	}
}

// HTML renders src and sanitises the result. Like Validate it refuses a source that is too large,
// not UTF-8 or shaped to make the parser slow (see checkSource): a bound on the work one call can
// cause. Dangerous constructs it does not refuse but removes.
func (r *Renderer) HTML(src string) (string, error) {
	if err := checkSource(src); err != nil {
		return "", err
	}
	return r.render(src)
}

func (r *Renderer) render(src string) (string, error) {
	var buf bytes.Buffer
	buf.Grow(len(src) + len(src)/2)
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		return "", haven.Internal("markdown: render", err)
	}
	return r.policy.Sanitize(buf.String()), nil
}

// Text is the article's plain text for the search index and snippets: what a reader sees, without
// markup, with whitespace collapsed to single spaces. A source HTML refuses has no text.
func (r *Renderer) Text(src string) string {
	out, err := r.HTML(src)
	if err != nil {
		return ""
	}
	return htmlText(out)
}
