package indicator

import (
	"strings"
	"unicode"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// DefaultBrands are the names whose look-alikes phishers register most against the people a
// helpline serves.
var DefaultBrands = []string{"google", "gmail", "youtube", "facebook", "instagram", "whatsapp", "meta",
	"apple", "icloud", "microsoft", "outlook", "office", "live", "paypal", "twitter", "telegram",
	"signal", "proton", "protonmail", "yahoo", "amazon", "linkedin", "tiktok", "dropbox", "netflix"}

var lookup = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.Transitional(false))

// hostDomain reads a bare host name out of a token ("evil.example/login", "evil.example:8080").
func hostDomain(tok string) (string, bool) {
	if i := strings.IndexAny(tok, "/?#"); i >= 0 {
		tok = tok[:i]
	}
	if i := strings.LastIndexByte(tok, ':'); i >= 0 {
		tok = tok[:i]
	}
	if !strings.Contains(tok, ".") && !strings.ContainsAny(tok, "。．｡") {
		return "", false
	}
	return normalDomain(tok)
}

// normalDomain returns a host name in lower-case punycode when it is a name under a real public
// suffix (so "report.pdf" or "v1.2" are not domains), with at least one label of its own.
func normalDomain(host string) (string, bool) {
	if len(host) > 253 || host == "" {
		return "", false
	}
	d, err := lookup.ToASCII(strings.TrimSuffix(strings.ToLower(host), "."))
	if err != nil || !strings.Contains(d, ".") {
		return "", false
	}
	for _, label := range strings.Split(d, ".") {
		if !validLabel(label) {
			return "", false
		}
	}
	suffix, icann := publicsuffix.PublicSuffix(d)
	if !icann || suffix == d {
		return "", false
	}
	return d, true
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// describe makes a domain's observable: its Unicode form when it is an IDN, and flags for a
// name mixing scripts or looking like a known brand without being it.
func (e *Extractor) describe(d string) Observable {
	o := Observable{Type: Domain, Value: d}
	u, err := idna.ToUnicode(d)
	if err == nil && u != d {
		o.Unicode = u
	} else {
		u = d
	}
	registrable, err := publicsuffix.EffectiveTLDPlusOne(u)
	if err != nil {
		registrable = u
	}
	name, _, _ := strings.Cut(registrable, ".")
	if mixedScripts(name) {
		o.Flags = append(o.Flags, "mixed-script")
	}
	if b := e.lookAlike(name); b != "" {
		o.Flags = append(o.Flags, "look-alike:"+b)
	}
	return o
}

// lookAlike names the brand a registrable name imitates: the same once confusable characters are
// folded ("pаypal" with a Cyrillic а, "paypa1", "rnicrosoft"), or the brand with decoration
// ("paypal-secure", "login-facebook"). The brand's own name is not a look-alike.
func (e *Extractor) lookAlike(name string) string {
	if e.brands[name] {
		return ""
	}
	skeleton := confusableSkeleton(name)
	if e.brands[skeleton] {
		return skeleton
	}
	for _, part := range strings.FieldsFunc(skeleton, func(r rune) bool { return r == '-' || r == '_' }) {
		if e.brands[part] && part != skeleton {
			return part
		}
	}
	return ""
}

// confusables folds characters that read as Latin letters onto them (Cyrillic, Greek, digits).
var confusables = strings.NewReplacer(
	"а", "a", "е", "e", "о", "o", "р", "p", "с", "c", "у", "y", "х", "x", "і", "i", "ј", "j", "ѕ", "s",
	"ԁ", "d", "ɡ", "g", "һ", "h", "ӏ", "l", "ո", "n", "ԛ", "q", "ԝ", "w", "ν", "v", "ο", "o", "α", "a",
	"ε", "e", "ι", "i", "κ", "k", "ρ", "p", "τ", "t", "υ", "u", "χ", "x", "0", "o", "1", "l", "3", "e",
	"5", "s", "rn", "m", "vv", "w", "ı", "i", "ł", "l", "ø", "o", "é", "e", "è", "e", "á", "a", "à", "a",
	"í", "i", "ó", "o", "ú", "u", "ç", "c", "ñ", "n",
)

func confusableSkeleton(name string) string { return confusables.Replace(strings.ToLower(name)) }

// scripts are the writing systems a mixed-script name is caught mixing.
var scripts = []*unicode.RangeTable{unicode.Latin, unicode.Cyrillic, unicode.Greek, unicode.Arabic,
	unicode.Hebrew, unicode.Armenian, unicode.Georgian, unicode.Han, unicode.Hangul, unicode.Thai, unicode.Devanagari}

// mixedScripts says whether a name's letters come from more than one script: "pаypal" with a
// Cyrillic а is, "пример" or "مثال" are not.
func mixedScripts(name string) bool {
	first := -1
	for _, r := range name {
		if !unicode.IsLetter(r) {
			continue
		}
		for i, s := range scripts {
			if unicode.Is(s, r) {
				if first >= 0 && first != i {
					return true
				}
				first = i
				break
			}
		}
	}
	return false
}
