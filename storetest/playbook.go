package storetest

import (
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

func testPlaybooks(t *testing.T, s haven.Store) {
	p := &haven.Playbook{Name: "lost-login", Title: map[string]string{"en": "Lost login"}, Categories: []string{"account-compromise"},
		Auto: true, Source: "v1", CreatedAt: t0, UpdatedAt: t0}
	update(t, s, func(tx haven.Tx) error { return tx.InsertPlaybook(ctx, p, 0) })
	dup := *p
	wantCode(t, s.Update(ctx, func(tx haven.Tx) error { return tx.InsertPlaybook(ctx, &dup, 0) }), haven.ECONFLICT)
	next := *p
	next.Version, next.Source = 2, "v2"
	update(t, s, func(tx haven.Tx) error { return tx.UpdatePlaybook(ctx, &next, 0) })
	c := newCase(t, s, "with a playbook", nil)
	run := &haven.PlaybookRun{CaseID: c.ID, PlaybookID: p.ID, Version: 1, AppliedAt: t0}
	task := &haven.Task{CaseID: c.ID, Title: "Can they log in?", CreatedAt: t0, StepID: "can-login", Decision: true, Required: true,
		Template: "account-first", Article: "vetting"}
	update(t, s, func(tx haven.Tx) error {
		if err := tx.InsertPlaybookRun(ctx, run, 0); err != nil {
			return err
		}
		task.RunID = run.ID
		if err := tx.InsertTask(ctx, task); err != nil {
			return err
		}
		return tx.InsertPlaybookDecision(ctx, &haven.PlaybookDecision{RunID: run.ID, StepID: "can-login", AnswerID: "no", DecidedAt: t0}, 0)
	})
	again := &haven.PlaybookDecision{RunID: run.ID, StepID: "can-login", AnswerID: "yes", DecidedAt: t0}
	wantCode(t, s.Update(ctx, func(tx haven.Tx) error { return tx.InsertPlaybookDecision(ctx, again, 0) }), haven.ECONFLICT)
	view(t, s, func(tx haven.Tx) error {
		cur, err := tx.PlaybookByName(ctx, "lost-login")
		if err != nil || cur.Version != 2 || cur.Source != "v2" || !cur.Auto || cur.Title["en"] != "Lost login" {
			t.Fatalf("current: %+v %v", cur, err)
		}
		old, err := tx.PlaybookVersion(ctx, p.ID, 1)
		if err != nil || old.Source != "v1" || old.Version != 1 {
			t.Fatalf("version 1: %+v %v", old, err)
		}
		runs, err := tx.CasePlaybookRuns(ctx, c.ID)
		if err != nil || len(runs) != 1 || runs[0].Name != "lost-login" || len(runs[0].Decisions) != 1 || runs[0].Decisions[0].AnswerID != "no" {
			t.Fatalf("runs: %+v %v", runs, err)
		}
		got, err := tx.TaskByID(ctx, task.ID)
		if err != nil || got.RunID != run.ID || got.StepID != "can-login" || !got.Decision || !got.Required || got.Template != "account-first" || got.Article != "vetting" {
			t.Fatalf("task: %+v %v", got, err)
		}
		list, err := tx.Playbooks(ctx)
		if err != nil || len(list) != 1 || list[0].Source != "" {
			t.Fatalf("list (without sources): %+v %v", list, err)
		}
		return nil
	})
}

func testPlans(t *testing.T, s haven.Store) {
	c := newCase(t, s, "with a plan", nil)
	task := &haven.Task{CaseID: c.ID, Title: "Agree on a channel", CreatedAt: t0}
	update(t, s, func(tx haven.Tx) error { return tx.InsertTask(ctx, task) })
	p := &haven.Plan{CaseID: c.ID, State: haven.PlanPending, TaskIDs: []int64{task.ID}, CreatedAt: t0}
	update(t, s, func(tx haven.Tx) error { return tx.InsertPlan(ctx, p, 0) })
	decided := *p
	decided.State, decided.DecidedAt = haven.PlanApproved, &t0
	update(t, s, func(tx haven.Tx) error { return tx.SetPlanDecision(ctx, &decided, 0) })
	wantCode(t, s.Update(ctx, func(tx haven.Tx) error { return tx.SetPlanDecision(ctx, &decided, 0) }), haven.ECONFLICT)
	view(t, s, func(tx haven.Tx) error {
		plans, err := tx.CasePlans(ctx, c.ID)
		if err != nil || len(plans) != 1 || plans[0].State != haven.PlanApproved || len(plans[0].TaskIDs) != 1 || plans[0].DecidedAt == nil {
			t.Fatalf("plans: %+v %v", plans, err)
		}
		return nil
	})
	past := t0.Add(-time.Hour)
	late := &haven.Task{CaseID: c.ID, Title: "Late", CreatedAt: t0, DueAt: &past}
	update(t, s, func(tx haven.Tx) error { return tx.InsertTask(ctx, late) })
	view(t, s, func(tx haven.Tx) error {
		page, err := tx.FindCases(ctx, haven.CaseFilter{OverdueTasks: true, Limit: 10, Viewer: haven.Viewer{Now: t0}})
		if err != nil || len(page.Items) != 1 || page.Items[0].ID != c.ID {
			t.Fatalf("cases with overdue tasks: %+v %v", page, err)
		}
		return nil
	})
	pos := *task
	pos.Position = 7
	update(t, s, func(tx haven.Tx) error { return tx.UpdateTask(ctx, &pos) })
	view(t, s, func(tx haven.Tx) error {
		if got, _ := tx.TaskByID(ctx, task.ID); got.Position != 7 {
			t.Fatalf("position: %d", got.Position)
		}
		return nil
	})
}
