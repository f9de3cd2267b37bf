package indicator

import (
	"slices"
	"strings"
	"testing"
)

func got(obs []Observable) []string {
	var out []string
	for _, o := range obs {
		out = append(out, string(o.Type)+" "+o.Value)
	}
	slices.Sort(out)
	return out
}

func want(lines ...string) []string {
	slices.Sort(lines)
	return lines
}

// TestExtractCorpus: tricky text a helpline sees, with what a handler would pick out of it.
func TestExtractCorpus(t *testing.T) {
	e := New(Options{Allow: []string{"gmail.com", "helpline.org", "instagram.com"}, Exclude: []string{"rania.k@proton.me", "+961 3 123 456"}})
	cases := []struct {
		name, text string
		want       []string
	}{
		{"defanged", "Do not click hxxps://login-verify[.]com/reset?id=7 or secure-login(dot)net, write to support[@]phish-desk.com",
			want("url https://login-verify.com/reset?id=7", "domain login-verify.com", "domain secure-login.net",
				"email support@phish-desk.com", "domain phish-desk.com")},
		{"prose is not a domain", "See report.pdf, version 1.2.3, e.g. i.e. and the file invoice.docx at 10.30.",
			nil},
		{"allow-list and the requester's own details", "From rania.k@proton.me via gmail.com, me at team@helpline.org, ring +961 3 123 456",
			want("email team@helpline.org")},
		{"webmail sender kept, provider not", "the attacker writes from recovery.team.2026@gmail.com",
			want("email recovery.team.2026@gmail.com")},
		{"hashes", "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855, SHA1=da39a3ee5e6b4b0d3255bfef95601890afd80709 md5 d41d8cd98f00b204e9800998ecf8427e; not 00000000000000000000000000000000",
			want("sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709",
				"md5 d41d8cd98f00b204e9800998ecf8427e")},
		{"addresses", "C2 at 185.220.101.4:443, 2a01:4f8:c17:1::1, fe80::1%eth0 (a zone), https://[2001:db8::7]/x, not 999.1.1.1 or 1.2.3",
			want("ip-dst 185.220.101.4", "ip-dst 2a01:4f8:c17:1::1", "ip-dst fe80::1", "ip-dst 2001:db8::7", "url https://[2001:db8::7]/x")},
		{"phones in any digits", "اتصل على ٠٠٩٦١٧١٢٣٤٥٦٧ أو +33 6 12 34 56 78 ؛ not 2026-12-04",
			want("phone-number +96171234567", "phone-number +33612345678")},
		{"a number ending a sentence", "or call +961 71 123 456. Mine is +44 7911 123456.",
			want("phone-number +96171123456", "phone-number +447911123456")},
		{"IDN shown both ways", "Visit пример.рф and münchen.de",
			want("domain xn--e1afmkfd.xn--p1ai", "domain xn--mnchen-3ya.de")},
		{"URLs in prose", "(see https://bit.ly/3xYz), «https://t.me/joinchat/AAAA», and https://evil-site.com/a.b.",
			want("url https://bit.ly/3xYz", "domain bit.ly", "url https://t.me/joinchat/AAAA", "domain t.me",
				"url https://evil-site.com/a.b", "domain evil-site.com")},
		{"other schemes ignored", "javascript://alert(1) file://c/x data://x", nil},
		{"accounts on platforms, even allowed ones", "the fake profile https://www.instagram.com/Rania.K.Official/ and https://t.me/fake_support, https://x.com/i/status/1 https://www.linkedin.com/in/rania-k and https://github.com/evil-dev/tool",
			want("handle instagram/rania.k.official", "handle telegram/fake_support", "url https://t.me/fake_support", "domain t.me",
				"url https://x.com/i/status/1", "domain x.com", "handle linkedin/rania-k", "url https://www.linkedin.com/in/rania-k",
				"domain www.linkedin.com", "handle github/evil-dev", "url https://github.com/evil-dev/tool", "domain github.com")},
		{"loopback and unspecified are never indicators", "127.0.0.1, ::1 and :: and 0.0.0.0", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if g := got(e.Text(c.text)); !slices.Equal(g, c.want) {
				t.Errorf("%s\ngot  %q\nwant %q", c.text, g, c.want)
			}
		})
	}
}

