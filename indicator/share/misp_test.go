package share

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestMISPShapes checks a written event against the MISP core format: every attribute's
// type is one MISP allows in its category (describeTypes.json, vendored in testdata), and the
// event's fields have the shapes the format prescribes (draft-dulaunoy-misp-core-format).
func TestMISPShapes(t *testing.T) {
	data, err := MISP(sampleExport())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Event mispEvent `json:"Event"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	ev := doc.Event
	checkEventFields(t, ev)
	types := describeTypes(t)
	attrs := slices.Clone(ev.Attribute)
	for _, o := range ev.Object {
		if o.Name != "file" || o.TemplateUUID != fileTemplateUUID || !isUUID(o.UUID) || len(o.Attribute) == 0 {
			t.Errorf("object %+v", o)
		}
		for _, a := range o.Attribute {
			if a.ObjectRelation != a.Type {
				t.Errorf("file object attribute %s has relation %q", a.Type, a.ObjectRelation)
			}
		}
		attrs = append(attrs, o.Attribute...)
	}
	if len(attrs) != 10 {
		t.Errorf("%d attributes, want the 10 indicators within amber", len(attrs))
	}
	for _, a := range attrs {
		if !slices.Contains(types[a.Category], a.Type) {
			t.Errorf("attribute %s: type %q is not allowed in category %q", a.Value, a.Type, a.Category)
		}
		if !isUUID(a.UUID) || a.Distribution != "5" || !isUnix(a.Timestamp) || a.Value == "" {
			t.Errorf("attribute %+v", a)
		}
		for _, s := range []string{a.FirstSeen, a.LastSeen} {
			if _, err := time.Parse(time.RFC3339Nano, s); s != "" && err != nil {
				t.Errorf("attribute %s: seen time %q: %v", a.Value, s, err)
			}
		}
	}
}

func checkEventFields(t *testing.T, ev mispEvent) {
	t.Helper()
	if !isUUID(ev.UUID) || !isUUID(ev.Orgc.UUID) || ev.Orgc.Name == "" {
		t.Errorf("event uuid %q, Orgc %+v", ev.UUID, ev.Orgc)
	}
	if _, err := time.Parse(time.DateOnly, ev.Date); err != nil {
		t.Errorf("date %q", ev.Date)
	}
	checks := map[string][]string{
		ev.ThreatLevelID: {"1", "2", "3", "4"},
		ev.Analysis:      {"0", "1", "2"},
		ev.Distribution:  {"0", "1", "2", "3", "4"},
	}
	for v, allowed := range checks {
		if !slices.Contains(allowed, v) {
			t.Errorf("field value %q not in %v", v, allowed)
		}
	}
	if ev.Info == "" || len(ev.Info) > 256 || !isUnix(ev.Timestamp) || ev.PublishTimestamp != "0" || ev.Published {
		t.Errorf("event %q timestamp %q", ev.Info, ev.Timestamp)
	}
	if ev.Tag[0].Name != "tlp:amber" {
		t.Errorf("first event tag %q, want the strictest TLP held (amber)", ev.Tag[0].Name)
	}
}

// describeTypes reads the vendored category → types mapping.
func describeTypes(t *testing.T) map[string][]string {
	t.Helper()
	raw, err := os.ReadFile("testdata/misp-describeTypes.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Mappings map[string][]string `json:"category_type_mappings"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	return d.Mappings
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func isUUID(s string) bool { return uuidPattern.MatchString(s) }

func isUnix(s string) bool {
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && n > 0
}

// TestMISPShapesCatchErrors: the category check fails on a pair MISP does not allow.
func TestMISPShapesCatchErrors(t *testing.T) {
	types := describeTypes(t)
	if slices.Contains(types["Person"], "domain") || !slices.Contains(types["Network activity"], "domain") {
		t.Error("the vendored mapping does not tell allowed from forbidden pairs")
	}
}
