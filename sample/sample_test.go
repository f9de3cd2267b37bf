package sample

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

var langs = []string{"en", "fr", "ar", "es", "pt", "ru"}

func TestDeterminism(t *testing.T) {
	a, b := New(42), New(42)
	for i := 0; i < 500; i++ {
		n := []int{0, 1500, 300}[i%3]
		var x, y Case
		switch i % 4 {
		case 0:
			x, y = a.Next(n), b.Next(n)
		case 1:
			x, y = a.NextBench(n), b.NextBench(n)
		default:
			l := langs[i%len(langs)]
			x, y = a.NextIn(l, n), b.NextIn(l, n)
		}
		if !reflect.DeepEqual(x, y) {
			t.Fatalf("case %d differs:\n%+v\n%+v", i, x, y)
		}
	}
	if reflect.DeepEqual(New(1).Next(0), New(2).Next(0)) && reflect.DeepEqual(New(1).Next(0), New(3).Next(0)) {
		t.Error("different seeds give identical cases")
	}
}

func TestSummaryBytes(t *testing.T) {
	for _, l := range langs {
		g := New(7)
		for _, n := range []int{1500, 1, 50, 400, 4000} {
			count := 300
			if n != 1500 {
				count = 50
			}
			for i := 0; i < count; i++ {
				c := g.NextIn(l, n)
				if len(c.Summary) < n || len(c.Summary) > n+200 {
					t.Fatalf("%s n=%d: summary is %d bytes: %q", l, n, len(c.Summary), c.Summary)
				}
				if !utf8.ValidString(c.Summary) {
					t.Fatalf("%s n=%d: invalid UTF-8", l, n)
				}
			}
		}
	}
}

func TestNaturalSummary(t *testing.T) {
	for _, l := range langs {
		g := New(3)
		for i := 0; i < 500; i++ {
			c := g.NextIn(l, 0)
			// Sentences end with "." followed by a space; defanged URLs and
			// IPs contain "[.]" and file names ".docx", so count ". ".
			sentences := strings.Count(c.Summary, ". ") + 1
			if sentences < 2 || sentences > 5 || !strings.HasSuffix(c.Summary, ".") {
				t.Fatalf("%s: %d sentences: %q", l, sentences, c.Summary)
			}
		}
	}
}

var slug = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

var countries = map[string][]string{
	"ar": {"EG", "LB", "SY", "JO", "MA", "TN", "IQ", "SD", "YE"},
	"fr": {"FR", "SN", "CI", "CD", "HT", "TN"},
	"es": {"MX", "CO", "VE", "NI", "GT"},
	"pt": {"BR", "AO", "MZ"},
	"ru": {"RU", "BY", "KZ"},
	"en": {"NG", "KE", "PH", "IN", "PK", "US", "GB"},
}

func TestCaseFields(t *testing.T) {
	g := New(11)
	cats := Categories()
	emails := map[string]bool{}
	prio := map[string]int{}
	langCount := map[string]int{}
	const total = 10000
	email := regexp.MustCompile(`^[a-z0-9]+(\.[a-z0-9]+)*@example\.(org|net|com)$`)
	for i := 0; i < total; i++ {
		c := g.Next(0)
		langCount[c.Language]++
		prio[c.Priority]++
		if len(c.Tags) != 2 || c.Tags[0] == c.Tags[1] {
			t.Fatalf("tags %v", c.Tags)
		}
		for _, tag := range c.Tags {
			if !slug.MatchString(tag) {
				t.Fatalf("bad tag %q", tag)
			}
		}
		if !slices.Contains(cats, c.Category) {
			t.Fatalf("bad category %q", c.Category)
		}
		if c.Title == "" || utf8.RuneCountInString(c.Title) > 200 {
			t.Fatalf("bad title %q", c.Title)
		}
		if strings.ContainsAny(c.Title+c.Summary+strings.Join(c.Notes, ""), "{}") {
			t.Fatalf("unexpanded slot: %q / %q / %q", c.Title, c.Summary, c.Notes)
		}
		for _, s := range append([]string{c.Title, c.Summary, c.RequesterName}, c.Notes...) {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 in %q", s)
			}
		}
		if len(c.Notes) > 3 {
			t.Fatalf("%d notes", len(c.Notes))
		}
		if !slices.Contains(countries[c.Language], c.Country) {
			t.Fatalf("country %s for %s", c.Country, c.Language)
		}
		if c.RequesterName == "" {
			t.Fatal("empty requester name")
		}
		if !email.MatchString(c.RequesterEmail) {
			t.Fatalf("bad email %q", c.RequesterEmail)
		}
		if emails[c.RequesterEmail] {
			t.Fatalf("duplicate email %q", c.RequesterEmail)
		}
		emails[c.RequesterEmail] = true
		switch c.Language {
		case "ar":
			if !strings.ContainsRune(c.RequesterName, 'ا') && !strings.ContainsAny(c.RequesterName, "ةيمنلرد") {
				t.Fatalf("Arabic name not in Arabic script: %q", c.RequesterName)
			}
		case "ru":
			if r, _ := utf8.DecodeRuneInString(c.RequesterName); r < 0x400 || r > 0x4ff {
				t.Fatalf("Russian name not in Cyrillic: %q", c.RequesterName)
			}
		}
	}
	within := func(what string, got, want float64) {
		if got < want-3 || got > want+3 {
			t.Errorf("%s: %.1f%%, want %.0f%% ± 3", what, got, want)
		}
	}
	for p, want := range map[string]float64{"P1": 3, "P2": 20, "P3": 50, "P4": 27} {
		within(p, 100*float64(prio[p])/total, want)
	}
	for l, want := range map[string]float64{"en": 30, "ar": 20, "fr": 15, "es": 15, "pt": 10, "ru": 10} {
		within("Next "+l, 100*float64(langCount[l])/total, want)
	}
}

