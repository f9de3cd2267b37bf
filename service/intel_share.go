package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/indicator"
	"github.com/haven-helpline/haven/indicator/attack"
	"github.com/haven-helpline/haven/indicator/share"
)

// exportSet is what an export gathers before writing it: the model share writes, and what was
// left out for its marking.
type exportSet struct {
	model    share.Export
	seen     map[int64]bool // observables already in the model
	groups   map[int64]bool // actors and campaigns already in the model
	cases    []int64
	withheld int
}

// Export writes cases or a campaign as a STIX 2.1 bundle or a MISP event for partners. What
// leaves: the indicators (observables judged malicious or suspicious) sighted in the cases the
// caller may see, their ATT&CK techniques, the cases' techniques and the actors and campaigns
// they are under — nothing marked above TLPMax, never the requester's addresses or numbers,
// never a case's title, summary, messages or notes, nor the handlers' comments.
func (s *Service) Export(ctx context.Context, r haven.ExportRequest) (*haven.Export, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	u, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	return s.export(ctx, u, r)
}

// ExportAsSystem is Export for the operator at the console (`haven export`), who holds the
// database and its key: every case, no need-to-know. Cases only; campaigns go through the API.
func (s *Service) ExportAsSystem(ctx context.Context, r haven.ExportRequest) (*haven.Export, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if r.Campaign > 0 {
		return nil, haven.Errorf(haven.EINVALID, "the console exports cases; export a campaign through the API or the web page")
	}
	return s.export(ctx, nil, r)
}

// export gathers and writes an export for u (nil: the console).
func (s *Service) export(ctx context.Context, u *haven.User, r haven.ExportRequest) (*haven.Export, error) {
	now := s.clock.Now()
	set := &exportSet{seen: map[int64]bool{}, groups: map[int64]bool{},
		model: share.Export{Identity: share.Identity{Name: s.cfg.HelplineName}, Created: now, TLPMax: share.TLP(r.TLPMax)}}
	err := s.store.Update(ctx, func(tx haven.Tx) error {
		if err := s.gatherExport(ctx, tx, u, r, set); err != nil {
			return err
		}
		return record(ctx, tx, now, u, "intel.exported", "export", r.Format, 0, map[string]any{"format": r.Format,
			"tlp_max": r.TLPMax, "cases": set.cases, "campaign": r.Campaign, "indicators": len(set.model.Indicators),
			"withheld": set.withheld})
	})
	if err != nil {
		return nil, err
	}
	return writeExport(r, set, now)
}

func writeExport(r haven.ExportRequest, set *exportSet, now time.Time) (*haven.Export, error) {
	write := share.STIX
	if r.Format == haven.FormatMISP {
		write = share.MISP
	}
	body, err := write(set.model)
	if err != nil {
		return nil, haven.Internal("export", err)
	}
	name := fmt.Sprintf("haven-%s-%s.json", r.Format, now.UTC().Format("20060102T150405Z"))
	return &haven.Export{Format: r.Format, Filename: name, Indicators: len(set.model.Indicators), Withheld: set.withheld, Body: body}, nil
}

// gatherExport reads the cases named, or the campaign's visible cases.
func (s *Service) gatherExport(ctx context.Context, tx haven.Tx, u *haven.User, r haven.ExportRequest, set *exportSet) error {
	numbers := r.Cases
	if r.Campaign > 0 {
		g, err := tx.GroupByID(ctx, r.Campaign)
		if err == nil && g.Kind != haven.GroupCampaign {
			err = haven.Errorf(haven.ENOTFOUND, "campaign %d not found", r.Campaign)
		}
		if err != nil {
			return err
		}
		if err := s.exportGroup(ctx, tx, g, set); err != nil {
			return err
		}
		refs, err := tx.GroupCases(ctx, g.ID, s.viewer(u), 500)
		if err != nil {
			return err
		}
		for _, ref := range refs {
			numbers = append(numbers, ref.Number)
		}
	}
	for _, n := range numbers {
		c, err := s.exportedCase(ctx, tx, u, n)
		if err != nil {
			return err
		}
		if err := s.exportCase(ctx, tx, c, set); err != nil {
			return err
		}
	}
	return nil
}

// exportedCase reads a case u may see (the console: any case).
func (s *Service) exportedCase(ctx context.Context, tx haven.Tx, u *haven.User, number string) (*haven.Case, error) {
	if u != nil {
		return s.caseByNumber(ctx, tx, u, number)
	}
	c, err := tx.CaseByNumber(ctx, number)
	if haven.ErrorCode(err) == haven.ENOTFOUND {
		return nil, haven.Errorf(haven.ENOTFOUND, "case %s not found", number)
	}
	return c, err
}

