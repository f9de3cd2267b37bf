package library

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// These structs mirror the file formats described in README.md. They stand alone on purpose: the
// playbook and template packages have their own parsers, and this test checks the library
// against the format as documented, strictly (KnownFields: an unknown key is an error).

// text is one text in every language of the file.
type text map[string]string

type playbookFile struct {
	Name       string   `yaml:"name"`
	Title      text     `yaml:"title"`
	Languages  []string `yaml:"languages"`
	Categories []string `yaml:"categories"`
	Auto       bool     `yaml:"auto"`
	Sources    []string `yaml:"sources"`
	Start      []string `yaml:"start"`
	Steps      []step   `yaml:"steps"`
}

type step struct {
	ID       string   `yaml:"id"`
	Text     text     `yaml:"text"`
	Guidance text     `yaml:"guidance"`
	Template string   `yaml:"template"`
	Article  string   `yaml:"article"`
	Required bool     `yaml:"required"`
	Question text     `yaml:"question"`
	Answers  []answer `yaml:"answers"`
}

type answer struct {
	ID    string   `yaml:"id"`
	Text  text     `yaml:"text"`
	Steps []string `yaml:"steps"`
}

type templateFile struct {
	Templates []template `yaml:"templates"`
}

type template struct {
	Name       string             `yaml:"name"`
	Kind       string             `yaml:"kind"`
	Categories []string           `yaml:"categories"`
	Variants   map[string]variant `yaml:"variants"`
}

type variant struct {
	Subject string `yaml:"subject"`
	Body    string `yaml:"body"`
}

var (
	slugRE        = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	languages     = []string{"en", "fr", "ar"}
	placeholders  = []string{"requester_name", "case_number", "handler_name", "helpline_name", "today", "platform"}
	templateKinds = []string{"reply", "escalation", "note"}
	// autoPlaybooks are the only playbooks applied without a handler choosing them.
	autoPlaybooks = []string{"child-safety-report", "threat-to-life"}
)

// Size limits, in bytes per language.
const (
	maxText     = 300
	maxGuidance = 4000
	maxSubject  = 300
	maxBody     = 20000
)

// decodeStrict decodes one YAML document into v, refusing unknown keys, anchors, aliases and a
// second document.
func decodeStrict(data []byte, v any) error {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return err
	}
	if err := noAnchors(&root); err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return fmt.Errorf("more than one YAML document (%v)", err)
	}
	return nil
}

func noAnchors(n *yaml.Node) error {
	if n.Anchor != "" || n.Kind == yaml.AliasNode {
		return fmt.Errorf("line %d: YAML anchors and aliases are not allowed", n.Line)
	}
	for _, c := range n.Content {
		if err := noAnchors(c); err != nil {
			return err
		}
	}
	return nil
}

func readPlaybooks(t *testing.T) map[string]*playbookFile {
	t.Helper()
	paths, err := Playbooks()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*playbookFile{}
	for _, p := range paths {
		data, err := fs.ReadFile(Files, p)
		if err != nil {
			t.Fatal(err)
		}
		var pb playbookFile
		if err := decodeStrict(data, &pb); err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		out[p] = &pb
	}
	return out
}

func readTemplates(t *testing.T) map[string]*templateFile {
	t.Helper()
	paths, err := Templates()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*templateFile{}
	for _, p := range paths {
		data, err := fs.ReadFile(Files, p)
		if err != nil {
			t.Fatal(err)
		}
		var tf templateFile
		if err := decodeStrict(data, &tf); err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		out[p] = &tf
	}
	return out
}

// templateNames is every template name in the library.
func templateNames(t *testing.T) map[string]*template {
	t.Helper()
	names := map[string]*template{}
	for p, tf := range readTemplates(t) {
		for i := range tf.Templates {
			tp := &tf.Templates[i]
			if _, dup := names[tp.Name]; dup {
				t.Errorf("%s: template %q is defined twice in the library", p, tp.Name)
			}
			names[tp.Name] = tp
		}
	}
	return names
}

