package markdown

import "testing"

// BenchmarkHTML5KB renders a realistic 5 KB policy article (headings, lists, a table, links, code,
// an Arabic section): the cost of showing one knowledge-base page.
func BenchmarkHTML5KB(b *testing.B) {
	r, src := New(), loadArticle(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.HTML(src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkText5KB is the cost of indexing the same article for search.
func BenchmarkText5KB(b *testing.B) {
	r, src := New(), loadArticle(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		r.Text(src)
	}
}

// BenchmarkValidate5KB is the cost of checking the article when it is saved; it builds its parser
// per call.
func BenchmarkValidate5KB(b *testing.B) {
	src := loadArticle(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Validate(src); err != nil {
			b.Fatal(err)
		}
	}
}
