package share

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/haven-helpline/haven/indicator"
)

// The parts of the MISP core format Haven reads. Instances differ in small ways (to_ids as a
// boolean or "1", timestamps as strings or numbers), so those fields are read leniently.
type mispEventIn struct {
	Info      string            `json:"info"`
	Date      string            `json:"date"`
	Tag       []mispTag         `json:"Tag"`
	Galaxy    []mispGalaxyIn    `json:"Galaxy"`
	Attribute []json.RawMessage `json:"Attribute"`
	Object    []mispObjectIn    `json:"Object"`
}

type mispObjectIn struct {
	Attribute []json.RawMessage `json:"Attribute"`
	Tag       []mispTag         `json:"Tag"`
}

type mispAttributeIn struct {
	Type      string          `json:"type"`
	Value     string          `json:"value"`
	Comment   string          `json:"comment"`
	ToIDS     json.RawMessage `json:"to_ids"`
	Deleted   json.RawMessage `json:"deleted"`
	FirstSeen json.RawMessage `json:"first_seen"`
	Timestamp json.RawMessage `json:"timestamp"`
	Tag       []mispTag       `json:"Tag"`
	Galaxy    []mispGalaxyIn  `json:"Galaxy"`
}

type mispGalaxyIn struct {
	GalaxyCluster []struct {
		TagName string `json:"tag_name"`
	} `json:"GalaxyCluster"`
}

// mispTypes maps the attribute types Haven reads onto observable types.
var mispTypes = map[string]indicator.Type{
	"url": indicator.URL, "domain": indicator.Domain, "hostname": indicator.Domain,
	"ip-src": indicator.IP, "ip-dst": indicator.IP, "email": indicator.Email, "email-src": indicator.Email,
	"email-dst": indicator.Email, "md5": indicator.MD5, "sha1": indicator.SHA1, "sha256": indicator.SHA256,
	"phone-number": indicator.Phone, "github-username": indicator.Handle, "twitter-id": indicator.Handle,
	"filename": indicator.Filename,
}

// handlePlatforms names the platform of the account types MISP has (as indicator.Observable.MISP writes them).
var handlePlatforms = map[string]string{"github-username": "github", "twitter-id": "x"}

