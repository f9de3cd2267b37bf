package service

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
)

func newRequester(in haven.RequesterInput, now time.Time) *haven.Requester {
	r := &haven.Requester{Name: strings.TrimSpace(in.Name), Pseudonym: strings.TrimSpace(in.Pseudonym),
		Contacts: in.AllContacts(), Languages: in.Languages, OrganisationID: in.OrganisationID,
		Vetting: in.Vetting, VouchedBy: in.VouchedBy, RiskNotes: in.RiskNotes, PGPKey: in.PGPKey,
		CreatedAt: now, UpdatedAt: now}
	if r.Vetting == "" {
		r.Vetting = "unvetted"
	}
	if r.Languages == nil {
		r.Languages = []string{}
	}
	return r
}

// findOrCreateRequester returns the requester holding one of in's contacts whom u may see, or a
// new one. One person writing from the same address across many cases stays one requester; but
// a record u may not see is never linked (nor named): that would open the person's whole record
// through the new case. A separate record is made instead, to be merged by someone who sees both.
// u is nil for the system (email intake), which sees what a viewer with no access sees.
// Two transactions looking up one new contact make one record: in a write transaction the store
// holds the contact's lock from the lookup until the end (sqldb/locking.go).
func (s *Service) findOrCreateRequester(ctx context.Context, tx haven.Tx, u *haven.User, in haven.RequesterInput, now time.Time) (r *haven.Requester, created bool, err error) {
	for _, c := range in.AllContacts() {
		found, err := tx.RequestersByContact(ctx, c, s.viewerOf(u))
		if err != nil {
			return nil, false, err
		}
		if len(found) > 0 {
			return found[0], false, nil
		}
	}
	r = newRequester(in, now)
	if err := tx.InsertRequester(ctx, r); err != nil {
		return nil, false, err
	}
	return r, true, record(ctx, tx, now, u, "requester.created", "requester", r.ID, 0, nil)
}

// viewerOf is viewer(u), and for the system (nil) a viewer with no access of its own.
func (s *Service) viewerOf(u *haven.User) haven.Viewer {
	if u == nil {
		return haven.Viewer{Now: s.clock.Now()}
	}
	return s.viewer(u)
}

// CreateRequester adds a person. A contact someone else holds is no conflict: saying so would
// tell who holds it.
func (s *Service) CreateRequester(ctx context.Context, in haven.RequesterInput) (*haven.Requester, error) {
	u, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	r := newRequester(in, now)
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		if err := tx.InsertRequester(ctx, r); err != nil {
			return err
		}
		return record(ctx, tx, now, u, "requester.created", "requester", r.ID, 0, nil)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Requester reads one person. A requester's record is personal data: every read is recorded.
func (s *Service) Requester(ctx context.Context, id int64) (*haven.Requester, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	var r *haven.Requester
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		if r, err = s.requesterByID(ctx, tx, u, id); err != nil {
			return err
		}
		return record(ctx, tx, s.clock.Now(), u, "requester.viewed", "requester", r.ID, 0, nil)
	})
	return r, err
}

// RequesterSummary reads what a case page shows of a requester, without an audited read: the
// pseudonym is what every case list shows, and nothing more personal is returned.
func (s *Service) RequesterSummary(ctx context.Context, id int64) (*haven.RequesterSummary, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	var out *haven.RequesterSummary
	err = s.store.View(ctx, func(tx haven.Tx) error {
		r, err := s.requesterByID(ctx, tx, u, id)
		if err != nil {
			return err
		}
		out = &haven.RequesterSummary{ID: r.ID, DisplayName: r.DisplayName(), Vetting: r.Vetting, Languages: r.Languages,
			EncryptedOnly: r.EncryptedOnly, HasPGPKey: strings.TrimSpace(r.PGPKey) != ""}
		return nil
	})
	return out, err
}

