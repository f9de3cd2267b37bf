package share

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/haven-helpline/haven/indicator"
)

// stixObject holds the properties Haven reads, of whichever object type.
type stixObject struct {
	Type               string   `json:"type"`
	ID                 string   `json:"id"`
	SpecVersion        string   `json:"spec_version"`
	ObjectMarkingRefs  []string `json:"object_marking_refs"`
	Name               string   `json:"name"`
	Description        string   `json:"description"`
	Pattern            string   `json:"pattern"`
	PatternType        string   `json:"pattern_type"`
	IndicatorTypes     []string `json:"indicator_types"`
	ValidFrom          string   `json:"valid_from"`
	Confidence         float64  `json:"confidence"`
	ExternalReferences []struct {
		SourceName string `json:"source_name"`
		ExternalID string `json:"external_id"`
	} `json:"external_references"`
	RelationshipType string                     `json:"relationship_type"`
	SourceRef        string                     `json:"source_ref"`
	TargetRef        string                     `json:"target_ref"`
	Value            string                     `json:"value"`
	Hashes           map[string]string          `json:"hashes"`
	AccountLogin     string                     `json:"account_login"`
	AccountType      string                     `json:"account_type"`
	Definition       struct{ TLP string }       `json:"definition"`
	Extensions       map[string]json.RawMessage `json:"extensions"`
}

// stixReader gathers what the objects of a bundle say about each other before indicators are read.
type stixReader struct {
	feed       Feed
	objects    []stixObject
	markings   map[string]TLP      // marking-definition id → level
	patterns   map[string]string   // attack-pattern id → ATT&CK id
	techniques map[string][]string // indicator id → ATT&CK ids via relationships
	linked     map[string]bool     // attack-pattern ids an indicator points at
	seen       map[string]bool     // type and value of every observable imported
}

func parseSTIX(top map[string]json.RawMessage) (Feed, error) {
	objects, err := bundleObjects(top)
	if err != nil {
		return Feed{}, err
	}
	r := &stixReader{feed: Feed{Format: "stix"}, markings: map[string]TLP{}, patterns: map[string]string{},
		techniques: map[string][]string{}, linked: map[string]bool{}, seen: map[string]bool{}}
	if err := r.decode(objects); err != nil {
		return Feed{}, err
	}
	r.index()
	for _, o := range r.objects {
		if o.Type == "indicator" {
			r.readIndicator(o)
		}
	}
	for _, o := range r.objects {
		r.readObservable(o)
	}
	for _, o := range r.objects {
		if t := r.patterns[o.ID]; o.Type == "attack-pattern" && t != "" && !r.linked[o.ID] {
			r.feed.Techniques = addTechnique(r.feed.Techniques, t)
		}
	}
	return r.feed, nil
}

// bundleObjects checks the bundle's envelope and returns its objects undecoded.
func bundleObjects(top map[string]json.RawMessage) ([]json.RawMessage, error) {
	if typ := decodeString(top["type"]); typ != "bundle" {
		return nil, fmt.Errorf("the feed is a single STIX object (type %q), not a bundle", clip(typ, 40))
	}
	if v, ok := top["spec_version"]; ok && decodeString(v) != "2.1" {
		return nil, fmt.Errorf("the bundle is STIX %q; Haven reads STIX 2.1", clip(decodeString(v), 10))
	}
	var objects []json.RawMessage
	if err := json.Unmarshal(top["objects"], &objects); err != nil {
		return nil, errors.New("the bundle's objects are not a list")
	}
	switch {
	case len(objects) == 0:
		return nil, errors.New("the bundle has no objects")
	case len(objects) > maxObjects:
		return nil, fmt.Errorf("the bundle has %d objects; Haven reads at most %d at once", len(objects), maxObjects)
	}
	return objects, nil
}

// decode reads every object; one that does not decode is counted, not fatal. A 2.0 object in
// the bundle is: its properties mean other things.
func (r *stixReader) decode(raw []json.RawMessage) error {
	for i, m := range raw {
		var o stixObject
		if err := json.Unmarshal(m, &o); err != nil || o.Type == "" {
			r.feed.Skipped++
			continue
		}
		if o.SpecVersion != "" && o.SpecVersion != "2.1" {
			return fmt.Errorf("object %d (%s) is STIX %q; Haven reads STIX 2.1", i+1, clip(o.Type, 40), clip(o.SpecVersion, 10))
		}
		r.objects = append(r.objects, o)
	}
	return nil
}

// index reads markings, attack patterns and the relationships from indicators to patterns.
func (r *stixReader) index() {
	for _, o := range r.objects {
		switch o.Type {
		case "marking-definition":
			if t, ok := o.markingLevel(); ok {
				r.markings[o.ID] = t
			}
		case "attack-pattern":
			r.patterns[o.ID] = o.attackID()
		}
	}
	for _, o := range r.objects {
		if o.Type != "relationship" || !strings.HasPrefix(o.SourceRef, "indicator--") {
			continue
		}
		if t := r.patterns[o.TargetRef]; t != "" {
			r.techniques[o.SourceRef] = addTechnique(r.techniques[o.SourceRef], t)
			r.linked[o.TargetRef] = true
		}
	}
}

