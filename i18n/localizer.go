package i18n

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/message"
)

// Localizer renders messages, numbers and dates in one language. Get one from
// Catalog.Localizer; it is safe for concurrent use.
type Localizer struct {
	info    *langInfo
	loc     *goi18n.Localizer
	printer *message.Printer
	zero    rune              // the language's digit zero, so dates use the same digits as numbers
	plain   map[string]string // messages without data, ready (read-only)
	counted sync.Map          // countKey -> string: small counts already rendered
}

// countKey is a message shown for one count, the only data it takes.
type countKey struct {
	id string
	n  int64
}

// maxMemoCount bounds the counted messages kept: pages show ages and totals far below it, and
// larger counts are rendered each time rather than grow the memo without limit.
const maxMemoCount = 1000

func newLocalizer(bundle *goi18n.Bundle, info *langInfo, plain map[string]string) *Localizer {
	p := message.NewPrinter(language.MustParse(info.Tag))
	zero := []rune(p.Sprintf("%d", 0))[0]
	return &Localizer{info: info, loc: goi18n.NewLocalizer(bundle, info.Tag), printer: p, zero: zero, plain: plain}
}

// Tag is the language's BCP 47 tag, for the html element's lang attribute.
func (l *Localizer) Tag() string { return l.info.Tag }

// Dir is "rtl" or "ltr", for the html element's dir attribute.
func (l *Localizer) Dir() string { return l.info.Dir }

// T returns the message id in this language. args are template data as
// key, value pairs: T("inbox.cases", "Count", 5). A "Count" value selects the
// plural form and is shown as a localised number (pass it as an integer type,
// or as a string such as "1.5"). An id absent from this language falls back
// to English; an id absent everywhere comes back as "[[id]]" so that it is
// visible on the page and in tests. A trailing key without a value is ignored.
func (l *Localizer) T(id string, args ...any) string {
	if len(args) == 0 {
		if msg, ok := l.plain[id]; ok {
			return msg
		}
	}
	if len(args) == 2 && args[0] == "Count" {
		if n, ok := args[1].(int64); ok && 0 <= n && n < maxMemoCount {
			return l.countedT(id, n)
		}
	}
	return l.localize(id, args)
}

// countedT is T(id, "Count", n) for a small n, rendered once per language.
func (l *Localizer) countedT(id string, n int64) string {
	key := countKey{id, n}
	if msg, ok := l.counted.Load(key); ok {
		return msg.(string)
	}
	msg := l.localize(id, []any{"Count", n})
	l.counted.Store(key, msg)
	return msg
}

// localize runs go-i18n: the plural form for a count, then the message's template.
func (l *Localizer) localize(id string, args []any) string {
	data := pairs(args)
	cfg := &goi18n.LocalizeConfig{MessageID: id, TemplateData: data}
	if count, ok := data["Count"]; ok {
		cfg.PluralCount, data["Count"] = l.count(count)
	}
	// On a missing translation go-i18n returns the English text together with
	// an error: showing English beats showing nothing, so only an empty result
	// counts as failure.
	msg, err := l.loc.Localize(cfg)
	if msg == "" && err != nil {
		return "[[" + id + "]]"
	}
	return msg
}

// pairs turns T's variadic arguments into template data.
func pairs(args []any) map[string]any {
	data := make(map[string]any, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		key, ok := args[i].(string)
		if !ok {
			key = fmt.Sprint(args[i])
		}
		data[key] = args[i+1]
	}
	return data
}

// count returns the plural operand go-i18n accepts (an integer or a decimal
// string; it rejects floats and unsigned types) and the text to show for it.
func (l *Localizer) count(v any) (operand any, shown string) {
	rv := reflect.ValueOf(v)
	switch {
	case rv.CanInt():
		return rv.Int(), l.N(rv.Int())
	case rv.CanUint() && rv.Uint() <= math.MaxInt64:
		n := int64(rv.Uint())
		return n, l.N(n)
	}
	s := fmt.Sprint(v)
	return s, s
}

// N formats an integer with the language's digits and group separators.
func (l *Localizer) N(n int64) string {
	if -l.info.minGrouped < n && n < l.info.minGrouped {
		return l.digits(strconv.FormatInt(n, 10))
	}
	s := l.printer.Sprintf("%d", n)
	if l.info.fixNumber != nil {
		s = l.info.fixNumber.Replace(s)
	}
	return s
}

// Digits rewrites the ASCII digits of s in the language's own digits ("08:00" → "٠٨:٠٠").
func (l *Localizer) Digits(s string) string { return l.digits(s) }

// digits rewrites ASCII digits in s with the language's own digits.
func (l *Localizer) digits(s string) string {
	if l.zero == '0' {
		return s
	}
	return strings.Map(func(r rune) rune {
		if '0' <= r && r <= '9' {
			return l.zero + (r - '0')
		}
		return r
	}, s)
}

// Date formats t's calendar date as day, abbreviated month and year
// ("3 Mar 2026", "3 de mar. de 2026"), in t's own time zone: convert t to the
// viewer's zone first.
func (l *Localizer) Date(t time.Time) string {
	day := l.digits(strconv.Itoa(t.Day()))
	year := l.digits(strconv.Itoa(t.Year()))
	return fmt.Sprintf(l.info.datePattern, day, l.info.months[t.Month()-1], year)
}

// DateTime is Date followed by the 24-hour time of day ("3 Mar 2026 14:05").
func (l *Localizer) DateTime(t time.Time) string {
	return l.Date(t) + " " + l.digits(t.Format("15:04"))
}

// Ago renders how long something has waited, in whole minutes below an hour,
// whole hours below a day, else whole days ("5 minutes", "3 hours", "2 days").
// The sign of d is ignored.
func (l *Localizer) Ago(d time.Duration) string {
	d = d.Abs()
	switch {
	case d < time.Hour:
		return l.T("age.minutes", "Count", int64(d/time.Minute))
	case d < 24*time.Hour:
		return l.T("age.hours", "Count", int64(d/time.Hour))
	default:
		return l.T("age.days", "Count", int64(d/(24*time.Hour)))
	}
}

// Has reports whether the catalog has a message id that takes no data (a label), in this
// language or English.
func (l *Localizer) Has(id string) bool {
	_, ok := l.plain[id]
	return ok
}

// LanguageName names a language (a BCP 47 tag such as "fr" or "pt-BR") in this language, as
// CLDR does: "French", "فرنسية"; a tag it cannot read comes back as it is.
func (l *Localizer) LanguageName(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return tag
	}
	if name := display.Tags(language.Make(l.info.Tag)).Name(t); name != "" {
		return name
	}
	return tag
}
