package service

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/haven-helpline/haven"
)

// LinkCases links two related cases; each then lists the other to those who may see it.
func (s *Service) LinkCases(ctx context.Context, number, other string) (*haven.Case, error) {
	err := s.changePair(ctx, number, other, func(tx haven.Tx, u *haven.User, c, o *haven.Case, now time.Time) error {
		err := tx.InsertCaseLink(ctx, c.ID, o.ID, haven.LinkRelated, u.ID, now)
		if haven.ErrorCode(err) == haven.ECONFLICT {
			return &haven.Error{Code: haven.ECONFLICT, Message: c.Number + " and " + o.Number + " are already linked", Err: err}
		}
		if err != nil {
			return err
		}
		return recordBoth(ctx, tx, now, u, "case.linked", c, o)
	})
	if err != nil {
		return nil, err
	}
	return s.Case(ctx, number)
}

// UnlinkCases removes the related link between two cases.
func (s *Service) UnlinkCases(ctx context.Context, number, other string) (*haven.Case, error) {
	err := s.changePair(ctx, number, other, func(tx haven.Tx, u *haven.User, c, o *haven.Case, now time.Time) error {
		err := tx.DeleteCaseLink(ctx, c.ID, o.ID)
		if haven.ErrorCode(err) == haven.ENOTFOUND {
			return &haven.Error{Code: haven.ENOTFOUND, Message: c.Number + " and " + o.Number + " are not linked", Err: err}
		}
		if err != nil {
			return err
		}
		return recordBoth(ctx, tx, now, u, "case.unlinked", c, o)
	})
	if err != nil {
		return nil, err
	}
	return s.Case(ctx, number)
}

// recordBoth records action on each of two cases, naming the other by id: one of them may be
// restricted, and readers of the other's events learn of it only if they may see it
// (hideCaseRefs).
func recordBoth(ctx context.Context, tx haven.Tx, now time.Time, u *haven.User, action string, c, o *haven.Case) error {
	if err := record(ctx, tx, now, u, action, "case", c.Number, c.ID, map[string]any{otherCase: o.ID}); err != nil {
		return err
	}
	return record(ctx, tx, now, u, action, "case", o.Number, o.ID, map[string]any{otherCase: c.ID})
}

// changePair runs change in one write transaction on two different cases, both of which the
// acting user must see and may change. A case they may not see answers like a missing one.
func (s *Service) changePair(ctx context.Context, number, other string,
	change func(tx haven.Tx, u *haven.User, c, o *haven.Case, now time.Time) error) error {
	u, err := writer(ctx)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	return s.store.Update(ctx, func(tx haven.Tx) error {
		c, err := s.editCase(ctx, tx, u, number)
		if err != nil {
			return err
		}
		o, err := s.editCase(ctx, tx, u, other)
		if err != nil {
			return err
		}
		if c.ID == o.ID {
			return &haven.Error{Code: haven.EINVALID, Message: "a case cannot be linked to itself",
				Fields: map[string]string{"case": "another case's number"}}
		}
		return change(tx, u, c, o, now)
	})
}

