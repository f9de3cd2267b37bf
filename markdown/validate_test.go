package markdown

import (
	"os"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name, src string
		want      string // the body field's message; "" when valid
	}{
		{"plain article", "# Title\n\ntext [link](https://example.org) <a@b.org>", ""},
		{"harmless raw HTML is left to the renderer", "<div>\n<b>x</b>\n</div>\n\n<details>y</details>", ""},
		{"words that look like tags", "Use <formula> and <embedded> freely.\n\nA `<script>` in code is text.", ""},
		{"code block showing a payload", "```\n<script>alert(1)</script>\n[x](javascript:alert(1))\n```", ""},
		{"data: in prose", "Personal data: keep it short.", ""},
		{"script block", "intro\n\n<script>alert(1)</script>", "line 3: raw HTML <script> is not allowed"},
		{"script inside an HTML block", "<div>\nok\n<SCRIPT src=x></SCRIPT>\n</div>", "line 3: raw HTML <script> is not allowed"},
		{"inline iframe", "a\nb <iframe src=x></iframe>", "line 2: raw HTML <iframe> is not allowed"},
		{"object, embed, form", "<object data=x></object>\n\n<embed src=x>\n\ntext <form action=y>",
			"line 1: raw HTML <object> is not allowed; line 3: raw HTML <embed> is not allowed; line 5: raw HTML <form> is not allowed"},
		{"javascript link", "one\ntwo [x](javascript:alert(1))", "line 2: a link to a javascript: URL is not allowed"},
		{"mixed-case scheme", "[x](JaVaScRiPt:alert(1))", "line 1: a link to a javascript: URL is not allowed"},
		{"entity-encoded scheme", "[x](&#106;avascript:alert(1))", "line 1: a link to a javascript: URL is not allowed"},
		{"backslash-escaped scheme", "[x](javascript\\:alert(1))", "line 1: a link to a javascript: URL is not allowed"},
		{"vbscript and data links", "[a](vbscript:x)\n\n[b](data:text/html,x)",
			"line 1: a link to a vbscript: URL is not allowed; line 3: a link to a data: URL is not allowed"},
		{"reference link", "x\n\n[go][r]\n\n[r]: javascript:alert(1)", "line 3: a link to a javascript: URL is not allowed"},
		{"angle autolink", "\n<javascript:alert(1)>", "line 2: a link to a javascript: URL is not allowed"},
		{"link in a list in a quote", "> - a\n> - [x](javascript:y)", "line 2: a link to a javascript: URL is not allowed"},
		{"link in a table", "| a |\n|---|\n| [x](data:text/html,y) |", "line 3: a link to a data: URL is not allowed"},
		{"image with a script URL", "![x](javascript:alert(1))", "line 1: a link to a javascript: URL is not allowed"},
		{"raw HTML link", "text <a href=\"javascript:alert(1)\">x</a>", "line 1: raw HTML with a javascript: URL is not allowed"},
		{"raw HTML link, encoded and spaced", "<p>\n<a href = ' &#106;ava\tscript:x'>y</a>\n</p>", "line 2: raw HTML with a javascript: URL is not allowed"},
		{"nesting at the limit", strings.Repeat("> ", maxNesting) + "deep", ""},
		{"nesting too deep", "ok\n\n" + strings.Repeat("> - 1. ", 11) + "x",
			"line 3: quotes and lists are nested more than 32 deep"},
		{"a long line", "ok\n" + strings.Repeat("word ", maxLine/5+1), "line 2: is 17 KB long, more than the 16 KB a line may have"},
		{"too many links", strings.Repeat("[a](https://example.org) ", maxLinks+1),
			"has 501 links and images, more than the 500 an article may have"},
		{"invalid UTF-8", "fine\nstill fine\nbad \xc3\x28 here", "line 3: is not valid UTF-8 text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.src)
			if got := invalidField(err); got != tt.want {
				t.Errorf("Validate(%q) = %v\n got body %q\nwant body %q", tt.src, err, got, tt.want)
			}
			if tt.want == "" && err != nil {
				t.Errorf("Validate(%q) = %v, want nil", tt.src, err)
			}
		})
	}
}

func TestValidateSize(t *testing.T) {
	if err := Validate(strings.Repeat(strings.Repeat("a", 1023)+"\n", MaxSize>>10)); err != nil {
		t.Errorf("an article of exactly %d bytes: %v", MaxSize, err)
	}
	err := Validate(strings.Repeat("a", MaxSize+1))
	if got, want := invalidField(err), "is 201 KB, more than the 200 KB an article may have"; got != want {
		t.Errorf("oversize: got %q (%v), want %q", got, err, want)
	}
}

// Shapes that make goldmark take seconds (measured before these limits) are refused, by HTML too.
func TestSlowShapesRefused(t *testing.T) {
	r := New()
	for name, src := range map[string]string{
		"a line of quotes": strings.Repeat(">", MaxSize),
		"nested lists":     strings.Repeat("1. ", MaxSize/3),
		"unclosed images":  strings.Repeat("![a](", MaxSize/5),
		"unclosed links":   strings.Repeat("[a](\n", MaxSize/5),
		"quotes and lists": strings.Repeat("> - ", MaxSize/4),
	} {
		if invalidField(Validate(src)) == "" {
			t.Errorf("%s: Validate accepted it", name)
		}
		if _, err := r.HTML(src); invalidField(err) == "" {
			t.Errorf("%s: HTML rendered it", name)
		}
	}
}

// The list of problems stops at maxProblems so one pasted page cannot produce a message of pages.
func TestValidateCapsProblems(t *testing.T) {
	src := strings.Repeat("[x](javascript:1)\n\n", 3*maxProblems)
	got := invalidField(Validate(src))
	if n := strings.Count(got, "line "); n != maxProblems {
		t.Errorf("%d problems listed, want %d: %q", n, maxProblems, got)
	}
}

func TestValidateArticle(t *testing.T) {
	if err := Validate(loadArticle(t)); err != nil {
		t.Fatal(err)
	}
}

// invalidField is the body field of an EINVALID error, "" for nil; any other error is reported.
func invalidField(err error) string {
	if err == nil {
		return ""
	}
	he := haven.AsError(err)
	if he == nil || he.Code != haven.EINVALID {
		return "not EINVALID: " + err.Error()
	}
	return he.Fields["body"]
}

func loadArticle(tb testing.TB) string {
	tb.Helper()
	b, err := os.ReadFile("testdata/policy.md")
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
