package service

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/indicator"
	"github.com/haven-helpline/haven/indicator/attack"
)

var _ haven.ObservableService = (*Service)(nil)

// maxCountedCases caps the count of cases an observable page states ("1000+"): counting stops
// there, so a value seen everywhere costs no more than a rare one.
const maxCountedCases = 1000

// CaseObservables lists what a case sighted and, for each, the other cases the reader may see
// that share it: "also seen in HV-2026-000123, 3 days ago". Cases the reader may not see are
// neither named nor counted.
func (s *Service) CaseObservables(ctx context.Context, number string) ([]*haven.CaseObservable, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	v := s.viewer(u)
	return readCase(ctx, s, number, func(tx haven.Tx, c *haven.Case) ([]*haven.CaseObservable, error) {
		list, err := tx.CaseObservables(ctx, c.ID)
		if err != nil || len(list) == 0 {
			return list, err
		}
		also, err := tx.CaseCorrelations(ctx, c.ID, v, haven.MaxAlsoSeen+1)
		if err != nil {
			return nil, err
		}
		for _, co := range list {
			refs := also[co.ID]
			if refs == nil {
				refs = []haven.CaseRef{}
			}
			co.AlsoSeenMax = len(refs) > haven.MaxAlsoSeen
			co.AlsoSeen = refs[:min(len(refs), haven.MaxAlsoSeen)]
		}
		return list, nil
	})
}

// visibleObservable reads an observable the reader may see; an unknown and a hidden one answer
// the same.
func (s *Service) visibleObservable(ctx context.Context, tx haven.Tx, v haven.Viewer, id int64) (*haven.Observable, error) {
	missing := haven.Errorf(haven.ENOTFOUND, "observable %d not found", id)
	ok, err := tx.ObservableVisible(ctx, id, v)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, missing
	}
	o, err := tx.ObservableByID(ctx, id)
	if haven.ErrorCode(err) == haven.ENOTFOUND {
		return nil, missing
	}
	if err != nil {
		return nil, err
	}
	refs, err := tx.AlsoSeen(ctx, id, 0, v, maxCountedCases+1)
	o.Cases = len(refs)
	return o, err
}

// Observable reads one observable.
func (s *Service) Observable(ctx context.Context, id int64) (*haven.Observable, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	var o *haven.Observable
	err = s.store.View(ctx, func(tx haven.Tx) (err error) {
		o, err = s.visibleObservable(ctx, tx, s.viewer(u), id)
		return err
	})
	return o, err
}

// FindObservables looks a value up, written as people paste it: defanged, in Unicode, with or
// without its scheme. Only exact values are found (values are sealed: there is no substring
// search), and only those the reader may see.
func (s *Service) FindObservables(ctx context.Context, f haven.ObservableFilter) ([]*haven.Observable, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if f.Type != "" && !slices.Contains(haven.ObservableTypes(), f.Type) {
		return nil, &haven.Error{Code: haven.EINVALID, Message: "unknown observable type",
			Fields: map[string]string{"type": strings.Join(haven.ObservableTypes(), ", ")}}
	}
	candidates := lookupForms(f)
	out := []*haven.Observable{}
	err = s.store.View(ctx, func(tx haven.Tx) error {
		for _, c := range candidates {
			id, err := tx.ObservableIDByValue(ctx, c.Type, c.Value)
			if haven.ErrorCode(err) == haven.ENOTFOUND {
				continue
			}
			if err != nil {
				return err
			}
			if o, err := s.visibleObservable(ctx, tx, s.viewer(u), id); err == nil {
				out = append(out, o)
			} else if haven.ErrorCode(err) != haven.ENOTFOUND {
				return err
			}
		}
		return nil
	})
	return out, err
}

// lookupForms is what a query may be: the first value the extractor finds in it (no allow-list:
// a search is not an extraction), else, with a type named, the text as it is.
func lookupForms(f haven.ObservableFilter) []haven.Found {
	q := strings.TrimSpace(f.Q)
	var out []haven.Found
	for _, o := range indicator.New(indicator.Options{}).Text(q) {
		if f.Type == "" || string(o.Type) == f.Type {
			out = append(out, haven.Found{Type: string(o.Type), Value: o.Value})
			break // the first is the whole value (a URL before its domain, an address before its domain)
		}
	}
	if len(out) == 0 && f.Type != "" && q != "" {
		out = append(out, haven.Found{Type: f.Type, Value: q})
	}
	return out
}

