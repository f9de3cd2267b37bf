package service

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/indicator"
)

// allowListSetting is the settings row holding the admins' allow-list (JSON list of domains);
// while it is unset, Haven's starting list (indicator.DefaultAllow) applies.
const allowListSetting = "indicator_allowlist"

// allowListTTL is how long an instance trusts the allow-list it read: an admin's change reaches
// every instance within it.
const allowListTTL = 30 * time.Second

// extractors keeps the extractors built from the current allow-list, one per region (phone
// numbers written without a country code are read in the case's country).
type extractors struct {
	mu       sync.Mutex
	loadedAt time.Time
	allow    []string
	byRegion map[string]*indicator.Extractor
}

// evidence is one piece of text to look for observables in, and the role what it holds plays.
type evidence struct {
	role string
	text string
	html bool
}

// extractor returns the extractor for region, reading the allow-list again once it is stale.
func (s *Service) extractor(ctx context.Context, region string) (*indicator.Extractor, error) {
	x := s.intel
	x.mu.Lock()
	defer x.mu.Unlock()
	if now := s.clock.Now(); x.byRegion == nil || now.Sub(x.loadedAt) > allowListTTL || now.Before(x.loadedAt) {
		var list *haven.AllowList
		err := s.store.View(ctx, func(tx haven.Tx) (err error) {
			list, err = readAllowList(ctx, tx)
			return err
		})
		if err != nil {
			return nil, err
		}
		x.allow, x.byRegion, x.loadedAt = list.Domains, map[string]*indicator.Extractor{}, now
	}
	e := x.byRegion[region]
	if e == nil {
		e = indicator.New(indicator.Options{Allow: x.allow, Region: region})
		x.byRegion[region] = e
	}
	return e, nil
}

// forgetAllowList makes the next extraction read the allow-list again (after an admin's change).
func (s *Service) forgetAllowList() {
	s.intel.mu.Lock()
	s.intel.byRegion = nil
	s.intel.mu.Unlock()
}

// readAllowList reads the admins' list, or Haven's starting one.
func readAllowList(ctx context.Context, tx haven.Tx) (*haven.AllowList, error) {
	raw, err := tx.Setting(ctx, allowListSetting)
	if err != nil {
		return nil, err
	}
	if raw == "" {
		return &haven.AllowList{Domains: slices.Clone(indicator.DefaultAllow), Default: true}, nil
	}
	var list haven.AllowList
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		return nil, haven.Internal("allow-list setting", err)
	}
	return &list, nil
}

// findObservables extracts what the pieces of evidence hold, once per value and role. It runs
// outside any transaction: extraction is the costly part and must not hold the writer.
func (s *Service) findObservables(ctx context.Context, region string, pieces []evidence) ([]haven.Found, error) {
	e, err := s.extractor(ctx, region)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []haven.Found
	add := func(o indicator.Observable, role string) {
		if role == haven.RoleBody && o.Type == indicator.URL {
			role = haven.RoleLink
		}
		key := string(o.Type) + "\x00" + o.Value + "\x00" + role
		if !seen[key] {
			seen[key] = true
			out = append(out, haven.Found{Type: string(o.Type), Value: o.Value, Unicode: o.Unicode, Flags: o.Flags, Role: role})
		}
	}
	for _, p := range pieces {
		for _, o := range extractPiece(e, p) {
			add(o, p.role)
		}
	}
	return out, nil
}

// extractPiece reads one piece: text, HTML, or a sender's address (with its domain).
func extractPiece(e *indicator.Extractor, p evidence) []indicator.Observable {
	switch {
	case p.html:
		return e.HTML(p.text)
	case p.role == haven.RoleFrom || p.role == haven.RoleReplyTo || p.role == haven.RoleReturnPath:
		found := e.Text(p.text)
		if _, domain, ok := strings.Cut(p.text, "@"); ok && len(found) > 0 {
			found = append(found, e.Text(domain)...)
		}
		return found
	default:
		return e.Text(p.text)
	}
}

// emailEvidence is what an inbound email offers: its senders (and those of the messages forwarded
// in it), its text and HTML, and theirs.
func emailEvidence(in haven.InboundEmail) []evidence {
	var out []evidence
	for _, sn := range in.Senders {
		out = append(out, evidence{role: sn.Role, text: sn.Addr})
	}
	out = append(out, evidence{role: haven.RoleBody, text: in.Subject + "\n" + truncate(in.Text, haven.MaxBody)})
	if in.HTML != "" {
		out = append(out, evidence{role: haven.RoleBody, text: truncate(in.HTML, haven.MaxBody), html: true})
	}
	for _, f := range in.Forwarded {
		out = append(out, evidence{role: haven.RoleBody, text: truncate(f.Text, haven.MaxBody)})
		if f.HTML != "" {
			out = append(out, evidence{role: haven.RoleBody, text: truncate(f.HTML, haven.MaxBody), html: true})
		}
	}
	return out
}
