package share

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven/indicator"
)

type wantImport struct {
	typ        indicator.Type
	value      string
	verdict    string
	tlp        TLP
	techniques []string
}

func checkFeed(t *testing.T, feed Feed, want []wantImport) {
	t.Helper()
	if len(feed.Indicators) != len(want) {
		t.Errorf("%d indicators, want %d: %+v", len(feed.Indicators), len(want), feed.Indicators)
	}
	for _, w := range want {
		i := slices.IndexFunc(feed.Indicators, func(im Imported) bool {
			return im.Observable.Type == w.typ && im.Observable.Value == w.value
		})
		if i < 0 {
			t.Errorf("%s %s not read", w.typ, w.value)
			continue
		}
		got := feed.Indicators[i]
		if got.Verdict != w.verdict || got.TLP != w.tlp || !slices.Equal(got.Techniques, w.techniques) {
			t.Errorf("%s: verdict %q, TLP %q, techniques %v; want %q, %q, %v", w.value, got.Verdict, got.TLP, got.Techniques, w.verdict, w.tlp, w.techniques)
		}
	}
}

// TestParsePartnerSTIX reads a bundle shaped like a partner's: TLP 2.0 and 1.0 markings, OR
// patterns, escaped quotes, upper-case hashes, patterns that are not values, a YARA rule,
// attack patterns with and without relationships, observables given alone.
func TestParsePartnerSTIX(t *testing.T) {
	data, err := os.ReadFile("testdata/partner-stix-bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	feed, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	checkFeed(t, feed, []wantImport{
		{indicator.Domain, "sync-backup-cloud.net", Malicious, TLPGreen, []string{"T1430"}},
		{indicator.URL, "https://sync-backup-cloud.net/api/v2/upload", Malicious, TLPAmber, nil},
		{indicator.URL, "https://sync-backup-cloud.net/it's", Malicious, TLPAmber, nil},
		{indicator.SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Malicious, TLPRed, nil},
		{indicator.MD5, "d41d8cd98f00b204e9800998ecf8427e", Malicious, TLPRed, nil},
		{indicator.Email, "billing@sync-backup-cloud.net", Suspicious, TLPGreen, nil},
		{indicator.IP, "2001:db8:abcd::17", Suspicious, TLPGreen, nil},
		{indicator.IP, "192.0.2.99", NoVerdict, TLPClear, nil},
	})
	// Not understood: the AND over network traffic, the WITHIN qualifier, the YARA rule, the mutex.
	if feed.Format != "stix" || feed.Skipped != 4 || !slices.Equal(feed.Techniques, []string{"T1429"}) {
		t.Errorf("format %q, %d skipped, techniques %v", feed.Format, feed.Skipped, feed.Techniques)
	}
	first := feed.Indicators[0]
	if first.Name != "Stalkerware C2 domain" || first.Confidence != 85 || !first.ValidFrom.Equal(time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("first indicator %+v", first)
	}
}

