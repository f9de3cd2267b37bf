package service

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/playbook"
)

var _ haven.PlaybookService = (*Service)(nil)

// Playbooks lists the playbooks (every signed-in user: they are know-how).
func (s *Service) Playbooks(ctx context.Context) ([]*haven.Playbook, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	var out []*haven.Playbook
	err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		out, err = tx.Playbooks(ctx)
		return err
	})
	return out, err
}

// Playbook reads one playbook with its YAML source.
func (s *Service) Playbook(ctx context.Context, name string) (*haven.Playbook, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	var p *haven.Playbook
	err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		p, err = tx.PlaybookByName(ctx, name)
		return err
	})
	return p, err
}

// SavePlaybook creates a playbook from its YAML or makes a new version of the one of that name
// (leads and admins). The YAML is validated whole first: a bad file changes nothing.
func (s *Service) SavePlaybook(ctx context.Context, source string) (*haven.Playbook, bool, error) {
	u, err := templateEditor(ctx)
	if err != nil {
		return nil, false, err
	}
	var p *haven.Playbook
	var what string
	err = s.store.Update(ctx, func(tx haven.Tx) (err error) {
		p, what, err = s.savePlaybook(ctx, tx, u, source, s.clock.Now())
		return err
	})
	return p, what == "added", err
}

// ImportPlaybooksAsSystem saves playbooks from the console, in one transaction, and says per
// name "added", "updated" or "unchanged".
func (s *Service) ImportPlaybooksAsSystem(ctx context.Context, sources []string) (map[string]string, error) {
	out := map[string]string{}
	err := s.store.Update(ctx, func(tx haven.Tx) error {
		for _, src := range sources {
			p, what, err := s.savePlaybook(ctx, tx, nil, src, s.clock.Now())
			if err != nil {
				return err
			}
			out[p.Name] = what
		}
		return nil
	})
	return out, err
}

func (s *Service) savePlaybook(ctx context.Context, tx haven.Tx, u *haven.User, source string, now time.Time) (*haven.Playbook, string, error) {
	parsed, err := playbook.Parse([]byte(source))
	if err != nil {
		return nil, "", err
	}
	rec := &haven.Playbook{Name: parsed.Name, Title: parsed.Title, Categories: nonNilStrings(parsed.Categories),
		Auto: parsed.Auto, Source: source, CreatedAt: now, UpdatedAt: now}
	cur, err := tx.PlaybookByName(ctx, parsed.Name)
	switch {
	case haven.ErrorCode(err) == haven.ENOTFOUND:
		if err := tx.InsertPlaybook(ctx, rec, userID(u)); err != nil {
			return nil, "", err
		}
		return rec, "added", record(ctx, tx, now, u, "playbook.created", "playbook", rec.Name, 0, map[string]any{"version": 1})
	case err != nil:
		return nil, "", err
	case cur.Source == source:
		return cur, "unchanged", nil
	}
	rec.ID, rec.Version, rec.CreatedAt = cur.ID, cur.Version+1, cur.CreatedAt
	if err := tx.UpdatePlaybook(ctx, rec, userID(u)); err != nil {
		return nil, "", err
	}
	return rec, "updated", record(ctx, tx, now, u, "playbook.updated", "playbook", rec.Name, 0, map[string]any{"version": rec.Version})
}

// ApplyPlaybook creates the tasks of a playbook's first steps on a case, in the case's language.
func (s *Service) ApplyPlaybook(ctx context.Context, number, name string) ([]*haven.Task, error) {
	return changeCase(ctx, s, number, func(tx haven.Tx, u *haven.User, c *haven.Case, now time.Time) ([]*haven.Task, error) {
		rec, err := tx.PlaybookByName(ctx, strings.TrimSpace(name))
		if haven.ErrorCode(err) == haven.ENOTFOUND {
			return nil, &haven.Error{Code: haven.EINVALID, Message: "no such playbook", Fields: map[string]string{"playbook": "no playbook " + name}}
		}
		if err != nil {
			return nil, err
		}
		return s.applyPlaybook(ctx, tx, u, c, rec, now)
	})
}

// applyPlaybook records a run of rec on c and creates the tasks of its start steps.
func (s *Service) applyPlaybook(ctx context.Context, tx haven.Tx, u *haven.User, c *haven.Case, rec *haven.Playbook, now time.Time) ([]*haven.Task, error) {
	p, err := playbook.Parse([]byte(rec.Source))
	if err != nil {
		return nil, err
	}
	run := &haven.PlaybookRun{CaseID: c.ID, PlaybookID: rec.ID, Name: rec.Name, Version: rec.Version, AppliedAt: now}
	if err := tx.InsertPlaybookRun(ctx, run, userID(u)); err != nil {
		return nil, err
	}
	tasks, err := stepTasks(ctx, tx, c, run.ID, p, p.Start, now)
	if err != nil {
		return nil, err
	}
	return tasks, s.touch(ctx, tx, u, c, now, "playbook.applied", "playbook", run.ID,
		map[string]any{"playbook": rec.Name, "version": rec.Version, "tasks": len(tasks)})
}

