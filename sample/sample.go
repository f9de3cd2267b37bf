// Package sample generates realistic, deterministic, entirely fictional
// helpline cases for demos and benchmarks.
//
// Cases are composed from per-language phrase tables (English, French,
// Arabic, Spanish, Portuguese and Russian) and templates with slots for the
// platform, the requester's role, city, dates, defanged URLs and so on. The
// same seed always yields the same sequence of cases. Names are invented
// combinations of common given names and surnames, phone numbers use the
// "+000" prefix, e-mail addresses use only example.org, example.net and
// example.com, and IP addresses come from the documentation ranges.
package sample

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Case is one generated helpline case.
type Case struct {
	Title, Summary string
	Language       string   // BCP 47: "en", "fr", "ar", "es", "pt", "ru"
	Priority       string   // "P1".."P4"
	Category       string   // one of Categories()
	Tags           []string // exactly two lower-case ascii slugs
	Country        string   // ISO 3166-1 alpha-2
	RequesterName  string
	RequesterEmail string
	Notes          []string // 0–3 internal handler notes
}

const (
	catAccount = iota
	catPhishing
	catSpyware
	catHarassment
	catDoxxing
	catImpersonation
	catThreats
	catSelfHarm
	catChildSafety
	catDevice
	catWebsite
	catOther
	numCats
)

var categoryNames = [numCats]string{
	"account-compromise", "phishing", "spyware", "harassment", "doxxing",
	"impersonation", "threats", "self-harm", "child-safety",
	"device-security", "website-attack", "other",
}

// Categories returns the case categories, in a fixed order.
func Categories() []string {
	out := make([]string, numCats)
	copy(out, categoryNames[:])
	return out
}

type subjectKind uint8

const (
	kindPlatform subjectKind = iota
	kindDevice
	kindSite
)

// catDef is the language-independent part of a category: what the case is
// about (its first tag).
type catDef struct {
	kind     subjectKind
	subjects []string
}

var (
	allPlatforms = []string{"gmail", "whatsapp", "facebook", "instagram", "telegram", "signal", "x-twitter", "tiktok", "proton", "outlook"}
	messaging    = []string{"whatsapp", "signal", "telegram"}
	allDevices   = []string{"android", "iphone", "windows", "macos"}
	social       = []string{"facebook", "instagram", "x-twitter", "tiktok", "telegram", "whatsapp"}
)

var catDefs = [numCats]catDef{
	catAccount:       {kindPlatform, allPlatforms},
	catPhishing:      {kindPlatform, []string{"gmail", "outlook", "proton", "facebook", "instagram", "whatsapp", "x-twitter", "telegram"}},
	catSpyware:       {kindDevice, []string{"android", "iphone"}},
	catHarassment:    {kindPlatform, social},
	catDoxxing:       {kindPlatform, []string{"facebook", "x-twitter", "telegram", "tiktok", "instagram"}},
	catImpersonation: {kindPlatform, social},
	catThreats:       {kindPlatform, []string{"whatsapp", "facebook", "x-twitter", "telegram", "instagram", "signal"}},
	catSelfHarm:      {kindPlatform, []string{"instagram", "facebook", "tiktok", "x-twitter", "whatsapp"}},
	catChildSafety:   {kindPlatform, []string{"instagram", "tiktok", "facebook", "whatsapp", "telegram"}},
	catDevice:        {kindDevice, allDevices},
	catWebsite:       {kindSite, []string{"wordpress", "website"}},
	catOther:         {kindPlatform, []string{"gmail", "whatsapp", "signal", "proton", "facebook", "telegram"}},
}

// Display names shared by all languages unless a language overrides them.
var latinNames = map[string]string{
	"gmail": "Gmail", "whatsapp": "WhatsApp", "facebook": "Facebook",
	"instagram": "Instagram", "telegram": "Telegram", "signal": "Signal",
	"x-twitter": "X (Twitter)", "tiktok": "TikTok", "proton": "Proton Mail",
	"outlook": "Outlook",
}

