package service

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
)

// CreateCase opens a case with its requester and the report that brought it in.
func (s *Service) CreateCase(ctx context.Context, in haven.CaseCreate) (*haven.Case, error) {
	u, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	c := s.newCase(in, now)
	s.prepareCaseText(c)
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		if err := s.checkRefs(ctx, tx, c); err != nil {
			return err
		}
		if err := checkRestriction(ctx, tx, u, c); err != nil {
			return err
		}
		address, err := s.attachRequester(ctx, tx, u, c, in, now)
		if err != nil {
			return err
		}
		if c.Number, err = tx.NextCaseNumber(ctx, now.Year()); err != nil {
			return err
		}
		if err := tx.InsertCase(ctx, c); err != nil {
			return err
		}
		if err := tx.IndexCase(ctx, c); err != nil {
			return err
		}
		if err := setCorrespondent(ctx, tx, c.ID, address); err != nil {
			return err
		}
		rep := &haven.Report{Channel: in.Channel, ExternalID: in.ExternalID, CaseID: c.ID, ReceivedAt: now}
		if err := tx.InsertReport(ctx, rep); err != nil {
			return err
		}
		if err := record(ctx, tx, now, u, "case.created", "case", c.Number, c.ID,
			map[string]any{"priority": c.Priority, "status": c.Status, "channel": in.Channel, "report_id": rep.ID}); err != nil {
			return err
		}
		return s.afterCreate(ctx, tx, u, c, now)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// prepareCaseText has the store do a new case's text work before its write transaction
// (outside SQLite's single writer). A restricted case's title and summary are not indexed.
func (s *Service) prepareCaseText(c *haven.Case) {
	if p, ok := s.store.(haven.CaseTextPreparer); ok && !c.IsRestricted() {
		p.PrepareCaseText(c.Title, c.Summary)
	}
}

func (s *Service) newCase(in haven.CaseCreate, now time.Time) *haven.Case {
	c := &haven.Case{Title: in.Title, Summary: in.Summary, Status: haven.StatusNew, Priority: in.Priority,
		Categories: in.Categories, Tags: in.Tags, Language: in.Language, Country: in.Country, Region: in.Region,
		Assignee: in.Assignee, Team: in.Team, Tier: in.Tier, TLP: in.TLP, Consent: in.Consent,
		Compartment: strings.TrimSpace(in.Compartment), RestrictedTo: haven.NormalizeTags(in.RestrictedTo),
		RequesterID: in.RequesterID, CreatedAt: now, UpdatedAt: now}
	s.setSLA(c)
	return c
}

// setSLA derives the due times from the priority, counted from creation.
func (s *Service) setSLA(c *haven.Case) {
	target, ok := s.cfg.SLA[c.Priority]
	if !ok {
		return
	}
	first, resolve := c.CreatedAt.Add(target.FirstResponse), c.CreatedAt.Add(target.Resolution)
	c.FirstResponseDue, c.ResolutionDue = &first, &resolve
}

// checkRefs verifies that the named assignee, team and categories exist.
func (s *Service) checkRefs(ctx context.Context, tx haven.Tx, c *haven.Case) error {
	v := haven.Validation{}
	if c.Assignee != "" {
		a, err := tx.UserByUsername(ctx, c.Assignee)
		if haven.ErrorCode(err) == haven.ENOTFOUND || (err == nil && a.Disabled) {
			v.Add("assignee", "no active user "+c.Assignee)
		} else if err != nil {
			return err
		}
	}
	if c.Team != "" {
		if _, err := tx.TeamByName(ctx, c.Team); haven.ErrorCode(err) == haven.ENOTFOUND {
			v.Add("team", "no team "+c.Team)
		} else if err != nil {
			return err
		}
	}
	for _, slug := range c.Categories {
		cat, err := tx.CategoryBySlug(ctx, slug)
		switch {
		case haven.ErrorCode(err) == haven.ENOTFOUND:
			v.Add("categories", "unknown category "+slug)
		case err != nil:
			return err
		case cat.RetiredAt != nil:
			v.Add("categories", "retired category "+slug)
		}
	}
	return v.Err()
}

// attachRequester links an existing requester or finds/creates one from in.Requester, and
// returns the address the case's replies will go to ("" when none).
func (s *Service) attachRequester(ctx context.Context, tx haven.Tx, u *haven.User, c *haven.Case, in haven.CaseCreate, now time.Time) (string, error) {
	if in.RequesterID != 0 {
		r, err := s.requesterByID(ctx, tx, u, in.RequesterID) // one u may not see answers as unknown
		if haven.ErrorCode(err) == haven.ENOTFOUND {
			return "", &haven.Error{Code: haven.EINVALID, Message: "no such requester", Fields: map[string]string{"requester_id": "no such requester"}}
		}
		if err != nil {
			return "", err
		}
		c.RequesterID, c.RequesterName = r.ID, r.DisplayName()
		return r.Email(), nil
	}
	if in.Requester == nil {
		return "", nil
	}
	r, _, err := s.findOrCreateRequester(ctx, tx, u, *in.Requester, now)
	if err != nil {
		return "", err
	}
	c.RequesterID, c.RequesterName = r.ID, r.DisplayName()
	given := haven.Requester{Contacts: in.Requester.AllContacts()}
	if given.Email() != "" {
		return given.Email(), nil
	}
	return r.Email(), nil
}

// Case reads one case.
func (s *Service) Case(ctx context.Context, number string) (*haven.Case, error) {
	c, err := readCase(ctx, s, number, func(tx haven.Tx, c *haven.Case) (*haven.Case, error) {
		c.Allowed = caseActions(ctx, c)
		u, _ := reader(ctx)
		return c, s.fillLinks(ctx, tx, u, c) // case_link.go
	})
	if err != nil {
		return nil, err
	}
	u, _ := reader(ctx)
	return c, s.recordLinkedViews(ctx, u, c)
}

// caseActions is what the acting user may do on c: the checks the changes themselves make
// (writer, then editable), so that the interface never offers what would be refused.
func caseActions(ctx context.Context, c *haven.Case) *haven.CaseActions {
	u, err := writer(ctx)
	if err != nil || editable(u, c) != nil {
		return &haven.CaseActions{}
	}
	return &haven.CaseActions{Edit: true, Assign: u.CanAssign(c), Reply: true, Note: true}
}

// afterCreate does what a new case entails: paging on-call for a P1 or emergency case, and the
// playbooks its categories apply on their own.
func (s *Service) afterCreate(ctx context.Context, tx haven.Tx, u *haven.User, c *haven.Case, now time.Time) error {
	if err := s.startClocks(ctx, tx, c, now); err != nil {
		return err
	}
	if err := s.alertIfP1(ctx, tx, u, c, "", now); err != nil {
		return err
	}
	if err := s.alertIfEmergency(ctx, tx, u, c, false, now); err != nil {
		return err
	}
	if err := s.tellAssigned(ctx, tx, u, c, now); err != nil {
		return err
	}
	return s.applyAutoPlaybooks(ctx, tx, u, c, nil, now)
}

// caseByNumber reads a case the user may see. A case outside their need to know answers exactly
// like a case that does not exist: its existence is confidential too.
func (s *Service) caseByNumber(ctx context.Context, tx haven.Tx, u *haven.User, number string) (*haven.Case, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	missing := haven.Errorf(haven.ENOTFOUND, "case %s not found", number)
	if !haven.ValidCaseNumber(number) {
		return nil, missing
	}
	c, err := tx.CaseByNumber(ctx, number)
	if err != nil || !c.Restricted {
		return c, err
	}
	visible, err := tx.CaseVisible(ctx, c.ID, s.viewer(u))
	if err != nil {
		return nil, err
	}
	if !visible {
		return nil, missing
	}
	return c, nil
}

// ownedByCase reads something that belongs to a case (an alert, an escalation) by id, then its
// case, which u must see (and, with edit, may change). The thing answers like its case: an
// unknown one and one on a hidden case both say "<noun> <id> not found".
func ownedByCase[T any](ctx context.Context, s *Service, tx haven.Tx, u *haven.User, noun string, id int64, edit bool,
	read func(context.Context, int64) (T, error), caseNumber func(T) string) (T, *haven.Case, error) {
	var none T
	missing := haven.Errorf(haven.ENOTFOUND, "%s %d not found", noun, id)
	x, err := read(ctx, id)
	if haven.ErrorCode(err) == haven.ENOTFOUND {
		return none, nil, missing
	}
	if err != nil {
		return none, nil, err
	}
	var c *haven.Case
	if edit {
		c, err = s.editCase(ctx, tx, u, caseNumber(x))
	} else {
		c, err = s.caseByNumber(ctx, tx, u, caseNumber(x))
	}
	if haven.ErrorCode(err) == haven.ENOTFOUND {
		return none, nil, missing
	}
	return x, c, err
}

// viewer is u as the stores filter need-to-know for.
func (s *Service) viewer(u *haven.User) haven.Viewer {
	return haven.Viewer{UserID: u.ID, Lead: u.Role == haven.RoleLead, Now: s.clock.Now()}
}

// Cases lists cases matching f.
func (s *Service) Cases(ctx context.Context, f haven.CaseFilter) (*haven.CasePage, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if err := f.Normalize(); err != nil {
		return nil, err
	}
	s.viewerFilter(u, &f)
	page, err := s.listCases(ctx, f)
	if err != nil {
		return nil, err
	}
	return page, s.recordListedRestricted(ctx, u, page)
}

// recordListedRestricted audits the restricted cases a list showed: a list shows their titles
// (and, through the API, summaries), so it is a read like opening the case.
func (s *Service) recordListedRestricted(ctx context.Context, u *haven.User, page *haven.CasePage) error {
	var shown []*haven.Case
	for _, c := range page.Items {
		if c.Restricted {
			shown = append(shown, c)
		}
	}
	if len(shown) == 0 {
		return nil
	}
	now := s.clock.Now()
	return s.store.Update(ctx, func(tx haven.Tx) error {
		for _, c := range shown {
			if err := record(ctx, tx, now, u, "case.viewed", "case", c.Number, c.ID, map[string]any{"via": "list"}); err != nil {
				return err
			}
		}
		return nil
	})
}

// listCases answers a list, from the kept lists when it can (listcache.go).
func (s *Service) listCases(ctx context.Context, f haven.CaseFilter) (*haven.CasePage, error) {
	if s.lists == nil || f.Text != "" {
		return s.findCases(ctx, f)
	}
	gen, now := s.lists.generation(), s.clock.Now()
	plain, err := s.plainViewer(ctx, f.Viewer, gen, now)
	if err != nil {
		return nil, err
	}
	if plain {
		f.Viewer = haven.Viewer{Now: f.Viewer.Now} // sees what a viewer with no identity sees
	}
	key := listKey(f)
	if page := s.lists.get(key, gen, now); page != nil {
		return page, nil
	}
	page, err := s.findCases(ctx, f)
	if err == nil {
		s.lists.put(key, gen, now, page)
	}
	return page, err
}

// plainViewer reports whether v may see no restricted case (listcache.go), asking the store once
// per generation.
func (s *Service) plainViewer(ctx context.Context, v haven.Viewer, gen uint64, now time.Time) (bool, error) {
	if plain, known := s.lists.isPlain(v.UserID, gen, now); known {
		return plain, nil
	}
	var sees bool
	err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		sees, err = tx.SeesRestricted(ctx, v)
		return err
	})
	if err != nil {
		return false, err
	}
	s.lists.setPlain(v.UserID, gen, now, !sees)
	return !sees, nil
}