// requesterByID reads a requester u may see; one known only through cases outside u's need to
// know answers like one that does not exist.
func (s *Service) requesterByID(ctx context.Context, tx haven.Tx, u *haven.User, id int64) (*haven.Requester, error) {
	visible, err := tx.RequesterVisible(ctx, id, s.viewer(u))
	if err != nil {
		return nil, err
	}
	if !visible {
		return nil, haven.Errorf(haven.ENOTFOUND, "requester %d not found", id)
	}
	return tx.RequesterByID(ctx, id)
}

// Requesters lists people, newest first; the list is personal data, so the read is recorded
// with the ids it returned.
func (s *Service) Requesters(ctx context.Context, f haven.RequesterFilter) (*haven.RequesterPage, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if f.Limit <= 0 {
		f.Limit = haven.DefaultLimit
	}
	if f.Limit > haven.MaxLimit {
		return nil, &haven.Error{Code: haven.EINVALID, Message: "limit too large", Fields: map[string]string{"limit": "at most 500"}}
	}
	f.Viewer = s.viewer(u)
	var page *haven.RequesterPage
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		if page, err = tx.FindRequesters(ctx, f); err != nil {
			return err
		}
		ids := make([]int64, len(page.Items))
		for i, r := range page.Items {
			ids[i] = r.ID
		}
		return record(ctx, tx, s.clock.Now(), u, "requester.listed", "requester", "", 0, map[string]any{"ids": ids})
	})
	return page, err
}

// UpdateRequester changes a person's record.
func (s *Service) UpdateRequester(ctx context.Context, id int64, up haven.RequesterUpdate) (*haven.Requester, error) {
	u, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var r *haven.Requester
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		if r, err = s.requesterByID(ctx, tx, u, id); err != nil {
			return err
		}
		if r.MergedInto != 0 {
			return haven.Errorf(haven.ECONFLICT, "requester %d was merged into %d", r.ID, r.MergedInto)
		}
		if r.ErasedAt != nil {
			return haven.Errorf(haven.ECONFLICT, "requester %d was erased at their request; record a new requester instead", r.ID)
		}
		changed, err := applyRequester(r, up)
		if err != nil {
			return err
		}
		r.UpdatedAt = now
		if err := tx.UpdateRequester(ctx, r); err != nil {
			return err
		}
		if slices.Contains(changed, "contacts") {
			if err := followAddressChange(ctx, tx, u, r, now); err != nil {
				return err
			}
		}
		return record(ctx, tx, now, u, "requester.updated", "requester", r.ID, 0, map[string]any{"fields": changed})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

func applyRequester(r *haven.Requester, up haven.RequesterUpdate) ([]string, error) {
	var changed []string
	setStr := func(name string, p *string, dst *string) {
		if p != nil {
			*dst = strings.TrimSpace(*p)
			changed = append(changed, name)
		}
	}
	setStr("name", up.Name, &r.Name)
	setStr("pseudonym", up.Pseudonym, &r.Pseudonym)
	setStr("vouched_by", up.VouchedBy, &r.VouchedBy)
	setStr("risk_notes", up.RiskNotes, &r.RiskNotes)
	setStr("pgp_key", up.PGPKey, &r.PGPKey)
	if up.Vetting != nil {
		r.Vetting, changed = *up.Vetting, append(changed, "vetting")
	}
	if up.EncryptedOnly != nil {
		r.EncryptedOnly, changed = *up.EncryptedOnly, append(changed, "encrypted_only")
	}
	if r.EncryptedOnly && strings.TrimSpace(r.PGPKey) == "" {
		return nil, &haven.Error{Code: haven.EINVALID, Message: "encrypted-only mail needs the requester's PGP key",
			Fields: map[string]string{"encrypted_only": "add their PGP key first"}}
	}
	if up.Languages != nil {
		r.Languages, changed = *up.Languages, append(changed, "languages")
	}
	if up.Contacts != nil {
		changed = append(changed, "contacts")
	}
	in := haven.RequesterInput{Name: r.Name, Pseudonym: r.Pseudonym, Languages: r.Languages, Vetting: r.Vetting, RiskNotes: r.RiskNotes}
	if up.Contacts != nil {
		in.Contacts = *up.Contacts
	} else {
		in.Contacts = r.Contacts
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	r.Contacts = in.AllContacts()
	return changed, nil
}

// MergeRequesters moves the cases and contacts of from onto into and retires from. Fields that
// into lacks are taken from from; into's own values win.
func (s *Service) MergeRequesters(ctx context.Context, into, from int64) (*haven.Requester, error) {
	u, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	if !u.CanManageRequesters() {
		return nil, haven.Errorf(haven.EFORBIDDEN, "only leads and admins can merge requesters")
	}
	if into == from {
		return nil, haven.Errorf(haven.EINVALID, "cannot merge a requester into itself")
	}
	now := s.clock.Now()
	var keep *haven.Requester
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		var gone *haven.Requester
		for _, id := range []int64{into, from} {
			if _, err := s.requesterByID(ctx, tx, u, id); err != nil {
				return err
			}
		}
		if keep, gone, err = loadPair(ctx, tx, into, from); err != nil {
			return err
		}
		mergeFields(keep, gone)
		gone.Contacts, gone.MergedInto, gone.UpdatedAt = nil, keep.ID, now
		if err := tx.UpdateRequester(ctx, gone); err != nil { // frees the contacts first
			return err
		}
		keep.UpdatedAt = now
		if err := tx.UpdateRequester(ctx, keep); err != nil {
			return err
		}
		moved, err := tx.MoveRequesterCases(ctx, gone.ID, keep.ID)
		if err != nil {
			return err
		}
		for _, caseID := range moved {
			if err := record(ctx, tx, now, u, "case.requester_merged", "requester", keep.ID, caseID,
				map[string]any{"from": gone.ID, "into": keep.ID}); err != nil {
				return err
			}
		}
		return record(ctx, tx, now, u, "requester.merged", "requester", keep.ID, 0,
			map[string]any{"from": gone.ID, "cases": len(moved)})
	})
	if err != nil {
		return nil, err
	}
	return keep, nil
}