// stepTasks creates a task for each step id, in the case's language.
func stepTasks(ctx context.Context, tx haven.Tx, c *haven.Case, runID int64, p *playbook.Playbook, ids []string, now time.Time) ([]*haven.Task, error) {
	out := make([]*haven.Task, 0, len(ids))
	for _, id := range ids {
		st := p.Step(id)
		title := inLanguage(st.Text, c.Language)
		if st.IsDecision() {
			title = inLanguage(st.Question, c.Language)
		}
		t := &haven.Task{CaseID: c.ID, Title: title, Guidance: inLanguage(st.Guidance, c.Language), RunID: runID,
			StepID: st.ID, Required: st.Required, Decision: st.IsDecision(), Template: st.Template, Article: st.Article, CreatedAt: now}
		if err := tx.InsertTask(ctx, t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// inLanguage picks a text in lang, its base language, English, or else the first in order: the
// same chain as templates (haven.Template.TemplateLanguage).
func inLanguage(texts map[string]string, lang string) string {
	vs := make(map[string]haven.TemplateVariant, len(texts))
	for l, t := range texts {
		vs[l] = haven.TemplateVariant{Body: t}
	}
	chosen, _ := (&haven.Template{Variants: vs}).TemplateLanguage(lang)
	return texts[chosen]
}

// Decide records the answer to an open decision of a case's playbook and creates the answer's
// tasks; the decision's own task is done. An answer is taken only from the step it belongs to.
func (s *Service) Decide(ctx context.Context, number string, d haven.Decision) ([]*haven.Task, error) {
	return changeCase(ctx, s, number, func(tx haven.Tx, u *haven.User, c *haven.Case, now time.Time) ([]*haven.Task, error) {
		task, run, err := openDecision(ctx, tx, c, d)
		if err != nil {
			return nil, err
		}
		rec, err := tx.PlaybookVersion(ctx, run.PlaybookID, run.Version) // the version the case was given
		if err != nil {
			return nil, err
		}
		p, err := playbook.Parse([]byte(rec.Source))
		if err != nil {
			return nil, err
		}
		answer, err := p.Answer(d.Step, d.Answer)
		if err != nil {
			return nil, err
		}
		return s.decide(ctx, tx, u, c, task, run, p, answer, now)
	})
}

func (s *Service) decide(ctx context.Context, tx haven.Tx, u *haven.User, c *haven.Case, task *haven.Task, run *haven.PlaybookRun, p *playbook.Playbook, answer *playbook.Answer, now time.Time) ([]*haven.Task, error) {
	if err := tx.InsertPlaybookDecision(ctx, &haven.PlaybookDecision{RunID: run.ID, StepID: task.StepID, AnswerID: answer.ID, DecidedAt: now}, userID(u)); err != nil {
		return nil, err
	}
	task.Done, task.DoneAt = true, &now
	if err := tx.UpdateTask(ctx, task); err != nil {
		return nil, err
	}
	tasks, err := stepTasks(ctx, tx, c, run.ID, p, answer.Steps, now)
	if err != nil {
		return nil, err
	}
	return tasks, s.touch(ctx, tx, u, c, now, "playbook.decided", "playbook", run.ID,
		map[string]any{"step": task.StepID, "answer": answer.ID, "tasks": len(tasks)})
}

// openDecision finds the case's unanswered decision task for d.Step (in run d.Run when given).
func openDecision(ctx context.Context, tx haven.Tx, c *haven.Case, d haven.Decision) (*haven.Task, *haven.PlaybookRun, error) {
	runs, err := tx.CasePlaybookRuns(ctx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	tasks, err := tx.CaseTasks(ctx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	for _, t := range slices.Backward(tasks) {
		if !t.Decision || t.StepID != d.Step || t.Done || (d.Run != 0 && t.RunID != d.Run) {
			continue
		}
		if i := slices.IndexFunc(runs, func(r *haven.PlaybookRun) bool { return r.ID == t.RunID }); i >= 0 {
			return t, runs[i], nil
		}
	}
	return nil, nil, &haven.Error{Code: haven.EINVALID, Message: "no open decision " + d.Step + " on case " + c.Number,
		Fields: map[string]string{"step": "not an open decision of this case"}}
}

// PlaybookRuns lists the playbooks applied to a case.
func (s *Service) PlaybookRuns(ctx context.Context, number string) ([]*haven.PlaybookRun, error) {
	return readCase(ctx, s, number, func(tx haven.Tx, c *haven.Case) ([]*haven.PlaybookRun, error) {
		return tx.CasePlaybookRuns(ctx, c.ID)
	})
}

// OpenDecisions lists the case's unanswered decisions with their answers, in the case's language.
func (s *Service) OpenDecisions(ctx context.Context, number string) ([]*haven.OpenDecision, error) {
	return readCase(ctx, s, number, func(tx haven.Tx, c *haven.Case) ([]*haven.OpenDecision, error) {
		tasks, err := tx.CaseTasks(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		runs, err := tx.CasePlaybookRuns(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		out := []*haven.OpenDecision{}
		for _, t := range tasks {
			if !t.Decision || t.Done {
				continue
			}
			d, err := openDecisionOf(ctx, tx, c, t, runs)
			if err != nil || d == nil {
				return nil, err
			}
			out = append(out, d)
		}
		return out, nil
	})
}

// openDecisionOf describes decision task t from the playbook version of its run.
func openDecisionOf(ctx context.Context, tx haven.Tx, c *haven.Case, t *haven.Task, runs []*haven.PlaybookRun) (*haven.OpenDecision, error) {
	i := slices.IndexFunc(runs, func(r *haven.PlaybookRun) bool { return r.ID == t.RunID })
	if i < 0 {
		return nil, nil
	}
	rec, err := tx.PlaybookVersion(ctx, runs[i].PlaybookID, runs[i].Version)
	if err != nil {
		return nil, err
	}
	p, err := playbook.Parse([]byte(rec.Source))
	if err != nil {
		return nil, err
	}
	st := p.Step(t.StepID)
	if st == nil {
		return nil, nil
	}
	d := &haven.OpenDecision{RunID: t.RunID, Step: st.ID, Question: inLanguage(st.Question, c.Language)}
	for _, a := range st.Answers {
		d.Answers = append(d.Answers, haven.DecisionAnswer{ID: a.ID, Text: inLanguage(a.Text, c.Language)})
	}
	return d, nil
}

// applyAutoPlaybooks applies the playbooks marked auto that suit an open case's categories and
// were not applied to it before: at intake, and when triage categorises a case (mail arrives
// uncategorised), so re-categorising never doubles a checklist.
// applied names the playbooks already applied to the case (nil for a new case).
func (s *Service) applyAutoPlaybooks(ctx context.Context, tx haven.Tx, u *haven.User, c *haven.Case, applied map[string]bool, now time.Time) error {
	if len(c.Categories) == 0 || !c.Status.IsOpen() {
		return nil
	}
	all, err := tx.Playbooks(ctx)
	if err != nil {
		return err
	}
	for _, p := range all {
		if !p.Auto || applied[p.Name] || !suitsCase(p, c) {
			continue
		}
		rec, err := tx.PlaybookByName(ctx, p.Name)
		if err != nil {
			return err
		}
		if _, err := s.applyPlaybook(ctx, tx, u, c, rec, now); err != nil {
			return err
		}
	}
	return nil
}

// appliedPlaybooks names the playbooks applied to a case.
func appliedPlaybooks(ctx context.Context, tx haven.Tx, c *haven.Case) (map[string]bool, error) {
	runs, err := tx.CasePlaybookRuns(ctx, c.ID)
	applied := make(map[string]bool, len(runs))
	for _, r := range runs {
		applied[r.Name] = true
	}
	return applied, err
}

// suitsCase reports whether a playbook is made for one of the case's categories or their parents.
func suitsCase(p *haven.Playbook, c *haven.Case) bool {
	return len(p.Categories) > 0 && slices.ContainsFunc(c.Categories, func(category string) bool {
		return haven.CategoriesSuit(p.Categories, category)
	})
}

// requiredOpen refuses to close a case while a task marked required by its playbook is open,
// naming the tasks.
func requiredOpen(ctx context.Context, tx haven.Tx, c *haven.Case) error {
	tasks, err := tx.CaseTasks(ctx, c.ID)
	if err != nil {
		return err
	}
	var open []string
	for _, t := range tasks {
		if t.Required && !t.Done {
			open = append(open, t.Title)
		}
	}
	if len(open) == 0 {
		return nil
	}
	sort.Strings(open)
	return &haven.Error{Code: haven.ECONFLICT, Message: "case " + c.Number + " cannot close while required tasks are open: " + strings.Join(open, "; "),
		Fields: map[string]string{"tasks": strings.Join(open, "; ")}}
}