// fillLinks sets c.DuplicateOf and c.Links to the linked cases u may see: a hidden linked case
// is neither named nor counted.
func (s *Service) fillLinks(ctx context.Context, tx haven.Tx, u *haven.User, c *haven.Case) error {
	rows, err := tx.CaseLinks(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, row := range rows {
		o, err := s.visibleCase(ctx, tx, s.viewer(u), row.OtherID)
		if err != nil {
			return err
		}
		if o == nil {
			continue
		}
		if row.Survivor {
			c.DuplicateOf = o.Number
			continue
		}
		c.Links = append(c.Links, &haven.LinkedCase{Number: o.Number, Title: o.Title, Status: o.Status,
			Restricted: o.Restricted, Kind: row.Kind})
	}
	return nil
}

// visibleCase reads the case with id when v may see it, and answers nil when v may not.
func (s *Service) visibleCase(ctx context.Context, tx haven.Tx, v haven.Viewer, id int64) (*haven.Case, error) {
	o, err := tx.CaseByID(ctx, id)
	if err != nil || !o.Restricted {
		return o, err
	}
	visible, err := tx.CaseVisible(ctx, id, v)
	if err != nil || !visible {
		return nil, err
	}
	return o, nil
}

// recordLinkedViews audits the restricted linked cases a case showed (their numbers and titles),
// as a list does.
func (s *Service) recordLinkedViews(ctx context.Context, u *haven.User, c *haven.Case) error {
	var shown []string
	for _, l := range c.Links {
		if l.Restricted {
			shown = append(shown, l.Number)
		}
	}
	if len(shown) == 0 {
		return nil
	}
	now := s.clock.Now()
	return s.store.Update(ctx, func(tx haven.Tx) error {
		for _, number := range shown {
			o, err := tx.CaseByNumber(ctx, number)
			if err != nil {
				return err
			}
			if err := record(ctx, tx, now, u, "case.viewed", "case", o.Number, o.ID, map[string]any{"via": "link"}); err != nil {
				return err
			}
		}
		return nil
	})
}

// MarkDuplicate merges the case named number into the case named of: its messages, reports,
// notes, attachments and observable sightings move there, and it is closed as a duplicate. Both
// numbers keep resolving; the duplicate names its survivor to those who may see it.
func (s *Service) MarkDuplicate(ctx context.Context, number, of string) (*haven.Case, error) {
	err := s.changePair(ctx, number, of, func(tx haven.Tx, u *haven.User, d, sv *haven.Case, now time.Time) error {
		if err := s.checkDuplicate(ctx, tx, u, d, sv); err != nil {
			return err
		}
		moved, err := tx.MoveCaseContent(ctx, d.ID, sv.ID)
		if err != nil {
			return err
		}
		if err := tx.InsertCaseLink(ctx, d.ID, sv.ID, haven.LinkDuplicate, u.ID, now); err != nil {
			return err
		}
		if err := s.closeAsDuplicate(ctx, tx, u, d, now); err != nil {
			return err
		}
		sv.UpdatedAt = now
		if err := tx.UpdateCase(ctx, sv); err != nil { // marks its statistics days dirty
			return err
		}
		return s.recordMerge(ctx, tx, u, d, sv, moved, now)
	})
	if err != nil {
		return nil, err
	}
	return s.Case(ctx, number)
}

// recordMerge re-indexes both cases (the moved notes and messages are searched under the
// survivor) and records the merge on both, with counts and numbers only.
func (s *Service) recordMerge(ctx context.Context, tx haven.Tx, u *haven.User, d, sv *haven.Case, moved haven.CaseMove, now time.Time) error {
	for _, c := range []*haven.Case{d, sv} {
		if err := tx.IndexCase(ctx, c); err != nil {
			return err
		}
	}
	data := func(other int64) map[string]any {
		return map[string]any{otherCase: other, "messages": moved.Messages, "reports": moved.Reports,
			"notes": moved.Notes, "attachments": moved.Attachments, "sightings": moved.Sightings}
	}
	if err := record(ctx, tx, now, u, "case.marked_duplicate", "case", d.Number, d.ID, data(sv.ID)); err != nil {
		return err
	}
	return record(ctx, tx, now, u, "case.merged_duplicate", "case", sv.Number, sv.ID, data(d.ID))
}

// closeAsDuplicate closes d with the outcome "duplicate" (a closed case keeps its status). The
// workflow allows closing from any open stage; required tasks do not hold a duplicate open.
func (s *Service) closeAsDuplicate(ctx context.Context, tx haven.Tx, u *haven.User, d *haven.Case, now time.Time) error {
	from := d.Status
	if from != haven.StatusClosed {
		d.Status, d.ClosedAt = haven.StatusClosed, &now
	}
	d.Outcome, d.UpdatedAt = "duplicate", now
	if err := s.slaOnStatus(ctx, tx, d, from, now); err != nil {
		return err
	}
	if err := tx.UpdateCase(ctx, d); err != nil {
		return err
	}
	if from == haven.StatusClosed {
		return nil
	}
	return record(ctx, tx, now, u, "case.transitioned", "case", d.Number, d.ID,
		map[string]any{"from": from, "to": d.Status, "outcome": d.Outcome, "citations": 0})
}

// checkDuplicate refuses a merge that would chain duplicates, lose track of a requester's data,
// or show the duplicate's correspondence to someone who may not see it.
func (s *Service) checkDuplicate(ctx context.Context, tx haven.Tx, u *haven.User, d, sv *haven.Case) error {
	if err := s.checkChain(ctx, tx, u, d, sv); err != nil {
		return err
	}
	if d.RequesterID != 0 && d.RequesterID != sv.RequesterID {
		// Erasure follows a requester's cases: moved correspondence must stay on one of them.
		return haven.Errorf(haven.ECONFLICT, "%s and %s have different requesters: merge the requesters first, or link the cases as related instead",
			d.Number, sv.Number)
	}
	return s.checkNeedToKnow(ctx, tx, d, sv)
}

// checkChain keeps duplicates one step from their survivor: a duplicate is never merged again,
// a survivor never becomes a duplicate, and nothing is merged into a duplicate.
func (s *Service) checkChain(ctx context.Context, tx haven.Tx, u *haven.User, d, sv *haven.Case) error {
	dl, err := s.duplicateLinks(ctx, tx, u, d)
	if err != nil {
		return err
	}
	sl, err := s.duplicateLinks(ctx, tx, u, sv)
	if err != nil {
		return err
	}
	switch {
	case dl.of != "":
		return haven.Errorf(haven.ECONFLICT, "%s is already marked as a duplicate%s", d.Number, dl.of)
	case dl.merged:
		return haven.Errorf(haven.ECONFLICT, "other cases were merged into %s, so it cannot become a duplicate itself: mark %s as a duplicate of %s instead",
			d.Number, sv.Number, d.Number)
	case sl.of != "":
		return haven.Errorf(haven.ECONFLICT, "%s is itself marked as a duplicate%s: mark %s as a duplicate of the surviving case instead",
			sv.Number, sl.of, d.Number)
	}
	return nil
}

// duplicateState is what a case's duplicate links say: of is " of <survivor>" (its number only
// when the user may see it) when the case is a duplicate; merged, whether others were merged in.
type duplicateState struct {
	of     string
	merged bool
}

func (s *Service) duplicateLinks(ctx context.Context, tx haven.Tx, u *haven.User, c *haven.Case) (duplicateState, error) {
	var st duplicateState
	rows, err := tx.CaseLinks(ctx, c.ID)
	if err != nil {
		return st, err
	}
	for _, row := range rows {
		if row.Kind != haven.LinkDuplicate {
			continue
		}
		if !row.Survivor {
			st.merged = true
			continue
		}
		st.of = " of another case"
		o, err := s.visibleCase(ctx, tx, s.viewer(u), row.OtherID)
		if err != nil {
			return st, err
		}
		if o != nil {
			st.of = " of " + o.Number
		}
	}
	return st, nil
}

// checkNeedToKnow refuses to move a restricted case's content into a case that someone may see
// who may not see the duplicate: the survivor must be at least as restricted. It asks the one
// visibility rule about every account, so that compartments, named users, TLP:RED, leads,
// grants and break-glass openings all count.
func (s *Service) checkNeedToKnow(ctx context.Context, tx haven.Tx, d, sv *haven.Case) error {
	if !d.Restricted {
		return nil
	}
	users, err := tx.Users(ctx)
	if err != nil {
		return err
	}
	gain := 0
	for _, other := range users {
		v := s.viewer(other)
		seesSurvivor, err := tx.CaseVisible(ctx, sv.ID, v)
		if err != nil {
			return err
		}
		if !seesSurvivor {
			continue
		}
		if seesDup, err := tx.CaseVisible(ctx, d.ID, v); err != nil {
			return err
		} else if !seesDup {
			gain++
		}
	}
	if gain > 0 {
		return &haven.Error{Code: haven.ECONFLICT, Message: fmt.Sprintf(
			"%d people who may see %s may not see %s: merging would show them its correspondence. Restrict %s at least as strictly as %s first, or link the cases as related instead",
			gain, sv.Number, d.Number, sv.Number, d.Number)}
	}
	return nil
}

// withMoved adds to a case's events those recorded on the duplicates merged into it that added
// the notes and messages it took over, so that its timeline shows that correspondence too (in
// order: event ids grow with time). Only events about a note or message now on c are taken.
func (s *Service) withMoved(ctx context.Context, tx haven.Tx, u *haven.User, c *haven.Case, events []*haven.Event,
	notes []*haven.Note, msgs []*haven.Message) ([]*haven.Event, error) {
	rows, err := tx.CaseLinks(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	here := map[string]bool{}
	for _, n := range notes {
		here["note:"+itoa(n.ID)] = true
	}
	for _, m := range msgs {
		here["message:"+itoa(m.ID)] = true
	}
	var moved []*haven.Event
	for _, row := range rows {
		if row.Kind != haven.LinkDuplicate || row.Survivor {
			continue
		}
		evs, err := tx.CaseEvents(ctx, row.OtherID)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			if here[e.ObjectType+":"+e.ObjectID] {
				moved = append(moved, e)
			}
		}
	}
	if len(moved) == 0 {
		return events, nil
	}
	if err := s.resolveClaims(ctx, tx, u, moved); err != nil {
		return nil, err
	}
	out := append(slices.Clone(events), moved...)
	slices.SortFunc(out, func(a, b *haven.Event) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}
