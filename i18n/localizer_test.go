package i18n

import (
	"sync"
	"testing"
	"time"
)

func TestMatch(t *testing.T) {
	c := mustLoad(t)
	tests := []struct {
		prefs []string
		want  string
	}{
		{nil, "en"},
		{[]string{""}, "en"},
		{[]string{"ar-EG"}, "ar"},
		{[]string{"pt-BR"}, "pt"},
		{[]string{"pt_PT"}, "pt"},
		{[]string{"es-419"}, "es"},
		{[]string{"fr-CA,fr;q=0.9,en;q=0.8"}, "fr"},
		{[]string{"de-DE,de;q=0.9,ru;q=0.5"}, "ru"},
		{[]string{"en-GB"}, "en"},
		{[]string{"de"}, "en"},
		{[]string{"zz-!!garbage;;"}, "en"},
		{[]string{"%%%"}, "en"},
		{[]string{"ru", "fr-FR,fr;q=0.9"}, "ru"}, // a saved setting beats the header
		{[]string{"", "ar,en;q=0.5"}, "ar"},      // no setting: the header decides
		{[]string{"xx", "es"}, "es"},
	}
	for _, tt := range tests {
		if got := c.Match(tt.prefs...); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.prefs, got, tt.want)
		}
	}
}

func TestLocalizerBasics(t *testing.T) {
	c := mustLoad(t)
	for _, tt := range []struct{ in, tag, dir string }{
		{"ar", "ar", "rtl"}, {"ar-SA", "ar", "rtl"}, {"fr", "fr", "ltr"}, {"", "en", "ltr"}, {"klingon", "en", "ltr"},
	} {
		l := c.Localizer(tt.in)
		if l.Tag() != tt.tag || l.Dir() != tt.dir {
			t.Errorf("Localizer(%q): Tag %q Dir %q, want %q %q", tt.in, l.Tag(), l.Dir(), tt.tag, tt.dir)
		}
	}
}

func TestT(t *testing.T) {
	c := mustLoad(t)
	en, fr := c.Localizer("en"), c.Localizer("fr")
	tests := []struct {
		l    *Localizer
		id   string
		args []any
		want string
	}{
		{en, "nav.admin", nil, "Users & teams"},
		{fr, "nav.signout", nil, "Se déconnecter"},
		{en, "no.such.id", nil, "[[no.such.id]]"},
		{fr, "no.such.id", []any{"Count", 2}, "[[no.such.id]]"},
		{en, "inbox.cases", []any{"Count", 1}, "1 case"},
		{en, "inbox.cases", []any{"Count", 0}, "0 cases"},
		{en, "inbox.cases", []any{"Count", int64(1234)}, "1,234 cases"},
		{en, "inbox.cases", []any{"Count", uint8(2)}, "2 cases"},
		{en, "inbox.cases", []any{"Count", "1.5"}, "1.5 cases"},
		{en, "inbox.cases", []any{"Count", 1.5}, "1.5 cases"},
		{fr, "inbox.cases", []any{"Count", 0}, "0 dossier"},
		{fr, "inbox.cases", []any{"Count", 1000000}, "1\u202f000\u202f000 de dossiers"},
		{en, "login.locked", []any{"Count", 15}, "Too many attempts. Try again in 15 minutes."},
		{en, "nav.skip", []any{"Count"}, "Skip to main content"},           // dangling key ignored
		{en, "inbox.cases", []any{"Count", nil}, "[[inbox.cases]]"},        // unusable count: visible, no panic
		{en, "inbox.cases", []any{"Count", struct{}{}}, "[[inbox.cases]]"}, // likewise
		{en, "inbox.cases", []any{7, "x", "Count", 3}, "3 cases"},          // non-string key tolerated
		{en, "nav.skip", []any{"Unused", "value"}, "Skip to main content"}, // extra data ignored
		{en, "inbox.cases", nil, "<no value> cases"},                       // count forgotten: visible
		{c.Localizer("es"), "inbox.cases", []any{"Count", 1234}, "1234 casos"},
	}
	for _, tt := range tests {
		if got := tt.l.T(tt.id, tt.args...); got != tt.want {
			t.Errorf("%s T(%q, %v) = %q, want %q", tt.l.Tag(), tt.id, tt.args, got, tt.want)
		}
	}
}

func TestArabicPlurals(t *testing.T) {
	ar := mustLoad(t).Localizer("ar")
	want := map[int]string{
		0:   "لا طلبات",
		1:   "طلب واحد",
		2:   "طلبان",
		3:   "٣ طلبات",
		11:  "١١ طلبًا",
		100: "١٠٠ طلب",
	}
	seen := map[string]bool{}
	for n, w := range want {
		got := ar.T("inbox.cases", "Count", n)
		if got != w {
			t.Errorf("ar inbox.cases %d = %q, want %q", n, got, w)
		}
		seen[got] = true
	}
	if len(seen) != len(want) {
		t.Errorf("Arabic plural strings are not all different: %v", seen)
	}
}

