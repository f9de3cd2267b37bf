package indicator

import (
	"crypto/sha1" //nolint:gosec // UUIDv5 is defined over SHA-1; nothing here relies on its strength
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// scoNamespace is the namespace STIX 2.1 (§2.9) fixes for the UUIDv5 of cyber-observable objects.
var scoNamespace = [16]byte{0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c, 0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7}

// SCO is an observable as a STIX 2.1 cyber-observable object: its type, its deterministic id
// and its properties, with the indicator pattern that matches it.
type SCO struct {
	Type       string
	ID         string
	Properties map[string]any // besides type, spec_version and id
	Pattern    string
}

// STIX maps an observable onto STIX 2.1; ok is false for kinds STIX has no object for (phone numbers).
func (o Observable) STIX() (SCO, bool) {
	var s SCO
	switch o.Type {
	case Domain:
		s = valueSCO("domain-name", o.Value)
	case URL:
		s = valueSCO("url", o.Value)
	case Email:
		s = valueSCO("email-addr", o.Value)
	case IP:
		a, err := netip.ParseAddr(o.Value)
		if err != nil {
			return SCO{}, false
		}
		typ := "ipv6-addr"
		if a.Is4() {
			typ = "ipv4-addr"
		}
		s = valueSCO(typ, o.Value)
	case MD5, SHA1, SHA256:
		algo := map[Type]string{MD5: "MD5", SHA1: "SHA-1", SHA256: "SHA-256"}[o.Type]
		s = SCO{Type: "file", Properties: map[string]any{"hashes": map[string]any{algo: o.Value}},
			Pattern: "[file:hashes." + patternKey(algo) + " = " + patternString(o.Value) + "]"}
	case Filename:
		s = SCO{Type: "file", Properties: map[string]any{"name": o.Value}, Pattern: "[file:name = " + patternString(o.Value) + "]"}
	case Handle:
		platform, login, _ := strings.Cut(o.Value, "/")
		s = SCO{Type: "user-account", Properties: map[string]any{"account_login": login, "account_type": platform},
			Pattern: "[user-account:account_login = " + patternString(login) + " AND user-account:account_type = " + patternString(platform) + "]"}
	default:
		return SCO{}, false
	}
	s.ID = s.Type + "--" + uuid5(canonicalJSON(s.Properties))
	return s, true
}

func valueSCO(typ, value string) SCO {
	return SCO{Type: typ, Properties: map[string]any{"value": value},
		Pattern: "[" + typ + ":value = " + patternString(value) + "]"}
}

// patternString quotes a value as a STIX pattern string literal: single quotes, with quotes and
// backslashes escaped.
func patternString(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// patternKey writes a dictionary key of a pattern's object path, quoted when it is not a plain name.
func patternKey(k string) string {
	if strings.ContainsFunc(k, func(r rune) bool {
		return !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	}) {
		return patternString(k)
	}
	return k
}

// uuid5 is the name-based UUID of name in the STIX observable namespace.
func uuid5(name string) string { return UUID5(scoNamespace, name) }

// UUID5 is the name-based UUID (RFC 9562, version 5) of name in namespace.
func UUID5(namespace [16]byte, name string) string {
	h := sha1.New() //nolint:gosec // see the import
	h.Write(namespace[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// canonicalJSON writes the JSON Canonicalization Scheme (RFC 8785) form of the id-contributing
// properties: keys sorted, no white space, strings escaped minimally. Values here are strings
// and objects of strings only.
func canonicalJSON(v any) string {
	var b strings.Builder
	writeCanonical(&b, v)
	return b.String()
}

func writeCanonical(b *strings.Builder, v any) {
	switch x := v.(type) {
	case string:
		writeCanonicalString(b, x)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, compareUTF16)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeCanonicalString(b, k)
			b.WriteByte(':')
			writeCanonical(b, x[k])
		}
		b.WriteByte('}')
	default:
		panic(fmt.Sprintf("canonicalJSON: unsupported %T", v)) // a programming error: only Haven's own maps come here
	}
}

func writeCanonicalString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			if e, ok := map[rune]string{'\b': `\b`, '\f': `\f`, '\n': `\n`, '\r': `\r`, '\t': `\t`}[r]; ok {
				b.WriteString(e)
			} else {
				b.WriteString(`\u00` + strconv.FormatInt(int64(r)>>4, 16) + strconv.FormatInt(int64(r)&0xf, 16))
			}
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`) // invalid UTF-8 cannot be canonical; the replacement character stands for it
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

// compareUTF16 orders keys by their UTF-16 code units, as RFC 8785 requires.
func compareUTF16(a, b string) int {
	ua, ub := utf16Units(a), utf16Units(b)
	return slices.Compare(ua, ub)
}

func utf16Units(s string) []uint16 {
	var out []uint16
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			out = append(out, uint16(0xd800+(r>>10)), uint16(0xdc00+(r&0x3ff)))
			continue
		}
		out = append(out, uint16(r))
	}
	return out
}
