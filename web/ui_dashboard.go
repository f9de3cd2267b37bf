package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/report"
)

// dashboardData is the leads' dashboard: the filters, then one panel per breakdown, each a chart
// with its numbers in a table (no JavaScript needed to read either).
type dashboardData struct {
	Query  haven.CaseStatsQuery
	From   string
	To     string
	Panels []dashboardPanel
	CSV    string
	// Backlog is the open cases by priority and age, with its chart and the brackets' names.
	Backlog       *haven.Backlog
	BacklogFigure figure
	Ages          []string
	// SLA and Escalations are the SLA targets and the escalations of the period.
	SLA         *dashboardSLA
	Escalations *dashboardEscalations
	// Teams are the team filter's choices, named in the reader's language.
	Teams []teamChoice
}

// dashboardPanel is one breakdown's chart and rows.
type dashboardPanel struct {
	ID     string
	Title  string
	By     string
	Figure figure
	Stats  *haven.CaseStats
	Labels map[string]string
}

// dashboardPanels are the breakdowns shown, and how each is drawn.
var dashboardPanels = []struct {
	by   string
	draw func(report.Chart) string
}{{"month", report.Lines}, {"category", report.Bars}, {"country", report.Bars}, {"priority", report.Bars},
	{"team", report.Bars}, {"channel", report.Bars}, {"language", report.Bars}, {"platform", report.Bars},
	{"outcome", report.Bars}, {"assignee", report.Bars}}

func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request, v *view) error {
	q := newQuery(r.URL, "from", "to", "team", "category", "country")
	cq, err := haven.ParseCaseStatsQuery(q.str("from"), q.str("to"), "", q.str("team"), q.str("category"), q.str("country"))
	if err == nil {
		err = q.err()
	}
	if err != nil {
		return err
	}
	d := &dashboardData{Query: cq}
	bys := make([]string, len(dashboardPanels))
	for i, p := range dashboardPanels {
		bys[i] = p.by
	}
	dash, err := s.svc.CaseStats.Dashboard(r.Context(), cq, bys)
	if err != nil {
		return err
	}
	categories, err := s.categoryLabels(r, v)
	if err != nil {
		return err
	}
	if d.Teams, err = s.teamChoices(r, v); err != nil {
		return err
	}
	names := map[string]map[string]string{"category": categories, "team": {}}
	for _, t := range d.Teams {
		names["team"][t.Name] = t.Label
	}
	for i, st := range dash.Panels {
		d.From, d.To = st.From, st.To
		d.Panels = append(d.Panels, dashboardPanelOf(v, st, dashboardPanels[i].draw, names))
	}
	d.Backlog = dash.Backlog
	d.Ages, d.BacklogFigure = backlogFigure(v, d.Backlog)
	d.SLA, d.Escalations = slaPanel(v, dash.SLA), escalationsPanel(v, dash.Escalations)
	d.CSV = "/api/v1/stats/cases?" + url.Values{"from": {d.From}, "to": {d.To}, "format": {"csv"}}.Encode()
	v.Nav, v.Title, v.Data = "dashboard", v.L.T("dash.title"), d
	return s.render(w, r, http.StatusOK, "dashboard", v)
}

// dashboardPanelOf draws one breakdown: counts over time as lines, first-response hours by
// priority, opened/closed/open elsewhere.
func dashboardPanelOf(v *view, st *haven.CaseStats, draw func(report.Chart) string, names map[string]map[string]string) dashboardPanel {
	p := dashboardPanel{ID: "dash-" + st.By, Title: v.L.T("dashby." + st.By), By: st.By, Stats: st, Labels: map[string]string{}}
	newS, closedS, openS := report.Series{Name: v.L.T("dash.new")}, report.Series{Name: v.L.T("dash.closed")}, report.Series{Name: v.L.T("dash.open")}
	median, p90 := report.Series{Name: v.L.T("esc.median")}, report.Series{Name: v.L.T("esc.p90")}
	var labels []string
	for _, row := range st.Rows {
		label := dashboardLabel(v, st.By, row.Key, names[st.By])
		p.Labels[row.Key] = label
		labels = append(labels, label)
		newS.Values, closedS.Values, openS.Values = append(newS.Values, float64(row.New)), append(closedS.Values, float64(row.Closed)), append(openS.Values, float64(row.Open))
		median.Values, p90.Values = append(median.Values, orZero(row.MedianFirstResponseHours)), append(p90.Values, orZero(row.P90FirstResponseHours))
	}
	c := report.Chart{Title: p.Title, Description: v.L.T("dash.chart_desc", "By", p.Title), Labels: labels,
		Series: []report.Series{newS, closedS, openS}, RTL: v.L.Dir() == "rtl"}
	if st.By == "priority" {
		c.Title, c.Series, c.Unit = v.L.T("dash.first_response"), []report.Series{median, p90}, "h"
		c.Description = v.L.T("dash.first_response_desc")
	}
	p.Figure = chart(draw, c)
	return p
}

// backlogFigure draws the open cases by priority, stacked by age.
func backlogFigure(v *view, b *haven.Backlog) ([]string, figure) {
	ages := []string{v.L.T("dash.age_2"), v.L.T("dash.age_7"), v.L.T("dash.age_30"), v.L.T("dash.age_older")}
	series := make([]report.Series, len(ages))
	for i, a := range ages {
		series[i].Name = a
	}
	var labels []string
	for _, row := range b.Rows {
		labels = append(labels, v.L.T("priority."+string(row.Priority)))
		for i, n := range row.Counts {
			series[i].Values = append(series[i].Values, float64(n))
		}
	}
	return ages, chart(report.StackedBars, report.Chart{Title: v.L.T("dash.backlog"), Description: v.L.T("dash.backlog_desc"),
		Labels: labels, Series: series, RTL: v.L.Dir() == "rtl"})
}

// dashboardLabel names a row's key in the reader's language where Haven has the words; a
// sub-category is named with the categories above it ("Phishing › SMS"), whose rows include it;
// names are the labels of the breakdown's keys (categories, teams) in the reader's language.
func dashboardLabel(v *view, by, key string, names map[string]string) string {
	switch {
	case key == "":
		return v.L.T("dash.none")
	case by == "category":
		label := names[key]
		if label == "" || label == key { // no label: the slug's last part
			label = key[strings.LastIndexByte(key, '/')+1:]
		}
		if parent := haven.CategoryParent(key); parent != "" {
			return dashboardLabel(v, by, parent, names) + " › " + label
		}
		return label
	case by == "team" && names[key] != "":
		return names[key]
	case by == "priority":
		return v.L.T("priority." + key)
	case by == "outcome":
		return v.L.T("outcome." + key)
	case by == "channel":
		return v.L.T("channel." + key)
	}
	return key
}