func TestBenchMix(t *testing.T) {
	g := New(5)
	count := map[string]int{}
	const total = 10000
	for i := 0; i < total; i++ {
		count[g.NextBench(0).Language]++
	}
	for l, want := range map[string]float64{"en": 40, "fr": 30, "ar": 30} {
		got := 100 * float64(count[l]) / total
		if got < want-3 || got > want+3 {
			t.Errorf("NextBench %s: %.1f%%, want %.0f%% ± 3", l, got, want)
		}
	}
	if len(count) != 3 {
		t.Errorf("NextBench languages: %v", count)
	}
}

func TestNextInLanguage(t *testing.T) {
	g := New(9)
	for _, l := range langs {
		for i := 0; i < 50; i++ {
			if c := g.NextIn(l, 0); c.Language != l {
				t.Fatalf("NextIn(%s) gave %s", l, c.Language)
			}
		}
	}
	if c := g.NextIn("xx", 0); c.Language != "en" {
		t.Errorf("unknown language gave %s", c.Language)
	}
}

func TestSearchTerms(t *testing.T) {
	const total = 2000
	for _, l := range langs {
		terms := SearchTerms(l)
		if len(terms) < 12 {
			t.Errorf("%s: only %d terms", l, len(terms))
		}
		g := New(13)
		texts := make([]string, total)
		for i := range texts {
			c := g.NextIn(l, 0)
			texts[i] = strings.ToLower(c.Title + " " + c.Summary)
		}
		for _, term := range terms {
			term = strings.ToLower(term)
			n := 0
			for _, s := range texts {
				if strings.Contains(s, term) {
					n++
				}
			}
			if n < total/100 {
				t.Errorf("%s: %q occurs in %d of %d cases", l, term, n, total)
			}
		}
		if l != "ar" {
			continue
		}
		for _, term := range []string{"حساب", "فيسبوك"} {
			with, without := 0, 0
			for _, s := range texts {
				if strings.Contains(s, "ال"+term) {
					with++
				}
				if strings.Contains(strings.ReplaceAll(s, "ال"+term, ""), term) {
					without++
				}
			}
			if with < total/100 || without < total/100 {
				t.Errorf("ar %q: with article in %d, without in %d of %d cases", term, with, without, total)
			}
		}
	}
	if SearchTerms("xx") != nil {
		t.Error("unknown language has search terms")
	}
}

func TestVariety(t *testing.T) {
	for _, l := range langs {
		g := New(21)
		titles, summaries := map[string]bool{}, map[string]bool{}
		for i := 0; i < 2000; i++ {
			c := g.NextIn(l, 0)
			titles[c.Title] = true
			summaries[c.Summary] = true
		}
		if len(titles) < 500 || len(summaries) < 1900 {
			t.Errorf("%s: %d distinct titles, %d distinct summaries in 2000 cases", l, len(titles), len(summaries))
		}
	}
}

func TestNoPlaceholdersInTables(t *testing.T) {
	// Every slot used in a table must be one the expander knows.
	known := map[string]bool{}
	for _, k := range []string{"platform", "platform.al", "platform2", "platform2.al", "app", "app.al", "device",
		"site", "role", "a.role", "role.al", "topic", "org", "city", "city.gen", "city.loc", "first", "name",
		"date", "date2", "time", "n", "count", "age", "url", "ip", "phone"} {
		known[k] = true
	}
	slot := regexp.MustCompile(`\{([^}]*)\}`)
	for _, code := range langs {
		l := langFor(code)
		var all []string
		for _, c := range l.cats {
			all = slices.Concat(all, c.titles, c.openers, c.details, c.notes)
		}
		all = slices.Concat(all, l.urgent, l.context, l.follow, l.short, l.notes)
		for _, t0 := range all {
			for _, m := range slot.FindAllStringSubmatch(t0, -1) {
				name := m[1]
				if strings.HasPrefix(name, "g:") || strings.HasPrefix(name, "c:") {
					if !strings.Contains(name, "|") {
						t.Errorf("%s: bad alternation %q", code, name)
					}
					continue
				}
				if !known[strings.ToLower(name[:1])+name[1:]] {
					t.Errorf("%s: unknown slot %q in %q", code, name, t0)
				}
			}
		}
		for i, c := range l.cats {
			if len(c.titles) == 0 || len(c.openers) == 0 || len(c.details) < 4 {
				t.Errorf("%s: category %s has too few phrases", code, categoryNames[i])
			}
			for _, title := range c.titles {
				v, _ := splitVariant(title)
				if v == "" {
					continue
				}
				if !slug.MatchString(v) {
					t.Errorf("%s: bad variant %q", code, v)
				}
				n := 0
				for _, d := range c.details {
					if dv, _ := splitVariant(d); dv == v {
						n++
					}
				}
				if n == 0 {
					t.Errorf("%s: variant %q has no details", code, v)
				}
			}
		}
	}
}

func BenchmarkNext(b *testing.B) {
	g := New(1)
	b.ReportAllocs()
	for b.Loop() {
		g.Next(1500)
	}
}

func BenchmarkNextBench(b *testing.B) {
	g := New(1)
	b.ReportAllocs()
	for b.Loop() {
		g.NextBench(1500)
	}
}
