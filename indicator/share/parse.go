package share

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxObjects bounds the STIX objects of a bundle and the attributes of MISP events: a partner
// feed larger than that is a dump to be split, not something to import in one go.
const maxObjects = 100_000

// Parse reads a partner's feed: a STIX 2.1 bundle, or a MISP event ({"Event": …}, a bare event,
// or a {"response": [{"Event": …}, …]} list). Values are normalised as Haven's own; what is not
// understood is counted in Skipped, never an error. Errors say what is wrong with the document
// as a whole, in words safe to show (they quote at most a few dozen characters of it).
func Parse(data []byte) (Feed, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return Feed{}, errors.New("the feed is empty")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return Feed{}, notAnObject(data, err)
	}
	switch {
	case top["type"] != nil:
		return parseSTIX(top)
	case top["Event"] != nil:
		return parseMISP([]json.RawMessage{top["Event"]})
	case top["response"] != nil:
		return parseMISPResponse(top["response"])
	case top["Attribute"] != nil || top["Object"] != nil:
		return parseMISP([]json.RawMessage{data})
	}
	return Feed{}, errors.New("the feed is JSON, but neither a STIX 2.1 bundle nor a MISP event")
}

// notAnObject explains why data did not decode as a JSON object.
func notAnObject(data []byte, err error) error {
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax) && strings.Contains(syntax.Error(), "max depth"):
		return errors.New("the feed nests too deeply to be a STIX bundle or a MISP event")
	case errors.As(err, &syntax):
		return fmt.Errorf("the feed is not JSON (syntax error at byte %d)", syntax.Offset)
	case json.Valid(data):
		return errors.New("the feed is JSON, but not an object: expected a STIX 2.1 bundle or a MISP event")
	}
	return errors.New("the feed is not JSON")
}

// decodeString reads a JSON string member, "" when absent or not a string.
func decodeString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// attackID finds an ATT&CK technique id in a galaxy tag or reference ("… - T1566.002").
var attackID = regexp.MustCompile(`\bT\d{4}(?:\.\d{3})?\b`)

// addTechnique adds an id once, keeping the order found.
func addTechnique(list []string, id string) []string {
	if id == "" || slices.Contains(list, id) {
		return list
	}
	return append(list, id)
}

// parseTime reads the timestamps feeds carry: RFC 3339 (STIX, MISP first_seen), a date
// (MISP's date), or Unix seconds (MISP's timestamp).
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 && n < 1<<40 {
		return time.Unix(n, 0).UTC()
	}
	return time.Time{}
}

// clampConfidence reads a confidence as an integer in 0..100.
func clampConfidence(f float64) int {
	switch {
	case f != f || f <= 0: // NaN or nothing
		return 0
	case f >= 100:
		return 100
	}
	return int(f + 0.5)
}
