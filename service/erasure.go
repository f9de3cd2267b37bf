package service

import (
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/haven-helpline/haven"
)

var _ haven.ErasureService = (*Service)(nil)

// ExportRequester returns everything Haven holds on a person (leads and admins). The export is a
// read of personal data, so it is recorded.
func (s *Service) ExportRequester(ctx context.Context, id int64) (*haven.RequesterExport, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if u.Role != haven.RoleLead && u.Role != haven.RoleAdmin {
		return nil, haven.Errorf(haven.EFORBIDDEN, "only leads and admins can export a requester's data")
	}
	return s.exportRequester(ctx, u, id)
}

// ExportRequesterAsSystem exports for the operator at the console (`haven requester export`).
func (s *Service) ExportRequesterAsSystem(ctx context.Context, id int64) (*haven.RequesterExport, error) {
	return s.exportRequester(ctx, nil, id)
}

func (s *Service) exportRequester(ctx context.Context, u *haven.User, id int64) (*haven.RequesterExport, error) {
	now := s.clock.Now()
	var x *haven.RequesterExport
	err := s.store.Update(ctx, func(tx haven.Tx) error {
		ids, cases, err := s.person(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if x, err = collectExport(ctx, tx, ids, cases, now); err != nil {
			return err
		}
		return record(ctx, tx, now, u, "requester.exported", "requester", id, 0, map[string]any{"cases": len(x.Cases)})
	})
	if err != nil {
		return nil, err
	}
	return x, nil
}

// person returns the requester's records (theirs first, then those merged into it) and the cases
// of all of them. A data-subject request covers every case of the person, so a user (nil: the
// console) who may not see one of them is refused rather than given a partial answer.
func (s *Service) person(ctx context.Context, tx haven.Tx, u *haven.User, id int64) ([]int64, []int64, error) {
	if u != nil {
		if _, err := s.requesterByID(ctx, tx, u, id); err != nil { // a person u may not see is unknown to u
			return nil, nil, err
		}
	} else if _, err := tx.RequesterByID(ctx, id); err != nil {
		return nil, nil, err
	}
	merged, err := tx.MergedRequesterIDs(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	ids := append([]int64{id}, merged...)
	var cases []int64
	for _, rid := range ids {
		c, err := tx.RequesterCaseIDs(ctx, rid)
		if err != nil {
			return nil, nil, err
		}
		cases = append(cases, c...)
	}
	slices.Sort(cases)
	cases = slices.Compact(cases)
	if u == nil {
		return ids, cases, nil
	}
	for _, c := range cases {
		visible, err := tx.CaseVisible(ctx, c, s.viewer(u))
		if err != nil {
			return nil, nil, err
		}
		if !visible {
			return nil, nil, haven.Errorf(haven.EFORBIDDEN, "some of this requester's cases are outside your need to know, and "+
				"a data-subject request covers all of them: ask an operator to run `haven requester` at the console")
		}
	}
	return ids, cases, nil
}

func collectExport(ctx context.Context, tx haven.Tx, ids, cases []int64, now time.Time) (*haven.RequesterExport, error) {
	r, err := tx.RequesterByID(ctx, ids[0])
	if err != nil {
		return nil, err
	}
	x := &haven.RequesterExport{ExportedAt: now, Requester: r, Merged: []*haven.Requester{},
		Cases: []*haven.CaseExport{}, Events: []*haven.Event{}}
	for _, rid := range ids {
		if rid != r.ID {
			m, err := tx.RequesterByID(ctx, rid)
			if err != nil {
				return nil, err
			}
			x.Merged = append(x.Merged, m)
		}
		events, err := tx.RequesterEvents(ctx, rid)
		if err != nil {
			return nil, err
		}
		x.Events = append(x.Events, events...)
	}
	for _, e := range x.Events {
		if e.Action == "requester.erased" && e.ObjectID == itoa(r.ID) {
			x.ErasedAt = &e.At
		}
	}
	if x.Organisation, err = organisation(ctx, tx, r.OrganisationID); err != nil {
		return nil, err
	}
	for _, cid := range cases {
		c, err := exportCase(ctx, tx, cid)
		if err != nil {
			return nil, err
		}
		x.Cases = append(x.Cases, c)
	}
	return x, nil
}

func organisation(ctx context.Context, tx haven.Tx, id int64) (*haven.Organisation, error) {
	if id == 0 {
		return nil, nil
	}
	orgs, err := tx.Organisations(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		if o.ID == id {
			return o, nil
		}
	}
	return nil, nil
}

func exportCase(ctx context.Context, tx haven.Tx, caseID int64) (*haven.CaseExport, error) {
	c, err := tx.CaseByID(ctx, caseID)
	if err != nil {
		return nil, err
	}
	x := &haven.CaseExport{Case: c, Reports: []*haven.ReportExport{}}
	if x.Messages, err = tx.CaseMessages(ctx, c.ID); err != nil {
		return nil, err
	}
	if x.Notes, err = tx.CaseNotes(ctx, c.ID); err != nil {
		return nil, err
	}
	if x.Tasks, err = tx.CaseTasks(ctx, c.ID); err != nil {
		return nil, err
	}
	if x.Attachments, err = tx.CaseAttachments(ctx, c.ID); err != nil {
		return nil, err
	}
	if x.Events, err = tx.CaseEvents(ctx, c.ID); err != nil {
		return nil, err
	}
	if x.Escalations, err = tx.CaseEscalations(ctx, c.ID); err != nil {
		return nil, err
	}
	if x.Observables, err = tx.CaseObservables(ctx, c.ID); err != nil {
		return nil, err
	}
	reports, err := tx.CaseReports(ctx, c.ID)
	for _, r := range reports {
		x.Reports = append(x.Reports, exportReport(r))
	}
	return x, err
}

// exportReport gives a report's raw source as text when it is valid UTF-8, else as base64.
func exportReport(r *haven.Report) *haven.ReportExport {
	if utf8.Valid(r.Raw) {
		return &haven.ReportExport{Report: r, Raw: string(r.Raw), RawEncoding: "text"}
	}
	return &haven.ReportExport{Report: r, Raw: base64.StdEncoding.EncodeToString(r.Raw), RawEncoding: "base64"}
}

// EraseRequester crypto-shreds a person's data (leads and admins): see haven.ErasureService.
func (s *Service) EraseRequester(ctx context.Context, id int64) (*haven.Erasure, error) {
	u, err := requesterManager(ctx)
	if err != nil {
		return nil, err
	}
	return s.eraseRequester(ctx, u, id, false)
}

// PreviewErasure says what EraseRequester would destroy, changing and recording nothing.
func (s *Service) PreviewErasure(ctx context.Context, id int64) (*haven.Erasure, error) {
	u, err := requesterManager(ctx)
	if err != nil {
		return nil, err
	}
	return s.eraseRequester(ctx, u, id, true)
}

// EraseRequesterAsSystem erases for the operator at the console (`haven requester erase --yes`).
func (s *Service) EraseRequesterAsSystem(ctx context.Context, id int64) (*haven.Erasure, error) {
	return s.eraseRequester(ctx, nil, id, false)
}

// PreviewErasureAsSystem previews for the operator at the console (`haven requester erase`).
func (s *Service) PreviewErasureAsSystem(ctx context.Context, id int64) (*haven.Erasure, error) {
	return s.eraseRequester(ctx, nil, id, true)
}

func requesterManager(ctx context.Context) (*haven.User, error) {
	u, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	if !u.CanManageRequesters() {
		return nil, haven.Errorf(haven.EFORBIDDEN, "only leads and admins can erase a requester's data")
	}
	return u, nil
}

// errPreview rolls a previewed erasure back: the preview runs the very statements of the erasure,
// so its counts are exact.
var errPreview = errors.New("erasure preview: roll back")

func (s *Service) eraseRequester(ctx context.Context, u *haven.User, id int64, preview bool) (*haven.Erasure, error) {
	now := s.clock.Now()
	var out *haven.Erasure
	err := s.store.Update(ctx, func(tx haven.Tx) error {
		ids, cases, err := s.person(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if out, err = shred(ctx, tx, u, ids, cases, now); err != nil {
			return err
		}
		if preview {
			return errPreview
		}
		return record(ctx, tx, now, u, "requester.erased", "requester", id, 0, out.Counts())
	})
	if preview && errors.Is(err, errPreview) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	return out, s.sweepShredded(ctx)
}

// shred erases the person's records and the correspondence of their cases, re-indexes each case
// without the erased words and records, per case, what was erased (counts only).
func shred(ctx context.Context, tx haven.Tx, u *haven.User, ids, cases []int64, now time.Time) (*haven.Erasure, error) {
	out := &haven.Erasure{RequesterID: ids[0], Cases: []string{}}
	for _, rid := range ids {
		e, err := tx.EraseRequester(ctx, rid, now)
		if err != nil {
			return nil, err
		}
		out.Add(e)
	}
	for _, cid := range cases {
		e, err := tx.EraseCaseCorrespondence(ctx, cid)
		if err != nil {
			return nil, err
		}
		out.Add(e)
		c, err := tx.CaseByID(ctx, cid)
		if err != nil {
			return nil, err
		}
		if err := tx.IndexCase(ctx, c); err != nil {
			return nil, err
		}
		out.Cases = append(out.Cases, c.Number)
		if e.Nothing() {
			continue
		}
		if err := record(ctx, tx, now, u, "case.correspondence_erased", "case", c.Number, c.ID,
			map[string]any{"requester_id": out.RequesterID, "notes": e.Notes, "messages": e.Messages,
				"reports": e.Reports, "attachments": e.Attachments, "search_parts": e.SearchParts}); err != nil {
			return nil, err
		}
	}
	return out, nil
}