func TestRussianPlurals(t *testing.T) {
	ru := mustLoad(t).Localizer("ru")
	for n, want := range map[int]string{1: "1 обращение", 2: "2 обращения", 5: "5 обращений", 21: "21 обращение", 12: "12 обращений"} {
		if got := ru.T("inbox.cases", "Count", n); got != want {
			t.Errorf("ru inbox.cases %d = %q, want %q", n, got, want)
		}
	}
	if got, want := ru.T("search.results", "Count", "1.5"), "1.5 результата"; got != want {
		t.Errorf("ru search.results 1.5 = %q, want %q", got, want)
	}
}

func TestN(t *testing.T) {
	c := mustLoad(t)
	tests := []struct {
		tag  string
		n    int64
		want string
	}{
		{"en", 1234567, "1,234,567"},
		{"en", -42, "-42"},
		{"fr", 1234567, "1\u202f234\u202f567"},
		{"es", 1234567, "1.234.567"},
		{"es", 1234, "1234"},
		{"es", 12345, "12.345"},
		{"pt", 1234567, "1.234.567"},
		{"ru", 1234567, "1\u00a0234\u00a0567"},
		{"ar", 1234567, "١٬٢٣٤٬٥٦٧"},
		{"ar", 0, "٠"},
	}
	for _, tt := range tests {
		if got := c.Localizer(tt.tag).N(tt.n); got != tt.want {
			t.Errorf("%s N(%d) = %q, want %q", tt.tag, tt.n, got, tt.want)
		}
	}
}

func TestDate(t *testing.T) {
	c := mustLoad(t)
	at := time.Date(2026, time.March, 3, 14, 5, 59, 0, time.UTC)
	tests := []struct{ tag, date, dateTime string }{
		{"en", "3 Mar 2026", "3 Mar 2026 14:05"},
		{"fr", "3 mars 2026", "3 mars 2026 14:05"},
		{"es", "3 mar 2026", "3 mar 2026 14:05"},
		{"pt", "3 de mar. de 2026", "3 de mar. de 2026 14:05"},
		{"ru", "3 мар. 2026", "3 мар. 2026 14:05"},
		{"ar", "٣ مارس ٢٠٢٦", "٣ مارس ٢٠٢٦ ١٤:٠٥"},
	}
	for _, tt := range tests {
		l := c.Localizer(tt.tag)
		if got := l.Date(at); got != tt.date {
			t.Errorf("%s Date = %q, want %q", tt.tag, got, tt.date)
		}
		if got := l.DateTime(at); got != tt.dateTime {
			t.Errorf("%s DateTime = %q, want %q", tt.tag, got, tt.dateTime)
		}
	}
	dec := time.Date(2025, time.December, 31, 0, 0, 0, 0, time.UTC)
	if got := c.Localizer("fr").Date(dec); got != "31 déc. 2025" {
		t.Errorf("fr Date(31 Dec) = %q", got)
	}
}

func TestAgo(t *testing.T) {
	c := mustLoad(t)
	tests := []struct {
		tag  string
		d    time.Duration
		want string
	}{
		{"en", 30 * time.Second, "0 minutes"},
		{"en", time.Minute, "1 minute"},
		{"en", 5*time.Minute + 59*time.Second, "5 minutes"},
		{"en", -5 * time.Minute, "5 minutes"},
		{"en", 3*time.Hour + 59*time.Minute, "3 hours"},
		{"en", 48 * time.Hour, "2 days"},
		{"en", 1000 * 24 * time.Hour, "1,000 days"},
		{"fr", time.Hour, "1 heure"},
		{"ru", 21 * time.Minute, "21 минута"},
		{"ru", 5 * 24 * time.Hour, "5 дней"},
		{"ar", 2 * 24 * time.Hour, "يومان"},
		{"ar", 11 * 24 * time.Hour, "١١ يومًا"},
		{"ar", 10 * time.Second, "أقل من دقيقة"},
	}
	for _, tt := range tests {
		if got := c.Localizer(tt.tag).Ago(tt.d); got != tt.want {
			t.Errorf("%s Ago(%v) = %q, want %q", tt.tag, tt.d, got, tt.want)
		}
	}
}

// TestConcurrentUse: handlers share one Catalog; run with -race to check it.
func TestConcurrentUse(t *testing.T) {
	c := mustLoad(t)
	var wg sync.WaitGroup
	for _, lang := range c.Languages() {
		wg.Go(func() {
			l := c.Localizer(lang.Tag)
			for n := range 50 {
				_ = l.T("inbox.cases", "Count", n) + l.N(int64(n)) + l.Ago(time.Duration(n)*time.Hour)
			}
		})
	}
	wg.Wait()
}
