package share

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// plan is an export checked and cut down to what may leave: everything ranked above TLPMax is
// gone, and so are the references to it. Both writers work from a plan, so that the rule lives
// in one place.
type plan struct {
	e          Export
	indicators []Indicator
	byKey      map[string]Indicator
	groups     []Group
	actors     []Actor
	campaigns  []Campaign
	techniques map[string]Technique
}

// techniqueID is an ATT&CK technique or sub-technique id.
var techniqueID = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)

func newPlan(e Export) (*plan, error) {
	if err := checkHeader(e); err != nil {
		return nil, err
	}
	p := &plan{e: e, byKey: map[string]Indicator{}, techniques: map[string]Technique{}}
	for _, t := range e.Techniques {
		if !techniqueID.MatchString(t.ID) {
			return nil, fmt.Errorf("technique %q is not an ATT&CK id (T1234 or T1234.001)", clip(t.ID, 20))
		}
		p.techniques[t.ID] = t
	}
	for _, step := range []func() error{p.keepIndicators, p.keepGroups, p.keepActors, p.keepCampaigns} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func checkHeader(e Export) error {
	switch {
	case strings.TrimSpace(e.Identity.Name) == "":
		return errors.New("export: the exporting identity has no name")
	case e.Created.IsZero():
		return errors.New("export: the creation time is not set")
	case !e.TLPMax.Valid():
		return fmt.Errorf("export: the TLP ceiling %q is not a TLP level", clip(string(e.TLPMax), 20))
	}
	return nil
}

// allowed says whether something marked t may leave, failing on a marking that is not a level.
func (p *plan) allowed(what, key string, t TLP) (bool, error) {
	if !t.Valid() {
		return false, fmt.Errorf("export: %s %q has no valid TLP level (%q)", what, clip(key, 40), clip(string(t), 20))
	}
	return t.Rank() <= p.e.TLPMax.Rank(), nil
}

func (p *plan) keepIndicators() error {
	seen := map[string]bool{}
	for _, in := range p.e.Indicators {
		if err := checkIndicator(in, seen); err != nil {
			return err
		}
		ok, err := p.allowed("indicator", in.Key, in.TLP)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := p.checkTechniques("indicator", in.Key, in.Techniques); err != nil {
			return err
		}
		p.indicators = append(p.indicators, in)
		p.byKey[in.Key] = in
	}
	return nil
}

func checkIndicator(in Indicator, seen map[string]bool) error {
	switch {
	case in.Key == "":
		return errors.New("export: an indicator has no key")
	case seen[in.Key]:
		return fmt.Errorf("export: indicator key %q is used twice", clip(in.Key, 40))
	case in.Observable.Type == "" || in.Observable.Value == "":
		return fmt.Errorf("export: indicator %q has no observable", clip(in.Key, 40))
	case !slices.Contains([]string{Malicious, Suspicious, Benign, NoVerdict}, in.Verdict):
		return fmt.Errorf("export: indicator %q has an unknown verdict %q", clip(in.Key, 40), clip(in.Verdict, 20))
	case in.Confidence < 0 || in.Confidence > 100:
		return fmt.Errorf("export: indicator %q has a confidence outside 0..100", clip(in.Key, 40))
	}
	seen[in.Key] = true
	return nil
}

func (p *plan) checkTechniques(what, key string, ids []string) error {
	for _, id := range ids {
		if !techniqueID.MatchString(id) {
			return fmt.Errorf("export: %s %q names %q, which is not an ATT&CK id", what, clip(key, 40), clip(id, 20))
		}
	}
	return nil
}

func (p *plan) keepGroups() error {
	seen := map[string]bool{}
	for _, g := range p.e.Groups {
		if g.Key == "" || seen[g.Key] {
			return fmt.Errorf("export: group key %q is empty or used twice", clip(g.Key, 40))
		}
		seen[g.Key] = true
		ok, err := p.allowed("group", g.Key, g.TLP)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := p.checkTechniques("group", g.Key, g.Techniques); err != nil {
			return err
		}
		g.Indicators = p.keptIndicatorKeys(g.Indicators)
		p.groups = append(p.groups, g)
	}
	return nil
}

func (p *plan) keepActors() error {
	seen := map[string]bool{}
	for _, a := range p.e.Actors {
		if a.Key == "" || seen[a.Key] {
			return fmt.Errorf("export: actor key %q is empty or used twice", clip(a.Key, 40))
		}
		seen[a.Key] = true
		if a.Kind != "" && a.Kind != ThreatActor && a.Kind != IntrusionSet {
			return fmt.Errorf("export: actor %q has an unknown kind %q", clip(a.Key, 40), clip(a.Kind, 20))
		}
		if ok, err := p.allowed("actor", a.Key, a.TLP); err != nil {
			return err
		} else if ok {
			p.actors = append(p.actors, a)
		}
	}
	return nil
}

func (p *plan) keepCampaigns() error {
	seen := map[string]bool{}
	for _, c := range p.e.Campaigns {
		if c.Key == "" || seen[c.Key] {
			return fmt.Errorf("export: campaign key %q is empty or used twice", clip(c.Key, 40))
		}
		seen[c.Key] = true
		ok, err := p.allowed("campaign", c.Key, c.TLP)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := p.checkTechniques("campaign", c.Key, c.Techniques); err != nil {
			return err
		}
		c.ActorKeys = keep(c.ActorKeys, func(k string) bool { return p.actor(k) != nil })
		c.GroupKeys = keep(c.GroupKeys, func(k string) bool { return p.group(k) != nil })
		p.campaigns = append(p.campaigns, c)
	}
	return nil
}

func (p *plan) keptIndicatorKeys(keys []string) []string {
	return keep(keys, func(k string) bool { _, ok := p.byKey[k]; return ok })
}

func keep(keys []string, ok func(string) bool) []string {
	var out []string
	for _, k := range keys {
		if ok(k) && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func (p *plan) group(key string) *Group {
	for i := range p.groups {
		if p.groups[i].Key == key {
			return &p.groups[i]
		}
	}
	return nil
}

func (p *plan) actor(key string) *Actor {
	for i := range p.actors {
		if p.actors[i].Key == key {
			return &p.actors[i]
		}
	}
	return nil
}

// technique is the caller's description of an ATT&CK id, or the bare id when it gave none.
func (p *plan) technique(id string) Technique {
	t, ok := p.techniques[id]
	if !ok {
		t = Technique{ID: id}
	}
	if t.Name == "" {
		t.Name = id
	}
	if t.SourceName == "" {
		t.SourceName = "mitre-attack"
	}
	return t
}

// groupsOf lists the kept groups an indicator belongs to.
func (p *plan) groupsOf(key string) []Group {
	var out []Group
	for _, g := range p.groups {
		if slices.Contains(g.Indicators, key) {
			out = append(out, g)
		}
	}
	return out
}

// campaignsOf lists the kept campaigns whose groups hold an indicator.
func (p *plan) campaignsOf(key string) []Campaign {
	var out []Campaign
	for _, c := range p.campaigns {
		for _, g := range p.groupsOf(key) {
			if slices.Contains(c.GroupKeys, g.Key) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}