// Category weights (indexed like categoryNames) for each priority, so that
// threats to life dominate P1 and routine questions dominate P4.
var priorityCats = [4][numCats]int{
	// acct phish spy har dox imp thr self child dev web other
	{0, 0, 10, 5, 15, 0, 35, 20, 15, 0, 0, 0}, // P1
	{25, 5, 15, 12, 12, 8, 13, 2, 3, 0, 5, 0}, // P2
	{22, 20, 6, 14, 5, 10, 4, 0, 0, 8, 6, 5},  // P3
	{10, 30, 0, 0, 0, 7, 0, 0, 0, 25, 8, 20},  // P4
}

var priorityNames = [4]string{"P1", "P2", "P3", "P4"}

// role is a requester's role in one language: bare masculine/feminine forms,
// forms with an indefinite article and definite forms (where they differ).
type role struct {
	tag    string
	m, f   string
	am, af string
	dm, df string
}

type topic struct{ tag, text string }

// region is a country with its cities and name pools. Entries are either
// "native" or "native|latin"; Russian cities are "nom|gen|loc".
type region struct {
	code               string
	cities             []string
	male, female, last []string
}

// catText holds a language's phrases for one category. Any phrase may begin
// with "[variant]": it is then used only in cases of that variant, which is
// chosen by the title.
type catText struct {
	titles, openers, details, notes []string
}

type lang struct {
	code     string
	regions  []region
	roles    []role
	topics   []topic
	orgs     []string
	names    map[string]string // display names by subject tag (overrides latinNames)
	defs     map[string]string // definite forms by subject tag (Arabic)
	months   [12]string
	dateSep  string
	cats     [numCats]catText
	urgent   []string // extra sentence for P1 cases
	context  []string // about the requester
	follow   []string // handling, timeline
	short    []string // short fallbacks for padding
	notes    []string // generic notes
	terms    []string
	initials bool                // pseudonyms may use "First L."
	feminize func(string) string // surname feminine form (nil: unchanged)
}

func (l *lang) name(tag string) string {
	if s, ok := l.names[tag]; ok {
		return s
	}
	if s, ok := latinNames[tag]; ok {
		return s
	}
	return tag
}

func (l *lang) def(tag string) string {
	if s, ok := l.defs[tag]; ok {
		return s
	}
	return l.name(tag)
}

// SearchTerms returns query words for benchmarks in the given language;
// every one occurs in generated text of that language. Unknown languages get
// nil.
func SearchTerms(lang string) []string {
	l := langFor(lang)
	if l == nil {
		return nil
	}
	out := make([]string, len(l.terms))
	copy(out, l.terms)
	return out
}

func langFor(code string) *lang {
	switch code {
	case "en":
		return langEN
	case "fr":
		return langFR
	case "ar":
		return langAR
	case "es":
		return langES
	case "pt":
		return langPT
	case "ru":
		return langRU
	}
	return nil
}

var (
	mixAll   = []string{"en", "ar", "fr", "es", "pt", "ru"}
	mixAllW  = []int{30, 20, 15, 15, 10, 10}
	mixBench = []string{"en", "fr", "ar"}
	mixBenW  = []int{40, 30, 30}
)

// Generator produces a deterministic sequence of cases.
type Generator struct {
	r   *rand.Rand
	seq int // e-mail counter, makes addresses unique
}