func (s *Service) findCases(ctx context.Context, f haven.CaseFilter) (page *haven.CasePage, err error) {
	err = s.store.View(ctx, func(tx haven.Tx) error {
		page, err = tx.FindCases(ctx, f)
		return err
	})
	return page, err
}

// viewerFilter makes f the user's: need-to-know, and "me" and "mine" resolved.
func (s *Service) viewerFilter(u *haven.User, f *haven.CaseFilter) {
	f.Viewer = s.viewer(u)
	if f.Assignee == "me" {
		f.Assignee = u.Username
	}
	if f.Team == "mine" {
		f.Teams = append([]string{""}, u.Teams...) // "" matches no team: no teams, no cases
	}
}

// CountCases counts the cases of each filter the user may see, each at most haven.CountCap.
func (s *Service) CountCases(ctx context.Context, filters map[string]haven.CaseFilter) (map[string]int, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	todo := map[string]haven.CaseFilter{}
	keys := map[string]string{}
	var gen uint64
	now := s.clock.Now()
	if s.lists != nil {
		gen = s.lists.generation()
	}
	for name, f := range filters {
		if err := f.Normalize(); err != nil {
			return nil, err
		}
		s.viewerFilter(u, &f)
		if s.lists != nil { // kept counts (listcache.go)
			if f, keys[name], err = s.countKey(ctx, f, gen, now); err != nil {
				return nil, err
			}
			if n, ok := s.lists.count(keys[name], gen, now); ok {
				out[name] = n
				continue
			}
		}
		todo[name] = f
	}
	if len(todo) == 0 {
		return out, nil
	}
	err = s.store.View(ctx, func(tx haven.Tx) error {
		for name, f := range todo {
			n, err := tx.CountCases(ctx, f, haven.CountCap+1)
			if err != nil {
				return err
			}
			out[name] = n
		}
		return nil
	})
	if err == nil && s.lists != nil {
		for name := range todo {
			s.lists.putCount(keys[name], gen, now, out[name])
		}
	}
	return out, err
}

