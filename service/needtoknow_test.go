package service_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
)

// TestRepliesGoToTheCasesOwnAddress: whoever can edit a requester through another case cannot
// redirect a restricted case's replies; an unrestricted case follows the new address at once.
func TestRepliesGoToTheCasesOwnAddress(t *testing.T) {
	f := newErasureFixture(t)
	f.withEmail(t)
	open, err := f.svc.CreateCase(f.handler, haven.CaseCreate{Title: "Phishing",
		Requester: &haven.RequesterInput{Name: "Rania", Email: "rania@mail.example"}})
	if err != nil {
		t.Fatal(err)
	}
	restricted, err := f.svc.CreateCase(f.admin, haven.CaseCreate{Title: "Detained journalist", RestrictedTo: []string{"fatou"},
		Requester: &haven.RequesterInput{Email: "rania@mail.example"}})
	if err != nil || restricted.RequesterID != open.RequesterID {
		t.Fatalf("the admin, who sees Rania through the open case, links her: %+v %v", restricted, err)
	}
	if _, err := f.svc.UpdateRequester(f.handler, restricted.RequesterID, haven.RequesterUpdate{
		Contacts: &[]haven.Contact{{Kind: "email", Value: "attacker@evil.example"}}}); err != nil {
		t.Fatal(err)
	}
	reply := func(ctx context.Context, number string) string {
		t.Helper()
		m, err := f.svc.AddMessage(ctx, number, haven.MessageCreate{Text: "news"})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(m.To, ",")
	}
	if to := reply(f.handler, open.Number); to != "attacker@evil.example" {
		t.Fatalf("the unrestricted case's reply went to %q, not the requester's new address", to)
	}
	if to := reply(f.lead, restricted.Number); to != "rania@mail.example" {
		t.Fatalf("the restricted case's reply went to %q before anyone on it confirmed the change", to)
	}
	corr, err := f.svc.CaseCorrespondent(f.lead, restricted.Number)
	if err != nil || corr.Address != "rania@mail.example" || corr.Pending != "attacker@evil.example" {
		t.Fatalf("correspondent %+v %v", corr, err)
	}
	tl, _ := f.svc.Timeline(f.lead, restricted.Number)
	if !hasAction(tl, "case.correspondent_change_pending") {
		t.Fatal("the pending change is not on the restricted case's timeline")
	}
	_, err = f.svc.ConfirmCorrespondent(f.handler, restricted.Number)
	wantCode(t, err, haven.ENOTFOUND) // amira may not see the case
	if _, err := f.svc.ConfirmCorrespondent(f.lead, restricted.Number); err != nil {
		t.Fatal(err)
	}
	if to := reply(f.lead, restricted.Number); to != "attacker@evil.example" {
		t.Fatalf("after confirmation the reply went to %q", to)
	}
}

