package playbook

import (
	"fmt"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
)

// header is the start of a valid one-language playbook; the steps follow from line 6 on.
const header = "name: p\ntitle: {en: T}\nlanguages: [en]\nstart: [a]\nsteps:\n"

// decision is line 6 on: a valid decision "a" with answers "x" (line 9, to b) and "y"
// (line 10, to c); "b" starts on line 11 and "c" on line 13.
const decision = header + `  - id: a
    question: {en: Q}
    answers:
      - {id: x, text: {en: X}, steps: [b]}
      - {id: y, text: {en: Y}, steps: [c]}
  - id: b
    text: {en: B}
  - id: c
    text: {en: C}
`

// task is a valid task "a" on lines 6-7.
const task = header + "  - id: a\n    text: {en: A}\n"

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name, yaml, field, want string
	}{
		{"unknown top key", task + "titel: x\n", "titel", `line 8: the playbook: unknown key "titel"`},
		{"unknown step key", task + "    gudiance: {en: G}\n", "steps[0].gudiance", `line 8: step "a": unknown key "gudiance"`},
		{"unknown answer key", strings.Replace(decision, "steps: [b]}", "step: [b]}", 1), "steps[0].answers[0].step", `line 9: step "a": answer "x": unknown key "step"`},
		{"key twice", task + "name: q\n", "name", `line 8: the playbook: key "name" is given twice (first on line 1)`},
		{"language twice", strings.Replace(task, "{en: A}", "{en: A, en: B}", 1), "steps[0].text.en", `line 7: step "a": text: key "en" is given twice (first on line 7)`},
		{"name not a string", strings.Replace(task, "name: p", "name: [p]", 1), "name", `line 1: name must be a string, not a list`},
		{"steps not a list", header + "  a: b\n", "steps", `line 6: steps must be a list of steps, not a mapping`},
		{"text not a map", strings.Replace(task, "{en: A}", "A", 1), "steps[0].text", `line 7: step "a": text must be a mapping of language to text, not a string`},
		{"guidance null", task + "    guidance:\n", "steps[0].guidance", `line 8: step "a": guidance must be a mapping of language to text, not empty`},
		{"required a string", task + "    required: \"yes\"\n", "steps[0].required", `line 8: step "a": required must be true or false, not a string`},
		{"text a boolean", strings.Replace(task, "{en: A}", "{en: true}", 1), "steps[0].text.en", `line 7: step "a": text.en must be a string, not a boolean`},
		{"bad name", strings.Replace(task, "name: p", "name: Account_Compromise", 1), "name", `line 1: name "Account_Compromise" must be ` + slugRule},
		{"bad step id", strings.Replace(task, "id: a", "id: -a", 1) + "", "steps[0].id", `line 6: step "-a": id must be ` + slugRule},
		{"missing step id", header + "  - text: {en: A}\n", "steps[0]", `line 6: step #1: id is missing`},
		{"step twice", task + "  - id: a\n    text: {en: A2}\n", "steps[1].id", `line 8: step "a" is defined twice (first on line 6)`},
		{"answer twice", strings.Replace(decision, "{id: y,", "{id: x,", 1), "steps[0].answers[1].id", `line 10: step "a": answer "x" is given twice (first on line 9)`},
		{"text and question", task + "    question: {en: Q}\n", "steps[0]", `line 6: step "a" has both text and question: a step is a task (text) or a decision (question)`},
		{"neither", header + "  - id: a\n    guidance: {en: G}\n", "steps[0]", `line 6: step "a" needs a text (a task) or a question (a decision)`},
		{"decision without answers", header + "  - id: a\n    question: {en: Q}\n", "steps[0].answers", `line 6: step "a" is a decision and needs at least 2 answers`},
		{"decision with one answer", strings.Replace(decision, "      - {id: y, text: {en: Y}, steps: [c]}\n", "", 1), "steps[0].answers", `line 8: step "a" is a decision and needs at least 2 answers`},
		{"task with answers", task + "    answers: [{id: x, text: {en: X}}, {id: y, text: {en: Y}}]\n", "steps[0].answers", `line 8: step "a" has answers but no question: only a decision has answers`},
		{"start empty", strings.Replace(task, "start: [a]", "start: []", 1), "start", `line 4: start is missing: name the steps created when the playbook is applied`},
		{"start dangling", strings.Replace(task, "start: [a]", "start: [a, z]", 1), "start[1]", `line 4: start names unknown step "z"`},
		{"start twice", strings.Replace(task, "start: [a]", "start: [a, a]", 1), "start[1]", `line 4: start: "a" is listed twice`},
		{"answer dangling", strings.Replace(decision, "steps: [c]}", "steps: [c,\n          zz]}", 1), "steps[0].answers[1].steps[1]", `line 11: step "a": answer "y" leads to unknown step "zz"`},
		{"answer step twice", strings.Replace(decision, "steps: [c]}", "steps: [c, c]}", 1), "steps[0].answers[1].steps[1]", `line 10: step "a": answer "y": steps: "c" is listed twice`},
		{"self cycle", strings.Replace(decision, "steps: [c]}", "steps: [a]}", 1) + "", "steps[0].answers[1].steps[0]", `line 10: step "a": answer "y" leads back to "a", a cycle: a → a`},
		{"cycle through decisions", strings.Replace(decision, "  - id: c\n    text: {en: C}\n", "  - id: c\n    question: {en: C}\n    answers:\n      - {id: again, text: {en: A}, steps: [a]}\n      - {id: stop, text: {en: S}}\n", 1), "steps[2].answers[0].steps[0]", `line 16: step "c": answer "again" leads back to "a", a cycle: a → c → a`},
		{"unreachable", task + "  - id: b\n    text: {en: B}\n", "steps[1]", `line 8: step "b" is never created: neither start nor an answer leads to it`},
		{"language missing", strings.Replace(strings.Replace(task, "[en]", "[en, fr, ar]", 1), "{en: T}", "{en: T, fr: T, ar: T}", 1), "steps[0].text", `line 7: step "a": text has no "fr", "ar"`},
		{"language blank", strings.Replace(task, "{en: A}", "{en: \"  \"}", 1), "steps[0].text", `line 7: step "a": text has no "en"`},
		{"optional language blank", strings.Replace(task, "{en: A}", "{en: A, de: \"\"}", 1), "steps[0].text.de", `line 7: step "a": text.de is blank`},
		{"bad text language", strings.Replace(task, "{en: A}", "{en: A, English: A}", 1), "steps[0].text.English", `line 7: step "a": text: "English" is not ` + langRule},
		{"bad language tag", strings.Replace(task, "[en]", "[en, FR]", 1), "languages[1]", `line 3: languages: "FR" is not ` + langRule},
		{"languages missing", strings.Replace(task, "languages: [en]\n", "", 1), "languages", `line 1: languages is missing: list the languages every text must have`},
		{"title missing", strings.Replace(task, "title: {en: T}\n", "", 1), "title", `line 1: title is missing`},
		{"text too long", strings.Replace(task, "{en: A}", "{en: "+strings.Repeat("é", 151)+"}", 1), "steps[0].text.en", `line 7: step "a": text.en is 302 bytes, more than the 300 allowed`},
		{"guidance too long", task + "    guidance: {en: " + strings.Repeat("g", 4001) + "}\n", "steps[0].guidance.en", `line 8: step "a": guidance.en is 4001 bytes, more than the 4000 allowed`},
		{"control character", strings.Replace(task, "{en: A}", `{en: "A\0"}`, 1), "steps[0].text.en", `line 7: step "a": text.en contains a control character`},
		{"too many steps", header + strings.Repeat("  - {id: a, text: {en: A}}\n", 201), "steps", `line 5: there are 201 steps, more than the 200 allowed`},
		{"too many answers", header + "  - id: a\n    question: {en: Q}\n    answers:\n" + answers(21), "steps[0].answers", `line 8: step "a" has 21 answers, more than the 20 allowed`},
		{"too many answer steps", header + "  - id: a\n    question: {en: Q}\n    answers:\n      - {id: x, text: {en: X}, steps: [" + ids(51) + "]}\n      - {id: y, text: {en: Y}}\n", "steps[0].answers[0].steps", `line 9: step "a": answer "x" leads to 51 steps, more than the 50 allowed`},
		{"bad template", task + "    template: Account Ack\n", "steps[0].template", `line 8: step "a": template "Account Ack" must be ` + refRule},
		{"bad article", task + "    article: /kb\n", "steps[0].article", `line 8: step "a": article "/kb" must be ` + refRule},
		{"bad category", task + "categories: [a b]\n", "categories[0]", `line 8: category "a b" must be ` + refRule},
		{"auto without categories", task + "auto: true\n", "auto", `line 8: auto needs at least one category to apply the playbook to`},
		{"blank source", task + "sources: [\" \"]\n", "sources[0]", `line 8: sources is blank`},
		{"answer without text", strings.Replace(decision, "{id: x, text: {en: X}, steps: [b]}", "{id: x, steps: [b]}", 1), "steps[0].answers[0]", `line 9: step "a": answer "x": text is missing`},
		{"not a mapping", "- a\n- b\n", "yaml", `line 1: the playbook must be a mapping, not a list`},
		{"syntax", task + "  - id: [\n", "yaml", `line 8: did not find expected node content`},
		{"empty", "", "yaml", `the file is empty`},
		{"two documents", task + "---\nname: q\n", "yaml", `line 8: the file holds more than one YAML document (a line "---"?)`},
		{"alias", task + "categories: [&c a, *c]\n", "yaml", `line 8: anchors (&c) are not allowed in a playbook; line 8: aliases (*c) are not allowed in a playbook`},
		{"merge key", "base: &b {name: p}\n<<: *b\n", "yaml", `line 1: anchors (&b) are not allowed in a playbook; line 2: aliases (*b) are not allowed in a playbook`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			e := haven.AsError(err)
			if e == nil || e.Code != haven.EINVALID {
				t.Fatalf("want an EINVALID *haven.Error, got %v", err)
			}
			if got, ok := e.Fields[tt.field]; !ok || got != tt.want {
				t.Errorf("Fields[%q] = %q, want %q\nall: %v", tt.field, got, tt.want, e.Fields)
			}
			// The message is the problem itself when it is the only one.
			if len(e.Fields) == 1 && !strings.Contains(tt.want, "; ") && e.Message != tt.want {
				t.Errorf("message %q, want %q", e.Message, tt.want)
			}
		})
	}
}

func answers(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "      - {id: a%d, text: {en: A}}\n", i)
	}
	return b.String()
}

func ids(n int) string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprintf("s%d", i)
	}
	return strings.Join(s, ", ")
}
