package share

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestTLPCeiling: whatever ranks above the ceiling is absent from the bytes — its value, its
// name — whichever format, and nothing left points at it.
func TestTLPCeiling(t *testing.T) {
	for _, ceiling := range []TLP{TLPClear, TLPGreen, TLPAmber} {
		e := sampleExport()
		e.TLPMax = ceiling
		// Values are looked for whole (quoted): a green URL may hold an amber domain, as its
		// writer chose.
		var hidden []string
		for _, in := range e.Indicators {
			if in.TLP.Rank() > ceiling.Rank() {
				hidden = append(hidden, `"`+in.Observable.Value+`"`, `'`+in.Observable.Value+`'`, `"`+in.Observable.MISP().Value+`"`)
			}
		}
		for _, g := range e.Groups {
			if g.TLP.Rank() > ceiling.Rank() {
				hidden = append(hidden, g.Name)
			}
		}
		for _, a := range e.Actors {
			if a.TLP.Rank() > ceiling.Rank() {
				hidden = append(hidden, a.Name)
			}
		}
		for _, c := range e.Campaigns {
			if c.TLP.Rank() > ceiling.Rank() {
				hidden = append(hidden, c.Name)
			}
		}
		stix, err := STIX(e)
		if err != nil {
			t.Fatal(err)
		}
		misp, err := MISP(e)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range append(hidden, "victim-home-router.net", "strict-partner-only.com", "Secret Sponsor") {
			for name, out := range map[string][]byte{"STIX": stix, "MISP": misp} {
				if strings.Contains(string(out), h) {
					t.Errorf("ceiling %s: %s output holds %q", ceiling, name, h)
				}
			}
		}
		checkBundleMarkings(t, stix, ceiling)
		checkEventMarkings(t, misp, ceiling)
	}
}

// checkBundleMarkings: every object but the marking definitions carries exactly one TLP 2.0
// marking within the ceiling, defined in the bundle, and every reference resolves in the bundle.
func checkBundleMarkings(t *testing.T, data []byte, ceiling TLP) {
	t.Helper()
	var b struct {
		Objects []map[string]any `json:"objects"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, o := range b.Objects {
		ids[o["id"].(string)] = true
	}
	for _, o := range b.Objects {
		id := o["id"].(string)
		if o["type"] == "marking-definition" {
			continue
		}
		refs, _ := o["object_marking_refs"].([]any)
		if len(refs) != 1 {
			t.Errorf("%s has markings %v", id, refs)
			continue
		}
		level, ok := markingTLP(refs[0].(string))
		if !ok || level.Rank() > ceiling.Rank() || !ids[refs[0].(string)] {
			t.Errorf("%s is marked %v (ceiling %s)", id, refs[0], ceiling)
		}
		for k, v := range o {
			if k == "object_marking_refs" || !strings.HasSuffix(k, "_ref") && !strings.HasSuffix(k, "_refs") {
				continue
			}
			for _, r := range asList(v) {
				if !ids[r] {
					t.Errorf("%s.%s points at %s, which the bundle lacks", id, k, r)
				}
			}
		}
	}
}

func asList(v any) []string {
	if s, ok := v.(string); ok {
		return []string{s}
	}
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// checkEventMarkings: the event's TLP tag is the strictest of what it carries, within the
// ceiling; an attribute's own tag, when present, is within the ceiling too.
func checkEventMarkings(t *testing.T, data []byte, ceiling TLP) {
	t.Helper()
	var ev struct {
		Event mispEvent `json:"Event"`
	}
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	eventTLP := tagTLP(ev.Event.Tag)
	if eventTLP == "" || eventTLP.Rank() > ceiling.Rank() {
		t.Errorf("event marked %q under ceiling %s", eventTLP, ceiling)
	}
	attrs := ev.Event.Attribute
	for _, o := range ev.Event.Object {
		attrs = append(attrs, o.Attribute...)
	}
	for _, a := range attrs {
		if own := tagTLP(a.Tag); own != "" && (own.Rank() >= eventTLP.Rank() || own.Rank() > ceiling.Rank()) {
			t.Errorf("attribute %s carries %q in an event marked %q", a.Value, own, eventTLP)
		}
	}
}

// TestExportErrors: a malformed export is refused with a message naming the problem.
func TestExportErrors(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Export)
		want   string
	}{
		{"no identity", func(e *Export) { e.Identity.Name = " " }, "no name"},
		{"no time", func(e *Export) { e.Created = time.Time{} }, "creation time"},
		{"no ceiling", func(e *Export) { e.TLPMax = "" }, "ceiling"},
		{"bad TLP", func(e *Export) { e.Indicators[0].TLP = "orange" }, `indicator "obs-1" has no valid TLP`},
		{"empty TLP", func(e *Export) { e.Groups[0].TLP = "" }, `group "case-101" has no valid TLP`},
		{"bad verdict", func(e *Export) { e.Indicators[1].Verdict = "evil" }, "unknown verdict"},
		{"duplicate key", func(e *Export) { e.Indicators[1].Key = "obs-1" }, "used twice"},
		{"bad technique", func(e *Export) { e.Indicators[0].Techniques = []string{"phishing"} }, "not an ATT&CK id"},
		{"bad kind", func(e *Export) { e.Actors[0].Kind = "malware" }, "unknown kind"},
		{"confidence", func(e *Export) { e.Indicators[0].Confidence = 101 }, "confidence"},
	}
	for _, c := range cases {
		e := sampleExport()
		c.change(&e)
		for _, write := range []func(Export) ([]byte, error){STIX, MISP} {
			if _, err := write(e); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
			}
		}
	}
}
