package service_test

import (
	"context"
	"crypto/md5"  //nolint:gosec // the test computes the hashes feeds use
	"crypto/sha1" //nolint:gosec // see above
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
)

// phishingReport is a requester forwarding a phishing mail: her own address sends it, the
// phisher's addresses and links are inside.
func phishingReport(id string) haven.InboundEmail {
	in := email(id, "rania@example.org", "Fwd: Your account will be closed",
		"Is this real? They wrote: verify at hxxps://paypa1-secure[.]com/login or call +961 3 123 456. My number is +44 7911 123456.")
	in.HTML = `<p>Verify <a href="https://paypa1-secure.com/login?id=7">here</a></p>`
	in.Senders = []haven.InboundSender{{Role: haven.RoleFrom, Addr: "rania@example.org"},
		{Role: haven.RoleFrom, Addr: "security@paypa1-secure.com"}, {Role: haven.RoleReplyTo, Addr: "support@gmail.com"},
		{Role: haven.RoleReturnPath, Addr: "bounce@mailer.bad-relay.net"}}
	return in
}

// TestObservablesFromIntake: an inbound phishing report yields the phisher's addresses, domains,
// links and numbers, refanged and flagged, in their roles; never the requester's own address or
// number, nor values under the allow-list.
func TestObservablesFromIntake(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		// Rania is known, with her phone number: neither her address nor her number may become
		// an observable.
		phone := "+447911123456"
		if _, err := f.svc.CreateRequester(f.admin, haven.RequesterInput{Name: "Rania", Email: "rania@example.org",
			Contacts: []haven.Contact{{Kind: "phone", Value: "+44 7911 123456"}}}); err != nil {
			t.Fatal(err)
		}
		res, err := f.svc.IngestEmail(ctx, phishingReport("<p1@example.org>"))
		if err != nil {
			t.Fatal(err)
		}
		list, err := f.svc.CaseObservables(f.admin, res.CaseNumber)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]*haven.CaseObservable{}
		for _, o := range list {
			got[o.Value] = o
		}
		for value, role := range map[string]string{"security@paypa1-secure.com": "from", "paypa1-secure.com": "from",
			"bounce@mailer.bad-relay.net": "return-path", "mailer.bad-relay.net": "return-path",
			"https://paypa1-secure.com/login": "link", "https://paypa1-secure.com/login?id=7": "link", "+9613123456": "body",
			"support@gmail.com": "reply-to"} {
			o := got[value]
			if o == nil {
				t.Errorf("%s not found among %v", value, keys(got))
				continue
			}
			if !slices.Contains(o.Roles, role) {
				t.Errorf("%s roles %v, want %s", value, o.Roles, role)
			}
		}
		// A phisher's webmail address is an observable; the webmail provider never is.
		for _, never := range []string{"rania@example.org", "example.org", phone, "gmail.com"} {
			if got[never] != nil {
				t.Errorf("%s is an observable: the requester's own address and allow-listed domains never are", never)
			}
		}
		if got["paypa1-secure.com"] == nil || !slices.Contains(got["paypa1-secure.com"].Flags, "look-alike:paypal") {
			t.Errorf("the look-alike is not flagged: %+v", got["paypa1-secure.com"])
		}
	})
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestCorrelationFollowsNeedToKnow: a value two cases share names the other case only to those
// who may see it; seen only in a restricted case, it does not exist for others.
func TestCorrelationFollowsNeedToKnow(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		open := escalationCase(t, f, false)
		hidden := escalationCase(t, f, true) // TLP:RED, restricted to amira
		note := func(number, body string) {
			t.Helper()
			if _, err := f.svc.AddNote(f.users["amira"], number, haven.NoteCreate{Body: body}); err != nil {
				t.Fatal(err)
			}
		}
		note(open.Number, "phishing link hxxp://login-verify[.]net/x")
		note(hidden.Number, "same kit: http://login-verify.net/x and only here: secret-panel.org")
		amira, lucas := f.users["amira"], f.users["lucas"]
		for _, tc := range []struct {
			who     context.Context
			name    string
			also    bool
			hidden  bool
			counted int
		}{{amira, "amira", true, true, 2}, {lucas, "lucas", false, false, 1}} {
			list, err := f.svc.CaseObservables(tc.who, open.Number)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 2 { // the URL and its domain
				t.Fatalf("%s: %d observables on the open case", tc.name, len(list))
			}
			for _, o := range list {
				named := slices.ContainsFunc(o.AlsoSeen, func(r haven.CaseRef) bool { return r.Number == hidden.Number })
				if named != tc.also {
					t.Errorf("%s: %s also seen in the hidden case = %v, want %v", tc.name, o.Value, named, tc.also)
				}
			}
			found, err := f.svc.FindObservables(tc.who, haven.ObservableFilter{Q: "secret-panel[.]org"})
			if err != nil {
				t.Fatal(err)
			}
			if (len(found) == 1) != tc.hidden {
				t.Errorf("%s: lookup of a value seen only in the hidden case found %d", tc.name, len(found))
			}
			url, err := f.svc.FindObservables(tc.who, haven.ObservableFilter{Q: "http://login-verify.net/x"})
			if err != nil || len(url) != 1 || url[0].Cases != tc.counted {
				t.Fatalf("%s: the shared URL: %+v %v, want counted in %d cases", tc.name, url, err, tc.counted)
			}
			sightings, err := f.svc.Sightings(tc.who, url[0].ID, 0)
			if err != nil || len(sightings) != tc.counted {
				t.Errorf("%s: %d sightings (%v), want %d", tc.name, len(sightings), err, tc.counted)
			}
		}
		// An id the reader may not see answers as an unknown one.
		secret, err := f.svc.FindObservables(amira, haven.ObservableFilter{Q: "secret-panel.org"})
		if err != nil || len(secret) != 1 {
			t.Fatal(secret, err)
		}
		_, err = f.svc.Observable(lucas, secret[0].ID)
		wantCode(t, err, haven.ENOTFOUND)
		_, err = f.svc.UpdateObservable(lucas, secret[0].ID, haven.ObservableUpdate{Verdict: ptr(haven.VerdictMalicious)})
		wantCode(t, err, haven.ENOTFOUND)
	})
}