// UpdateObservable records a handler's judgement: verdict, markings, confidence, comment and
// ATT&CK techniques. The event names the fields changed, never the value or the comment.
func (s *Service) UpdateObservable(ctx context.Context, id int64, up haven.ObservableUpdate) (*haven.Observable, error) {
	if err := up.Validate(); err != nil {
		return nil, err
	}
	if up.Techniques != nil {
		ids, err := techniqueIDs(*up.Techniques)
		if err != nil {
			return nil, err
		}
		up.Techniques = &ids
	}
	u, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var o *haven.Observable
	err = s.store.Update(ctx, func(tx haven.Tx) (err error) {
		if o, err = s.visibleObservable(ctx, tx, s.viewer(u), id); err != nil {
			return err
		}
		changed := up.Apply(o)
		if len(changed) == 0 {
			return nil
		}
		o.UpdatedAt = now
		if err := tx.UpdateObservable(ctx, o); err != nil {
			return err
		}
		return record(ctx, tx, now, u, "observable.updated", "observable", o.ID, 0, map[string]any{"fields": changed, "verdict": o.Verdict})
	})
	return o, err
}

// techniqueIDs checks ATT&CK ids against the shipped list and writes them canonically.
func techniqueIDs(in []string) ([]string, error) {
	out := []string{}
	for _, id := range in {
		t, ok := attack.Lookup(strings.TrimSpace(id))
		if !ok {
			return nil, &haven.Error{Code: haven.EINVALID, Message: "unknown ATT&CK technique: " + truncate(id, 20),
				Fields: map[string]string{"techniques": "ATT&CK technique ids such as T1566.001"}}
		}
		if !slices.Contains(out, t.ID) {
			out = append(out, t.ID)
		}
	}
	slices.Sort(out)
	return out, nil
}

// Sightings lists the times an observable was seen, in cases the reader may see.
func (s *Service) Sightings(ctx context.Context, id int64, before int64) ([]*haven.Sighting, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	var out []*haven.Sighting
	err = s.store.View(ctx, func(tx haven.Tx) error {
		if _, err := s.visibleObservable(ctx, tx, s.viewer(u), id); err != nil {
			return err
		}
		out, err = tx.Sightings(ctx, id, s.viewer(u), before, 100)
		return err
	})
	return out, err
}

// AllowList reads the domains never taken as observables.
func (s *Service) AllowList(ctx context.Context) (*haven.AllowList, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	var list *haven.AllowList
	err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		list, err = readAllowList(ctx, tx)
		return err
	})
	return list, err
}

// SetAllowList replaces the allow-list (admins). It applies to what is extracted from now on.
func (s *Service) SetAllowList(ctx context.Context, domains []string) (*haven.AllowList, error) {
	u, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	clean, err := allowDomains(domains)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	list := &haven.AllowList{Domains: clean, UpdatedAt: &now}
	raw, err := json.Marshal(list)
	if err != nil {
		return nil, haven.Internal("allow-list", err)
	}
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		if err := tx.PutSetting(ctx, allowListSetting, string(raw), now); err != nil {
			return err
		}
		return record(ctx, tx, now, u, "allowlist.updated", "allowlist", "", 0, map[string]any{"domains": len(clean)})
	})
	s.forgetAllowList()
	return list, err
}

// allowDomains validates and normalises an allow-list: domains (punycode, lower case), sorted,
// once each.
func allowDomains(in []string) ([]string, error) {
	if len(in) > 5000 {
		return nil, &haven.Error{Code: haven.EINVALID, Message: "too many domains", Fields: map[string]string{"domains": "at most 5,000"}}
	}
	out := []string{}
	for _, d := range in {
		d = strings.TrimSpace(d)
		if d == "" {
			continue
		}
		found := indicator.New(indicator.Options{}).Text(d)
		if len(found) != 1 || found[0].Type != indicator.Domain {
			return nil, &haven.Error{Code: haven.EINVALID, Message: "not a domain: " + truncate(d, 80),
				Fields: map[string]string{"domains": "domain names such as example.org"}}
		}
		if !slices.Contains(out, found[0].Value) {
			out = append(out, found[0].Value)
		}
	}
	slices.Sort(out)
	return out, nil
}