func TestEmbeddedFilesSorted(t *testing.T) {
	for name, list := range map[string]func() ([]string, error){"Playbooks": Playbooks, "Templates": Templates} {
		paths, err := list()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(paths) == 0 {
			t.Errorf("%s: no files embedded", name)
		}
		if !sort.StringsAreSorted(paths) {
			t.Errorf("%s: not sorted: %v", name, paths)
		}
		for _, p := range paths {
			if path.Ext(p) != ".yaml" {
				t.Errorf("%s: %s is not a .yaml file", name, p)
			}
			if _, err := fs.Stat(Files, p); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
}

func TestPlaybooksParseStrictly(t *testing.T) {
	for p, pb := range readPlaybooks(t) {
		if want := strings.TrimSuffix(path.Base(p), ".yaml"); pb.Name != want {
			t.Errorf("%s: name %q, want %q (the file name)", p, pb.Name, want)
		}
		if !slugRE.MatchString(pb.Name) {
			t.Errorf("%s: name %q is not a slug", p, pb.Name)
		}
		if !slices.Equal(pb.Languages, languages) {
			t.Errorf("%s: languages %v, want %v", p, pb.Languages, languages)
		}
		if len(pb.Categories) == 0 {
			t.Errorf("%s: no categories", p)
		}
		for _, c := range pb.Categories {
			if !slugRE.MatchString(c) {
				t.Errorf("%s: category %q is not a slug", p, c)
			}
		}
		if pb.Auto != slices.Contains(autoPlaybooks, pb.Name) {
			t.Errorf("%s: auto is %v; only %v are applied automatically", p, pb.Auto, autoPlaybooks)
		}
	}
}

func TestPlaybookSources(t *testing.T) {
	for p, pb := range readPlaybooks(t) {
		if len(pb.Sources) == 0 {
			t.Errorf("%s: no sources", p)
		}
		for _, s := range pb.Sources {
			u, err := url.Parse(s)
			if err != nil || u.Scheme != "https" || u.Host == "" || s != strings.TrimSpace(s) {
				t.Errorf("%s: source %q is not an https URL", p, s)
			}
		}
	}
}

func TestPlaybookSteps(t *testing.T) {
	for p, pb := range readPlaybooks(t) {
		ids := map[string]*step{}
		decisions := 0
		for i := range pb.Steps {
			s := &pb.Steps[i]
			if !slugRE.MatchString(s.ID) {
				t.Errorf("%s: step id %q is not a slug", p, s.ID)
			}
			if _, dup := ids[s.ID]; dup {
				t.Errorf("%s: step id %q is used twice", p, s.ID)
			}
			ids[s.ID] = s
			if s.Question != nil {
				decisions++
				checkDecision(t, p, s)
			} else if s.Text == nil || s.Answers != nil {
				t.Errorf("%s: step %s: a task has text and no answers", p, s.ID)
			}
			if (s.Template != "" && !slugRE.MatchString(s.Template)) || (s.Article != "" && !slugRE.MatchString(s.Article)) {
				t.Errorf("%s: step %s: template or article is not a slug", p, s.ID)
			}
		}
		if n := len(pb.Steps); n < 6 || n > 15 {
			t.Errorf("%s: %d steps, want 6 to 15", p, n)
		}
		if decisions < 1 || decisions > 3 {
			t.Errorf("%s: %d decisions, want 1 to 3", p, decisions)
		}
		if !slices.ContainsFunc(pb.Steps, func(s step) bool { return s.Required }) {
			t.Errorf("%s: no required step", p)
		}
		checkGraph(t, p, pb, ids)
	}
}

func checkDecision(t *testing.T, p string, s *step) {
	t.Helper()
	if s.Text != nil || s.Guidance != nil || s.Template != "" || s.Required {
		t.Errorf("%s: decision %s has text, guidance, template or required", p, s.ID)
	}
	if len(s.Answers) < 2 {
		t.Errorf("%s: decision %s has %d answers, want at least 2", p, s.ID, len(s.Answers))
	}
	seen := map[string]bool{}
	for _, a := range s.Answers {
		if !slugRE.MatchString(a.ID) || seen[a.ID] {
			t.Errorf("%s: decision %s: answer id %q is not a slug or is used twice", p, s.ID, a.ID)
		}
		seen[a.ID] = true
		if len(a.Steps) == 0 {
			t.Errorf("%s: decision %s: answer %s leads to no step", p, s.ID, a.ID)
		}
	}
}

// checkGraph: start and answers name existing steps, no answer leads back to its decision, and
// every step is reachable from start.
func checkGraph(t *testing.T, p string, pb *playbookFile, ids map[string]*step) {
	t.Helper()
	next := func(id string) []string {
		var out []string
		if s := ids[id]; s != nil {
			for _, a := range s.Answers {
				out = append(out, a.Steps...)
			}
		}
		return out
	}
	refs := slices.Clone(pb.Start)
	for _, s := range pb.Steps {
		refs = append(refs, next(s.ID)...)
	}
	for _, r := range refs {
		if ids[r] == nil {
			t.Errorf("%s: step %q is named but not defined", p, r)
		}
	}
	if len(pb.Start) == 0 {
		t.Errorf("%s: start is empty", p)
	}
	// Depth-first search with colours: grey on the stack, black done.
	colour := map[string]int{}
	var visit func(id string, trail []string)
	visit = func(id string, trail []string) {
		switch colour[id] {
		case 1:
			t.Errorf("%s: cycle %s → %s", p, strings.Join(trail, " → "), id)
			return
		case 2:
			return
		}
		colour[id] = 1
		for _, n := range next(id) {
			visit(n, append(trail, id))
		}
		colour[id] = 2
	}
	for _, id := range pb.Start {
		visit(id, nil)
	}
	for _, s := range pb.Steps {
		if colour[s.ID] == 0 {
			t.Errorf("%s: step %s cannot be reached from start", p, s.ID)
		}
	}
}

// TestNoStepCreatedTwice walks every combination of answers a handler can give and checks that
// no step would become a task twice on the same case (a step named from start and from an
// answer, or from two decisions that can both be answered).
func TestNoStepCreatedTwice(t *testing.T) {
	for p, pb := range readPlaybooks(t) {
		ids := map[string]*step{}
		for i := range pb.Steps {
			ids[pb.Steps[i].ID] = &pb.Steps[i]
		}
		paths := 0
		var walk func(created []string, pending []string)
		walk = func(created, pending []string) {
			if paths > 10000 {
				return
			}
			if len(pending) == 0 {
				paths++
				return
			}
			d := ids[pending[0]]
			if d == nil || len(d.Answers) == 0 {
				walk(created, pending[1:])
				return
			}
			for _, a := range d.Answers {
				now := slices.Clone(created)
				for _, s := range a.Steps {
					if slices.Contains(now, s) {
						t.Errorf("%s: answer %s/%s creates %s, which this path already created", p, d.ID, a.ID, s)
					}
					now = append(now, s)
				}
				walk(now, append(slices.Clone(pending[1:]), a.Steps...))
			}
		}
		for i, s := range pb.Start {
			if slices.Contains(pb.Start[:i], s) {
				t.Errorf("%s: %s is in start twice", p, s)
			}
		}
		walk(slices.Clone(pb.Start), slices.Clone(pb.Start))
		if paths == 0 || paths > 10000 {
			t.Errorf("%s: %d answer paths", p, paths)
		}
	}
}

func TestPlaybookTexts(t *testing.T) {
	for p, pb := range readPlaybooks(t) {
		checkText(t, p+": title", pb.Title, maxText, true)
		for _, s := range pb.Steps {
			where := p + ": step " + s.ID
			checkText(t, where+" text", s.Text, maxText, s.Question == nil)
			checkText(t, where+" guidance", s.Guidance, maxGuidance, false)
			checkText(t, where+" question", s.Question, maxText, s.Question != nil)
			for _, a := range s.Answers {
				checkText(t, where+" answer "+a.ID, a.Text, maxText, true)
			}
		}
	}
}

// checkText: a text present (or required) has exactly en, fr and ar, each non-empty, valid UTF-8,
// at most max bytes; Arabic is written in Arabic script and the others are not the English copied.
func checkText(t *testing.T, where string, tx text, max int, required bool) {
	t.Helper()
	if tx == nil {
		if required {
			t.Errorf("%s: missing", where)
		}
		return
	}
	if len(tx) != len(languages) {
		t.Errorf("%s: languages %v, want exactly %v", where, keys(tx), languages)
	}
	for _, l := range languages {
		v := tx[l]
		switch {
		case strings.TrimSpace(v) == "":
			t.Errorf("%s: %s is empty", where, l)
		case !utf8.ValidString(v):
			t.Errorf("%s: %s is not UTF-8", where, l)
		case len(v) > max:
			t.Errorf("%s: %s is %d bytes, at most %d", where, l, len(v), max)
		}
	}
	if !hasArabic(tx["ar"]) {
		t.Errorf("%s: ar has no Arabic letters", where)
	}
	if tx["fr"] == tx["en"] && len(tx["en"]) > 20 {
		t.Errorf("%s: fr is the English text", where)
	}
}

func hasArabic(s string) bool {
	for _, r := range s {
		if r >= 0x0600 && r <= 0x06FF {
			return true
		}
	}
	return false
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestPlaybookTemplatesExist(t *testing.T) {
	names := templateNames(t)
	for p, pb := range readPlaybooks(t) {
		for _, s := range pb.Steps {
			if s.Template == "" {
				continue
			}
			tp := names[s.Template]
			if tp == nil {
				t.Errorf("%s: step %s names template %q, which library/templates does not define", p, s.ID, s.Template)
				continue
			}
			if len(tp.Categories) > 0 && !overlaps(tp.Categories, pb.Categories) {
				t.Errorf("%s: step %s: template %s is for %v, the playbook for %v", p, s.ID, tp.Name, tp.Categories, pb.Categories)
			}
		}
	}
}

func overlaps(a, b []string) bool {
	return slices.ContainsFunc(a, func(s string) bool { return slices.Contains(b, s) })
}

func TestTemplatesParseStrictly(t *testing.T) {
	for p, tf := range readTemplates(t) {
		if len(tf.Templates) == 0 {
			t.Errorf("%s: no templates", p)
		}
		for _, tp := range tf.Templates {
			where := p + ": " + tp.Name
			if !slugRE.MatchString(tp.Name) {
				t.Errorf("%s: name is not a slug", where)
			}
			if !slices.Contains(templateKinds, tp.Kind) {
				t.Errorf("%s: kind %q, want one of %v", where, tp.Kind, templateKinds)
			}
			for _, c := range tp.Categories {
				if !slugRE.MatchString(c) {
					t.Errorf("%s: category %q is not a slug", where, c)
				}
			}
			checkVariants(t, where, tp)
		}
	}
	templateNames(t) // reports duplicates
}

func checkVariants(t *testing.T, where string, tp template) {
	t.Helper()
	if len(tp.Variants) != len(languages) {
		t.Errorf("%s: %d variants, want exactly %v", where, len(tp.Variants), languages)
	}
	for _, l := range languages {
		v, ok := tp.Variants[l]
		if !ok {
			t.Errorf("%s: no %s variant", where, l)
			continue
		}
		w := where + " " + l
		if strings.TrimSpace(v.Subject) == "" || strings.ContainsAny(v.Subject, "\r\n") || len(v.Subject) > maxSubject {
			t.Errorf("%s: subject must be one non-empty line of at most %d bytes", w, maxSubject)
		}
		if strings.TrimSpace(v.Body) == "" || len(v.Body) > maxBody || !utf8.ValidString(v.Body) {
			t.Errorf("%s: body must be non-empty UTF-8 of at most %d bytes", w, maxBody)
		}
		for part, s := range map[string]string{"subject": v.Subject, "body": v.Body} {
			if err := checkPlaceholders(s); err != nil {
				t.Errorf("%s %s: %v", w, part, err)
			}
		}
		if l == "ar" && !hasArabic(v.Body) {
			t.Errorf("%s: body has no Arabic letters", w)
		}
		if tp.Kind == "reply" && !(strings.Contains(v.Body, "{handler_name}") && strings.Contains(v.Body, "{helpline_name}")) {
			t.Errorf("%s: a reply is signed with {handler_name} and {helpline_name}", w)
		}
		if tp.Kind == "escalation" && !strings.Contains(v.Body, "{case_number}") {
			t.Errorf("%s: an escalation gives the helpline's reference {case_number}", w)
		}
	}
}

// checkPlaceholders refuses any brace that is not part of one of the six placeholders.
func checkPlaceholders(s string) error {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '}':
			return fmt.Errorf("byte %d: a } that closes no placeholder", i)
		case '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return fmt.Errorf("byte %d: a { that never closes", i)
			}
			if name := s[i+1 : i+end]; !slices.Contains(placeholders, name) {
				return fmt.Errorf("byte %d: unknown placeholder {%s}", i, name)
			}
			i += end
		}
	}
	return nil
}