// TestLookAlikes: look-alikes of brands and mixed-script names are flagged; the brands' own
// domains and names written wholly in one script are not.
func TestLookAlikes(t *testing.T) {
	e := New(Options{})
	flags := map[string]string{}
	for _, o := range e.Text("pаypal.com paypa1.com paypal-secure.com rnicrosoft.com аррӏе.com paypal.com пример.рф münchen.de xn--pypal-4ve.com") {
		if o.Type == Domain {
			flags[o.Value+" "+o.Unicode] = strings.Join(o.Flags, ",")
		}
	}
	wantFlags := map[string]string{
		"xn--pypal-4ve.com pаypal.com":    "mixed-script,look-alike:paypal",
		"paypa1.com ":                     "look-alike:paypal",
		"paypal-secure.com ":              "look-alike:paypal",
		"rnicrosoft.com ":                 "look-alike:microsoft",
		"xn--80ak6aa92e.com аррӏе.com":    "look-alike:apple",
		"paypal.com ":                     "",
		"xn--e1afmkfd.xn--p1ai пример.рф": "",
		"xn--mnchen-3ya.de münchen.de":    "",
	}
	for k, v := range wantFlags {
		if f, ok := flags[k]; !ok || f != v {
			t.Errorf("%s: flags %q (found %v), want %q", k, f, ok, v)
		}
	}
}

// TestHTMLLinkTargets: the real target of a link counts, not only the text that hides it.
func TestHTMLLinkTargets(t *testing.T) {
	e := New(Options{Allow: []string{"google.com"}})
	body := `<p>Verify <a href="hxxps://accounts-google.com.verify-id[.]net/login">https://accounts.google.com</a>,
<a href="mailto:helpdesk@verify-id.net?subject=hi">write</a>, <a href="tel:+44 20 7946 0958">call</a>
<img src="http://198.51.100.9/p.png"><form action="https://collect-form.org/post"></form></p>`
	w := want("url https://accounts-google.com.verify-id.net/login", "domain accounts-google.com.verify-id.net",
		"email helpdesk@verify-id.net", "domain verify-id.net", "phone-number +442079460958",
		"url http://198.51.100.9/p.png", "ip-dst 198.51.100.9", "url https://collect-form.org/post", "domain collect-form.org")
	if g := got(e.HTML(body)); !slices.Equal(g, w) {
		t.Errorf("got  %q\nwant %q", g, w)
	}
}

// TestRegionalNumbers: with a region, national numbers count; without one, only international.
func TestRegionalNumbers(t *testing.T) {
	text := "call 03 123 456"
	if g := got(New(Options{}).Text(text)); len(g) != 0 {
		t.Errorf("without a region: %q", g)
	}
	if g := got(New(Options{Region: "lb"}).Text(text)); !slices.Equal(g, []string{"phone-number +9613123456"}) {
		t.Errorf("in Lebanon: %q", g)
	}
}

// TestMegabyteOfLinks: a hostile megabyte of links is read in one pass and each found once.
func TestMegabyteOfLinks(t *testing.T) {
	var b strings.Builder
	for b.Len() < 1<<20 {
		b.WriteString("https://spam-host.com/a?b=c hxxp://spam-host[.]com/a?b=c ")
	}
	if g := got(New(Options{}).Text(b.String())); !slices.Equal(g, want("url https://spam-host.com/a?b=c", "url http://spam-host.com/a?b=c", "domain spam-host.com")) {
		t.Errorf("got %q", g)
	}
}

// FuzzExtract: no input panics, and every value found is found again, the same, in itself.
func FuzzExtract(f *testing.F) {
	for _, s := range []string{"hxxps://evil[.]com/x", "a@b.co", "[2001:db8::1]:80", "٠٠٩٦١٧١٢٣٤٥٦٧", "pаypal.com", "<a href='x://y'>",
		"https://[::1", "xn--", "mailto:@", "sha256:" + strings.Repeat("a1", 32)} {
		f.Add(s)
	}
	e := New(Options{})
	f.Fuzz(func(t *testing.T, s string) {
		_ = e.HTML(s)
		for _, o := range e.Text(s) {
			if a, ok := o.STIX(); ok {
				if b, _ := o.STIX(); a.ID != b.ID || !strings.HasPrefix(a.Pattern, "["+a.Type+":") {
					t.Fatalf("%+v: STIX %+v then %+v", o, a, b)
				}
			}
			if o.Type == URL || o.Type == Phone || o.Type == Handle {
				continue // a URL's own text may hold more; E.164 and handles are written by Haven, not read
			}
			again := e.Text(o.Value)
			if !slices.ContainsFunc(again, func(x Observable) bool { return x.Type == o.Type && x.Value == o.Value }) {
				t.Fatalf("%q gave %+v, which alone gives %+v", s, o, again)
			}
		}
	})
}

// TestDefaultAllow: with the starting allow-list, the platforms' and providers' own domains stay
// out while the accounts and addresses on them, and everything else, are found.
func TestDefaultAllow(t *testing.T) {
	e := New(Options{Allow: DefaultAllow})
	text := "fake page https://www.facebook.com/Rania.Support.Team and https://accounts.google.com/signin, " +
		"mail from recovery.desk@gmail.com, then hxxps://faceb00k-support[.]com/verify"
	w := want("handle facebook/rania.support.team", "email recovery.desk@gmail.com",
		"url https://faceb00k-support.com/verify", "domain faceb00k-support.com")
	if g := got(e.Text(text)); !slices.Equal(g, w) {
		t.Errorf("got  %q\nwant %q", g, w)
	}
}
