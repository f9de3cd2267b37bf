package share

import (
	"testing"

	"github.com/haven-helpline/haven/indicator"
)

func TestNormalise(t *testing.T) {
	cases := []struct {
		typ   indicator.Type
		in    string
		want  string
		valid bool
	}{
		{indicator.Domain, "Evil.COM", "evil.com", true},
		{indicator.Domain, "пример-банк.рф", "xn----8sbcooqjmlkd.xn--p1ai", true}, // Python: "пример-банк.рф".encode("idna")
		{indicator.Domain, "evil[.]com", "evil.com", true},
		{indicator.Domain, "not a domain", "", false},
		{indicator.Domain, "report.pdf", "", false},
		{indicator.URL, "HXXPS://Evil.COM:8443/a?b='c d'", "https://evil.com:8443/a?b='c d'", true},
		{indicator.URL, "https://пример-банк.рф/вход", "https://xn----8sbcooqjmlkd.xn--p1ai/%D0%B2%D1%85%D0%BE%D0%B4", true},
		{indicator.URL, "http://[2001:db8::1]/x", "http://[2001:db8::1]/x", true},
		{indicator.URL, "javascript:alert(1)", "", false},
		{indicator.IP, "198.51.100.7", "198.51.100.7", true},
		{indicator.IP, "2001:DB8::0:1", "2001:db8::1", true},
		{indicator.IP, "198.51.100.0/24", "", false},
		{indicator.IP, "127.0.0.1", "", false},
		{indicator.Email, "Support@Evil.com", "support@evil.com", true},
		{indicator.SHA256, "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", true},
		{indicator.MD5, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "", false},
		{indicator.Phone, "+33 6 12 34 56 78", "+33612345678", true},
		{indicator.Handle, "x/@Fake_NGO", "x/fake_ngo", true},
		{indicator.Handle, "nobody", "", false},
	}
	for _, c := range cases {
		got, ok := normalise(c.typ, c.in)
		if ok != c.valid || got.Value != c.want {
			t.Errorf("normalise(%s, %q) = %q, %v; want %q, %v", c.typ, c.in, got.Value, ok, c.want, c.valid)
		}
	}
}
