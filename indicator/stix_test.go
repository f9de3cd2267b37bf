package indicator

import "testing"

// TestSTIXIdentifiers: deterministic ids follow STIX 2.1 §2.9 — the published vectors for
// example.com, and ids computed independently (Python's uuid5 over RFC 8785 JSON) for the rest.
func TestSTIXIdentifiers(t *testing.T) {
	cases := []struct {
		o           Observable
		id, pattern string
	}{
		{Observable{Type: Domain, Value: "example.com"}, "domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7", "[domain-name:value = 'example.com']"},
		{Observable{Type: Domain, Value: "control.example.com"}, "domain-name--427e3664-0043-5865-b454-97df26649bde", "[domain-name:value = 'control.example.com']"},
		{Observable{Type: URL, Value: "https://login-verify.com/reset?id=7"}, "url--d928177e-d771-5d00-bf65-af121b492e41", "[url:value = 'https://login-verify.com/reset?id=7']"},
		{Observable{Type: IP, Value: "2001:db8::7"}, "ipv6-addr--9ed76cd5-ab3b-55a5-b6ec-b55c3efb0be2", "[ipv6-addr:value = '2001:db8::7']"},
		{Observable{Type: SHA256, Value: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}, "file--22f8ff52-8f62-5f03-a53a-6f50f54fd74c",
			"[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']"},
		{Observable{Type: Handle, Value: "telegram/fake_support"}, "user-account--d5953649-d89d-51b6-b197-5ad1f9691ef3",
			"[user-account:account_login = 'fake_support' AND user-account:account_type = 'telegram']"},
		{Observable{Type: Email, Value: "Ⓐ\"q\\\n@x.com"}, "email-addr--1b3eb974-b8d2-56a4-8467-48e194de1e26", "[email-addr:value = 'Ⓐ\"q\\\\\n@x.com']"},
	}
	for _, c := range cases {
		s, ok := c.o.STIX()
		if !ok || s.ID != c.id || s.Pattern != c.pattern {
			t.Errorf("%+v: %s %s, want %s %s", c.o, s.ID, s.Pattern, c.id, c.pattern)
		}
	}
	if _, ok := (Observable{Type: Phone, Value: "+33612345678"}).STIX(); ok {
		t.Error("STIX 2.1 has no phone-number object")
	}
	if p := patternString(`it's \ here`); p != `'it\'s \\ here'` {
		t.Errorf("pattern quoting: %s", p)
	}
}
