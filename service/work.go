package service

import (
	"cmp"
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
)

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// AddNote adds an internal note to a case.
func (s *Service) AddNote(ctx context.Context, number string, in haven.NoteCreate) (*haven.Note, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	terms := s.store.SearchTerms(in.Body)
	found, err := s.noteFound(ctx, in.Body)
	if err != nil {
		return nil, err
	}
	return changeCase(ctx, s, number, func(tx haven.Tx, u *haven.User, c *haven.Case, now time.Time) (*haven.Note, error) {
		n := &haven.Note{CaseID: c.ID, AuthorID: u.ID, Author: u.Username, Body: in.Body, Visibility: in.Visibility, CreatedAt: now}
		if err := tx.InsertNote(ctx, n); err != nil {
			return nil, err
		}
		if err := s.sightObservables(ctx, tx, c, haven.SightingSource{Kind: "note", ID: n.ID}, found, now); err != nil {
			return nil, err
		}
		if err := tx.AppendCaseTerms(ctx, c.ID, "note:"+itoa(n.ID), terms); err != nil {
			return nil, err
		}
		if err := s.tellMentioned(ctx, tx, u, c, n, now); err != nil {
			return nil, err
		}
		return n, s.touch(ctx, tx, u, c, now, "note.added", "note", n.ID, nil)
	})
}

// touch bumps a case's updated time and records the event of a change to something on it.
func (s *Service) touch(ctx context.Context, tx haven.Tx, u *haven.User, c *haven.Case, now time.Time, action, objType string, objID int64, data map[string]any) error {
	return s.touchDetail(ctx, tx, u, c, now, action, objType, objID, data, nil)
}

// touchDetail is touch with the event's free text kept as its detail (recordDetail).
func (s *Service) touchDetail(ctx context.Context, tx haven.Tx, u *haven.User, c *haven.Case, now time.Time, action, objType string, objID int64, data, detail map[string]any) error {
	c.UpdatedAt = now
	if err := tx.UpdateCase(ctx, c); err != nil {
		return err
	}
	return recordDetail(ctx, tx, now, u, action, objType, objID, c.ID, data, detail)
}

// Notes lists a case's notes; "leads" notes only for leads, admins and auditors.
func (s *Service) Notes(ctx context.Context, number string) ([]*haven.Note, error) {
	notes, err := readCase(ctx, s, number, func(tx haven.Tx, c *haven.Case) ([]*haven.Note, error) {
		return tx.CaseNotes(ctx, c.ID)
	})
	if a, _ := haven.ActorFrom(ctx); err == nil && a.User.Role == haven.RoleHandler {
		notes = visibleNotes(notes)
	}
	return notes, err
}

func visibleNotes(notes []*haven.Note) []*haven.Note {
	out := notes[:0:0]
	for _, n := range notes {
		if n.Visibility != "leads" {
			out = append(out, n)
		}
	}
	return out
}

// AddTask adds a step to a case's checklist.
func (s *Service) AddTask(ctx context.Context, number string, in haven.TaskCreate) (*haven.Task, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return changeCase(ctx, s, number, func(tx haven.Tx, u *haven.User, c *haven.Case, now time.Time) (*haven.Task, error) {
		if err := checkAssignee(ctx, tx, "assignee", in.Assignee); err != nil {
			return nil, err
		}
		t := &haven.Task{CaseID: c.ID, Title: in.Title, Guidance: in.Guidance, Assignee: in.Assignee, DueAt: in.DueAt, CreatedAt: now}
		if err := tx.InsertTask(ctx, t); err != nil {
			return nil, err
		}
		return t, s.touchDetail(ctx, tx, u, c, now, "task.added", "task", t.ID, nil, map[string]any{"title": t.Title})
	})
}

func checkAssignee(ctx context.Context, tx haven.Tx, field, username string) error {
	if username == "" {
		return nil
	}
	if _, err := tx.UserByUsername(ctx, username); haven.ErrorCode(err) == haven.ENOTFOUND {
		return &haven.Error{Code: haven.EINVALID, Message: "no such user", Fields: map[string]string{field: "no user " + username}}
	} else if err != nil {
		return err
	}
	return nil
}

