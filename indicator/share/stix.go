package share

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
)

// STIX writes an export as an indented STIX 2.1 bundle: the helpline's identity, the TLP 2.0
// marking definitions used, a cyber-observable per indicator, a STIX indicator per indicator
// with a verdict, an observed-data and a grouping per group, sightings carrying first and last
// seen, attack patterns, threat actors or intrusion sets, campaigns, and the relationships the
// specification defines between them (indicates, attributed-to, uses). Phone numbers have no
// STIX object and are left out. Ids are stable across re-exports.
func STIX(e Export) ([]byte, error) {
	p, err := newPlan(e)
	if err != nil {
		return nil, err
	}
	w := &stixWriter{p: p, name: e.Identity.Name, created: stixTime(e.Created), tlpOf: map[string]TLP{},
		sco: map[string]string{}, sdo: map[string]string{}, observed: map[string]string{}, patterns: map[string]string{}}
	w.identity = stableID(w.name, "identity", "identity")
	w.writeObservables()
	w.writeIndicators()
	w.writeGroups()
	w.writeSightings()
	w.writeActors()
	w.writeCampaigns()
	return marshal(w.bundle())
}

type stixWriter struct {
	p        *plan
	name     string // the identity's name: the namespace of every id
	identity string
	created  string
	objects  []any
	tlpOf    map[string]TLP    // the marking of every object written, by id
	sco      map[string]string // indicator key → cyber-observable id
	sdo      map[string]string // indicator key → STIX indicator id
	observed map[string]string // group key → observed-data id
	patterns map[string]string // ATT&CK id → attack-pattern id
}

// common fills the properties every object Haven writes shares, and records its marking.
func (w *stixWriter) common(typ, key string, t TLP) stixCommon {
	id := stableID(w.name, typ, key)
	w.tlpOf[id] = t
	return stixCommon{Type: typ, SpecVersion: "2.1", ID: id, CreatedByRef: w.identity, Created: w.created,
		Modified: w.created, ObjectMarkingRefs: []string{tlp2Markings[t]}}
}

// writeObservables writes one cyber-observable per distinct value. Two indicators may share a
// value (and so an id); the observable then carries the stricter of their markings.
func (w *stixWriter) writeObservables() {
	var order []string
	objects := map[string]map[string]any{}
	for _, in := range w.p.indicators {
		s, ok := in.Observable.STIX()
		if !ok {
			continue
		}
		w.sco[in.Key] = s.ID
		if _, seen := objects[s.ID]; seen {
			w.tlpOf[s.ID] = maxTLP(w.tlpOf[s.ID], in.TLP)
			continue
		}
		o := map[string]any{"type": s.Type, "spec_version": "2.1", "id": s.ID}
		for k, v := range s.Properties {
			o[k] = v
		}
		objects[s.ID], w.tlpOf[s.ID] = o, in.TLP
		order = append(order, s.ID)
	}
	for _, id := range order {
		objects[id]["object_marking_refs"] = []string{tlp2Markings[w.tlpOf[id]]}
		w.objects = append(w.objects, objects[id])
	}
}

// indicatorTypes maps a verdict onto STIX's indicator-type vocabulary.
var indicatorTypes = map[string]string{Malicious: "malicious-activity", Suspicious: "anomalous-activity", Benign: "benign"}

func (w *stixWriter) writeIndicators() {
	for _, in := range w.p.indicators {
		s, ok := in.Observable.STIX()
		if in.Verdict == NoVerdict || !ok {
			continue
		}
		o := stixIndicator{stixCommon: w.common("indicator", in.Key, in.TLP),
			Name: string(in.Observable.Type) + " " + in.Observable.Value, Description: in.Comment,
			IndicatorTypes: []string{indicatorTypes[in.Verdict]}, Pattern: s.Pattern, PatternType: "stix",
			PatternVersion: "2.1", ValidFrom: stixTime(orDefault(in.FirstSeen, w.p.e.Created)), Confidence: in.Confidence}
		w.objects = append(w.objects, o)
		w.sdo[in.Key] = o.ID
		for _, t := range in.Techniques {
			w.relate(o.ID, "indicates", w.attackPattern(t))
		}
	}
}

// attackPattern writes a technique's attack pattern the first time it is used. ATT&CK is
// public, so attack patterns are TLP:CLEAR whatever points at them.
func (w *stixWriter) attackPattern(id string) string {
	if ref, ok := w.patterns[id]; ok {
		return ref
	}
	t := w.p.technique(id)
	o := stixAttackPattern{stixCommon: w.common("attack-pattern", t.ID, TLPClear), Name: t.Name,
		ExternalReferences: []stixExternalRef{{SourceName: t.SourceName, ExternalID: t.ID, URL: t.URL}}}
	w.objects = append(w.objects, o)
	w.patterns[id] = o.ID
	return o.ID
}

