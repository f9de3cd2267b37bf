package playbook

import (
	"reflect"
	"testing"
)

// tricky is valid and has texts in several YAML styles for the fuzzer to start from.
const tricky = `name: p
title: {en: "yes", fr: ' x '}
languages: [en, fr]
start: ["404"]
steps:
  - id: "404"
    text:
      en: |
        two
          lines
      fr: "tab\tand \u00e9"
    guidance:
      en: >-
        folded
        text
      fr: "# not a comment"
`

// FuzzParse checks that Parse never panics and that whatever it accepts survives Marshal:
// the output parses again to the same playbook (but for lines) and Marshal is stable.
func FuzzParse(f *testing.F) {
	f.Add(readValid(f))
	for _, seed := range []string{task, decision, billionLaughs(), "a: [b, {c: d}]", tricky} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			return
		}
		out, err := Marshal(p)
		if err != nil {
			t.Fatalf("Marshal refused what Parse accepted: %v", err)
		}
		q, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse refused Marshal's output: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(withoutLines(p), withoutLines(q)) {
			t.Fatalf("round trip changed the playbook:\n%#v\n%#v\n%s", p, q, out)
		}
		again, err := Marshal(q)
		if err != nil || string(again) != string(out) {
			t.Fatalf("Marshal is not stable (%v):\n%s\n---\n%s", err, out, again)
		}
	})
}