// editCase loads a case for change by u, checking that u may see and edit it.
func (s *Service) editCase(ctx context.Context, tx haven.Tx, u *haven.User, number string) (*haven.Case, error) {
	c, err := s.caseByNumber(ctx, tx, u, number)
	if err != nil {
		return nil, err
	}
	if err := editable(u, c); err != nil {
		return nil, err
	}
	return c, nil
}

// editable says why u may not change c, or nil when u may.
func editable(u *haven.User, c *haven.Case) error {
	if !u.CanEditCase(c) {
		return haven.Errorf(haven.EFORBIDDEN, "you cannot change case %s (team %s)", c.Number, c.Team)
	}
	if c.PurgedAt != nil {
		return haven.Errorf(haven.ECONFLICT, "case %s was purged under its retention policy on %s and is read-only",
			c.Number, c.PurgedAt.Format(time.DateOnly))
	}
	return nil
}

// UpdateCase changes fields of a case.
func (s *Service) UpdateCase(ctx context.Context, number string, up haven.CaseUpdate) (*haven.Case, error) {
	return changeCase(ctx, s, number, func(tx haven.Tx, u *haven.User, c *haven.Case, now time.Time) (*haven.Case, error) {
		if up.Version != nil && *up.Version != c.Version {
			return nil, haven.Errorf(haven.ECONFLICT, "case %s was changed by someone else (version %d, not %d); reload and try again", c.Number, c.Version, *up.Version)
		}
		before := *c
		changed := up.Apply(c)
		if len(changed) == 0 {
			return c, nil
		}
		if err := s.checkChange(ctx, tx, u, &before, c, changed); err != nil {
			return nil, err
		}
		c.UpdatedAt = now
		if err := tx.UpdateCase(ctx, c); err != nil {
			return nil, err
		}
		if slices.ContainsFunc(changed, func(f string) bool {
			return slices.Contains([]string{"title", "summary", "compartment", "restricted_to", "tlp", "tags", "categories"}, f)
		}) {
			if err := tx.IndexCase(ctx, c); err != nil {
				return nil, err
			}
		}
		if changesAccess(&before, changed) {
			if err := s.tellAccessChange(ctx, tx, u, &before, c, now); err != nil {
				return nil, err
			}
		}
		data, detail := changes(&before, c, changed)
		if err := recordDetail(ctx, tx, now, u, "case.updated", "case", c.Number, c.ID, data, detail); err != nil {
			return nil, err
		}
		return c, s.afterUpdate(ctx, tx, u, before.Priority, c, changed, now)
	})
}

