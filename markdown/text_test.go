package markdown

import "testing"

func TestText(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"markup stripped", "# Title\n\nSome **bold** and _it_ text.", "Title Some bold and it text."},
		{"inline markup does not split words", "un*safe*ly", "unsafely"},
		{"links keep their text only", "[the guide](https://example.org/g) <help@example.org>", "the guide help@example.org"},
		{"lists and tables separate words", "- a\n- b\n\n| x | y |\n|---|---|\n| 1 | 2 |", "a b x y 1 2"},
		{"code kept, whitespace collapsed", "```\nline one\n\n   line two\n```", "line one line two"},
		{"entities decoded", "AT&amp;T `a<b`", "AT&T a<b"},
		{"image alt kept", "![diagram of the flow](https://x.example/d.png)", "diagram of the flow"},
		{"raw HTML and scripts dropped", "<script>alert(1)</script>\n\nvisible <b>x</b>", "visible x"},
		{"Arabic", "## عنوان\n\nنص   عربي\nمع سطر", "عنوان نص عربي مع سطر"},
		{"empty", "", ""},
		{"invalid source has no text", "bad \xff", ""},
	}
	r := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Text(tt.src); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}
