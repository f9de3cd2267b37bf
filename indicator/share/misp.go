package share

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/haven-helpline/haven/indicator"
)

// The MISP core format (draft-dulaunoy-misp-core-format) as Haven writes it: the fields an
// instance needs to import an event; ids local to an instance (id, event_id, org_id) are left to
// the importing instance.
type mispEvent struct {
	UUID             string          `json:"uuid"`
	Info             string          `json:"info"`
	Date             string          `json:"date"`
	ThreatLevelID    string          `json:"threat_level_id"`
	Analysis         string          `json:"analysis"`
	Distribution     string          `json:"distribution"`
	SharingGroupID   string          `json:"sharing_group_id"`
	Published        bool            `json:"published"`
	Timestamp        string          `json:"timestamp"`
	PublishTimestamp string          `json:"publish_timestamp"`
	Orgc             mispOrg         `json:"Orgc"`
	Attribute        []mispAttribute `json:"Attribute"`
	Object           []mispObject    `json:"Object,omitempty"`
	Tag              []mispTag       `json:"Tag"`
}

type mispOrg struct {
	UUID string `json:"uuid"`
	Name string `json:"name"`
}

type mispAttribute struct {
	UUID               string    `json:"uuid"`
	Type               string    `json:"type"`
	Category           string    `json:"category"`
	ToIDS              bool      `json:"to_ids"`
	Value              string    `json:"value"`
	Comment            string    `json:"comment"`
	Distribution       string    `json:"distribution"`
	SharingGroupID     string    `json:"sharing_group_id"`
	Timestamp          string    `json:"timestamp"`
	Deleted            bool      `json:"deleted"`
	DisableCorrelation bool      `json:"disable_correlation"`
	ObjectRelation     string    `json:"object_relation,omitempty"`
	FirstSeen          string    `json:"first_seen,omitempty"`
	LastSeen           string    `json:"last_seen,omitempty"`
	Tag                []mispTag `json:"Tag,omitempty"`
}

type mispObject struct {
	UUID            string          `json:"uuid"`
	Name            string          `json:"name"`
	MetaCategory    string          `json:"meta-category"`
	Description     string          `json:"description"`
	TemplateUUID    string          `json:"template_uuid"`
	TemplateVersion string          `json:"template_version"`
	Distribution    string          `json:"distribution"`
	SharingGroupID  string          `json:"sharing_group_id"`
	Timestamp       string          `json:"timestamp"`
	Comment         string          `json:"comment"`
	Attribute       []mispAttribute `json:"Attribute"`
}

type mispTag struct {
	Name string `json:"name"`
}

// The file object template of MISP/misp-objects (objects/file/definition.json).
const (
	fileTemplateUUID    = "688c46fb-5edb-40a3-8273-1af7923e2215"
	fileTemplateVersion = "23"
)

// verdictTag carries a verdict that to_ids cannot: to_ids says "detect this" (malicious), and
// MISP has no field for suspicious or benign, so Haven writes them as a tag of its own namespace.
const verdictTag = `haven:verdict=`

// distributions maps the event's marking onto MISP's distribution levels: only clear data may
// travel to all communities; green stays in the receiving community; amber and stricter stay in
// the receiving organisation.
var distributions = map[TLP]string{TLPClear: "3", TLPGreen: "1", TLPAmber: "0", TLPAmberStrict: "0", TLPRed: "0"}

// MISP writes an export as a MISP event ({"Event": {…}}): an attribute per indicator (hashes the
// caller marks as one file grouped in a file object), the event tagged with the strictest TLP it
// holds and attributes with their own when less strict, ATT&CK techniques and actors as galaxy
// tags. Attributes inherit the event's distribution.
func MISP(e Export) ([]byte, error) {
	p, err := newPlan(e)
	if err != nil {
		return nil, err
	}
	w := &mispWriter{p: p, stamp: strconv.FormatInt(e.Created.Unix(), 10), eventTLP: p.strictest()}
	ev := mispEvent{UUID: w.uuid("event", p.eventKey()), Info: p.info(), Date: p.date().UTC().Format(time.DateOnly),
		ThreatLevelID: p.threatLevel(), Analysis: "2", Distribution: distributions[w.eventTLP], SharingGroupID: "0",
		Timestamp: w.stamp, PublishTimestamp: "0", Orgc: mispOrg{UUID: w.uuid("org", ""), Name: e.Identity.Name}}
	ev.Attribute, ev.Object = w.attributes()
	ev.Tag = w.eventTags()
	if ev.Attribute == nil {
		ev.Attribute = []mispAttribute{}
	}
	return marshal(map[string]mispEvent{"Event": ev})
}

type mispWriter struct {
	p        *plan
	stamp    string
	eventTLP TLP
}

func (w *mispWriter) uuid(kind, key string) string {
	return uuid5(strings.Join([]string{w.p.e.Identity.Name, "misp-" + kind, key}, "\x00"))
}

// attributes writes the indicators, gathering hashes of the same file into file objects.
func (w *mispWriter) attributes() ([]mispAttribute, []mispObject) {
	var attrs []mispAttribute
	var objects []mispObject
	files := map[string]int{}
	for _, in := range w.p.indicators {
		a := w.attribute(in)
		if in.File == "" || !ofFile(in.Observable.Type) {
			attrs = append(attrs, a)
			continue
		}
		a.ObjectRelation = a.Type
		i, ok := files[in.File]
		if !ok {
			i = len(objects)
			files[in.File] = i
			objects = append(objects, mispObject{UUID: w.uuid("object", in.File), Name: "file", MetaCategory: "file",
				Description: "File object describing a file with meta-information", TemplateUUID: fileTemplateUUID,
				TemplateVersion: fileTemplateVersion, Distribution: "5", SharingGroupID: "0", Timestamp: w.stamp})
		}
		objects[i].Attribute = append(objects[i].Attribute, a)
	}
	return attrs, objects
}

