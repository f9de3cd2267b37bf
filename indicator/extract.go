package indicator

import (
	"net/netip"
	"net/url"
	"strings"
	"unicode"
)

// Type is an observable's kind, named as MISP names attribute types.
type Type string

// The observable types the extractor finds.
const (
	URL    Type = "url"
	Domain Type = "domain"
	IP     Type = "ip-dst"
	Email  Type = "email"
	Phone  Type = "phone-number"
	MD5    Type = "md5"
	SHA1   Type = "sha1"
	SHA256 Type = "sha256"
)

// Observable is one value found: normalised (domains in punycode, lower case; phone numbers in
// E.164), with the Unicode form of an internationalised domain and what looked suspicious.
type Observable struct {
	Type    Type     `json:"type"`
	Value   string   `json:"value"`
	Unicode string   `json:"unicode,omitempty"` // the domain as people read it, when it is an IDN
	Flags   []string `json:"flags,omitempty"`   // "mixed-script", "look-alike:paypal"
}

// Options tune an Extractor.
type Options struct {
	Allow   []string // domains (and their subdomains) that are never observables: the helpline's own, big webmail providers, the platforms
	Exclude []string // values never returned: the requester's own addresses and numbers
	Region  string   // ISO country for phone numbers written without a country code ("" : only international numbers)
	Brands  []string // names whose look-alikes are flagged (DefaultBrands when nil)
}

// Extractor finds observables; it is safe for concurrent use.
type Extractor struct {
	allow   []string
	exclude map[string]bool
	region  string
	brands  map[string]bool
}

// New builds an Extractor.
func New(o Options) *Extractor {
	e := &Extractor{exclude: map[string]bool{}, region: strings.ToUpper(o.Region), brands: map[string]bool{}}
	for _, a := range o.Allow {
		if d, ok := normalDomain(a); ok {
			e.allow = append(e.allow, d)
		}
	}
	for _, x := range o.Exclude {
		for _, ob := range (&Extractor{region: e.region}).Text(x) {
			e.exclude[ob.Value] = true
		}
	}
	brands := o.Brands
	if brands == nil {
		brands = DefaultBrands
	}
	for _, b := range brands {
		e.brands[strings.ToLower(b)] = true
	}
	return e
}

// found collects observables once each, in the order first seen.
type found struct {
	e    *Extractor
	seen map[string]bool
	out  []Observable
}

func (f *found) add(o Observable) {
	key := string(o.Type) + "\x00" + o.Value
	if f.seen[key] || f.e.exclude[o.Value] {
		return
	}
	f.seen[key] = true
	f.out = append(f.out, o)
}

// Text finds the observables in plain text.
func (e *Extractor) Text(s string) []Observable {
	f := &found{e: e, seen: map[string]bool{}}
	f.text(s)
	return f.out
}

func (f *found) text(s string) {
	s = Refang(s)
	for _, tok := range strings.FieldsFunc(s, isSeparator) {
		if f.ip(strings.Trim(tok, trailingJunkButColon)) { // an IPv6 address may start or end in "::"
			continue
		}
		f.token(strings.TrimRight(strings.TrimLeft(tok, leadingJunk), trailingJunk))
	}
	f.phones(s)
}

const (
	leadingJunk  = ".,:;!?*'\"«“‘¡¿-["
	trailingJunk = ".,:;!?*'\"»”’…-]"
	// trailingJunkButColon is trailingJunk without the colon.
	trailingJunkButColon = ".,;!?*'\"»”’…-]"
)

// isSeparator ends a token: white space, parentheses, braces and quotes (a URL is rarely written
// with them, and prose wraps links in them), and Arabic punctuation. Square brackets are kept for
// IPv6 literals in URLs (https://[2001:db8::1]/) and trimmed from a token's ends instead.
func isSeparator(r rune) bool {
	if unicode.IsSpace(r) {
		return true
	}
	return strings.ContainsRune("<>\"'`(){}|\\^«»“”‘’،؛", r)
}

// token classifies one whitespace-separated word.
func (f *found) token(tok string) {
	switch {
	case tok == "":
	case strings.Contains(tok, "://"):
		f.url(tok)
	case strings.HasPrefix(strings.ToLower(tok), "mailto:"):
		f.email(tok[len("mailto:"):])
	case strings.Contains(tok, "@"):
		f.email(tok)
	default:
		if f.hash(tok) || f.ip(tok) {
			return
		}
		if d, ok := hostDomain(tok); ok {
			f.domain(d)
		}
	}
}

