package markdown

import (
	"strings"
	"sync"
	"testing"
)

const (
	webRel  = `rel="nofollow noreferrer noopener" target="_blank"`
	mailRel = `rel="nofollow noreferrer"`
)

func TestHTML(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"headings have no id", "# Title\n\n## Sub *part*\n\n### Third {#custom}",
			"<h1 dir=\"auto\">Title</h1>\n<h2 dir=\"auto\">Sub <em>part</em></h2>\n<h3 dir=\"auto\">Third {#custom}</h3>\n"},
		{"setext heading", "Title\n=====", "<h1 dir=\"auto\">Title</h1>\n"},
		{"emphasis and strikethrough", "**bold** _it_ ~~gone~~",
			"<p dir=\"auto\"><strong>bold</strong> <em>it</em> <del>gone</del></p>\n"},
		{"bullet list", "- one\n- two", "<ul>\n<li dir=\"auto\">one</li>\n<li dir=\"auto\">two</li>\n</ul>\n"},
		{"ordered list keeps its start", "3. three\n4. four",
			"<ol start=\"3\">\n<li dir=\"auto\">three</li>\n<li dir=\"auto\">four</li>\n</ol>\n"},
		{"loose list item paragraphs", "- a\n\n- b",
			"<ul>\n<li dir=\"auto\">\n<p dir=\"auto\">a</p>\n</li>\n<li dir=\"auto\">\n<p dir=\"auto\">b</p>\n</li>\n</ul>\n"},
		{"task list stays text", "- [ ] todo", "<ul>\n<li dir=\"auto\">[ ] todo</li>\n</ul>\n"},
		{"link with title", `[guide](https://kb.example.org/g "The guide")`,
			`<p dir="auto"><a href="https://kb.example.org/g" title="The guide" ` + webRel + ">guide</a></p>\n"},
		{"http link", "[x](http://example.org/a?b=1&c=2)",
			`<p dir="auto"><a href="http://example.org/a?b=1&amp;c=2" ` + webRel + ">x</a></p>\n"},
		{"angle autolink", "<https://example.org/>",
			`<p dir="auto"><a href="https://example.org/" ` + webRel + ">https://example.org/</a></p>\n"},
		{"bare www autolink", "see www.example.org.",
			`<p dir="auto">see <a href="http://www.example.org" ` + webRel + ">www.example.org</a>.</p>\n"},
		{"mailto link", "<help@example.org>",
			`<p dir="auto"><a href="mailto:help@example.org" ` + mailRel + ">help@example.org</a></p>\n"},
		{"reference link", "[guide][g]\n\n[g]: https://example.org/g",
			`<p dir="auto"><a href="https://example.org/g" ` + webRel + ">guide</a></p>\n"},
		{"relative link loses its href", "[other](/kb/other) [top](#top) [evil](//evil.example/x)",
			"<p dir=\"auto\">other top evil</p>\n"},
		{"web link without a host or with a user part loses its href",
			"[a](https:kb/x) [b](http:/evil.example) [c](https://helpline.example@evil.example/)",
			"<p dir=\"auto\">a b c</p>\n"},
		{"table with alignment", "| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |",
			"<table>\n<thead>\n<tr>\n<th align=\"left\" dir=\"auto\">a</th>\n<th align=\"center\" dir=\"auto\">b</th>\n" +
				"<th align=\"right\" dir=\"auto\">c</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td align=\"left\" dir=\"auto\">1</td>\n" +
				"<td align=\"center\" dir=\"auto\">2</td>\n<td align=\"right\" dir=\"auto\">3</td>\n</tr>\n</tbody>\n</table>\n"},
		{"fenced code escapes and drops the language", "```html\n<script>alert(1)</script>\n```",
			"<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>\n"},
		{"indented code", "    x := a < b", "<pre><code>x := a &lt; b\n</code></pre>\n"},
		{"code span", "run `rm -rf <dir>`", "<p dir=\"auto\">run <code>rm -rf &lt;dir&gt;</code></p>\n"},
		{"blockquote", "> careful", "<blockquote dir=\"auto\"><p dir=\"auto\">careful</p>\n</blockquote>\n"},
		{"rule and hard break", "a  \nb\n\n---", "<p dir=\"auto\">a<br>\nb</p>\n<hr>\n"},
		{"remote image becomes its alt text", "before ![a *tracking* pixel](https://evil.example/p.gif \"t\") after",
			"<p dir=\"auto\">before a <em>tracking</em> pixel after</p>\n"},
		{"data image dropped too", "![chart](data:image/png;base64,iVBORw0KGgo=)", "<p dir=\"auto\">chart</p>\n"},
		{"linked image keeps the link", "[![logo](https://x.example/l.png)](https://example.org)",
			`<p dir="auto"><a href="https://example.org" ` + webRel + ">logo</a></p>\n"},
		{"raw HTML omitted", "<div class=\"x\">hi</div>\n\ntext <b>bold</b>", "\n<p dir=\"auto\">text bold</p>\n"},
		{"entities decoded once", "AT&amp;T &lt;b&gt; &copy;", "<p dir=\"auto\">AT&amp;T &lt;b&gt; ©</p>\n"},
	}
	r := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.HTML(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("HTML(%q)\n got %q\nwant %q", tt.src, got, tt.want)
			}
			if problem := unsafeOutput(got); problem != "" {
				t.Errorf("unsafe output %q: %s", got, problem)
			}
		})
	}
}

// Every text block takes its direction from its own text, so an Arabic paragraph inside an English
// article (and the reverse) reads right to left without the author marking it.
func TestHTMLArabicDirAuto(t *testing.T) {
	src := "# سياسة الخصوصية\n\nهذه فقرة عربية فيها كلمة Signal بالإنجليزية.\n\n" +
		"- بند أول\n- second item\n\n> اقتباس\n\n| العمود | column |\n|---|---|\n| خلية | cell |"
	want := []string{
		`<h1 dir="auto">سياسة الخصوصية</h1>`,
		`<p dir="auto">هذه فقرة عربية فيها كلمة Signal بالإنجليزية.</p>`,
		`<li dir="auto">بند أول</li>`, `<li dir="auto">second item</li>`,
		`<blockquote dir="auto"><p dir="auto">اقتباس</p>`,
		`<th dir="auto">العمود</th>`, `<td dir="auto">خلية</td>`,
	}
	got, err := New().HTML(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("HTML is missing %s\n%s", w, got)
		}
	}
}

// The author cannot choose the direction (or any other attribute) through raw HTML.
func TestHTMLDirNotFromSource(t *testing.T) {
	got, err := New().HTML("<p dir=\"rtl\" id=\"main\" class=\"x\">text</p>\n\nplain")
	if err != nil {
		t.Fatal(err)
	}
	if want := "\n<p dir=\"auto\">plain</p>\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestHTMLRefusesOversizeAndInvalidUTF8(t *testing.T) {
	r := New()
	for _, src := range []string{strings.Repeat("a", MaxSize+1), "ok \xff"} {
		if _, err := r.HTML(src); invalidField(err) == "" {
			t.Errorf("HTML(%.20q…) err = %v, want EINVALID on body", src, err)
		}
	}
}

// One Renderer serves every request: run under -race to check it shares nothing mutable.
func TestRendererConcurrent(t *testing.T) {
	r := New()
	src := loadArticle(t)
	want, err := r.HTML(src)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if got, _ := r.HTML(src); got != want {
					t.Error("concurrent render differs")
					return
				}
			}
		})
	}
	wg.Wait()
}