func TestCheckPlaceholders(t *testing.T) {
	for s, ok := range map[string]bool{
		"Dear {requester_name}, case {case_number}":         true,
		"{handler_name} {helpline_name} {today} {platform}": true,
		"no braces at all [link]":                           true,
		"{name}":                                            false,
		"{requester_name":                                   false,
		"requester_name}":                                   false,
		"{{platform}}":                                      false,
		"{ platform }":                                      false,
	} {
		if err := checkPlaceholders(s); (err == nil) != ok {
			t.Errorf("checkPlaceholders(%q) = %v, want ok=%v", s, err, ok)
		}
	}
}

// TestStrictDecodingRefuses checks the checker: an unknown key, an anchor and an alias fail.
func TestStrictDecodingRefuses(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown key": "name: x\ntitel: {en: a}\n",
		"anchor":      "name: x\ntitle: &t {en: a}\n",
		"alias":       "name: x\ntitle: &t {en: a}\nsteps:\n  - id: a\n    text: *t\n",
		"two docs":    "name: x\n---\nname: y\n",
	} {
		var pb playbookFile
		if err := decodeStrict([]byte(doc), &pb); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
}

type articleFile struct {
	Articles []struct {
		Slug       string   `yaml:"slug"`
		State      string   `yaml:"state"`
		Categories []string `yaml:"categories"`
		Variants   map[string]struct {
			Title string `yaml:"title"`
			Body  string `yaml:"body"`
		} `yaml:"variants"`
	} `yaml:"articles"`
}

// TestPlaybookArticlesExist: every article a playbook step links to is a published article of the
// library, in English, French and Arabic.
func TestPlaybookArticlesExist(t *testing.T) {
	paths, err := Articles()
	if err != nil || len(paths) == 0 {
		t.Fatalf("articles: %v %v", paths, err)
	}
	published := map[string]bool{}
	for _, p := range paths {
		data, err := fs.ReadFile(Files, p)
		if err != nil {
			t.Fatal(err)
		}
		var af articleFile
		if err := decodeStrict(data, &af); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, a := range af.Articles {
			for _, lang := range []string{"en", "fr", "ar"} {
				if v := a.Variants[lang]; v.Title == "" || len(v.Body) < 200 || lang == "ar" && !hasArabic(v.Body) {
					t.Errorf("%s: article %s has no full %s variant", p, a.Slug, lang)
				}
			}
			published[a.Slug] = a.State == "published"
		}
	}
	for p, pb := range readPlaybooks(t) {
		for _, s := range pb.Steps {
			if s.Article != "" && !published[s.Article] {
				t.Errorf("%s: step %s links to article %q, which library/articles does not publish", p, s.ID, s.Article)
			}
		}
	}
}
