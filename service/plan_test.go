package service_test

import (
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

func TestResponsePlanApproval(t *testing.T) {
	f := newFixture(t)
	c, _ := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "Protection plan", Team: "mena"})
	due := f.clock.t.Add(-time.Hour)
	var ids []int64
	for _, title := range []string{"Agree on a safe channel", "Move the family's accounts"} {
		task, err := f.svc.AddTask(f.users["amira"], c.Number, haven.TaskCreate{Title: title, Assignee: "amira", DueAt: &due})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, task.ID)
	}
	first := 2
	if task, err := f.svc.UpdateTask(f.users["amira"], c.Number, ids[0], haven.TaskUpdate{Position: &first}); err != nil || task.Position != 2 {
		t.Fatalf("reorder: %+v %v", task, err)
	}
	if tasks, _ := f.svc.Tasks(f.users["amira"], c.Number); !tasks[0].Overdue(f.clock.t) {
		t.Fatal("a task past its due date is overdue")
	}
	_, err := f.svc.ProposePlan(f.users["amira"], c.Number, haven.PlanInput{Tasks: ids})
	wantCode(t, err, haven.EFORBIDDEN)
	_, err = f.svc.ProposePlan(f.users["fatou"], c.Number, haven.PlanInput{Tasks: []int64{ids[0], 999999}})
	wantCode(t, err, haven.EINVALID)
	p, err := f.svc.ProposePlan(f.users["fatou"], c.Number, haven.PlanInput{Tasks: ids})
	if err != nil || p.State != haven.PlanPending {
		t.Fatalf("propose: %+v %v", p, err)
	}
	_, err = f.svc.DecidePlan(f.users["amira"], c.Number, p.ID, haven.PlanDecision{Approve: true})
	wantCode(t, err, haven.EFORBIDDEN) // a handler cannot approve
	_, err = f.svc.DecidePlan(f.users["fatou"], c.Number, p.ID, haven.PlanDecision{Approve: false})
	wantCode(t, err, haven.EINVALID) // a rejection needs its reason
	if p, err = f.svc.DecidePlan(f.users["fatou"], c.Number, p.ID, haven.PlanDecision{Reason: "the family must be asked first"}); err != nil || p.State != haven.PlanRejected {
		t.Fatalf("reject: %+v %v", p, err)
	}
	_, err = f.svc.DecidePlan(f.users["fatou"], c.Number, p.ID, haven.PlanDecision{Approve: true})
	wantCode(t, err, haven.ECONFLICT)
	tl, _ := f.svc.Timeline(f.users["amira"], c.Number)
	found := false
	for _, e := range tl {
		found = found || e.Event.Action == "plan.rejected" && e.Event.Detail["reason"] == "the family must be asked first"
	}
	if !found {
		t.Fatal("the rejection and its reason are not on the timeline")
	}
}
