package playbook

import (
	"fmt"
	"strings"
	"testing"
)

// fortySteps writes a three-language playbook of 40 steps: 10 decisions of two answers, each
// answer leading to a task with guidance, and 10 more such tasks in start.
func fortySteps() []byte {
	var b strings.Builder
	b.WriteString("name: bench\ntitle: {en: Bench, fr: Banc, ar: اختبار}\nlanguages: [en, fr, ar]\n")
	b.WriteString("categories: [account-compromise]\nstart: [")
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&b, "d%d, t%d", i, i)
		if i < 9 {
			b.WriteString(", ")
		}
	}
	b.WriteString("]\nsteps:\n")
	text := func(s string) string {
		return fmt.Sprintf("{en: %q, fr: %q, ar: %q}", s, s+" (fr)", "نص "+s)
	}
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&b, "  - id: d%d\n    question: %s\n    answers:\n", i, text("Can the person still log in?"))
		fmt.Fprintf(&b, "      - {id: \"yes\", text: %s, steps: [y%d]}\n", text("Yes"), i)
		fmt.Fprintf(&b, "      - {id: \"no\", text: %s, steps: [n%d]}\n", text("No"), i)
		for _, id := range []string{"y", "n", "t"} {
			fmt.Fprintf(&b, "  - id: %s%d\n    text: %s\n    guidance: %s\n    template: reply-%d\n", id, i, text("Change the password"),
				text(strings.Repeat("Explain how to do it safely. ", 10)), i)
		}
	}
	return []byte(b.String())
}

func BenchmarkParse40Steps(b *testing.B) {
	data := fortySteps()
	p, err := Parse(data)
	if err != nil || len(p.Steps) != 40 {
		b.Fatalf("%v (%d steps)", err, len(p.Steps))
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}
