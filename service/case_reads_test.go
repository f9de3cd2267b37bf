package service_test

import (
	"testing"

	"github.com/haven-helpline/haven"
)

// TestCaseReadsOnePage: the parts of one page (haven.CaseReads) look a restricted case up once
// and audit its view once; without the scope each read is audited; a reader the case is hidden
// from gets "not found" whatever another reader's scope remembered.
func TestCaseReadsOnePage(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.AddCompartmentMember(f.admin, "child-safety", "amira"); err != nil {
		t.Fatal(err)
	}
	for _, member := range []string{"lucas", "sam"} { // sam, an auditor, counts the views
		if _, err := f.svc.AddCompartmentMember(f.users["amira"], "child-safety", member); err != nil {
			t.Fatal(err)
		}
	}
	c, err := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "Report of abuse material", Team: "mena", Compartment: "child-safety"})
	if err != nil {
		t.Fatal(err)
	}
	lucas := f.users["lucas"]
	views := func() int {
		t.Helper()
		page, err := f.svc.AuditEvents(f.users["sam"], haven.EventFilter{Action: "case.viewed", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Items)
	}
	before := views()
	page := haven.WithCaseReads(lucas)
	for range 3 {
		if _, err := f.svc.Tasks(page, c.Number); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Timeline(page, c.Number); err != nil {
			t.Fatal(err)
		}
	}
	if got := views() - before; got != 1 {
		t.Fatalf("one page of six reads recorded %d views, want 1", got)
	}
	if _, err := f.svc.Tasks(lucas, c.Number); err != nil {
		t.Fatal(err)
	}
	if got := views() - before; got != 2 {
		t.Fatalf("a read outside the page must be audited on its own: %d views", got)
	}
	// The scope belongs to its reader: another user on the same context is asked afresh.
	fatou, _ := haven.ActorFrom(f.users["fatou"])
	_, err = f.svc.Tasks(haven.WithActor(page, fatou), c.Number)
	wantCode(t, err, haven.ENOTFOUND)
}