// exportCase adds one case: its group (what was seen together), indicators and techniques. A
// case marked above the ceiling adds nothing.
func (s *Service) exportCase(ctx context.Context, tx haven.Tx, c *haven.Case, set *exportSet) error {
	if share.TLP(c.TLP).Rank() > set.model.TLPMax.Rank() {
		set.withheld++
		return nil
	}
	set.cases = append(set.cases, c.ID)
	own, err := s.requesterValues(ctx, tx, c)
	if err != nil {
		return err
	}
	obs, err := tx.CaseObservables(ctx, c.ID)
	if err != nil {
		return err
	}
	ci, err := tx.CaseIntel(ctx, c.ID)
	if err != nil {
		return err
	}
	grp := share.Group{Key: fmt.Sprintf("case-%d", c.ID), Name: "Case " + c.Number, TLP: share.TLP(c.TLP),
		Techniques: ci.Techniques, FirstSeen: c.CreatedAt, LastSeen: c.UpdatedAt}
	for _, o := range obs {
		if !shareable(o, own) {
			continue
		}
		if share.TLP(o.TLP).Rank() > set.model.TLPMax.Rank() {
			set.withheld++
			continue
		}
		grp.Indicators = append(grp.Indicators, set.addIndicator(o))
	}
	set.addTechniques(ci.Techniques)
	set.model.Groups = append(set.model.Groups, grp)
	for _, id := range ci.Groups {
		g, err := tx.GroupByID(ctx, id)
		if err != nil {
			return err
		}
		if err := s.exportGroup(ctx, tx, g, set); err != nil {
			return err
		}
		set.linkCase(g, grp.Key)
	}
	return nil
}

// shareable: an indicator judged malicious or suspicious, and not the requester's own contact.
func shareable(o *haven.CaseObservable, own map[string]bool) bool {
	return (o.Verdict == haven.VerdictMalicious || o.Verdict == haven.VerdictSuspicious) && !own[o.Value]
}

// addIndicator adds an observable once and returns its key.
func (set *exportSet) addIndicator(o *haven.CaseObservable) string {
	key := fmt.Sprintf("obs-%d", o.ID)
	if set.seen[o.ID] {
		return key
	}
	set.seen[o.ID] = true
	in := share.Indicator{Key: key, Observable: indicator.Observable{Type: indicator.Type(o.Type), Value: o.Value,
		Unicode: o.Unicode, Flags: o.Flags}, Verdict: o.Verdict, TLP: share.TLP(o.TLP), Confidence: o.Confidence,
		Techniques: o.Techniques, File: o.File}
	if o.FirstSeen != nil && o.LastSeen != nil {
		in.FirstSeen, in.LastSeen = *o.FirstSeen, *o.LastSeen
	}
	set.model.Indicators = append(set.model.Indicators, in)
	set.addTechniques(o.Techniques)
	return key
}

// addTechniques adds ATT&CK techniques the model does not hold yet.
func (set *exportSet) addTechniques(ids []string) {
	for _, id := range ids {
		t, ok := attack.Lookup(id)
		if !ok || slices.ContainsFunc(set.model.Techniques, func(x share.Technique) bool { return x.ID == t.ID }) {
			continue
		}
		set.model.Techniques = append(set.model.Techniques, share.Technique{ID: t.ID, Name: t.Name, SourceName: t.SourceName(), URL: t.URL()})
	}
}

// exportGroup adds an actor or a campaign (and a campaign's actors) once.
func (s *Service) exportGroup(ctx context.Context, tx haven.Tx, g *haven.ThreatGroup, set *exportSet) error {
	if set.groups[g.ID] {
		return nil
	}
	set.groups[g.ID] = true
	key := fmt.Sprintf("group-%d", g.ID)
	set.addTechniques(g.Techniques)
	if g.Kind == haven.GroupActor {
		set.model.Actors = append(set.model.Actors, share.Actor{Key: key, Name: g.Name, Description: g.Description,
			Aliases: g.Aliases, TLP: share.TLP(g.TLP), Kind: g.ActorKind})
		return nil
	}
	c := share.Campaign{Key: key, Name: g.Name, Description: g.Description, Aliases: g.Aliases, TLP: share.TLP(g.TLP),
		Techniques: g.Techniques}
	if g.FirstSeen != nil {
		c.FirstSeen = *g.FirstSeen
	}
	if g.LastSeen != nil {
		c.LastSeen = *g.LastSeen
	}
	for _, id := range g.Actors {
		a, err := tx.GroupByID(ctx, id)
		if err != nil {
			return err
		}
		if err := s.exportGroup(ctx, tx, a, set); err != nil {
			return err
		}
		c.ActorKeys = append(c.ActorKeys, fmt.Sprintf("group-%d", id))
	}
	set.model.Campaigns = append(set.model.Campaigns, c)
	return nil
}

