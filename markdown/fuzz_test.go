package markdown

import (
	"strings"
	"testing"
)

// FuzzHTML: no input makes the renderer panic or produce anything that runs, loads from
// elsewhere or carries an event handler; Text never panics either.
func FuzzHTML(f *testing.F) {
	for _, s := range xssPayloads {
		f.Add(s)
	}
	f.Add("# t\n\n| a | b |\n|:-|-:|\n| [x](https://e.example) | ![i](https://e.example/i.png) |\n\n> - `c` ~~d~~ <a@b.c>")
	r := New()
	f.Fuzz(func(t *testing.T, src string) {
		out, err := r.HTML(src)
		if err != nil {
			// Only the size and encoding refusals are expected; anything else is a bug.
			if field := invalidField(err); field == "" || strings.HasPrefix(field, "not EINVALID") {
				t.Fatalf("HTML(%q): unexpected error %v", src, err)
			}
			return
		}
		if problem := unsafeOutput(out); problem != "" {
			t.Fatalf("HTML(%q) = %q: %s", src, out, problem)
		}
		_ = r.Text(src)
		_ = Validate(src)
	})
}