// UpdateTask ticks, renames or reassigns a task.
func (s *Service) UpdateTask(ctx context.Context, number string, taskID int64, up haven.TaskUpdate) (*haven.Task, error) {
	return changeCase(ctx, s, number, func(tx haven.Tx, u *haven.User, c *haven.Case, now time.Time) (*haven.Task, error) {
		t, err := tx.TaskByID(ctx, taskID)
		if err != nil || t.CaseID != c.ID {
			return nil, haven.Errorf(haven.ENOTFOUND, "task %d not found on case %s", taskID, c.Number)
		}
		data, err := applyTask(ctx, tx, t, up, now)
		if err != nil {
			return nil, err
		}
		if err := tx.UpdateTask(ctx, t); err != nil {
			return nil, err
		}
		var detail map[string]any
		if title, ok := data["title"]; ok {
			delete(data, "title")
			data["fields"], detail = []string{"title"}, map[string]any{"title": title}
		}
		return t, s.touchDetail(ctx, tx, u, c, now, "task.updated", "task", t.ID, data, detail)
	})
}

func applyTask(ctx context.Context, tx haven.Tx, t *haven.Task, up haven.TaskUpdate, now time.Time) (map[string]any, error) {
	data := map[string]any{}
	if up.Title != nil {
		title := strings.TrimSpace(*up.Title)
		if title == "" || len(title) > haven.MaxTitle {
			return nil, &haven.Error{Code: haven.EINVALID, Message: "bad title", Fields: map[string]string{"title": "required, at most 300 bytes"}}
		}
		t.Title, data["title"] = title, title
	}
	if up.Done != nil && *up.Done != t.Done {
		t.Done, data["done"] = *up.Done, *up.Done
		t.DoneAt = nil
		if t.Done {
			t.DoneAt = &now
		}
	}
	if up.Assignee != nil {
		if err := checkAssignee(ctx, tx, "assignee", *up.Assignee); err != nil {
			return nil, err
		}
		t.Assignee, data["assignee"] = *up.Assignee, *up.Assignee
	}
	if up.DueAt != nil {
		t.DueAt, data["due_at"] = up.DueAt, up.DueAt
	}
	if up.Position != nil {
		if *up.Position < 1 || *up.Position > 10000 {
			return nil, &haven.Error{Code: haven.EINVALID, Message: "bad position", Fields: map[string]string{"position": "1 to 10000"}}
		}
		t.Position, data["position"] = *up.Position, *up.Position
	}
	return data, nil
}

// Tasks lists a case's checklist.
func (s *Service) Tasks(ctx context.Context, number string) ([]*haven.Task, error) {
	return readCase(ctx, s, number, func(tx haven.Tx, c *haven.Case) ([]*haven.Task, error) {
		return tx.CaseTasks(ctx, c.ID)
	})
}

// AddMessage records correspondence on a case. An outbound email reply is queued for sending
// when the email channel is configured (else only recorded); see queueEmail.
func (s *Service) AddMessage(ctx context.Context, number string, in haven.MessageCreate) (*haven.Message, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	terms := s.store.SearchTerms(in.Subject + " " + in.Text)
	found, err := s.findObservables(ctx, s.cfg.PhoneRegion, []evidence{{role: haven.RoleFrom, text: in.From},
		{role: haven.RoleBody, text: in.Subject + "\n" + in.Text}})
	if err != nil {
		return nil, err
	}
	return changeCase(ctx, s, number, func(tx haven.Tx, u *haven.User, c *haven.Case, now time.Time) (*haven.Message, error) {
		if err := checkTemplateVersion(ctx, tx, in.TemplateID, in.TemplateVersion); err != nil {
			return nil, err
		}
		m := &haven.Message{CaseID: c.ID, Direction: in.Direction, Channel: in.Channel, From: in.From, To: in.To,
			Subject: in.Subject, Text: in.Text, Status: "recorded", AuthorID: u.ID, Author: u.Username, CreatedAt: now,
			TemplateID: in.TemplateID, TemplateVersion: in.TemplateVersion}
		if m.To == nil {
			m.To = []string{}
		}
		if s.sendsEmail(m) {
			if err := s.checkRecipient(ctx, tx, c, m); err != nil {
				return nil, err
			}
			m.Status = haven.MessageQueued
		}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return nil, err
		}
		if err := s.sightObservables(ctx, tx, c, haven.SightingSource{Kind: "message", ID: m.ID}, found, now); err != nil {
			return nil, err
		}
		if err := s.queueEmail(ctx, tx, m, now); err != nil {
			return nil, err
		}
		if err := tx.AppendCaseTerms(ctx, c.ID, "message:"+itoa(m.ID), terms); err != nil {
			return nil, err
		}
		if m.Direction == haven.Outbound {
			if err := s.slaOnReply(ctx, tx, c, now); err != nil {
				return nil, err
			}
		} else if err := s.tellReply(ctx, tx, u, c, now); err != nil { // e.g. a call logged by a colleague
			return nil, err
		}
		return m, s.touch(ctx, tx, u, c, now, "message.added", "message", m.ID, map[string]any{"direction": m.Direction})
	})
}

