package service_test

import (
	"context"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
)

const testPlaybook = `name: lost-login
title: {en: "Lost login", ar: "فقدان الدخول"}
languages: [en, ar]
categories: [account-compromise]
start: [verify, can-login]
steps:
  - id: verify
    text: {en: "Verify the requester's channel", ar: "تحقق من قناة التواصل"}
    required: true
  - id: can-login
    question: {en: "Can they still log in?", ar: "هل ما زال بإمكانهم الدخول؟"}
    answers:
      - id: "yes"
        text: {en: "Yes", ar: "نعم"}
        steps: [change-password]
      - id: "no"
        text: {en: "No", ar: "لا"}
        steps: [recovery]
  - id: change-password
    text: {en: "Change the password from a clean device", ar: "غيّر كلمة المرور من جهاز آمن"}
    template: account-first
  - id: recovery
    text: {en: "Start the platform's recovery", ar: "ابدأ إجراءات الاسترداد"}
    required: true
`

func TestPlaybookAppliedAnsweredAndRequiredBeforeClosing(t *testing.T) {
	f := newFixture(t)
	_, _, err := f.svc.SavePlaybook(f.users["amira"], testPlaybook)
	wantCode(t, err, haven.EFORBIDDEN)
	_, _, err = f.svc.SavePlaybook(f.users["fatou"], strings.Replace(testPlaybook, "steps: [recovery]", "steps: [nowhere]", 1))
	if he, ok := err.(*haven.Error); !ok || he.Code != haven.EINVALID || !strings.Contains(he.Message, "nowhere") {
		t.Fatalf("a dangling step: %v", err)
	}
	p, created, err := f.svc.SavePlaybook(f.users["fatou"], testPlaybook)
	if err != nil || !created || p.Version != 1 {
		t.Fatalf("save: %+v %v %v", p, created, err)
	}
	c, err := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "Locked out", Language: "ar", Team: "mena"})
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := f.svc.ApplyPlaybook(f.users["amira"], c.Number, "lost-login")
	if err != nil || len(tasks) != 2 || tasks[0].Title != "تحقق من قناة التواصل" || !tasks[0].Required || !tasks[1].Decision {
		t.Fatalf("apply in Arabic: %+v %v", tasks, err)
	}
	// A new version does not change what this case was given.
	if _, _, err := f.svc.SavePlaybook(f.users["fatou"], strings.Replace(testPlaybook, "steps: [recovery]", "steps: [recovery, change-password]", 1)); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Decide(f.users["amira"], c.Number, haven.Decision{Step: "can-login", Answer: "maybe"})
	wantCode(t, err, haven.EINVALID)
	_, err = f.svc.Decide(f.users["amira"], c.Number, haven.Decision{Step: "verify", Answer: "yes"})
	wantCode(t, err, haven.EINVALID) // not a decision
	branch, err := f.svc.Decide(f.users["amira"], c.Number, haven.Decision{Step: "can-login", Answer: "no"})
	if err != nil || len(branch) != 1 || branch[0].StepID != "recovery" {
		t.Fatalf("the version-1 branch: %+v %v", branch, err)
	}
	_, err = f.svc.Decide(f.users["amira"], c.Number, haven.Decision{Step: "can-login", Answer: "yes"})
	wantCode(t, err, haven.EINVALID) // answered already
	if _, err := f.svc.TransitionCase(f.users["amira"], c.Number, haven.Transition{To: haven.StatusTriage}); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.TransitionCase(f.users["amira"], c.Number, haven.Transition{To: haven.StatusClosed, Outcome: "resolved"})
	if he, ok := err.(*haven.Error); !ok || he.Code != haven.ECONFLICT || !strings.Contains(he.Fields["tasks"], "ابدأ إجراءات الاسترداد") {
		t.Fatalf("closing with required tasks open: %v", err)
	}
	all, _ := f.svc.Tasks(f.users["amira"], c.Number)
	for _, task := range all {
		if task.Required && !task.Done {
			done := true
			if _, err := f.svc.UpdateTask(f.users["amira"], c.Number, task.ID, haven.TaskUpdate{Done: &done}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := f.svc.TransitionCase(f.users["amira"], c.Number, haven.Transition{To: haven.StatusClosed, Outcome: "resolved"}); err != nil {
		t.Fatalf("closing once the required tasks are done: %v", err)
	}
	tl, _ := f.svc.Timeline(f.users["amira"], c.Number)
	if !hasAction(tl, "playbook.applied") || !hasAction(tl, "playbook.decided") {
		t.Fatal("applying and deciding are on the timeline")
	}
}

func TestAutoPlaybookOnNewCases(t *testing.T) {
	f := newFixture(t)
	if _, _, err := f.svc.SavePlaybook(f.users["fatou"], strings.Replace(testPlaybook, "categories: [account-compromise]", "categories: [account-compromise]\nauto: true", 1)); err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "Facebook hacked", Categories: []string{"account-compromise"}})
	if err != nil {
		t.Fatal(err)
	}
	if tasks, _ := f.svc.Tasks(f.users["amira"], c.Number); len(tasks) != 2 || tasks[0].StepID != "verify" {
		t.Fatalf("the auto playbook was not applied to a case of its category: %+v", tasks)
	}
	other, _ := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "Phishing"})
	if tasks, _ := f.svc.Tasks(f.users["amira"], other.Number); len(tasks) != 0 {
		t.Fatalf("applied to a case of no category: %+v", tasks)
	}
	// Mail arrives uncategorised: triage's categorisation applies the playbook, once.
	for _, cats := range [][]string{{"account-compromise"}, {}, {"phishing", "account-compromise"}} {
		if _, err := f.svc.UpdateCase(f.users["amira"], other.Number, haven.CaseUpdate{Categories: &cats}); err != nil {
			t.Fatal(err)
		}
	}
	if tasks, _ := f.svc.Tasks(f.users["amira"], other.Number); len(tasks) != 2 || tasks[0].StepID != "verify" {
		t.Fatalf("categorising a case applies its auto playbook once: %+v", tasks)
	}
	if runs, _ := f.svc.PlaybookRuns(f.users["amira"], other.Number); len(runs) != 1 {
		t.Fatalf("runs after re-categorising: %+v", runs)
	}
	// Mail to a mailbox with a category (a "report a hacked account" address) starts the checklist.
	in := email("auto1@mail.example", "rania@mail.example", "حسابي مخترق", "لا أستطيع الدخول")
	in.Category = "account-compromise"
	res, err := f.svc.IngestEmail(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if tasks, _ := f.svc.Tasks(f.users["fatou"], res.CaseNumber); len(tasks) != 2 || tasks[0].Title == "" {
		t.Fatalf("the auto playbook was not applied to the email case of its mailbox's category: %+v", tasks)
	}
	// A mailbox naming a category that is not (or no longer) in the taxonomy still takes the mail.
	in = email("auto2@mail.example", "rania@mail.example", "hello", "text")
	in.Category = "no-such-category"
	if res, err = f.svc.IngestEmail(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if c, err := f.svc.Case(f.users["fatou"], res.CaseNumber); err != nil || len(c.Categories) != 0 {
		t.Fatalf("an unknown mailbox category: %+v %v", c, err)
	}
}
