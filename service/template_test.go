package service_test

import (
	"context"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
)

func TestTemplatesWrittenByLeadsRenderedForCases(t *testing.T) {
	f := newFixture(t)
	in := haven.TemplateInput{Name: "account-first", Categories: []string{"account-compromise"}, Variants: map[string]haven.TemplateVariant{
		"en": {Subject: "[{case_number}] your account", Body: "Dear {requester_name},\n{handler_name} of {helpline_name}, {today}"},
		"fr": {Subject: "[{case_number}] votre compte", Body: "Bonjour {requester_name}"}}}
	_, err := f.svc.CreateTemplate(f.users["amira"], in)
	wantCode(t, err, haven.EFORBIDDEN) // handlers use templates, leads write them
	_, err = f.svc.CreateTemplate(f.users["sam"], in)
	wantCode(t, err, haven.EFORBIDDEN)
	tpl, err := f.svc.CreateTemplate(f.users["fatou"], in)
	if err != nil || tpl.Version != 1 {
		t.Fatalf("create: %+v %v", tpl, err)
	}
	bad := in
	bad.Variants = map[string]haven.TemplateVariant{"en": {Body: "Dear {requester}"}}
	_, err = f.svc.UpdateTemplate(f.users["fatou"], tpl.ID, bad)
	if he, ok := err.(*haven.Error); !ok || !strings.Contains(he.Fields["variants.en.body"], "line 1, column 6: unknown placeholder {requester}") {
		t.Fatalf("an unknown placeholder: %v", err)
	}
	c, err := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "Hacked", Language: "ar", Team: "mena",
		Requester: &haven.RequesterInput{Pseudonym: "heron", Email: "heron@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.svc.RenderTemplate(f.users["amira"], c.Number, tpl.ID, "")
	if err != nil || r.Language != "en" || !r.Fallback || r.Subject != "["+c.Number+"] your account" ||
		r.Body != "Dear heron,\namira of the helpline, 2026-11-23" || r.Version != 1 {
		t.Fatalf("render in Arabic, falling back to English: %+v %v", r, err)
	}
	m, err := f.svc.AddMessage(f.users["amira"], c.Number, haven.MessageCreate{Text: r.Body, TemplateID: r.TemplateID, TemplateVersion: r.Version})
	if err != nil || m.TemplateID != tpl.ID || m.TemplateVersion != 1 {
		t.Fatalf("the message records its template: %+v %v", m, err)
	}
	_, err = f.svc.AddMessage(f.users["amira"], c.Number, haven.MessageCreate{Text: "x", TemplateID: tpl.ID, TemplateVersion: 9})
	wantCode(t, err, haven.EINVALID)
	upd := in
	upd.Variants = map[string]haven.TemplateVariant{"ar": {Subject: "[{case_number}]", Body: "مرحبا {requester_name}"}, "en": in.Variants["en"]}
	if tpl, err = f.svc.UpdateTemplate(f.users["fatou"], tpl.ID, upd); err != nil || tpl.Version != 2 {
		t.Fatalf("update: %+v %v", tpl, err)
	}
	if r, _ = f.svc.RenderTemplate(f.users["amira"], c.Number, tpl.ID, ""); r.Language != "ar" || r.Fallback || r.Body != "مرحبا heron" {
		t.Fatalf("now in Arabic: %+v", r)
	}
	if vs, err := f.svc.TemplateVersions(f.users["amira"], tpl.ID); err != nil || len(vs) != 2 {
		t.Fatalf("history: %d %v", len(vs), err)
	}
	hidden, err := f.svc.CreateCase(f.users["fatou"], haven.CaseCreate{Title: "x", Team: "mena", RestrictedTo: []string{"fatou"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.RenderTemplate(f.users["lucas"], hidden.Number, tpl.ID, "")
	wantCode(t, err, haven.ENOTFOUND) // rendering reads the case: need-to-know holds
	if err := f.svc.RetireTemplate(f.users["fatou"], tpl.ID); err != nil {
		t.Fatal(err)
	}
	if ts, _ := f.svc.Templates(f.users["amira"], haven.TemplateFilter{}); len(ts) != 0 {
		t.Fatalf("a retired template is offered: %+v", ts)
	}
}

// TestAcknowledgementFromTemplate: a helpline that writes an "acknowledgement" template has its
// automatic acknowledgements written from it, in the case's language.
func TestAcknowledgementFromTemplate(t *testing.T) {
	f := newErasureFixture(t)
	f.withEmail(t)
	if _, err := f.svc.CreateTemplate(f.lead, haven.TemplateInput{Name: haven.AcknowledgementTemplate, Variants: map[string]haven.TemplateVariant{
		"en": {Subject: "We received your message", Body: "Your case is {case_number}."},
		"ar": {Subject: "وصلتنا رسالتك", Body: "رقم حالتك {case_number}."}}}); err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.IngestEmail(context.Background(), email("ack-1@mail.example", "rania@mail.example", "مساعدة", "حسابي"))
	if err != nil || !res.Acknowledge {
		t.Fatal(res, err)
	}
	msgs, _ := f.svc.Messages(f.lead, res.CaseNumber)
	var ack *haven.Message
	for _, m := range msgs {
		if m.Direction == haven.Outbound {
			ack = m
		}
	}
	if ack == nil || ack.Subject != "وصلتنا رسالتك" || ack.Text != "رقم حالتك "+res.CaseNumber+"." || ack.TemplateID == 0 {
		t.Fatalf("the acknowledgement: %+v", ack)
	}
}
