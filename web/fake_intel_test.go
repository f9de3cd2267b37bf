package web

import (
	"context"
	"time"

	"github.com/haven-helpline/haven"
)

func testObservable() *haven.Observable {
	at := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
	return &haven.Observable{ID: 3, Type: "domain", Value: "xn--pypal-4ve.example", Unicode: "pаypal.example",
		Flags: []string{"mixed-script", "look-alike:paypal"}, Verdict: "malicious", TLP: "amber", PAP: "amber",
		Confidence: 80, Techniques: []string{"T1566.002"}, FirstSeen: &at, LastSeen: &at, UpdatedAt: at, Cases: 2}
}

func (f *fake) CaseObservables(ctx context.Context, number string) ([]*haven.CaseObservable, error) {
	o := testObservable()
	return []*haven.CaseObservable{{Observable: *o, Roles: []string{"link"}, SeenFirst: o.UpdatedAt, SeenLast: o.UpdatedAt,
		AlsoSeen: []haven.CaseRef{{Number: "HV-2026-000002", LastSeen: o.UpdatedAt}}}}, f.call(ctx, number)
}

func (f *fake) Observable(ctx context.Context, id int64) (*haven.Observable, error) {
	return testObservable(), f.call(ctx, id)
}

func (f *fake) FindObservables(ctx context.Context, of haven.ObservableFilter) ([]*haven.Observable, error) {
	return []*haven.Observable{testObservable()}, f.call(ctx, of)
}

func (f *fake) UpdateObservable(ctx context.Context, id int64, up haven.ObservableUpdate) (*haven.Observable, error) {
	return testObservable(), f.call(ctx, id, up)
}

func (f *fake) Sightings(ctx context.Context, id, before int64) ([]*haven.Sighting, error) {
	return []*haven.Sighting{{ID: 9, ObservableID: id, CaseNumber: "HV-2026-000001", Source: "message", SourceID: 4,
		Role: "link", SeenAt: time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)}}, f.call(ctx, id, before)
}

func (f *fake) AllowList(ctx context.Context) (*haven.AllowList, error) {
	return &haven.AllowList{Domains: []string{"gmail.com"}, Default: true}, f.call(ctx)
}

func (f *fake) SetAllowList(ctx context.Context, domains []string) (*haven.AllowList, error) {
	return &haven.AllowList{Domains: domains}, f.call(ctx, domains)
}

func testGroup(kind string) *haven.ThreatGroup {
	at := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
	return &haven.ThreatGroup{ID: 3, Kind: kind, Name: "Fake PayPal wave", Aliases: []string{}, TLP: "amber",
		Techniques: []string{"T1566.002"}, CreatedAt: at, UpdatedAt: at}
}

func (f *fake) CreateGroup(ctx context.Context, kind string, in haven.GroupInput) (*haven.ThreatGroup, error) {
	return testGroup(kind), f.call(ctx, kind, in)
}

func (f *fake) UpdateGroup(ctx context.Context, id int64, in haven.GroupInput) (*haven.ThreatGroup, error) {
	return testGroup(haven.GroupCampaign), f.call(ctx, id, in)
}

func (f *fake) Groups(ctx context.Context, kind string) ([]*haven.ThreatGroup, error) {
	return []*haven.ThreatGroup{testGroup(kind)}, f.call(ctx, kind)
}

func (f *fake) Group(ctx context.Context, kind string, id int64) (*haven.GroupView, error) {
	return &haven.GroupView{ThreatGroup: *testGroup(kind), Cases: []haven.CaseRef{}, Techniques: []string{},
		Indicators: []*haven.Observable{testObservable()}}, f.call(ctx, kind, id)
}

func (f *fake) CaseIntel(ctx context.Context, number string) (*haven.CaseIntel, error) {
	return &haven.CaseIntel{Techniques: []string{"T1566"}, Groups: []int64{3}}, f.call(ctx, number)
}

func (f *fake) SetCaseIntel(ctx context.Context, number string, in haven.CaseIntel) (*haven.CaseIntel, error) {
	return &in, f.call(ctx, number, in)
}

func (f *fake) Export(ctx context.Context, r haven.ExportRequest) (*haven.Export, error) {
	return &haven.Export{Format: r.Format, Filename: "haven-stix.json", Indicators: 1,
		Body: []byte(`{"type":"bundle","id":"bundle--6ba7b810-9dad-11d1-80b4-00c04fd430c8","objects":[]}`)}, f.call(ctx, r)
}

func (f *fake) Import(ctx context.Context, source string, body []byte) (*haven.ImportResult, error) {
	return &haven.ImportResult{Format: "stix", Source: source, Indicators: 1}, f.call(ctx, source, len(body))
}

func (f *fake) CaseStats(ctx context.Context, q haven.CaseStatsQuery) (*haven.CaseStats, error) {
	h := 3.5
	row := haven.CaseStatsRow{Key: "2026-11", New: 4, Closed: 2, Open: 7, MedianFirstResponseHours: &h}
	return &haven.CaseStats{From: "2026-01-01", To: "2026-12-31", By: "month", Rows: []haven.CaseStatsRow{row}, Total: row}, f.call(ctx, q)
}

func (f *fake) PublicCounts(ctx context.Context, year int) (*haven.PublicCounts, error) {
	return &haven.PublicCounts{Year: year, Categories: []string{"phishing"}, Countries: []string{"LB"}, Cells: [][]int{{40}},
		Months: []int{10, 10, 10, 10, 0, 0, 0, 0, 0, 0, 0, 0}}, f.call(ctx, year)
}

func (f *fake) PublicSettings(ctx context.Context) (*haven.PublicSettings, error) {
	return &haven.PublicSettings{Enabled: true, K: 10, Round: 5}, f.call(ctx)
}

func (f *fake) SetPublicSettings(ctx context.Context, p haven.PublicSettings) (*haven.PublicSettings, error) {
	return &p, f.call(ctx, p)
}

func (f *fake) Briefing(ctx context.Context, q haven.CaseStatsQuery) (*haven.Briefing, error) {
	return &haven.Briefing{}, f.call(ctx, q)
}

func (f *fake) BriefingSchedule(ctx context.Context) (*haven.BriefingSchedule, error) {
	return &haven.BriefingSchedule{Every: "monthly", To: []string{"board@helpline.example"}, Lang: "en"}, f.call(ctx)
}

func (f *fake) SetBriefingSchedule(ctx context.Context, b haven.BriefingSchedule) (*haven.BriefingSchedule, error) {
	return &b, f.call(ctx, b)
}

func (f *fake) Backlog(ctx context.Context, q haven.CaseStatsQuery) (*haven.Backlog, error) {
	return &haven.Backlog{At: "2026-12-05", Rows: []haven.BacklogRow{{Priority: haven.P1, Counts: []int{1, 0, 0, 0}, Total: 1}}}, f.call(ctx, q)
}

func (f *fake) Dashboard(ctx context.Context, q haven.CaseStatsQuery, bys []string) (*haven.Dashboard, error) {
	b, _ := f.Backlog(ctx, q)
	d := &haven.Dashboard{Backlog: b}
	for _, by := range bys {
		st, _ := f.CaseStats(ctx, q)
		st.By = by
		d.Panels = append(d.Panels, st)
	}
	return d, f.call(ctx, q, bys)
}
