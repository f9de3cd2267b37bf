package share

import (
	"reflect"
	"strings"
	"testing"
)

func TestReadPattern(t *testing.T) {
	cases := []struct {
		pattern string
		want    []term
		skipped int
	}{
		{`[domain-name:value = 'evil.com']`, []term{{"domain-name", "value", "evil.com"}}, 0},
		{`[url:value='https://x.com/a?b=1']`, []term{{"url", "value", "https://x.com/a?b=1"}}, 0},
		{`[url:value = 'https://x.com/it\'s\\here']`, []term{{"url", "value", `https://x.com/it's\here`}}, 0},
		{`[file:hashes.'SHA-256' = 'ab']`, []term{{"file", "hashes.SHA-256", "ab"}}, 0},
		{`[file:hashes.MD5 = 'cd']`, []term{{"file", "hashes.MD5", "cd"}}, 0},
		{`[ipv4-addr:value = '198.51.100.1' OR ipv6-addr:value = '2001:db8::1']`,
			[]term{{"ipv4-addr", "value", "198.51.100.1"}, {"ipv6-addr", "value", "2001:db8::1"}}, 0},
		{`[domain-name:value = 'a.com'] OR [domain-name:value = 'b.com']`,
			[]term{{"domain-name", "value", "a.com"}, {"domain-name", "value", "b.com"}}, 0},
		{`([email-addr:value = 'a@b.com'] OR ([url:value = 'http://c.com/']))`,
			[]term{{"email-addr", "value", "a@b.com"}, {"url", "value", "http://c.com/"}}, 0},
		{`[(domain-name:value = 'a.com' OR domain-name:value = 'b.com')]`,
			[]term{{"domain-name", "value", "a.com"}, {"domain-name", "value", "b.com"}}, 0},
		{`[user-account:account_login = 'fake' AND user-account:account_type = 'telegram']`,
			[]term{{"user-account", "handle", "telegram/fake"}}, 0},
		// Not single values: counted, never an error.
		{`[domain-name:value = 'a.com' AND domain-name:value = 'b.com']`, nil, 1},
		{`[file:name = 'x.exe' AND file:size > 10]`, nil, 1},
		{`[domain-name:value != 'a.com']`, nil, 1},
		{`[domain-name:value NOT = 'a.com']`, nil, 1},
		{`[domain-name:value LIKE '%.evil.com']`, nil, 1},
		{`[domain-name:value IN ('a.com', 'b.com')]`, nil, 1},
		{`[ipv4-addr:value = '198.51.100.1'] WITHIN 300 SECONDS`, nil, 1},
		{`[ipv4-addr:value = '198.51.100.1'] REPEATS 5 TIMES`, nil, 1},
		{`[domain-name:value = 'a.com'] FOLLOWEDBY [url:value = 'http://a.com/']`, nil, 1},
		{`[domain-name:value = 'a.com'] AND [url:value = 'http://a.com/']`, nil, 1},
		{`[domain-name:value = 'a.com' OR file:size > 10]`, []term{{"domain-name", "value", "a.com"}}, 1},
		{`[artifact:payload_bin = b'aGk=']`, nil, 1},
		{`[network-traffic:start = t'2020-01-01T00:00:00Z']`, nil, 1},
		// Broken patterns.
		{``, nil, 1},
		{`[domain-name:value = 'a.com'`, nil, 1},
		{`[domain-name:value = 'a.com]`, nil, 1},
		{`[domain-name:value = 'bad \escape']`, nil, 1},
		{`domain-name:value = 'a.com'`, nil, 1},
		{`[domain-name:value = 'a.com']]`, nil, 1},
		{strings.Repeat("(", 1000) + `[domain-name:value = 'a.com']` + strings.Repeat(")", 1000), nil, 1},
		{`[` + strings.Repeat("(", 1000) + `domain-name:value = 'a.com'` + strings.Repeat(")", 1000) + `]`, nil, 1},
	}
	for _, c := range cases {
		got, skipped := readPattern(c.pattern)
		if !reflect.DeepEqual(got, c.want) || skipped != c.skipped {
			t.Errorf("readPattern(%.60q) = %v, %d skipped; want %v, %d", c.pattern, got, skipped, c.want, c.skipped)
		}
	}
}

// TestPatternRoundTrip: every pattern the indicator package writes reads back to its value.
func TestPatternRoundTrip(t *testing.T) {
	for _, in := range sampleExport().Indicators {
		s, ok := in.Observable.STIX()
		if !ok {
			continue
		}
		terms, skipped := readPattern(s.Pattern)
		if skipped != 0 || len(terms) != 1 {
			t.Errorf("%s: %v, %d skipped", s.Pattern, terms, skipped)
			continue
		}
		obs, ok := observe(terms[0])
		if !ok || obs.Type != in.Observable.Type || obs.Value != in.Observable.Value {
			t.Errorf("%s read back as %+v", s.Pattern, obs)
		}
	}
}
