package web

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// benchInbox is an inbox page of rows cases, as the inbox handler prepares it.
func benchInbox(b *testing.B, lang string, rows int) (*Server, *view) {
	s, _ := testServer(&testing.T{}, &fake{})
	l := s.catalog.Localizer(lang)
	now := time.Now()
	var cases []*haven.Case
	for i := range rows {
		due := now.Add(time.Duration(i) * time.Hour)
		cases = append(cases, &haven.Case{Number: fmt.Sprintf("HV-2026-%06d", i), Title: "Phishing <b>mail</b> & a fake login page",
			RequesterName: "Quiet Heron", Priority: haven.P2, Status: haven.StatusOpen, Categories: []string{"phishing", "account"},
			Assignee: "amina", Language: "ar", CreatedAt: now.Add(-time.Duration(i) * time.Hour), ResolutionDue: &due})
	}
	d := &inboxData{Queue: "open"}
	for _, q := range queues() {
		d.Queues = append(d.Queues, queueTab{Name: q.Name, Count: 1000, Over: true, Current: q.Name == "open"})
	}
	d.Cases, d.Rows = cases, caseRowsHTML(l, nil, cases, now)
	d.Teams = namedTeams([]*haven.Team{{Name: "francophone"}, {Name: "global"}, {Name: "latam", Labels: map[string]string{"ar": "أمريكا اللاتينية", "en": "Latin America"}},
		{Name: "mena", Labels: map[string]string{"ar": "الشرق الأوسط", "en": "Middle East"}}}, lang)
	d.Head, d.Here, d.Fresh = caseHeadHTML(l, haven.SortPriority, false, "/inbox?queue=open"), "/inbox?queue=open", "/inbox/fresh?queue=open&since=1"
	v := &view{L: l, User: &haven.User{Username: "admin", Role: haven.RoleAdmin}, Languages: s.catalog.Languages(),
		Path: "/inbox?queue=open", Nav: "inbox", Title: l.T("inbox.title"), Data: d}
	return s, v
}

func BenchmarkInboxTemplate(b *testing.B) {
	for _, lang := range []string{"en", "ar"} {
		b.Run(lang, func(b *testing.B) {
			s, v := benchInbox(b, lang, 50)
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := s.pages[v.L.Tag()]["inbox"].ExecuteTemplate(&buf, "layout", v); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "bytes/page")
		})
	}
}

func BenchmarkInboxRows(b *testing.B) {
	s, v := benchInbox(b, "en", 50)
	cases := v.Data.(*inboxData).Cases
	now := time.Now()
	_ = s
	b.ReportAllocs()
	for b.Loop() {
		caseRowsHTML(v.L, nil, cases, now)
	}
}

func BenchmarkInboxTemplateEmpty(b *testing.B) {
	s, v := benchInbox(b, "en", 0)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		s.pages[v.L.Tag()]["inbox"].ExecuteTemplate(&buf, "layout", v)
	}
}