// afterUpdate does what a change entails: paging on-call for a case raised to P1, and the
// playbooks of categories it gained.
func (s *Service) afterUpdate(ctx context.Context, tx haven.Tx, u *haven.User, before haven.Priority, c *haven.Case, changed []string, now time.Time) error {
	if err := s.alertIfP1(ctx, tx, u, c, before, now); err != nil {
		return err
	}
	if slices.Contains(changed, "assignee") {
		if err := s.tellAssigned(ctx, tx, u, c, now); err != nil {
			return err
		}
	}
	if slices.Contains(changed, "priority") || slices.Contains(changed, "team") {
		if err := s.retimeClocks(ctx, tx, c, now); err != nil {
			return err
		}
	}
	if !slices.Contains(changed, "categories") {
		return nil
	}
	applied, err := appliedPlaybooks(ctx, tx, c)
	if err != nil {
		return err
	}
	return s.applyAutoPlaybooks(ctx, tx, u, c, applied, now)
}

// checkChange validates an updated case and the rights its changes need.
func (s *Service) checkChange(ctx context.Context, tx haven.Tx, u *haven.User, before, c *haven.Case, changed []string) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if slices.Contains(changed, "assignee") && !u.CanAssign(before) {
		return haven.Errorf(haven.EFORBIDDEN, "only leads can reassign a case from %s to %s", before.Assignee, c.Assignee)
	}
	if slices.Contains(changed, "team") && !u.CanEditCase(c) {
		return haven.Errorf(haven.EFORBIDDEN, "you cannot move case %s to team %s", c.Number, c.Team)
	}
	if changesAccess(before, changed) {
		if err := s.notThroughBreakGlass(ctx, tx, u, before, "change who may see it"); err != nil {
			return err
		}
		if err := checkRestriction(ctx, tx, u, c); err != nil {
			return err
		}
	}
	check := *c
	if !slices.Contains(changed, "assignee") {
		check.Assignee = ""
	}
	if !slices.Contains(changed, "team") {
		check.Team = ""
	}
	if !slices.Contains(changed, "categories") {
		check.Categories = nil
	}
	return s.checkRefs(ctx, tx, &check)
}

