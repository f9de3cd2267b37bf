package share

import (
	"net/netip"
	"net/url"
	"strings"

	"github.com/haven-helpline/haven/indicator"
)

// extractor normalises imported values exactly as Haven normalises what it finds in messages
// (domains in lower-case punycode, defanged forms refanged, phone numbers in E.164), so that a
// partner's indicator matches Haven's own. No allow-list: a partner's value is never dropped for
// being on this helpline's list.
var extractor = indicator.New(indicator.Options{})

// maxValue bounds an imported value; longer ones are not indicators a helpline matches.
const maxValue = 4096

// normalise reads value as an observable of type t, or reports that it is not one.
func normalise(t indicator.Type, value string) (indicator.Observable, bool) {
	if value == "" || len(value) > maxValue {
		return indicator.Observable{}, false
	}
	switch t {
	case indicator.Handle:
		return normaliseHandle(value)
	case indicator.Filename:
		return normaliseFilename(value)
	case indicator.URL:
		if o, ok := normaliseURL(value); ok {
			return o, true
		}
	}
	for _, o := range extractor.Text(value) {
		if o.Type == t {
			return o, true
		}
	}
	return indicator.Observable{}, false
}

// normaliseFilename keeps a file name as it is, without surrounding space; a name with control
// characters or path separators is not one Haven would have recorded.
func normaliseFilename(value string) (indicator.Observable, bool) {
	name := strings.TrimSpace(value)
	if name == "" || strings.ContainsAny(name, "/\\") || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return indicator.Observable{}, false
	}
	return indicator.Observable{Type: indicator.Filename, Value: name}, true
}

// normaliseURL normalises a URL as the extractor does (scheme and host in lower case, the host
// in punycode), but whole: the extractor reads text, where a quote ends a URL, while a feed's URL
// value may hold quotes and spaces in its query.
func normaliseURL(value string) (indicator.Observable, bool) {
	u, err := url.Parse(strings.TrimSpace(indicator.Refang(value)))
	if err != nil || u.Host == "" || u.User != nil {
		return indicator.Observable{}, false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" && scheme != "ftp" {
		return indicator.Observable{}, false
	}
	host := u.Hostname()
	if _, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		u.Scheme = scheme
		return indicator.Observable{Type: indicator.URL, Value: u.String()}, true
	}
	d, ok := normalise(indicator.Domain, host)
	if !ok {
		return indicator.Observable{}, false
	}
	port := u.Port()
	u.Scheme, u.Host = scheme, d.Value
	if port != "" {
		u.Host = d.Value + ":" + port
	}
	return indicator.Observable{Type: indicator.URL, Value: u.String(), Unicode: d.Unicode, Flags: d.Flags}, true
}

// normaliseHandle reads "platform/login" the way the indicator package writes accounts.
func normaliseHandle(v string) (indicator.Observable, bool) {
	platform, login, ok := strings.Cut(strings.ToLower(strings.TrimSpace(v)), "/")
	login = strings.TrimPrefix(login, "@")
	if !ok || platform == "" || login == "" || len(login) > 100 || strings.ContainsAny(login, "/?#% \t\n") ||
		strings.ContainsAny(platform, " \t\n") {
		return indicator.Observable{}, false
	}
	return indicator.Observable{Type: indicator.Handle, Value: platform + "/" + login}, true
}

// termType maps an understood pattern comparison, or a cyber-observable property, onto the
// observable type it names.
func termType(objectType, path string) (indicator.Type, bool) {
	switch {
	case path == "value":
		t, ok := map[string]indicator.Type{"domain-name": indicator.Domain, "url": indicator.URL,
			"ipv4-addr": indicator.IP, "ipv6-addr": indicator.IP, "email-addr": indicator.Email}[objectType]
		return t, ok
	case objectType == "file" && path == "name":
		return indicator.Filename, true
	case objectType == "file" && strings.HasPrefix(path, "hashes."):
		return hashType(strings.TrimPrefix(path, "hashes."))
	case objectType == "user-account" && path == "handle":
		return indicator.Handle, true
	}
	return "", false
}

// hashType reads a hash algorithm name as STIX writes it ("SHA-256") or as feeds often do
// ("SHA256", "sha-1").
func hashType(algo string) (indicator.Type, bool) {
	a := strings.NewReplacer("-", "", "_", "").Replace(strings.ToUpper(algo))
	t, ok := map[string]indicator.Type{"MD5": indicator.MD5, "SHA1": indicator.SHA1, "SHA256": indicator.SHA256}[a]
	return t, ok
}
