package indicator

import "testing"

// TestMISPAttributes: each kind gets a MISP type and one of the categories MISP allows for it
// (describeTypes.json), detection on for network and payload indicators, off for people's details.
func TestMISPAttributes(t *testing.T) {
	cases := []struct {
		o    Observable
		want MISPAttribute
	}{
		{Observable{Type: URL, Value: "https://x.com/a"}, MISPAttribute{"url", "Network activity", true, "https://x.com/a", ""}},
		{Observable{Type: Domain, Value: "evil.com"}, MISPAttribute{"domain", "Network activity", true, "evil.com", ""}},
		{Observable{Type: IP, Value: "192.0.2.1"}, MISPAttribute{"ip-dst", "Network activity", true, "192.0.2.1", ""}},
		{Observable{Type: Email, Value: "a@evil.com"}, MISPAttribute{"email-src", "Payload delivery", true, "a@evil.com", ""}},
		{Observable{Type: SHA256, Value: "ab"}, MISPAttribute{"sha256", "Payload delivery", true, "ab", ""}},
		{Observable{Type: MD5, Value: "cd"}, MISPAttribute{"md5", "Payload delivery", true, "cd", ""}},
		{Observable{Type: Phone, Value: "+33612345678"}, MISPAttribute{"phone-number", "Person", false, "+33612345678", ""}},
		{Observable{Type: Handle, Value: "github/evil-dev"}, MISPAttribute{"github-username", "Social network", false, "evil-dev", ""}},
		{Observable{Type: Handle, Value: "x/fake_ngo"}, MISPAttribute{"twitter-id", "Social network", false, "fake_ngo", ""}},
		{Observable{Type: Handle, Value: "instagram/rania.k"}, MISPAttribute{"text", "Other", false, "rania.k", "instagram account"}},
	}
	for _, c := range cases {
		if got := c.o.MISP(); got != c.want {
			t.Errorf("%+v: %+v, want %+v", c.o, got, c.want)
		}
	}
}