func parseMISPResponse(raw json.RawMessage) (Feed, error) {
	var list []struct {
		Event json.RawMessage `json:"Event"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return Feed{}, errors.New(`the MISP response is not a list of events`)
	}
	var events []json.RawMessage
	for _, item := range list {
		if item.Event != nil {
			events = append(events, item.Event)
		}
	}
	if len(events) == 0 {
		return Feed{}, errors.New("the MISP response holds no events")
	}
	return parseMISP(events)
}

// mispReader reads one or more events into one feed.
type mispReader struct {
	feed  Feed
	count int
}

func parseMISP(events []json.RawMessage) (Feed, error) {
	r := &mispReader{feed: Feed{Format: "misp"}}
	for _, raw := range events {
		var ev mispEventIn
		if err := json.Unmarshal(raw, &ev); err != nil {
			return Feed{}, errors.New("the MISP event is not an event object (Attribute must be a list of attributes)")
		}
		if err := r.readEvent(ev); err != nil {
			return Feed{}, err
		}
	}
	if r.count == 0 {
		return Feed{}, errors.New("the MISP event has no attributes")
	}
	return r.feed, nil
}

func (r *mispReader) readEvent(ev mispEventIn) error {
	eventTLP := tagTLP(ev.Tag)
	for _, t := range tagTechniques(ev.Tag, ev.Galaxy) {
		r.feed.Techniques = addTechnique(r.feed.Techniques, t)
	}
	r.count += len(ev.Attribute)
	for _, o := range ev.Object {
		r.count += len(o.Attribute)
	}
	if r.count > maxObjects {
		return fmt.Errorf("the MISP feed has more than %d attributes; Haven reads at most that many at once", maxObjects)
	}
	for _, raw := range ev.Attribute {
		r.readAttribute(raw, ev, eventTLP, nil)
	}
	for _, o := range ev.Object {
		for _, raw := range o.Attribute {
			r.readAttribute(raw, ev, eventTLP, o.Tag)
		}
	}
	return nil
}

// readAttribute imports one attribute. Its TLP is its own tag's, else its object's, else the
// event's, else amber; its verdict is Haven's verdict tag, else malicious when meant for
// detection (to_ids), else none.
func (r *mispReader) readAttribute(raw json.RawMessage, ev mispEventIn, eventTLP TLP, objectTags []mispTag) {
	var a mispAttributeIn
	if err := json.Unmarshal(raw, &a); err != nil {
		r.feed.Skipped++
		return
	}
	if flag(a.Deleted) {
		return // a revocation: nothing to import
	}
	obs, ok := a.observable()
	if !ok {
		r.feed.Skipped++
		return
	}
	t := tagTLP(a.Tag)
	for _, fallback := range []TLP{tagTLP(objectTags), eventTLP, TLPAmber} {
		if t == "" {
			t = fallback
		}
	}
	in := Imported{Observable: obs, Verdict: tagVerdict(a.Tag), TLP: t, Name: ev.Info, Description: a.Comment,
		ValidFrom: parseTime(rawText(a.FirstSeen)), Techniques: tagTechniques(append(a.Tag, objectTags...), a.Galaxy)}
	if in.Verdict == NoVerdict && flag(a.ToIDS) {
		in.Verdict = Malicious
	}
	for _, fallback := range []string{rawText(a.Timestamp), ev.Date} {
		if in.ValidFrom.IsZero() {
			in.ValidFrom = parseTime(fallback)
		}
	}
	r.feed.Indicators = append(r.feed.Indicators, in)
}

func (a mispAttributeIn) observable() (indicator.Observable, bool) {
	t, ok := mispTypes[a.Type]
	if !ok {
		return indicator.Observable{}, false
	}
	v := a.Value
	if p, ok := handlePlatforms[a.Type]; ok {
		v = p + "/" + v
	}
	return normalise(t, v)
}

// tagTLP is the strictest TLP among tags, "" when none is one.
func tagTLP(tags []mispTag) TLP {
	var t TLP
	for _, tag := range tags {
		if !strings.HasPrefix(strings.ToLower(tag.Name), "tlp:") {
			continue
		}
		if level, err := ParseTLP(tag.Name); err == nil {
			t = maxTLP(t, level)
		}
	}
	return t
}

// tagVerdict reads Haven's verdict tag.
func tagVerdict(tags []mispTag) string {
	for _, tag := range tags {
		if v, ok := strings.CutPrefix(tag.Name, verdictTag); ok {
			if s, err := strconv.Unquote(v); err == nil && (s == Malicious || s == Suspicious || s == Benign) {
				return s
			}
		}
	}
	return NoVerdict
}

// tagTechniques reads ATT&CK ids from attack-pattern galaxy tags, as tags or as galaxy clusters.
func tagTechniques(tags []mispTag, galaxies []mispGalaxyIn) []string {
	names := make([]string, 0, len(tags))
	for _, t := range tags {
		names = append(names, t.Name)
	}
	for _, g := range galaxies {
		for _, c := range g.GalaxyCluster {
			names = append(names, c.TagName)
		}
	}
	var out []string
	for _, n := range names {
		galaxy, value, ok := strings.Cut(n, "=")
		if !ok || !strings.Contains(galaxy, "attack-pattern") {
			continue
		}
		if ids := attackID.FindAllString(value, -1); len(ids) > 0 {
			out = addTechnique(out, ids[len(ids)-1])
		}
	}
	return out
}

// flag reads MISP's booleans: true, 1, "1", "true".
func flag(raw json.RawMessage) bool {
	switch strings.ToLower(strings.Trim(string(bytes.TrimSpace(raw)), `"`)) {
	case "true", "1":
		return true
	}
	return false
}

// rawText reads a string or a number as text ("" for null or anything else).
func rawText(raw json.RawMessage) string {
	if s := decodeString(raw); s != "" {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}
