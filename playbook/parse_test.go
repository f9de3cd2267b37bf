package playbook

import (
	"os"
	"reflect"
	"testing"

	"github.com/haven-helpline/haven"
)

func readValid(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/account-compromise.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// withoutLines returns a copy of p with the Line fields cleared: they say where a step was in
// the file it came from, so they differ between a file and its Marshal output.
func withoutLines(p *Playbook) *Playbook {
	q := *p
	q.Steps = make([]Step, len(p.Steps))
	for i, s := range p.Steps {
		s.Line = 0
		s.Answers = append([]Answer(nil), s.Answers...)
		for j := range s.Answers {
			s.Answers[j].Line = 0
		}
		q.Steps[i] = s
	}
	return &q
}

func TestParseValid(t *testing.T) {
	p, err := Parse(readValid(t))
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "account-compromise" || p.Title["ar"] != "اختراق حساب" || p.Auto {
		t.Errorf("header: %+v", p)
	}
	want := []string{"account-compromise", "account-compromise/facebook"}
	if !reflect.DeepEqual(p.Categories, want) || !reflect.DeepEqual(p.Start, []string{"assess", "can-login"}) {
		t.Errorf("categories %v, start %v", p.Categories, p.Start)
	}
	assess := p.Step("assess")
	if assess == nil || !assess.Required || assess.Template != "account-ack" || assess.Article != "policy-vetting" ||
		assess.Line != 10 || assess.IsDecision() {
		t.Errorf("assess: %+v", assess)
	}
	if got := assess.Guidance["en"]; got != "Ask which accounts are affected and since when.\nCheck whether the person is at risk right now.\n" {
		t.Errorf("guidance %q", got)
	}
	login := p.Step("can-login")
	if login == nil || !login.IsDecision() || len(login.Answers) != 2 || login.Answers[1].Line != 27 {
		t.Fatalf("can-login: %+v", login)
	}
	if a := login.Answers[0]; a.ID != "yes" || a.Text["fr"] != "Oui" || !reflect.DeepEqual(a.Steps, []string{"change-password", "review-sessions"}) {
		t.Errorf("answer yes: %+v", a)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	p, err := Parse(readValid(t))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	q, err := Parse(out)
	if err != nil {
		t.Fatalf("parsing Marshal's output: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(withoutLines(p), withoutLines(q)) {
		t.Errorf("round trip changed the playbook:\n%+v\n%+v", p, q)
	}
	again, err := Marshal(q)
	if err != nil || string(again) != string(out) {
		t.Errorf("Marshal is not stable (%v):\n%s\n---\n%s", err, out, again)
	}
}

func TestMarshalRefusesInvalid(t *testing.T) {
	p, err := Parse(readValid(t))
	if err != nil {
		t.Fatal(err)
	}
	p.Steps[1].Answers[0].Steps = []string{"nowhere"}
	_, err = Marshal(p)
	e := haven.AsError(err)
	if e == nil || e.Code != haven.EINVALID {
		t.Fatalf("want EINVALID, got %v", err)
	}
	want := `line 24: step "can-login": answer "yes" leads to unknown step "nowhere"`
	if got := e.Fields["steps[1].answers[0].steps[0]"]; got != want {
		t.Errorf("got %q, want %q (all: %v)", got, want, e.Fields)
	}
}

func TestValidateWithoutLines(t *testing.T) {
	p := &Playbook{Name: "x", Title: map[string]string{"en": "X"}, Languages: []string{"en"},
		Start: []string{"a"}, Steps: []Step{{ID: "a", Text: map[string]string{"en": " "}}}}
	e := haven.AsError(Validate(p))
	if e == nil || e.Message != `step "a": text has no "en"` {
		t.Fatalf("got %v", e)
	}
	p.Steps[0].Text["en"] = "A"
	if err := Validate(p); err != nil {
		t.Fatal(err)
	}
}

// TestMarshalQuotesText checks that texts YAML would read as something else (numbers, booleans,
// null, flow syntax, comments, surrounding space, several lines) come back unchanged.
func TestMarshalQuotesText(t *testing.T) {
	texts := []string{
		"yes", "no", "true", "null", "~", "123", "1e3", "0x1F", "2024-01-01", "- a", "a: b", "#x", "x #y",
		" leading", "trailing ", "multi\nline", "multi\nline\n", "multi\nline\n\n", "\ttab", "  indented\nline",
		"space \nbefore newline", "'quoted'", `"double"`, "[x]", "{x}", "*a", "&a", "!tag", "%x", "@x", "`x",
		"اختراق حساب", "a\u2028b", "\u00a0nbsp", "\ufeffbom", "\\back", "a\n\tb", "\n\nleading newlines",
	}
	for _, text := range texts {
		p := &Playbook{Name: "p", Title: map[string]string{"en": text}, Languages: []string{"en"}, Sources: []string{text},
			Start: []string{"a"}, Steps: []Step{{ID: "a", Text: map[string]string{"en": text}, Guidance: map[string]string{"en": text}}}}
		out, err := Marshal(p)
		if err != nil {
			t.Errorf("Marshal(%q): %v", text, err)
			continue
		}
		q, err := Parse(out)
		if err != nil {
			t.Errorf("Parse(Marshal(%q)): %v\n%s", text, err, out)
			continue
		}
		if !reflect.DeepEqual(withoutLines(q), p) {
			t.Errorf("%q came back as %q\n%s", text, q.Steps[0].Text["en"], out)
		}
	}
}