// New returns a generator; the same seed always yields the same cases.
func New(seed uint64) *Generator {
	return &Generator{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Next returns the next case in any of the six languages (en 30%, ar 20%,
// fr 15%, es 15%, pt 10%, ru 10%). If summaryBytes > 0 the summary is padded
// with further sentences about the same incident until its length in bytes
// is within [summaryBytes, summaryBytes+200]; otherwise it is a natural 2–5
// sentence summary.
func (g *Generator) Next(summaryBytes int) Case {
	return g.gen(langFor(mixAll[pick(g.r, mixAllW)]), summaryBytes)
}

// NextIn is Next restricted to one language ("en", "fr", "ar", "es", "pt" or
// "ru"; anything else is treated as "en").
func (g *Generator) NextIn(lang string, summaryBytes int) Case {
	l := langFor(lang)
	if l == nil {
		l = langEN
	}
	return g.gen(l, summaryBytes)
}

// NextBench is Next with the benchmark language mix: en 40%, fr 30%, ar 30%.
func (g *Generator) NextBench(summaryBytes int) Case {
	return g.gen(langFor(mixBench[pick(g.r, mixBenW)]), summaryBytes)
}

func pick(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func one(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }

// oneOther picks an element of s different from not (s has ≥ 2 elements).
func oneOther(r *rand.Rand, s []string, not string) string {
	for {
		if v := s[r.IntN(len(s))]; v != not {
			return v
		}
	}
}

// splitVariant separates an optional "[variant]" prefix from a phrase.
func splitVariant(t string) (variant, body string) {
	if len(t) > 0 && t[0] == '[' {
		if i := strings.IndexByte(t, ']'); i > 0 {
			return t[1:i], t[i+1:]
		}
	}
	return "", t
}

// eligible appends to dst the phrases of src usable in a case of the given
// variant: the matching variant phrases first, then the general ones, each
// group shuffled.
func eligible(r *rand.Rand, dst, src []string, variant string) []string {
	start := len(dst)
	if variant != "" {
		for _, t := range src {
			if v, _ := splitVariant(t); v == variant {
				dst = append(dst, t)
			}
		}
	}
	mid := len(dst)
	for _, t := range src {
		if v, _ := splitVariant(t); v == "" {
			dst = append(dst, t)
		}
	}
	shuffle(r, dst[start:mid])
	shuffle(r, dst[mid:])
	return dst
}

func shuffle(r *rand.Rand, s []string) {
	for i := len(s) - 1; i > 0; i-- {
		j := r.IntN(i + 1)
		s[i], s[j] = s[j], s[i]
	}
}

// state is everything a template can refer to in one case.
type state struct {
	l        *lang
	r        *rand.Rand
	fem      bool
	childFem bool
	first    string // native script
	fullName string
	role     *role
	topic    *topic
	org      string
	city     string
	platform string // subject tags
	plat2    string
	app      string
	device   string
	site     string
	day      [2]int
	month    [2]int
	hour     int
	minute   int
	age      int
	url      [4]int
	ip       [2]int
	phone    [3]int
}

func (g *Generator) gen(l *lang, n int) Case {
	r := g.r
	s := state{l: l, r: r}

	x := r.IntN(100)
	pri := 3
	switch {
	case x < 3:
		pri = 0
	case x < 23:
		pri = 1
	case x < 73:
		pri = 2
	}
	cat := pick(r, priorityCats[pri][:])
	def := &catDefs[cat]
	txt := &l.cats[cat]

	reg := &l.regions[r.IntN(len(l.regions))]
	s.city = one(r, reg.cities)
	s.fem = r.IntN(100) < 55
	var firstE, lastE string
	if s.fem {
		firstE = one(r, reg.female)
	} else {
		firstE = one(r, reg.male)
	}
	lastE = one(r, reg.last)
	first, firstLat := splitLatin(firstE)
	last, lastLat := splitLatin(lastE)
	if s.fem && l.feminize != nil {
		last = l.feminize(last)
		lastLat = ""
	}
	s.first = first

	var nameB strings.Builder
	var mail []byte
	mail = translit(mail, first, firstLat)
	nameB.WriteString(first)
	switch m := r.IntN(100); {
	case m < 88 || (m < 95 && !l.initials):
		nameB.WriteByte(' ')
		nameB.WriteString(last)
		mail = append(mail, '.')
		mail = translit(mail, last, lastLat)
	case m < 95:
		ini, _ := utf8.DecodeRuneInString(last)
		nameB.WriteByte(' ')
		nameB.WriteRune(ini)
		nameB.WriteByte('.')
		mail = append(mail, '.')
		mail = translit(mail, string(ini), "")
	}
	s.fullName = nameB.String()
	g.seq++
	mail = append(mail, '.')
	mail = strconv.AppendInt(mail, int64(g.seq), 10)
	mail = append(mail, '@')
	mail = append(mail, one(r, emailDomains)...)

	s.role = &l.roles[r.IntN(len(l.roles))]
	s.topic = &l.topics[r.IntN(len(l.topics))]
	s.org = one(r, l.orgs)
	subject := one(r, def.subjects)
	switch def.kind {
	case kindPlatform:
		s.platform = subject
		s.device = one(r, allDevices)
		s.site = "website"
	case kindDevice:
		s.platform = one(r, allPlatforms)
		s.device = subject
		s.site = "website"
	case kindSite:
		s.platform = one(r, allPlatforms)
		s.device = one(r, allDevices)
		s.site = subject
	}
	s.plat2 = oneOther(r, allPlatforms, s.platform)
	s.app = one(r, messaging)
	for i := range s.day {
		s.day[i] = 2 + r.IntN(27)
		s.month[i] = r.IntN(12)
	}
	s.hour, s.minute = r.IntN(24), r.IntN(60)
	s.age = 13 + r.IntN(5)
	s.childFem = r.IntN(2) == 0
	s.url = [4]int{r.IntN(len(urlSubs)), r.IntN(3), r.IntN(len(urlPaths)), 1000 + r.IntN(9000)}
	s.ip = [2]int{r.IntN(3), 2 + r.IntN(250)}
	s.phone = [3]int{10 + r.IntN(90), 100 + r.IntN(900), r.IntN(10000)}

	// Title decides the variant; the rest of the case follows it.
	titleT := one(r, txt.titles)
	variant, titleBody := splitVariant(titleT)
	title := string(s.expand(make([]byte, 0, 128), titleBody))

	var openBuf, detBuf [24]string
	var genBuf [48]string
	opener := splitBody(eligible(r, openBuf[:0], txt.openers, variant)[0])
	details := eligible(r, detBuf[:0], txt.details, variant)

	b := make([]byte, 0, max(n+256, 512))
	add := func(t string) {
		_, t = splitVariant(t)
		mark := len(b)
		if mark > 0 {
			b = append(b, ' ')
		}
		b = s.expand(b, t)
		if n > 0 && len(b) > n+200 {
			b = b[:mark] // would overshoot: leave it out
		}
	}
	add(opener)
	if n > 0 && len(b) == 0 {
		// Only an absurdly small n gets here: cut the opener to fit.
		b = truncate(s.expand(b, opener), n+200)
	}
	urgent := pri == 0 && cat != catSelfHarm && cat != catChildSafety
	if n <= 0 {
		want := 1 + r.IntN(4) // further sentences: 2–5 in all
		if urgent {
			add(one(r, l.urgent))
			want--
		}
		ctxAt := -1
		if want > 0 && r.IntN(100) < 30 {
			ctxAt = r.IntN(want)
		}
		for i, d := 0, 0; i < want; i++ {
			if i == ctxAt {
				add(s.pickContext(opener))
			} else if d < len(details) {
				add(details[d])
				d++
			}
		}
	} else {
		if urgent {
			add(one(r, l.urgent))
		}
		ctx := s.pickContext(opener)
		orgInOpener := strings.Contains(opener, "{org}")
		ctxAt := r.IntN(len(details) + 1)
		for i := 0; i <= len(details) && len(b) < n; i++ {
			if i == ctxAt {
				add(ctx)
			}
			if i < len(details) && len(b) < n {
				add(details[i])
			}
		}
		for round := 0; len(b) < n && round < 3; round++ {
			gen := append(genBuf[:0], l.follow...)
			if round == 0 {
				for _, c := range l.context {
					if c != ctx && !(orgInOpener && strings.Contains(c, "{org}")) {
						gen = append(gen, c)
					}
				}
			}
			shuffle(r, gen)
			for _, t := range gen {
				if len(b) >= n {
					break
				}
				add(t)
			}
		}
		for len(b) < n {
			add(one(r, l.short))
		}
	}

	var notes []string
	if k := pick(r, noteWeights); k > 0 {
		catNotes := eligible(r, openBuf[:0], txt.notes, variant)
		gen := append(genBuf[:0], l.notes...)
		shuffle(r, gen)
		notes = make([]string, 0, k)
		ci, gi := 0, 0
		for len(notes) < k && (ci < len(catNotes) || gi < len(gen)) {
			var t string
			if ci < len(catNotes) && (gi >= len(gen) || r.IntN(100) < 60) {
				t, ci = catNotes[ci], ci+1
			} else {
				t, gi = gen[gi], gi+1
			}
			notes = append(notes, string(s.expand(make([]byte, 0, 128), splitBody(t))))
		}
	}

	tag2 := variant
	if tag2 == "" {
		if r.IntN(100) < 55 {
			tag2 = s.role.tag
		} else {
			tag2 = s.topic.tag
		}
	}

	return Case{
		Title:          title,
		Summary:        string(b),
		Language:       l.code,
		Priority:       priorityNames[pri],
		Category:       categoryNames[cat],
		Tags:           []string{subject, tag2},
		Country:        reg.code,
		RequesterName:  s.fullName,
		RequesterEmail: string(mail),
		Notes:          notes,
	}
}

var noteWeights = []int{20, 40, 30, 10}

var emailDomains = []string{"example.org", "example.net", "example.com"}

func splitBody(t string) string { _, b := splitVariant(t); return b }

// truncate cuts b to at most limit bytes at a word boundary.
func truncate(b []byte, limit int) []byte {
	if len(b) <= limit {
		return b
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(b[cut]) {
		cut--
	}
	if i := strings.LastIndexByte(string(b[:cut]), ' '); i > 0 {
		cut = i
	}
	return b[:cut]
}

func splitLatin(entry string) (native, latin string) {
	native, latin, _ = strings.Cut(entry, "|")
	return native, latin
}

// translit appends an ascii slug of a name: latin if given, otherwise the
// native form with accents folded and Cyrillic transliterated.
func translit(dst []byte, native, latin string) []byte {
	src := latin
	if src == "" {
		src = native
	}
	for _, c := range src {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			dst = append(dst, byte(c))
		case c >= 'A' && c <= 'Z':
			dst = append(dst, byte(c+'a'-'A'))
		case c < 128:
			// spaces, hyphens, apostrophes: dropped
		default:
			lc := unicode.ToLower(c)
			if t, ok := foldTable[lc]; ok {
				dst = append(dst, t...)
			}
		}
	}
	return dst
}

var foldTable = map[rune]string{
	'á': "a", 'à': "a", 'â': "a", 'ã': "a", 'ä': "a", 'é': "e", 'è': "e", 'ê': "e", 'ë': "e",
	'í': "i", 'ì': "i", 'î': "i", 'ï': "i", 'ó': "o", 'ò': "o", 'ô': "o", 'õ': "o", 'ö': "o",
	'ú': "u", 'ù': "u", 'û': "u", 'ü': "u", 'ç': "c", 'ñ': "n", 'ÿ': "y",
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z",
	'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r",
	'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh",
	'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya",
	'ә': "a", 'ғ': "g", 'қ': "q", 'ң': "n", 'ө': "o", 'ұ': "u", 'ү': "u", 'һ': "h", 'і': "i",
}

// feminizeRU gives the feminine form of a Russian/Kazakh/Belarusian surname.
func feminizeRU(s string) string {
	switch {
	case strings.HasSuffix(s, "ский"):
		return strings.TrimSuffix(s, "ий") + "ая"
	case strings.HasSuffix(s, "цкий"):
		return strings.TrimSuffix(s, "ий") + "ая"
	case strings.HasSuffix(s, "ов"), strings.HasSuffix(s, "ев"), strings.HasSuffix(s, "ёв"),
		strings.HasSuffix(s, "ин"), strings.HasSuffix(s, "ын"):
		return s + "а"
	}
	return s
}

var (
	urlSubs  = []string{"login-secure", "account-verify", "secure-mail", "drive-share", "support-center", "wa-verify", "recovery-portal", "auth-check", "docs-view", "id-confirm", "meta-appeal", "mail-update"}
	urlTLDs  = []string{"com", "net", "org"}
	urlPaths = []string{"signin", "verify", "session/renew", "auth", "appeal", "doc/view", "reset", "confirm"}
	ipNets   = []string{"203.0.113", "198.51.100", "192.0.2"}
)

// expand appends template t to dst with its {slots} filled in. A slot whose
// name starts with an upper-case letter is capitalised; {g:masc|fem} picks by
// the requester's gender and {c:masc|fem} by the gender of the requester's
// child (child-safety cases).
func (s *state) expand(dst []byte, t string) []byte {
	for {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			return append(dst, t...)
		}
		dst = append(dst, t[:i]...)
		t = t[i+1:]
		j := strings.IndexByte(t, '}')
		if j < 0 {
			return append(dst, t...)
		}
		dst = s.slot(dst, t[:j])
		t = t[j+1:]
	}
}

func (s *state) slot(dst []byte, name string) []byte {
	if len(name) > 2 && name[1] == ':' && (name[0] == 'g' || name[0] == 'c') {
		m, f, _ := strings.Cut(name[2:], "|")
		if (name[0] == 'g' && s.fem) || (name[0] == 'c' && s.childFem) {
			return append(dst, f...)
		}
		return append(dst, m...)
	}
	capital := name[0] >= 'A' && name[0] <= 'Z'
	if capital {
		name = lowerFirst(name)
	}
	start := len(dst)
	l := s.l
	switch name {
	case "platform":
		dst = append(dst, l.name(s.platform)...)
	case "platform.al":
		dst = append(dst, l.def(s.platform)...)
	case "platform2":
		dst = append(dst, l.name(s.plat2)...)
	case "platform2.al":
		dst = append(dst, l.def(s.plat2)...)
	case "app":
		dst = append(dst, l.name(s.app)...)
	case "app.al":
		dst = append(dst, l.def(s.app)...)
	case "device":
		dst = append(dst, l.name(s.device)...)
	case "site":
		dst = append(dst, l.name(s.site)...)
	case "role":
		dst = append(dst, s.gender(s.role.m, s.role.f)...)
	case "a.role":
		dst = append(dst, s.gender(or(s.role.am, s.role.m), or(s.role.af, s.role.f))...)
	case "role.al":
		dst = append(dst, s.gender(or(s.role.dm, s.role.m), or(s.role.df, s.role.f))...)
	case "topic":
		dst = append(dst, s.topic.text...)
	case "org":
		dst = append(dst, s.org...)
	case "city":
		dst = append(dst, field(s.city, 0)...)
	case "city.gen":
		dst = append(dst, field(s.city, 1)...)
	case "city.loc":
		dst = append(dst, field(s.city, 2)...)
	case "first":
		dst = append(dst, s.first...)
	case "name":
		dst = append(dst, s.fullName...)
	case "date":
		dst = s.date(dst, 0)
	case "date2": // a fresh later date each time: follow-ups, reviews
		s.day[1], s.month[1] = 2+s.r.IntN(27), s.r.IntN(12)
		dst = s.date(dst, 1)
	case "time":
		dst = appendPad(dst, s.hour)
		dst = append(dst, ':')
		dst = appendPad(dst, s.minute)
	case "n":
		dst = strconv.AppendInt(dst, int64(5+s.r.IntN(5)), 10)
	case "count":
		c := 20 + 10*s.r.IntN(48)
		for c%100 == 0 || c%100 == 10 {
			c += 20
		}
		dst = strconv.AppendInt(dst, int64(c), 10)
	case "age":
		dst = strconv.AppendInt(dst, int64(s.age), 10)
	case "url":
		dst = append(dst, "hxxps://"...)
		dst = append(dst, urlSubs[s.url[0]]...)
		dst = append(dst, "[.]example[.]"...)
		dst = append(dst, urlTLDs[s.url[1]]...)
		dst = append(dst, '/')
		dst = append(dst, urlPaths[s.url[2]]...)
		dst = append(dst, "?id="...)
		dst = strconv.AppendInt(dst, int64(s.url[3]), 10)
	case "ip":
		dst = append(dst, ipNets[s.ip[0]]...)
		dst = append(dst, "[.]"...)
		dst = strconv.AppendInt(dst, int64(s.ip[1]), 10)
	case "phone":
		dst = append(dst, "+000 "...)
		dst = strconv.AppendInt(dst, int64(s.phone[0]), 10)
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, int64(s.phone[1]), 10)
		dst = append(dst, ' ')
		dst = appendPad4(dst, s.phone[2])
	default:
		dst = append(dst, name...)
	}
	if capital && len(dst) > start {
		dst = capitalize(dst, start)
	}
	return dst
}

// pickContext picks a sentence about the requester that does not repeat the
// organisation already named in the opener.
func (s *state) pickContext(opener string) string {
	avoidOrg := strings.Contains(opener, "{org}")
	for {
		c := one(s.r, s.l.context)
		if !avoidOrg || !strings.Contains(c, "{org}") {
			return c
		}
	}
}

func (s *state) gender(m, f string) string {
	if s.fem {
		return f
	}
	return m
}

func (s *state) date(dst []byte, i int) []byte {
	dst = strconv.AppendInt(dst, int64(s.day[i]), 10)
	dst = append(dst, s.l.dateSep...)
	return append(dst, s.l.months[s.month[i]]...)
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// field returns the i-th "|"-separated form of s, or the first if absent.
func field(s string, i int) string {
	first, rest, ok := strings.Cut(s, "|")
	if i == 0 || !ok {
		return first
	}
	for ; i > 1; i-- {
		if _, rest, ok = strings.Cut(rest, "|"); !ok {
			return first
		}
	}
	f, _, _ := strings.Cut(rest, "|")
	return f
}

func lowerFirst(name string) string {
	switch name {
	case "Platform":
		return "platform"
	case "Device":
		return "device"
	case "Site":
		return "site"
	case "Role":
		return "role"
	case "A.role":
		return "a.role"
	case "App":
		return "app"
	case "City":
		return "city"
	case "Topic":
		return "topic"
	case "Org":
		return "org"
	}
	return strings.ToLower(name[:1]) + name[1:]
}

// capitalize upper-cases the first rune of dst[start:], leaving brand names
// such as "iPhone" alone.
func capitalize(dst []byte, start int) []byte {
	if len(dst) > start+1 && dst[start+1] >= 'A' && dst[start+1] <= 'Z' {
		return dst
	}
	c, size := utf8.DecodeRune(dst[start:])
	u := unicode.ToUpper(c)
	if u == c {
		return dst
	}
	if utf8.RuneLen(u) == size {
		utf8.EncodeRune(dst[start:], u)
		return dst
	}
	rest := string(dst[start+size:])
	dst = utf8.AppendRune(dst[:start], u)
	return append(dst, rest...)
}

func appendPad(dst []byte, v int) []byte {
	if v < 10 {
		dst = append(dst, '0')
	}
	return strconv.AppendInt(dst, int64(v), 10)
}

func appendPad4(dst []byte, v int) []byte {
	for d := 1000; d > 1 && v < d; d /= 10 {
		dst = append(dst, '0')
	}
	return strconv.AppendInt(dst, int64(v), 10)
}