// ofFile reports whether a value describes a file (its hashes, its name): a file object's.
func ofFile(t indicator.Type) bool {
	return t == indicator.MD5 || t == indicator.SHA1 || t == indicator.SHA256 || t == indicator.Filename
}

func (w *mispWriter) attribute(in Indicator) mispAttribute {
	m := in.Observable.MISP()
	comment := strings.Join(slices.DeleteFunc([]string{m.Comment, in.Comment}, func(s string) bool { return s == "" }), ": ")
	// Detection follows the verdict, except where the indicator package judges the type unfit for
	// it (people's phone numbers, accounts): there the verdict travels as a tag only.
	a := mispAttribute{UUID: w.uuid("attribute", in.Key), Type: m.Type, Category: m.Category, ToIDS: in.Verdict == Malicious && m.ToIDS,
		Value: m.Value, Comment: comment, Distribution: "5", SharingGroupID: "0", Timestamp: w.stamp}
	if !in.FirstSeen.IsZero() {
		a.FirstSeen = mispTime(in.FirstSeen)
	}
	if !in.LastSeen.IsZero() {
		a.LastSeen = mispTime(in.LastSeen)
	}
	if in.TLP != w.eventTLP {
		a.Tag = append(a.Tag, mispTag{in.TLP.mispTag()})
	}
	if in.Verdict != NoVerdict && !a.ToIDS {
		a.Tag = append(a.Tag, mispTag{verdictTag + strconv.Quote(in.Verdict)})
	}
	for _, t := range in.Techniques {
		a.Tag = append(a.Tag, mispTag{w.galaxyTag(t)})
	}
	return a
}

// mispTime writes first_seen and last_seen as MISP does: ISO 8601 to the microsecond, with zone.
func mispTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000-07:00") }

// galaxyTag is the tag of the MISP galaxy cluster of an ATT&CK technique, "Name - T1566".
func (w *mispWriter) galaxyTag(id string) string {
	t := w.p.technique(id)
	name := t.ID
	if t.Name != t.ID {
		name = t.Name + " - " + t.ID
	}
	return "misp-galaxy:mitre-attack-pattern=" + strconv.Quote(name)
}

// eventTags are the event's marking, the techniques of its groups and campaigns, and its actors.
func (w *mispWriter) eventTags() []mispTag {
	tags := []mispTag{{w.eventTLP.mispTag()}}
	add := func(name string) {
		if !slices.Contains(tags, mispTag{name}) {
			tags = append(tags, mispTag{name})
		}
	}
	for _, g := range w.p.groups {
		for _, t := range g.Techniques {
			add(w.galaxyTag(t))
		}
	}
	for _, c := range w.p.campaigns {
		for _, t := range c.Techniques {
			add(w.galaxyTag(t))
		}
	}
	for _, a := range w.p.actors {
		add("misp-galaxy:threat-actor=" + strconv.Quote(a.Name))
	}
	return tags
}

// strictest is the strictest marking of anything the event carries.
func (p *plan) strictest() TLP {
	t := TLPClear
	for _, in := range p.indicators {
		t = maxTLP(t, in.TLP)
	}
	for _, g := range p.groups {
		t = maxTLP(t, g.TLP)
	}
	for _, a := range p.actors {
		t = maxTLP(t, a.TLP)
	}
	for _, c := range p.campaigns {
		t = maxTLP(t, c.TLP)
	}
	return t
}

// eventKey names the event: the caller's key, or the keys of what it was asked to export (all
// of them, kept or not, so that one case exported under two TLP ceilings is one event).
func (p *plan) eventKey() string {
	if p.e.Key != "" {
		return p.e.Key
	}
	var keys []string
	for _, c := range p.e.Campaigns {
		keys = append(keys, "campaign:"+c.Key)
	}
	for _, g := range p.e.Groups {
		keys = append(keys, "group:"+g.Key)
	}
	return strings.Join(keys, "\x00")
}

// info summarises the event: its campaigns' names, else its groups', else who shares it.
func (p *plan) info() string {
	var names []string
	for _, c := range p.campaigns {
		names = append(names, c.Name)
	}
	if len(names) == 0 {
		for _, g := range p.groups {
			names = append(names, g.Name)
		}
	}
	info := strings.Join(slices.DeleteFunc(names, func(s string) bool { return s == "" }), "; ")
	if info == "" {
		info = "Indicators shared by " + p.e.Identity.Name
	}
	return strings.Join(strings.Fields(clip(info, 250)), " ") // the core format wants no new-lines, 256 at most
}

// date is when the event happened: the earliest first sighting, else the export's time.
func (p *plan) date() time.Time {
	d := p.e.Created
	for _, in := range p.indicators {
		if !in.FirstSeen.IsZero() && in.FirstSeen.Before(d) {
			d = in.FirstSeen
		}
	}
	for _, g := range p.groups {
		if !g.FirstSeen.IsZero() && g.FirstSeen.Before(d) {
			d = g.FirstSeen
		}
	}
	return d
}

// threatLevel: medium when something is malicious, low when only suspicious, else undefined.
// (High is a judgement about impact the helpline leaves to the receiving analyst.)
func (p *plan) threatLevel() string {
	level := "4"
	for _, in := range p.indicators {
		switch in.Verdict {
		case Malicious:
			return "2"
		case Suspicious:
			level = "3"
		}
	}
	return level
}