func loadPair(ctx context.Context, tx haven.Tx, into, from int64) (*haven.Requester, *haven.Requester, error) {
	keep, err := tx.RequesterByID(ctx, into)
	if err != nil {
		return nil, nil, err
	}
	gone, err := tx.RequesterByID(ctx, from)
	if err != nil {
		return nil, nil, err
	}
	if keep.MergedInto != 0 || gone.MergedInto != 0 {
		return nil, nil, haven.Errorf(haven.ECONFLICT, "one of these requesters was already merged")
	}
	if keep.ErasedAt != nil || gone.ErasedAt != nil {
		return nil, nil, haven.Errorf(haven.ECONFLICT, "one of these requesters was erased at their request")
	}
	return keep, gone, nil
}

func mergeFields(keep, gone *haven.Requester) {
	fill := func(dst *string, src string) {
		if *dst == "" {
			*dst = src
		}
	}
	fill(&keep.Name, gone.Name)
	fill(&keep.Pseudonym, gone.Pseudonym)
	fill(&keep.PGPKey, gone.PGPKey)
	fill(&keep.VouchedBy, gone.VouchedBy)
	if gone.RiskNotes != "" && gone.RiskNotes != keep.RiskNotes {
		keep.RiskNotes = strings.TrimSpace(keep.RiskNotes + "\n\n" + gone.RiskNotes)
	}
	if keep.OrganisationID == 0 {
		keep.OrganisationID = gone.OrganisationID
	}
	keep.Contacts = (&haven.RequesterInput{Contacts: append(keep.Contacts, gone.Contacts...)}).AllContacts()
	for _, l := range gone.Languages {
		if !containsStr(keep.Languages, l) {
			keep.Languages = append(keep.Languages, l)
		}
	}
}

func containsStr(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