// markingLevel reads a TLP marking definition: TLP 2.0 (extension), TLP 1.0 (definition), or
// failing both its name.
func (o stixObject) markingLevel() (TLP, bool) {
	if t, ok := markingTLP(o.ID); ok {
		return t, true
	}
	var ext struct {
		TLP string `json:"tlp_2_0"`
	}
	if json.Unmarshal(o.Extensions[tlp2Extension], &ext) == nil && ext.TLP != "" {
		t, err := ParseTLP(ext.TLP)
		return t, err == nil
	}
	for _, s := range []string{o.Definition.TLP, o.Name} {
		if t, err := ParseTLP(s); s != "" && err == nil {
			return t, true
		}
	}
	return "", false
}

// attackID is the ATT&CK id an attack pattern references.
func (o stixObject) attackID() string {
	for _, ref := range o.ExternalReferences {
		if strings.HasPrefix(ref.SourceName, "mitre-") && techniqueID.MatchString(ref.ExternalID) {
			return ref.ExternalID
		}
	}
	return ""
}

// tlp is an object's strictest TLP marking; unmarked content is taken as amber, the cautious
// reading: it is shared with the helpline, not the public.
func (r *stixReader) tlp(o stixObject) TLP {
	var t TLP
	for _, ref := range o.ObjectMarkingRefs {
		if m, ok := r.markings[ref]; ok {
			t = maxTLP(t, m)
		} else if m, ok := markingTLP(ref); ok {
			t = maxTLP(t, m)
		}
	}
	if t == "" {
		return TLPAmber
	}
	return t
}

func (r *stixReader) readIndicator(o stixObject) {
	if o.PatternType != "" && o.PatternType != "stix" {
		r.feed.Skipped++ // Sigma, YARA, Snort: rules, not values
		return
	}
	terms, skipped := readPattern(o.Pattern)
	r.feed.Skipped += skipped
	techniques := r.techniques[o.ID]
	if t := o.attackID(); t != "" {
		techniques = addTechnique(techniques, t)
	}
	for _, t := range terms {
		obs, ok := observe(t)
		if !ok {
			r.feed.Skipped++
			continue
		}
		r.seen[string(obs.Type)+"\x00"+obs.Value] = true
		r.feed.Indicators = append(r.feed.Indicators, Imported{Observable: obs, Verdict: verdictOf(o.IndicatorTypes),
			TLP: r.tlp(o), Confidence: clampConfidence(o.Confidence), Name: o.Name, Description: o.Description,
			ValidFrom: parseTime(o.ValidFrom), Techniques: techniques})
	}
}

// observe turns an understood comparison into a normalised observable.
func observe(t term) (indicator.Observable, bool) {
	typ, ok := termType(t.objectType, t.path)
	if !ok {
		return indicator.Observable{}, false
	}
	return normalise(typ, t.value)
}

// verdictOf reads STIX's indicator types: any malicious type wins; an indicator that says
// nothing, or only "anomalous", is suspicious — a pattern was shared for a reason, but the
// partner did not claim more.
func verdictOf(types []string) string {
	verdict := Suspicious
	for _, t := range types {
		switch t {
		case "malicious-activity", "compromised", "attribution":
			return Malicious
		case "benign":
			verdict = Benign
		}
	}
	return verdict
}

// readObservable imports a cyber-observable that no indicator already stood for, as an
// observable without a verdict.
func (r *stixReader) readObservable(o stixObject) {
	terms := o.observableTerms()
	if terms == nil {
		if observableTypes[o.Type] {
			r.feed.Skipped++
		}
		return
	}
	for _, t := range terms {
		obs, ok := observe(t)
		if !ok {
			r.feed.Skipped++
			continue
		}
		key := string(obs.Type) + "\x00" + obs.Value
		if r.seen[key] {
			continue
		}
		r.seen[key] = true
		r.feed.Indicators = append(r.feed.Indicators, Imported{Observable: obs, Verdict: NoVerdict, TLP: r.tlp(o)})
	}
}

// observableTypes are STIX 2.1's cyber-observable types: those Haven does not read are counted.
var observableTypes = map[string]bool{"artifact": true, "autonomous-system": true, "directory": true,
	"domain-name": true, "email-addr": true, "email-message": true, "file": true, "ipv4-addr": true,
	"ipv6-addr": true, "mac-addr": true, "mutex": true, "network-traffic": true, "process": true,
	"software": true, "url": true, "user-account": true, "windows-registry-key": true, "x509-certificate": true}

// observableTerms are the values a cyber-observable carries that Haven reads.
func (o stixObject) observableTerms() []term {
	switch o.Type {
	case "domain-name", "url", "ipv4-addr", "ipv6-addr", "email-addr":
		if o.Value != "" {
			return []term{{objectType: o.Type, path: "value", value: o.Value}}
		}
	case "file":
		var out []term
		for algo, v := range o.Hashes {
			if _, ok := hashType(algo); ok {
				out = append(out, term{objectType: "file", path: "hashes." + algo, value: v})
			}
		}
		slices.SortFunc(out, func(a, b term) int { return strings.Compare(a.path, b.path) }) // maps have no order
		if o.Name != "" {
			out = append(out, term{objectType: "file", path: "name", value: o.Name})
		}
		return out
	case "user-account":
		if o.AccountLogin != "" && o.AccountType != "" {
			return []term{{objectType: "user-account", path: "handle", value: o.AccountType + "/" + o.AccountLogin}}
		}
	}
	return nil
}
