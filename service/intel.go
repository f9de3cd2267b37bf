package service

import (
	"context"
	"slices"
	"time"

	"github.com/haven-helpline/haven"
)

var _ haven.IntelService = (*Service)(nil)

// maxGroupCases is how many of a group's cases its page lists.
const maxGroupCases = 200

// CreateGroup records a threat actor or a campaign (any writer).
func (s *Service) CreateGroup(ctx context.Context, kind string, in haven.GroupInput) (*haven.ThreatGroup, error) {
	u, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(kind); err != nil {
		return nil, err
	}
	if in.Techniques, err = techniqueIDs(in.Techniques); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	g := &haven.ThreatGroup{Kind: kind, CreatedAt: now}
	fillGroup(g, in, now)
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		if err := checkActors(ctx, tx, g.Actors); err != nil {
			return err
		}
		if err := tx.InsertGroup(ctx, g); err != nil {
			return err
		}
		return record(ctx, tx, now, u, kind+".created", kind, g.ID, 0, map[string]any{"tlp": g.TLP})
	})
	return g, err
}

// UpdateGroup replaces an actor's or a campaign's fields.
func (s *Service) UpdateGroup(ctx context.Context, id int64, in haven.GroupInput) (*haven.ThreatGroup, error) {
	u, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var g *haven.ThreatGroup
	err = s.store.Update(ctx, func(tx haven.Tx) (err error) {
		if g, err = tx.GroupByID(ctx, id); err != nil {
			return err
		}
		if err := in.Validate(g.Kind); err != nil {
			return err
		}
		if in.Techniques, err = techniqueIDs(in.Techniques); err != nil {
			return err
		}
		fillGroup(g, in, now)
		if err := checkActors(ctx, tx, g.Actors); err != nil {
			return err
		}
		if err := tx.UpdateGroup(ctx, g); err != nil {
			return err
		}
		return record(ctx, tx, now, u, g.Kind+".updated", g.Kind, g.ID, 0, map[string]any{"tlp": g.TLP})
	})
	return g, err
}

func fillGroup(g *haven.ThreatGroup, in haven.GroupInput, now time.Time) {
	g.Name, g.Description, g.TLP, g.ActorKind = in.Name, in.Description, in.TLP, in.ActorKind
	g.Aliases, g.Actors, g.Techniques = in.Aliases, in.Actors, in.Techniques
	g.FirstSeen, g.LastSeen, g.UpdatedAt = in.FirstSeen, in.LastSeen, now
	if g.Aliases == nil {
		g.Aliases = []string{}
	}
	if g.Kind != haven.GroupActor {
		g.ActorKind = ""
	}
}

// checkActors makes sure a campaign is attributed to actors that exist.
func checkActors(ctx context.Context, tx haven.Tx, ids []int64) error {
	for _, id := range ids {
		a, err := tx.GroupByID(ctx, id)
		if haven.ErrorCode(err) == haven.ENOTFOUND || err == nil && a.Kind != haven.GroupActor {
			return &haven.Error{Code: haven.EINVALID, Message: "no such actor", Fields: map[string]string{"actors": "ids of actors"}}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Groups lists the actors or the campaigns.
func (s *Service) Groups(ctx context.Context, kind string) ([]*haven.ThreatGroup, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	var out []*haven.ThreatGroup
	err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		out, err = tx.Groups(ctx, kind)
		return err
	})
	return out, err
}

// Group reads an actor's or a campaign's page: the cases under it the reader may see, their
// techniques and the indicators (judged observables) they sighted.
func (s *Service) Group(ctx context.Context, kind string, id int64) (*haven.GroupView, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	v := s.viewer(u)
	var out *haven.GroupView
	err = s.store.View(ctx, func(tx haven.Tx) error {
		g, err := tx.GroupByID(ctx, id)
		if err == nil && g.Kind != kind {
			err = haven.Errorf(haven.ENOTFOUND, "%s %d not found", kind, id)
		}
		if err != nil {
			return err
		}
		out = &haven.GroupView{ThreatGroup: *g, Techniques: []string{}, Indicators: []*haven.Observable{}}
		if out.Cases, err = tx.GroupCases(ctx, id, v, maxGroupCases); err != nil {
			return err
		}
		return s.groupContents(ctx, tx, u, out)
	})
	return out, err
}

// groupContents gathers the techniques and indicators of a group's (visible) cases.
func (s *Service) groupContents(ctx context.Context, tx haven.Tx, u *haven.User, out *haven.GroupView) error {
	seen := map[int64]bool{}
	for _, ref := range out.Cases {
		c, err := s.caseByNumber(ctx, tx, u, ref.Number)
		if err != nil {
			return err
		}
		ci, err := tx.CaseIntel(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, t := range ci.Techniques {
			if !slices.Contains(out.Techniques, t) {
				out.Techniques = append(out.Techniques, t)
			}
		}
		obs, err := tx.CaseObservables(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, o := range obs {
			if o.IsIndicator() && !seen[o.ID] {
				seen[o.ID] = true
				out.Indicators = append(out.Indicators, &o.Observable)
			}
		}
	}
	slices.Sort(out.Techniques)
	return nil
}

// CaseIntel reads a case's ATT&CK techniques and groups.
func (s *Service) CaseIntel(ctx context.Context, number string) (*haven.CaseIntel, error) {
	return readCase(ctx, s, number, func(tx haven.Tx, c *haven.Case) (*haven.CaseIntel, error) {
		return tx.CaseIntel(ctx, c.ID)
	})
}

// SetCaseIntel replaces a case's techniques and groups (whoever may edit the case).
func (s *Service) SetCaseIntel(ctx context.Context, number string, in haven.CaseIntel) (*haven.CaseIntel, error) {
	ids, err := techniqueIDs(in.Techniques)
	if err != nil {
		return nil, err
	}
	in.Techniques = ids
	if in.Groups == nil {
		in.Groups = []int64{}
	}
	slices.Sort(in.Groups)
	in.Groups = slices.Compact(in.Groups)
	return changeCase(ctx, s, number, func(tx haven.Tx, u *haven.User, c *haven.Case, now time.Time) (*haven.CaseIntel, error) {
		for _, id := range in.Groups {
			if _, err := tx.GroupByID(ctx, id); haven.ErrorCode(err) == haven.ENOTFOUND {
				return nil, &haven.Error{Code: haven.EINVALID, Message: "no such actor or campaign", Fields: map[string]string{"groups": "ids of actors or campaigns"}}
			} else if err != nil {
				return nil, err
			}
		}
		if err := tx.SetCaseIntel(ctx, c.ID, &in); err != nil {
			return nil, err
		}
		return &in, s.touch(ctx, tx, u, c, now, "case.intel_changed", "case", c.ID,
			map[string]any{"techniques": in.Techniques, "groups": in.Groups})
	})
}