// changes describes, for the event, what changed from before to after: codes and references in
// data, free text (region, tags, who it is restricted to) in detail, which erasure and
// retention can destroy. Title and summary are recorded by length only.
func changes(before, after *haven.Case, changed []string) (data, detail map[string]any) {
	old, cur := fieldValues(before), fieldValues(after)
	data, detail = map[string]any{}, map[string]any{}
	for _, f := range changed {
		change := map[string]any{"from": old[f], "to": cur[f]}
		if _, ok := old[f]; !ok || freeTextFields[f] {
			data[f], detail[f] = "changed", change
			if !ok {
				detail[f] = map[string]any{"from": textValue(before, f), "to": textValue(after, f)}
			}
			continue
		}
		data[f] = change
	}
	if len(detail) == 0 {
		detail = nil
	}
	return data, detail
}

// freeTextFields are case fields whose values are free text: the events name them, the
// details hold them.
var freeTextFields = map[string]bool{"region": true, "tags": true}

// textValue is the value of a field fieldValues leaves out (compartment, restricted_to).
func textValue(c *haven.Case, f string) any {
	switch f {
	case "compartment":
		return c.Compartment
	case "restricted_to":
		return c.RestrictedTo
	}
	return nil
}

// fieldValues are the values a case.updated event records. Title and summary are recorded by
// length only: the audit trail is hash-chained, so nothing in it can later be purged or erased.
func fieldValues(c *haven.Case) map[string]any {
	return map[string]any{"title": len(c.Title), "summary": len(c.Summary), "priority": c.Priority,
		"language": c.Language, "country": c.Country, "region": c.Region, "tlp": c.TLP, "tier": c.Tier,
		"team": c.Team, "assignee": c.Assignee, "tags": c.Tags, "categories": c.Categories,
		"consent": c.Consent, "first_response_due": c.FirstResponseDue, "resolution_due": c.ResolutionDue}
}