// url records a URL and its host (a domain or an IP address), unless the host is allowed.
func (f *found) url(raw string) {
	i := strings.Index(raw, "://")
	// The scheme is the run of letters before "://" ("see:https://…" starts at https); bytes, not
	// runes, so that invalid UTF-8 before it cannot shift the cut.
	j := i
	for j > 0 && ('a' <= raw[j-1]|0x20 && raw[j-1]|0x20 <= 'z') {
		j--
	}
	scheme := strings.ToLower(raw[j:i])
	raw = raw[j:]
	if scheme != "http" && scheme != "https" && scheme != "ftp" {
		return
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return
	}
	host := u.Hostname()
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		f.add(Observable{Type: URL, Value: raw})
		f.add(Observable{Type: IP, Value: a.String()})
		return
	}
	d, ok := normalDomain(host)
	if !ok {
		return
	}
	if h := handle(u, d); h != "" { // an impersonating account matters even on an allowed platform
		f.add(Observable{Type: Handle, Value: h})
	}
	if f.e.allowed(d) {
		return
	}
	u.Scheme, u.Host = scheme, d
	if p := u.Port(); p != "" {
		u.Host = d + ":" + p
	}
	o := f.e.describe(d)
	f.add(Observable{Type: URL, Value: u.String(), Unicode: o.Unicode, Flags: o.Flags})
	f.add(o)
}

// email records an address and its domain (the domain only if not allowed: mail from a webmail
// provider names the sender, not the provider).
func (f *found) email(tok string) {
	local, host, ok := strings.Cut(tok, "@")
	if !ok || local == "" || strings.ContainsAny(local, "@/:") || len(local) > 64 {
		return
	}
	d, ok := hostDomain(host)
	if !ok {
		return
	}
	o := f.e.describe(d)
	f.add(Observable{Type: Email, Value: strings.ToLower(local) + "@" + d, Unicode: unicodeEmail(local, o.Unicode), Flags: o.Flags})
	if !f.e.allowed(d) {
		f.add(o)
	}
}

func unicodeEmail(local, unicodeDomain string) string {
	if unicodeDomain == "" {
		return ""
	}
	return strings.ToLower(local) + "@" + unicodeDomain
}

func (f *found) domain(d string) {
	if !f.e.allowed(d) {
		f.add(f.e.describe(d))
	}
}

// ip records an IPv4 or IPv6 address, with an optional port (192.0.2.1:8443) or zone (fe80::1%eth0).
func (f *found) ip(tok string) bool {
	if !mayBeIP(tok) {
		return false
	}
	a, err := netip.ParseAddr(tok)
	if err != nil {
		ap, err2 := netip.ParseAddrPort(tok)
		if err2 != nil {
			return false
		}
		a = ap.Addr()
	}
	if a.Is4() && strings.Count(tok, ".") != 3 {
		return false
	}
	a = a.WithZone("") // fe80::1%eth0 names the interface of the machine that wrote it
	if a.IsUnspecified() || a.IsLoopback() {
		return true // an address, but never an indicator
	}
	f.add(Observable{Type: IP, Value: a.String()})
	return true
}

// hash records a hexadecimal MD5, SHA-1 or SHA-256 value, alone or after a label ("sha256:…").
func (f *found) hash(tok string) bool {
	if i := strings.LastIndexAny(tok, ":="); i >= 0 {
		tok = tok[i+1:]
	}
	var t Type
	switch len(tok) {
	case 32:
		t = MD5
	case 40:
		t = SHA1
	case 64:
		t = SHA256
	default:
		return false
	}
	if !isHex(tok) {
		return false
	}
	f.add(Observable{Type: t, Value: strings.ToLower(tok)})
	return true
}

// mayBeIP is a cheap first look: an address starts with a hex digit or a colon and holds a dot
// or a colon; most words fail it without the cost of a parse error.
func mayBeIP(tok string) bool {
	if tok == "" || !(isDigit(tok[0]) || tok[0] == ':' || 'a' <= tok[0] && tok[0] <= 'f' || 'A' <= tok[0] && tok[0] <= 'F') {
		return false
	}
	return strings.ContainsAny(tok, ".:")
}

func isHex(s string) bool {
	digits, letters := 0, 0
	for _, r := range s {
		switch {
		case '0' <= r && r <= '9':
			digits++
		case 'a' <= r && r <= 'f', 'A' <= r && r <= 'F':
			letters++
		default:
			return false
		}
	}
	return digits > 0 && letters > 0 // a row of zeros or a word is not a hash
}

func (e *Extractor) allowed(d string) bool {
	for _, a := range e.allow {
		if d == a || strings.HasSuffix(d, "."+a) {
			return true
		}
	}
	return false
}