// TestBouncesAttachToTheMessage: a delivery notice about a message Haven sent is filed on its
// case and marks it failed, instead of opening a case for MAILER-DAEMON.
func TestBouncesAttachToTheMessage(t *testing.T) {
	f := newErasureFixture(t)
	f.withEmail(t)
	ctx := context.Background()
	res, err := f.svc.IngestEmail(ctx, email("b-1@mail.example", "rania@mail.example", "help", "hacked"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := f.svc.AddMessage(f.lead, res.CaseNumber, haven.MessageCreate{Text: "Please call us."})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.MessageSent(ctx, m.ID, "out-1@helpline.example"); err != nil {
		t.Fatal(err)
	}
	dsn := email("dsn-1@mx.example", "MAILER-DAEMON@mx.example", "Undelivered Mail Returned to Sender", "user unknown")
	dsn.AutoReply, dsn.Bounce = true, &haven.Bounce{OriginalMessageID: "out-1@helpline.example", Failed: true, Status: "5.1.1"}
	got, err := f.svc.IngestEmail(ctx, dsn)
	if err != nil || got.Threading != haven.ThreadBounce || got.CaseNumber != res.CaseNumber || got.Acknowledge {
		t.Fatalf("bounce: %+v %v", got, err)
	}
	msgs, _ := f.svc.Messages(f.lead, res.CaseNumber)
	var status string
	for _, x := range msgs {
		if x.ID == m.ID {
			status = x.Status
		}
	}
	if status != haven.MessageFailed {
		t.Fatalf("the bounced message is %q", status)
	}
	unknown := email("dsn-2@mx.example", "MAILER-DAEMON@mx.example", "Undelivered", "?")
	unknown.AutoReply, unknown.Bounce = true, &haven.Bounce{OriginalMessageID: "b-1@mail.example", Failed: true}
	if got, err := f.svc.IngestEmail(ctx, unknown); err != nil || got.CaseNumber == res.CaseNumber {
		t.Fatalf("a notice quoting a Message-ID Haven did not send was filed on the case: %+v %v", got, err)
	}
}

// TestErasureFollowsAMovedReport: a report first linked to the person's case and moved to another
// is erased with the person's data.
func TestErasureFollowsAMovedReport(t *testing.T) {
	f := newErasureFixture(t)
	other, err := f.svc.CreateCase(f.lead, haven.CaseCreate{Title: "someone else"})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := f.svc.Cases(f.lead, haven.CaseFilter{RequesterID: f.requesterID})
	if err != nil || len(theirs.Items) == 0 {
		t.Fatal(err)
	}
	rep, err := f.svc.CreateReport(f.lead, haven.ReportCreate{Channel: "web", Raw: "zqpersonalreport"})
	if err != nil {
		t.Fatal(err)
	}
	for _, number := range []string{theirs.Items[0].Number, other.Number} {
		if _, err := f.svc.LinkReport(f.lead, rep.ID, number); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.EraseRequester(f.lead, f.requesterID); err != nil {
		t.Fatal(err)
	}
	reps, err := f.svc.Reports(f.lead, other.Number)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reps {
		if r.ID == rep.ID && strings.Contains(string(r.Raw), "zqpersonalreport") {
			t.Fatal("the moved report escaped the erasure")
		}
	}
}

// TestListedRestrictedCasesAreAudited: a list shows a restricted case's title, so it is a read.
func TestListedRestrictedCasesAreAudited(t *testing.T) {
	f := newFixture(t)
	c, err := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "Restricted", Team: "mena", RestrictedTo: []string{"amira"}})
	if err != nil {
		t.Fatal(err)
	}
	if page, err := f.svc.Cases(f.users["amira"], haven.CaseFilter{}); err != nil || len(page.Items) != 1 {
		t.Fatal(page, err)
	}
	tl, err := f.svc.Timeline(f.users["amira"], c.Number)
	if err != nil {
		t.Fatal(err)
	}
	listed := false
	for _, e := range tl {
		listed = listed || e.Event.Action == "case.viewed" && e.Event.Data["via"] == "list"
	}
	if !listed {
		t.Fatal("listing a restricted case was not recorded")
	}
}

// TestTeamChangesAreSeen: who is in a team, and who leads it, decides who sees its cases: an
// admin cannot slip an account into a team, or make a member a lead, without the team knowing.
func TestTeamChangesAreSeen(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.CreateUserAsSystem(context.Background(), haven.UserCreate{Username: "ghost", Role: haven.RoleLead, Password: "a long enough password"}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddTeamMember(f.admin, "mena", "ghost"); err != nil {
		t.Fatal(err)
	}
	kinds := func(who string) []string {
		ns, err := f.svc.Notifications(f.users[who], false)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, n := range ns {
			out = append(out, n.Kind)
		}
		return out
	}
	if got := kinds("amira"); !slices.Contains(got, "team.member_added") {
		t.Fatalf("a member of mena was not told that a lead joined it: %v", got)
	}
	lead := haven.RoleLead
	if _, err := f.svc.UpdateUser(f.admin, "amira", haven.UserUpdate{Role: &lead}); err != nil {
		t.Fatal(err)
	}
	if got := kinds("amira"); !slices.Contains(got, "team.lead_changed") {
		t.Fatalf("mena was not told that one of its members became a lead: %v", got)
	}
	ns, _ := f.svc.Notifications(f.users["fatou"], false)
	if len(ns) != 0 {
		t.Fatalf("fatou, in no team, was told of mena's changes: %+v", ns)
	}
	if _, _, err := f.svc.CreateTokenAsSystem(context.Background(), "lucas", "laptop", false); err != nil {
		t.Fatal(err)
	}
	if got := kinds("lucas"); !slices.Contains(got, haven.NoticeTokenCreated) {
		t.Fatalf("a token was made for lucas and he was not told: %v", got)
	}
}