// writeGroups writes what each group observed (observed-data over its observables) and a
// grouping that ties the observation to the group's indicators and techniques. Both carry at
// least the markings of what they point at: an id of a cyber-observable derives from its value.
func (w *stixWriter) writeGroups() {
	for _, g := range w.p.groups {
		var scos, refs []string
		for _, k := range g.Indicators {
			if id, ok := w.sco[k]; ok && !slices.Contains(scos, id) {
				scos = append(scos, id)
			}
		}
		if len(scos) > 0 {
			o := stixObservedData{stixCommon: w.common("observed-data", g.Key, w.stricter(g.TLP, scos)),
				FirstObserved: stixTime(orDefault(g.FirstSeen, w.p.e.Created)),
				LastObserved:  stixTime(orDefault(g.LastSeen, orDefault(g.FirstSeen, w.p.e.Created))), NumberObserved: 1, ObjectRefs: scos}
			w.objects = append(w.objects, o)
			w.observed[g.Key] = o.ID
			refs = append(refs, o.ID)
		}
		for _, k := range g.Indicators {
			if id, ok := w.sdo[k]; ok {
				refs = append(refs, id)
			}
		}
		for _, t := range g.Techniques {
			refs = append(refs, w.attackPattern(t))
		}
		if len(refs) > 0 {
			w.objects = append(w.objects, stixGrouping{stixCommon: w.common("grouping", g.Key, w.stricter(g.TLP, refs)),
				Name: g.Name, Context: "suspicious-activity", ObjectRefs: refs})
		}
	}
}

// writeSightings records when each indicator was seen, and in which groups' observations.
func (w *stixWriter) writeSightings() {
	for _, in := range w.p.indicators {
		id, ok := w.sdo[in.Key]
		if !ok || in.FirstSeen.IsZero() && in.LastSeen.IsZero() {
			continue
		}
		var observed []string
		for _, g := range w.p.groupsOf(in.Key) {
			if ref, ok := w.observed[g.Key]; ok {
				observed = append(observed, ref)
			}
		}
		o := stixSighting{stixCommon: w.common("sighting", in.Key, w.stricter(in.TLP, observed)), SightingOfRef: id,
			ObservedDataRefs: observed, WhereSightedRefs: []string{w.identity}}
		if !in.FirstSeen.IsZero() {
			o.FirstSeen = stixTime(in.FirstSeen)
		}
		if !in.LastSeen.IsZero() {
			o.LastSeen = stixTime(in.LastSeen)
		}
		w.objects = append(w.objects, o)
	}
}

func (w *stixWriter) writeActors() {
	for _, a := range w.p.actors {
		kind := a.Kind
		if kind == "" {
			kind = ThreatActor
		}
		w.objects = append(w.objects, stixActor{stixCommon: w.common(kind, a.Key, a.TLP), Name: a.Name,
			Description: a.Description, Aliases: a.Aliases})
	}
}

func (w *stixWriter) writeCampaigns() {
	for _, c := range w.p.campaigns {
		o := stixCampaign{stixCommon: w.common("campaign", c.Key, c.TLP), Name: c.Name, Description: c.Description, Aliases: c.Aliases}
		if !c.FirstSeen.IsZero() {
			o.FirstSeen = stixTime(c.FirstSeen)
		}
		if !c.LastSeen.IsZero() {
			o.LastSeen = stixTime(c.LastSeen)
		}
		w.objects = append(w.objects, o)
		for _, k := range c.ActorKeys {
			a := w.p.actor(k)
			kind := a.Kind
			if kind == "" {
				kind = ThreatActor
			}
			w.relate(o.ID, "attributed-to", stableID(w.name, kind, a.Key))
		}
		for _, t := range c.Techniques {
			w.relate(o.ID, "uses", w.attackPattern(t))
		}
		for _, in := range w.p.indicators {
			if id, ok := w.sdo[in.Key]; ok && in.Verdict != Benign && slices.ContainsFunc(w.p.campaignsOf(in.Key), func(x Campaign) bool { return x.Key == c.Key }) {
				w.relate(id, "indicates", o.ID)
			}
		}
	}
}

// relate writes a relationship, marked as the stricter of its two ends: it reveals both.
func (w *stixWriter) relate(source, typ, target string) {
	t := maxTLP(w.tlpOf[source], w.tlpOf[target])
	w.objects = append(w.objects, stixRelationship{stixCommon: w.common("relationship", source+" "+typ+" "+target, t),
		RelationshipType: typ, SourceRef: source, TargetRef: target})
}

// stricter is t raised to the markings of the objects refs points at.
func (w *stixWriter) stricter(t TLP, refs []string) TLP {
	for _, r := range refs {
		t = maxTLP(t, w.tlpOf[r])
	}
	return t
}

// bundle puts the identity and the marking definitions in front of the content. The identity
// carries the least restrictive marking used, so that whoever may read any object may also
// read who wrote it.
func (w *stixWriter) bundle() stixBundle {
	used := map[TLP]bool{}
	for _, t := range w.tlpOf {
		used[t] = true
	}
	identityTLP := TLPClear
	for i := len(tlpLevels) - 1; i >= 0; i-- {
		if used[tlpLevels[i]] {
			identityTLP = tlpLevels[i]
		}
	}
	used[identityTLP] = true
	id := stixIdentity{stixCommon: stixCommon{Type: "identity", SpecVersion: "2.1", ID: w.identity, Created: w.created,
		Modified: w.created, ObjectMarkingRefs: []string{tlp2Markings[identityTLP]}},
		Name: w.name, IdentityClass: "organization", ContactInformation: w.p.e.Identity.Contact}
	objects := []any{id}
	for _, t := range tlpLevels {
		if used[t] {
			objects = append(objects, markingDefinition(t))
		}
	}
	key := strings.Join([]string{w.created, w.p.e.Key}, "\x00")
	return stixBundle{Type: "bundle", ID: stableID(w.name, "bundle", key), Objects: append(objects, w.objects...)}
}

// marshal writes indented JSON without HTML escaping: URLs keep their "&" readable, and nothing
// here is embedded in HTML.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