// TestJudgeExportImport: a handler judges an indicator, the export carries it (and not what is
// above the ceiling, nor the requester), a partner's feed marks a value known-bad and flags the
// case that sighted it, and the assignee is told.
func TestJudgeExportImport(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		c := escalationCase(t, f, false)
		amira := f.users["amira"]
		if _, err := f.svc.AssignCase(amira, c.Number, "amira"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddNote(amira, c.Number, haven.NoteCreate{Body: "kit at evil-kit.org and drop@collector.net, nour@example.org"}); err != nil {
			t.Fatal(err)
		}
		judge := func(q, verdict string, tlp haven.TLP) {
			t.Helper()
			found, err := f.svc.FindObservables(amira, haven.ObservableFilter{Q: q})
			if err != nil || len(found) != 1 {
				t.Fatalf("%s: %v %v", q, found, err)
			}
			if _, err := f.svc.UpdateObservable(amira, found[0].ID, haven.ObservableUpdate{Verdict: &verdict, TLP: &tlp,
				Techniques: &[]string{"t1566.002"}}); err != nil {
				t.Fatal(err)
			}
		}
		judge("evil-kit.org", haven.VerdictMalicious, "green")
		judge("drop@collector.net", haven.VerdictSuspicious, "red")
		_, err := f.svc.UpdateObservable(amira, 1, haven.ObservableUpdate{Techniques: &[]string{"T9999"}})
		wantCode(t, err, haven.EINVALID)
		x, err := f.svc.Export(amira, haven.ExportRequest{Cases: []string{c.Number}, Format: haven.FormatSTIX, TLPMax: "amber"})
		if err != nil {
			t.Fatal(err)
		}
		doc := string(x.Body)
		if x.Indicators != 1 || x.Withheld != 1 || !strings.Contains(doc, "evil-kit.org") || strings.Contains(doc, "collector.net") ||
			strings.Contains(doc, "nour@example.org") || strings.Contains(doc, "Nour") || !strings.Contains(doc, "T1566.002") {
			t.Fatalf("export: %d indicators, %d withheld:\n%s", x.Indicators, x.Withheld, doc)
		}
		_, err = f.svc.Export(f.users["sam"], haven.ExportRequest{Cases: []string{c.Number}})
		wantCode(t, err, haven.EFORBIDDEN) // an auditor shares nothing
		// The export round-trips through import, and the partner's malicious value flags the case.
		_, err = f.svc.Import(amira, "CiviCERT", x.Body)
		wantCode(t, err, haven.EFORBIDDEN) // leads and admins take feeds in
		feed := strings.ReplaceAll(doc, "evil-kit.org", "collector.net")
		res, err := f.svc.Import(f.users["fatou"], "CiviCERT", []byte(feed))
		if err != nil || res.Indicators < 1 || res.Flagged != 1 || res.Format != "stix" {
			t.Fatalf("import: %+v %v", res, err)
		}
		after, err := f.svc.Case(amira, c.Number)
		if err != nil || !slices.Contains(after.Tags, haven.TagKnownBad) {
			t.Fatalf("the case is not flagged known-bad: %v %v", after.Tags, err)
		}
		ns, err := f.svc.Notifications(amira, true)
		if err != nil || !slices.ContainsFunc(ns, func(n *haven.Notification) bool {
			return n.CaseNumber == c.Number && strings.Contains(n.Text, "malicious")
		}) {
			t.Errorf("the assignee was not told: %+v %v", ns, err)
		}
		_, err = f.svc.Import(f.users["fatou"], "CiviCERT", []byte(`{"type":"bundle"`))
		wantCode(t, err, haven.EINVALID)
	})
}