// checkTemplateVersion refuses a message that names a template version that does not exist.
func checkTemplateVersion(ctx context.Context, tx haven.Tx, id int64, version int) error {
	if id == 0 && version == 0 {
		return nil
	}
	if _, err := tx.TemplateVersion(ctx, id, version); haven.ErrorCode(err) == haven.ENOTFOUND {
		return &haven.Error{Code: haven.EINVALID, Message: "no such template version",
			Fields: map[string]string{"template_version": "template " + itoa(id) + " has no such version"}}
	} else if err != nil {
		return err
	}
	return nil
}

// Messages lists a case's correspondence.
func (s *Service) Messages(ctx context.Context, number string) ([]*haven.Message, error) {
	return readCase(ctx, s, number, func(tx haven.Tx, c *haven.Case) ([]*haven.Message, error) {
		return tx.CaseMessages(ctx, c.ID)
	})
}

// CreateReport records an inbound submission not (yet) linked to a case. A repeated dedupe key
// returns the report already stored, so a retried submission is not recorded twice; but only
// when the caller may see that report: a dedupe key (a Message-ID) of a report on a case hidden
// from the caller is answered as if unknown, with a new report that has no dedupe key.
func (s *Service) CreateReport(ctx context.Context, in haven.ReportCreate) (*haven.Report, error) {
	u, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	r := &haven.Report{Channel: in.Channel, ExternalID: in.ExternalID, DedupeKey: in.DedupeKey, Raw: []byte(in.Raw), ReceivedAt: s.clock.Now()}
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		if r.DedupeKey != "" {
			old, err := tx.ReportByDedupeKey(ctx, r.DedupeKey)
			if err != nil && haven.ErrorCode(err) != haven.ENOTFOUND {
				return err
			}
			if err == nil {
				visible, err := s.reportVisible(ctx, tx, u, old)
				if err != nil || visible {
					r = old
					return err
				}
				r.DedupeKey = ""
			}
		}
		if err := tx.InsertReport(ctx, r); err != nil {
			return err
		}
		return record(ctx, tx, r.ReceivedAt, u, "report.received", "report", r.ID, 0, map[string]any{"channel": r.Channel})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// reportVisible reports whether u may see a report: one not linked to a case yet (the intake
// queue), or one whose current case u may see.
func (s *Service) reportVisible(ctx context.Context, tx haven.Tx, u *haven.User, r *haven.Report) (bool, error) {
	if r.CaseID == 0 {
		return true, nil
	}
	return tx.CaseVisible(ctx, r.CaseID, s.viewer(u))
}

// LinkReport attaches a report to a case. Moving a report off a case needs sight of that case
// too: a report on a case hidden from u answers like one that does not exist.
func (s *Service) LinkReport(ctx context.Context, reportID int64, number string) (*haven.Report, error) {
	return changeCase(ctx, s, number, func(tx haven.Tx, u *haven.User, c *haven.Case, now time.Time) (*haven.Report, error) {
		missing := haven.Errorf(haven.ENOTFOUND, "report %d not found", reportID)
		r, err := tx.ReportByID(ctx, reportID)
		if haven.ErrorCode(err) == haven.ENOTFOUND {
			return nil, missing
		}
		if err != nil {
			return nil, err
		}
		if visible, err := s.reportVisible(ctx, tx, u, r); err != nil || !visible {
			return nil, cmp.Or(err, error(missing))
		}
		if r.CaseID == c.ID {
			return r, nil
		}
		if err := tx.LinkReport(ctx, r.ID, c.ID); err != nil {
			return nil, err
		}
		data := map[string]any{"previous_case_id": r.CaseID}
		r.CaseID, r.CaseNumber = c.ID, c.Number
		return r, s.touch(ctx, tx, u, c, now, "report.linked", "report", r.ID, data)
	})
}

// Reports lists the reports linked to a case.
func (s *Service) Reports(ctx context.Context, number string) ([]*haven.Report, error) {
	return readCase(ctx, s, number, func(tx haven.Tx, c *haven.Case) ([]*haven.Report, error) {
		return tx.CaseReports(ctx, c.ID)
	})
}
