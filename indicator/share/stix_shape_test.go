package share

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"testing"
)

// The official OASIS JSON schemas could not be vendored in full (see the package report); until
// they are, this checks what they require of the objects Haven writes, transcribed from the
// STIX 2.1 schemas read at oasis-open/cti-stix2-json-schemas (identifier.json, indicator.json,
// observed-data.json, grouping.json, identity.json, threat-actor.json at 08cd340/2170b99/0c6e94c).

// stixIdentifier is the pattern of schemas/common/identifier.json.
var stixIdentifier = regexp.MustCompile(`^[a-z][a-z0-9-]+[a-z0-9]--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$`)

// stixMillis is core.json's created/modified: RFC 3339, UTC, milliseconds.
var stixMillis = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)

// required lists, per type, the properties the schemas require beyond the common ones.
var required = map[string][]string{
	"identity":           {"name"},
	"indicator":          {"pattern", "pattern_type", "valid_from"},
	"attack-pattern":     {"name"},
	"threat-actor":       {"name"},
	"intrusion-set":      {"name"},
	"campaign":           {"name"},
	"observed-data":      {"first_observed", "last_observed", "number_observed", "object_refs"},
	"grouping":           {"context", "object_refs"},
	"sighting":           {"sighting_of_ref"},
	"relationship":       {"relationship_type", "source_ref", "target_ref"},
	"marking-definition": {"created", "name", "extensions"},
	"domain-name":        {"value"},
	"url":                {"value"},
	"ipv4-addr":          {"value"},
	"ipv6-addr":          {"value"},
	"email-addr":         {"value"},
	"file":               {"hashes"},
	"user-account":       {"account_login"},
}

// vocabularies are the open vocabularies whose values Haven chooses.
var vocabularies = map[string][]string{
	"indicator_types": {"anomalous-activity", "anonymization", "benign", "compromised", "malicious-activity", "attribution", "unknown"},
	"identity_class":  {"individual", "group", "system", "organization", "class", "unknown"},
	"context":         {"suspicious-activity", "malware-analysis", "unspecified"},
	"pattern_type":    {"stix", "pcre", "sigma", "snort", "suricata", "yara"},
}

// relationships are the (source, type, target) triples STIX 2.1 defines that Haven writes.
var relationships = map[string]bool{
	"indicator indicates attack-pattern": true, "indicator indicates campaign": true,
	"campaign attributed-to threat-actor": true, "campaign attributed-to intrusion-set": true,
	"campaign uses attack-pattern": true,
}

func checkObject(o map[string]any) error {
	typ, _ := o["type"].(string)
	id, _ := o["id"].(string)
	req, known := required[typ]
	if !known || !stixIdentifier.MatchString(id) || id[:len(typ)] != typ || o["spec_version"] != "2.1" {
		return fmt.Errorf("%s: unknown type, bad id or spec_version", id)
	}
	isSCO := slices.Contains([]string{"domain-name", "url", "ipv4-addr", "ipv6-addr", "email-addr", "file", "user-account"}, typ)
	if !isSCO && typ != "marking-definition" {
		req = append(req, "created", "modified")
		for _, k := range []string{"created", "modified"} {
			if s, _ := o[k].(string); !stixMillis.MatchString(s) {
				return fmt.Errorf("%s: %s %q is not a millisecond UTC timestamp", id, k, o[k])
			}
		}
	}
	for _, k := range req {
		if v, ok := o[k]; !ok || v == "" || v == nil {
			return fmt.Errorf("%s: required property %s is missing", id, k)
		}
	}
	for k, allowed := range vocabularies {
		for _, v := range asStrings(o[k]) {
			if !slices.Contains(allowed, v) {
				return fmt.Errorf("%s: %s %q is outside the vocabulary", id, k, v)
			}
		}
	}
	if typ == "relationship" {
		src, dst := o["source_ref"].(string), o["target_ref"].(string)
		triple := src[:len(src)-38] + " " + o["relationship_type"].(string) + " " + dst[:len(dst)-38]
		if !relationships[triple] {
			return fmt.Errorf("%s: %q is not a relationship STIX defines", id, triple)
		}
	}
	return nil
}

func asStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			s, _ := e.(string)
			out = append(out, s)
		}
		return out
	}
	return nil
}

func TestSTIXShapes(t *testing.T) {
	data, err := STIX(sampleExport())
	if err != nil {
		t.Fatal(err)
	}
	var b struct {
		Type    string           `json:"type"`
		ID      string           `json:"id"`
		Objects []map[string]any `json:"objects"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	if b.Type != "bundle" || !stixIdentifier.MatchString(b.ID) || len(b.Objects) == 0 {
		t.Fatalf("bundle %s %s with %d objects", b.Type, b.ID, len(b.Objects))
	}
	types := map[string]int{}
	for _, o := range b.Objects {
		if err := checkObject(o); err != nil {
			t.Error(err)
		}
		types[o["type"].(string)]++
	}
	for typ := range required {
		if types[typ] == 0 {
			t.Errorf("the sample export writes no %s: the check does not cover it", typ)
		}
	}
	// The check can fail: an indicator without its pattern, a made-up relationship.
	for _, o := range b.Objects {
		if o["type"] == "indicator" {
			broken := map[string]any{}
			for k, v := range o {
				broken[k] = v
			}
			delete(broken, "pattern")
			if checkObject(broken) == nil {
				t.Error("an indicator without a pattern passes")
			}
			break
		}
	}
	bad := map[string]any{"type": "relationship", "spec_version": "2.1", "id": "relationship--6ba7b810-9dad-51d1-80b4-00c04fd430c8",
		"created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z", "relationship_type": "based-on",
		"source_ref": "indicator--6ba7b810-9dad-51d1-80b4-00c04fd430c8", "target_ref": "domain-name--6ba7b810-9dad-51d1-80b4-00c04fd430c8"}
	if checkObject(bad) == nil {
		t.Error("indicator based-on a cyber-observable passes")
	}
}