// AssignCase gives a case to a user ("" unassigns).
func (s *Service) AssignCase(ctx context.Context, number, username string) (*haven.Case, error) {
	return s.UpdateCase(ctx, number, haven.CaseUpdate{Assignee: &username})
}

// TransitionCase moves a case through the workflow.
func (s *Service) TransitionCase(ctx context.Context, number string, t haven.Transition) (*haven.Case, error) {
	return changeCase(ctx, s, number, func(tx haven.Tx, u *haven.User, c *haven.Case, now time.Time) (*haven.Case, error) {
		if err := t.Check(c); err != nil {
			return nil, err
		}
		if t.To == haven.StatusClosed {
			if err := requiredOpen(ctx, tx, c); err != nil {
				return nil, err
			}
		}
		cited, err := checkCitations(ctx, tx, t)
		if err != nil {
			return nil, err
		}
		from := c.Status
		t.Apply(c, now)
		c.UpdatedAt = now
		if err := s.slaOnStatus(ctx, tx, c, from, now); err != nil {
			return nil, err
		}
		if err := tx.UpdateCase(ctx, c); err != nil {
			return nil, err
		}
		if err := recordCitations(ctx, tx, u, c, t, cited, now); err != nil {
			return nil, err
		}
		var detail map[string]any
		if t.Reason != "" {
			detail = map[string]any{"reason": t.Reason}
		}
		return c, recordDetail(ctx, tx, now, u, "case.transitioned", "case", c.Number, c.ID,
			map[string]any{"from": from, "to": c.Status, "outcome": c.Outcome, "citations": len(cited)}, detail)
	})
}

