package playbook

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
)

// billionLaughs is the classic YAML bomb: 9 levels of 9 aliases to the level below, which a
// decoder that expands aliases turns into 9^9 (387 million) strings.
func billionLaughs() string {
	var b strings.Builder
	b.WriteString("a0: &a0 \"lol\"\n")
	for level := 1; level <= 9; level++ {
		fmt.Fprintf(&b, "a%d: &a%d [", level, level)
		for i := 0; i < 9; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", level-1)
		}
		b.WriteString("]\n")
	}
	return b.String()
}

func TestBillionLaughsRefused(t *testing.T) {
	data := []byte(billionLaughs())
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := Parse(data)
	runtime.ReadMemStats(&after)
	e := haven.AsError(err)
	if e == nil || e.Code != haven.EINVALID || !strings.HasPrefix(e.Fields["yaml"], "line 1: anchors (&a0) are not allowed") {
		t.Fatalf("want the anchors refused, got %v", err)
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 50<<20 {
		t.Errorf("refusing the bomb allocated %d MB", allocated>>20)
	}
}

func TestLimitsRefused(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"deep nesting", "sources: " + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "\n",
			"line 1: the file is nested more than 32 levels deep"},
		{"nesting beyond the YAML library's limit", strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
			"exceeded max depth of 10000"},
		{"too many nodes", "sources: [" + strings.Repeat("a, ", MaxNodes) + "a]\n",
			"line 1: the file has more than 50000 YAML nodes"},
		{"oversized", "name: p\n# " + strings.Repeat("x", MaxSize),
			"the file is 1048586 bytes, more than the 1048576 allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			e := haven.AsError(err)
			if e == nil || e.Code != haven.EINVALID || e.Fields["yaml"] != tt.want || e.Message != tt.want {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}

// TestProblemsCollected checks that every problem is reported, each under its own field and
// line, and that a file full of them stops at MaxProblems.
func TestProblemsCollected(t *testing.T) {
	src := strings.Replace(task, "name: p", "name: P", 1) + "    template: X\n  - id: b\n    text: {en: B}\n"
	e := haven.AsError(parseErr(src))
	want := map[string]string{
		"name":              `line 1: name "P" must be ` + slugRule,
		"steps[0].template": `line 8: step "a": template "X" must be ` + refRule,
		"steps[1]":          `line 9: step "b" is never created: neither start nor an answer leads to it`,
	}
	if e == nil || fmt.Sprint(e.Fields) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", e, want)
	}
	if e.Message != want["name"]+" (and 2 more problems)" {
		t.Errorf("message %q", e.Message)
	}

	e = haven.AsError(parseErr(header + strings.Repeat("  - {id: a, text: {en: A}, bad: 1}\n", 30)))
	if e == nil || len(e.Fields) != MaxProblems || !strings.HasSuffix(e.Message, "(and 58 more problems)") {
		t.Fatalf("got %d fields: %v", len(e.Fields), e)
	}
}

func parseErr(src string) error {
	_, err := Parse([]byte(src))
	return err
}
