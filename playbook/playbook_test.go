package playbook

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
)

func TestAnswer(t *testing.T) {
	p, err := Parse([]byte(decision))
	if err != nil {
		t.Fatal(err)
	}
	a, err := p.Answer("a", "y")
	if err != nil || a.ID != "y" || !reflect.DeepEqual(a.Steps, []string{"c"}) {
		t.Fatalf("Answer(a, y) = %+v, %v", a, err)
	}
	tests := []struct{ step, answer, field, want string }{
		{"a", "maybe", "answer", `step "a" has no answer "maybe"`},
		{"b", "x", "step", `step "b" is not a decision`},
		{"z", "x", "step", `the playbook "p" has no step "z"`},
	}
	for _, tt := range tests {
		_, err := p.Answer(tt.step, tt.answer)
		e := haven.AsError(err)
		if e == nil || e.Code != haven.EINVALID || e.Fields[tt.field] != tt.want || e.Message != tt.want {
			t.Errorf("Answer(%q, %q) = %v, want %s: %q", tt.step, tt.answer, err, tt.field, tt.want)
		}
	}
}

func TestStep(t *testing.T) {
	p, err := Parse([]byte(decision))
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Step("b"); s == nil || s.ID != "b" || s.IsDecision() || s.Line != 11 {
		t.Errorf("Step(b) = %+v", s)
	}
	if !p.Step("a").IsDecision() || p.Step("nope") != nil {
		t.Error("Step(a) is a decision; Step(nope) is nil")
	}
}

// TestReachable checks the order: start steps first, then breadth first through the answers,
// each step once even when several answers lead to it.
func TestReachable(t *testing.T) {
	src := strings.Replace(header, "start: [a]", "start: [a, d]", 1) + `  - id: a
    question: {en: Q}
    answers:
      - {id: x, text: {en: X}, steps: [c, b]}
      - {id: y, text: {en: Y}, steps: [e, c]}
  - {id: b, text: {en: B}}
  - {id: c, text: {en: C}}
  - id: d
    question: {en: Q}
    answers:
      - {id: x, text: {en: X}, steps: [f]}
      - {id: y, text: {en: Y}}
  - id: e
    question: {en: Q}
    answers:
      - {id: x, text: {en: X}, steps: [g]}
      - {id: y, text: {en: Y}, steps: [b]}
  - {id: f, text: {en: F}}
  - {id: g, text: {en: G}}
`
	p, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a", "d", "c", "b", "e", "f", "g"}
	if got := p.Reachable(); !reflect.DeepEqual(got, want) {
		t.Errorf("Reachable() = %v, want %v", got, want)
	}
}

func TestFilesAndReadFile(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"b.yml": task, "a.yaml": task, "c.YAML": task, "notes.txt": "x", "big.yaml": strings.Repeat("#", MaxSize+10),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "d.yaml"), 0o700); err != nil {
		t.Fatal(err)
	}
	files, err := Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	if want := []string{"a.yaml", "b.yml", "big.yaml", "c.YAML"}; !reflect.DeepEqual(names, want) {
		t.Errorf("Files = %v, want %v", names, want)
	}
	if p, err := ReadFile(files[0]); err != nil || p.Name != "p" {
		t.Errorf("ReadFile(a.yaml) = %v, %v", p, err)
	}
	_, err = ReadFile(files[2])
	if e := haven.AsError(err); e == nil || e.Message != "big.yaml: the file is 1048577 bytes, more than the 1048576 allowed" {
		t.Errorf("ReadFile(big.yaml) = %v", err)
	}
	if _, err := Files(filepath.Join(dir, "missing")); haven.ErrorCode(err) != haven.EINTERNAL {
		t.Errorf("Files(missing) = %v", err)
	}
}