// Timeline returns a case's history, read from its events, with the notes and messages they name.
func (s *Service) Timeline(ctx context.Context, number string) ([]*haven.TimelineEntry, error) {
	return readCase(ctx, s, number, func(tx haven.Tx, c *haven.Case) ([]*haven.TimelineEntry, error) {
		events, err := tx.CaseEvents(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		u, _ := reader(ctx)
		if err := s.resolveClaims(ctx, tx, u, events); err != nil {
			return nil, err
		}
		if err := hideCaseRefs(ctx, tx, s.viewer(u), events); err != nil {
			return nil, err
		}
		notes, err := tx.CaseNotes(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		if a, _ := haven.ActorFrom(ctx); a.User.Role == haven.RoleHandler {
			notes = visibleNotes(notes) // a leads-only note is not on a handler's timeline either
		}
		msgs, err := tx.CaseMessages(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		if events, err = s.withMoved(ctx, tx, u, c, events, notes, msgs); err != nil { // case_link.go
			return nil, err
		}
		return timeline(events, notes, msgs), nil
	})
}

// claimsCase is the event field naming, by id, the case an email's subject tag claimed when its
// sender was not that case's correspondent.
const claimsCase = "claims_case"

// otherCase is the event field naming, by id, the other case of a link or a merge.
const otherCase = "other_case"

// hideCaseRefs takes out of events the other cases they name (a link, a merge) that v may not
// see: an event readable for its own case must not reveal a restricted one.
func hideCaseRefs(ctx context.Context, tx haven.Tx, v haven.Viewer, events []*haven.Event) error {
	for _, e := range events {
		id, ok := e.Data[otherCase].(float64) // JSON numbers
		if !ok {
			continue
		}
		visible, err := tx.CaseVisible(ctx, int64(id), v)
		if err != nil {
			return err
		}
		if !visible {
			e.Data = maps.Clone(e.Data)
			delete(e.Data, otherCase)
		}
	}
	return nil
}

// resolveClaims turns a claimed case's id into its number for a reader who may see that case,
// and removes it for anyone else.
func (s *Service) resolveClaims(ctx context.Context, tx haven.Tx, u *haven.User, events []*haven.Event) error {
	for _, e := range events {
		id, ok := e.Data[claimsCase].(float64) // JSON numbers
		if !ok {
			continue
		}
		e.Data = maps.Clone(e.Data)
		delete(e.Data, claimsCase)
		visible, err := tx.CaseVisible(ctx, int64(id), s.viewer(u))
		if err != nil || !visible {
			return err
		}
		claimed, err := tx.CaseByID(ctx, int64(id))
		if err != nil {
			return err
		}
		e.Data["claims_case_number"] = claimed.Number
	}
	return nil
}

func timeline(events []*haven.Event, notes []*haven.Note, msgs []*haven.Message) []*haven.TimelineEntry {
	noteByID := map[string]*haven.Note{}
	for _, n := range notes {
		noteByID[itoa(n.ID)] = n
	}
	msgByID := map[string]*haven.Message{}
	for _, m := range msgs {
		msgByID[itoa(m.ID)] = m
	}
	out := make([]*haven.TimelineEntry, 0, len(events))
	for _, e := range events {
		entry := &haven.TimelineEntry{Event: e}
		switch e.ObjectType {
		case "note":
			if entry.Note = noteByID[e.ObjectID]; entry.Note == nil {
				continue // hidden from this reader
			}
		case "message":
			if e.Action == "message.added" || e.Action == "message.received" || e.Action == "escalation.sent" {
				entry.Message = msgByID[e.ObjectID] // later events about it (sent, failed) stay events
			}
		}
		out = append(out, entry)
	}
	return out
}

// changesAccess reports whether a change alters who may see a case: its compartment, the users
// it is restricted to, its TLP, and — for a restricted case — its assignee and team (the assignee
// sees it, and so do the team's leads).
func changesAccess(before *haven.Case, changed []string) bool {
	return slices.ContainsFunc(changed, func(f string) bool {
		return f == "compartment" || f == "restricted_to" || f == "tlp" || before.Restricted && (f == "assignee" || f == "team")
	})
}

// tellAccessChange notifies the owners of the case before and after the change (caseOwners) that
// who may see it changed: nobody's access to a case they own changes unseen.
func (s *Service) tellAccessChange(ctx context.Context, tx haven.Tx, u *haven.User, before, after *haven.Case, now time.Time) error {
	was, err := s.caseOwners(ctx, tx, before)
	if err != nil {
		return err
	}
	return s.tellOwners(ctx, tx, after, u, now, "access_changed", was,
		fmt.Sprintf("%s changed who may see %s (compartment, restricted to, or TLP)", u.Username, after.Number))
}

// checkRestriction validates a case's compartment and restricted-to users: they must exist, and a
// handler may only put a case into a compartment they belong to. Restricting a case to named
// users or TLP:RED never hides it from its team's leads (sqldb's visibility), so a handler may
// restrict only a case that has a team: a team-less case restricted by a handler would have no
// overseer.
func checkRestriction(ctx context.Context, tx haven.Tx, u *haven.User, c *haven.Case) error {
	if u.Role == haven.RoleHandler && c.Team == "" && c.Compartment == "" && (len(c.RestrictedTo) > 0 || c.TLP == "red") {
		return &haven.Error{Code: haven.EFORBIDDEN, Message: "a handler can restrict only a case of a team (its leads keep sight of it): set the team first",
			Fields: map[string]string{"restricted_to": "set the case's team first"}}
	}
	v := haven.Validation{}
	if c.Compartment != "" {
		comp, err := tx.CompartmentByName(ctx, c.Compartment)
		switch {
		case haven.ErrorCode(err) == haven.ENOTFOUND:
			v.Add("compartment", "no compartment "+c.Compartment)
		case err != nil:
			return err
		case u.Role == haven.RoleHandler && !slices.Contains(comp.Members, u.Username):
			return haven.Errorf(haven.EFORBIDDEN, "only members of %s (or leads) can put a case into it", c.Compartment)
		}
	}
	for _, name := range c.RestrictedTo {
		if _, err := tx.UserByUsername(ctx, name); haven.ErrorCode(err) == haven.ENOTFOUND {
			v.Add("restricted_to", "no user "+name)
		} else if err != nil {
			return err
		}
	}
	return v.Err()
}