// TestAllowList: admins replace the list, others read it; values under it are no longer found.
func TestAllowList(t *testing.T) {
	f := newFixture(t)
	l, err := f.svc.AllowList(f.users["amira"])
	if err != nil || !l.Default || !slices.Contains(l.Domains, "gmail.com") {
		t.Fatalf("default list: %+v %v", l, err)
	}
	_, err = f.svc.SetAllowList(f.users["fatou"], []string{"helpline.org"})
	wantCode(t, err, haven.EFORBIDDEN)
	_, err = f.svc.SetAllowList(f.admin, []string{"not a domain"})
	wantCode(t, err, haven.EINVALID)
	if l, err = f.svc.SetAllowList(f.admin, []string{"Helpline.ORG", "evil-kit.org", "helpline.org"}); err != nil ||
		!slices.Equal(l.Domains, []string{"evil-kit.org", "helpline.org"}) || l.Default {
		t.Fatalf("set: %+v %v", l, err)
	}
	c := escalationCase(t, f, false)
	if _, err := f.svc.AddNote(f.users["amira"], c.Number, haven.NoteCreate{Body: "see evil-kit.org and gmail.com"}); err != nil {
		t.Fatal(err)
	}
	list, err := f.svc.CaseObservables(f.users["amira"], c.Number)
	if err != nil || len(list) != 1 || list[0].Value != "gmail.com" {
		t.Fatalf("observables after the allow-list changed: %+v %v", list, err)
	}
}

// TestObservablesFromAttachments: a received file is sighted by its three hashes and its name.
func TestObservablesFromAttachments(t *testing.T) {
	f := newErasureFixture(t)
	f.withFiles(t, t.TempDir())
	in := email("att1@mail.example", "rania@mail.example", "Fwd: invoice", "see the attachment")
	in.Attachments = []haven.InboundAttachment{{Filename: "Invoice_2026.pdf.exe", ContentType: "application/octet-stream", Data: []byte("MZ fake")}}
	res, err := f.svc.IngestEmail(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	list, err := f.svc.CaseObservables(f.lead, res.CaseNumber)
	if err != nil {
		t.Fatal(err)
	}
	byType := map[string]string{}
	for _, o := range list {
		if slices.Contains(o.Roles, haven.RoleAttachment) {
			byType[o.Type] = o.Value
		}
	}
	data := []byte("MZ fake")
	s256, s1, m5 := sha256.Sum256(data), sha1.Sum(data), md5.Sum(data) //nolint:gosec // hashes as feeds name files
	want := map[string]string{"filename": "Invoice_2026.pdf.exe", "sha256": hex.EncodeToString(s256[:]),
		"sha1": hex.EncodeToString(s1[:]), "md5": hex.EncodeToString(m5[:])}
	if !maps.Equal(byType, want) {
		t.Fatalf("attachment observables: %v", byType)
	}
	// Judged malicious, the file's values leave together as one MISP file object.
	malicious := haven.VerdictMalicious
	for _, o := range list {
		if slices.Contains(o.Roles, haven.RoleAttachment) {
			if _, err := f.svc.UpdateObservable(f.lead, o.ID, haven.ObservableUpdate{Verdict: &malicious}); err != nil {
				t.Fatal(err)
			}
		}
	}
	x, err := f.svc.Export(f.lead, haven.ExportRequest{Cases: []string{res.CaseNumber}, Format: haven.FormatMISP})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Event struct {
			Object []struct {
				Name      string `json:"name"`
				Attribute []struct {
					Type  string `json:"type"`
					Value string `json:"value"`
				} `json:"Attribute"`
			} `json:"Object"`
		} `json:"Event"`
	}
	if err := json.Unmarshal(x.Body, &doc); err != nil || len(doc.Event.Object) != 1 || doc.Event.Object[0].Name != "file" ||
		len(doc.Event.Object[0].Attribute) != 4 {
		t.Fatalf("the file object: %v\n%s", err, x.Body)
	}
}