// TestParsePartnerMISP reads an event shaped like a partner's: event and attribute TLP tags,
// galaxies as tags and clusters, to_ids as a boolean and as "1", a defanged URL, an IDN
// hostname, a deleted attribute, types Haven does not read, a file object.
func TestParsePartnerMISP(t *testing.T) {
	data, err := os.ReadFile("testdata/partner-misp-event.json")
	if err != nil {
		t.Fatal(err)
	}
	feed, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	checkFeed(t, feed, []wantImport{
		{indicator.Domain, "webmail-secure-login.com", Malicious, TLPGreen, nil},
		{indicator.URL, "https://webmail-secure-login.com/owa/auth.php?user=ngo", Malicious, TLPGreen, []string{"T1566.002"}},
		{indicator.Domain, "mail.xn----8sbcooqjmlkd.xn--p1ai", Malicious, TLPGreen, nil},
		{indicator.IP, "198.51.100.23", NoVerdict, TLPAmber, nil},
		{indicator.Email, "it-support@webmail-secure-login.com", Malicious, TLPGreen, nil},
		{indicator.Phone, "+33612345678", NoVerdict, TLPAmberStrict, nil},
		{indicator.Filename, "Mailbox_Quota.html", NoVerdict, TLPGreen, nil},
		{indicator.SHA256, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", Malicious, TLPGreen, nil},
		{indicator.MD5, "5d41402abc4b2a76b9719d911017c592", Malicious, TLPGreen, nil},
	})
	// Not understood: the subject, the comment, the value that is no domain.
	if feed.Format != "misp" || feed.Skipped != 3 || !slices.Equal(feed.Techniques, []string{"T1566", "T1566.002"}) {
		t.Errorf("format %q, %d skipped, techniques %v", feed.Format, feed.Skipped, feed.Techniques)
	}
	first := feed.Indicators[0]
	if !strings.HasPrefix(first.Name, "Credential phishing") || first.Description != "Fake webmail login" ||
		!first.ValidFrom.Equal(time.Date(2025, 2, 10, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("first indicator %+v", first)
	}
}

// TestParseMISPForms: a bare event and a search response read like {"Event": …}.
func TestParseMISPForms(t *testing.T) {
	attr := `{"type":"domain","category":"Network activity","to_ids":true,"value":"evil.com"}`
	for _, doc := range []string{
		`{"Event":{"info":"x","Attribute":[` + attr + `]}}`,
		`{"info":"x","Attribute":[` + attr + `]}`,
		`{"response":[{"Event":{"info":"x","Attribute":[` + attr + `]}}]}`,
	} {
		feed, err := Parse([]byte(doc))
		if err != nil || len(feed.Indicators) != 1 || feed.Indicators[0].Observable.Value != "evil.com" || feed.Indicators[0].TLP != TLPAmber {
			t.Errorf("%s: %+v, %v", doc, feed, err)
		}
	}
}

// TestParseErrors: a document Haven cannot read as a feed gets a plain message that quotes
// little of it.
func TestParseErrors(t *testing.T) {
	long := strings.Repeat("A", 500)
	objects := `[` + strings.TrimSuffix(strings.Repeat(`{"type":"x"},`, maxObjects+1), ",") + `]`
	cases := []struct {
		name, doc, want string
	}{
		{"empty", "  ", "the feed is empty"},
		{"not JSON", "<html>" + long, "not JSON (syntax error at byte 1)"},
		{"truncated", `{"type": "bundle", "objects": [`, "not JSON"},
		{"array", `[1, 2, 3]`, "JSON, but not an object"},
		{"string", `"` + long + `"`, "JSON, but not an object"},
		{"other object", `{"name": "` + long + `"}`, "neither a STIX 2.1 bundle nor a MISP event"},
		{"single object", `{"type": "indicator` + long + `"}`, "a single STIX object"},
		{"no objects", `{"type": "bundle", "id": "bundle--1"}`, "objects are not a list"},
		{"empty bundle", `{"type": "bundle", "objects": []}`, "the bundle has no objects"},
		{"objects not a list", `{"type": "bundle", "objects": {"a": 1}}`, "objects are not a list"},
		{"STIX 2.0 bundle", `{"type": "bundle", "spec_version": "2.0", "objects": [{"type": "indicator"}]}`, `STIX "2.0"; Haven reads STIX 2.1`},
		{"STIX 2.0 object", `{"type": "bundle", "objects": [{"type": "indicator", "spec_version": "2.0"}]}`, `object 1 (indicator) is STIX "2.0"`},
		{"too many objects", `{"type": "bundle", "objects": ` + objects + `}`, "at most 100000"},
		{"deep", strings.Repeat("[", 20000) + strings.Repeat("]", 20000), "nests too deeply"},
		{"event not an object", `{"Event": "` + long + `"}`, "not an event object"},
		{"attributes not a list", `{"Event": {"Attribute": {"type": "domain"}}}`, "not an event object"},
		{"event without attributes", `{"Event": {"info": "x", "Attribute": []}}`, "has no attributes"},
		{"response not a list", `{"response": {"Event": {}}}`, "not a list of events"},
		{"empty response", `{"response": []}`, "holds no events"},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.doc))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
			continue
		}
		if len(err.Error()) > 160 || strings.Contains(err.Error(), strings.Repeat("A", 61)) {
			t.Errorf("%s: the message quotes too much: %.200s", c.name, err)
		}
	}
}

// TestParseLenient: what does not decode inside a valid feed is counted, not fatal.
func TestParseLenient(t *testing.T) {
	doc := `{"type":"bundle","objects":[
		{"type":"indicator","spec_version":"2.1","id":"indicator--1","pattern":5},
		{"type":"indicator","spec_version":"2.1","id":"indicator--2","pattern":"[domain-name:value = 'ok.com']","confidence":"high"},
		"not an object",
		{"type":"indicator","spec_version":"2.1","id":"indicator--3","pattern":"[domain-name:value = 'fine.com']","confidence":250}
	]}`
	feed, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(feed.Indicators) != 1 || feed.Indicators[0].Observable.Value != "fine.com" || feed.Indicators[0].Confidence != 100 || feed.Skipped != 3 {
		t.Errorf("%+v", feed)
	}
}