// linkCase records that a case's group of observations belongs to a campaign.
func (set *exportSet) linkCase(g *haven.ThreatGroup, caseKey string) {
	key := fmt.Sprintf("group-%d", g.ID)
	for i := range set.model.Campaigns {
		if set.model.Campaigns[i].Key == key && !slices.Contains(set.model.Campaigns[i].GroupKeys, caseKey) {
			set.model.Campaigns[i].GroupKeys = append(set.model.Campaigns[i].GroupKeys, caseKey)
		}
	}
}

// Import takes a partner's STIX 2.1 bundle or MISP event (leads and admins): its indicators become
// observables from source; those it calls malicious are known-bad, and every case that has
// sighted one, or sights it later, is flagged and its assignee told.
func (s *Service) Import(ctx context.Context, source string, body []byte) (*haven.ImportResult, error) {
	u, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	if !u.CanWriteTemplates() {
		return nil, haven.Errorf(haven.EFORBIDDEN, "only leads and admins take in partners' feeds")
	}
	return s.importFeed(ctx, u, source, body)
}

// ImportAsSystem is Import for the operator at the console (`haven import`).
func (s *Service) ImportAsSystem(ctx context.Context, source string, body []byte) (*haven.ImportResult, error) {
	return s.importFeed(ctx, nil, source, body)
}

// importFeed takes a feed in for u (nil: the console).
func (s *Service) importFeed(ctx context.Context, u *haven.User, source string, body []byte) (*haven.ImportResult, error) {
	source = strings.TrimSpace(source)
	if source == "" || len(source) > 100 {
		return nil, &haven.Error{Code: haven.EINVALID, Message: "name the feed's source", Fields: map[string]string{"source": "required, at most 100 characters"}}
	}
	if len(body) == 0 || len(body) > haven.MaxImport {
		return nil, haven.Errorf(haven.EINVALID, "the body must be a STIX 2.1 bundle or a MISP event of at most %d MB", haven.MaxImport>>20)
	}
	feed, err := share.Parse(body)
	if err != nil {
		return nil, haven.Errorf(haven.EINVALID, "not a feed Haven can read: %v", err)
	}
	now := s.clock.Now()
	res := &haven.ImportResult{Format: feed.Format, Source: source, Indicators: len(feed.Indicators), Skipped: feed.Skipped}
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		flag := map[int64][]*haven.Observable{}
		for _, in := range feed.Indicators {
			if err := s.importOne(ctx, tx, source, in, now, flag); err != nil {
				return err
			}
		}
		flagged, err := s.flagImported(ctx, tx, u, flag, now)
		if err != nil {
			return err
		}
		res.Flagged = flagged
		return record(ctx, tx, now, u, "intel.imported", "import", feed.Format, 0, map[string]any{"format": feed.Format,
			"indicators": res.Indicators, "skipped": res.Skipped, "flagged_cases": len(flag)})
	})
	return res, err
}

// importOne stores one of a feed's indicators and notes the cases to flag.
func (s *Service) importOne(ctx context.Context, tx haven.Tx, source string, in share.Imported, now time.Time, flag map[int64][]*haven.Observable) error {
	techniques := []string{}
	for _, id := range in.Techniques {
		if t, ok := attack.Lookup(id); ok && !slices.Contains(techniques, t.ID) {
			techniques = append(techniques, t.ID)
		}
	}
	o := &haven.Observable{Type: string(in.Observable.Type), Value: in.Observable.Value, Unicode: in.Observable.Unicode,
		Flags: in.Observable.Flags, Verdict: in.Verdict, TLP: haven.TLP(in.TLP), PAP: "amber", Confidence: in.Confidence,
		Comment: truncate(in.Name, 500), Techniques: techniques, Source: source, KnownBad: in.Verdict == haven.VerdictMalicious,
		UpdatedAt: now}
	if !o.TLP.Valid() {
		o.TLP = "amber"
	}
	createdNew, err := tx.ImportObservable(ctx, o)
	if err != nil || createdNew || !o.KnownBad {
		return err // a new value: nothing sighted it yet
	}
	cases, err := tx.CasesSighting(ctx, o.ID)
	for _, id := range cases {
		flag[id] = append(flag[id], o)
	}
	return err
}

// flagImported flags each case that had already sighted a known-bad value, and counts those the
// importer may see: the answer must not reveal cases hidden from them.
func (s *Service) flagImported(ctx context.Context, tx haven.Tx, u *haven.User, flag map[int64][]*haven.Observable, now time.Time) (int, error) {
	ids := make([]int64, 0, len(flag))
	for id := range flag {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	visible := 0
	for _, id := range ids {
		c, err := tx.CaseByID(ctx, id)
		if err != nil {
			return 0, err
		}
		if err := s.flagKnownBad(ctx, tx, c, flag[id], now); err != nil {
			return 0, err
		}
		ok := u == nil
		if !ok {
			ok, err = tx.CaseVisible(ctx, id, s.viewer(u))
		}
		if err != nil {
			return 0, err
		}
		if ok {
			visible++
		}
	}
	return visible, nil
}
