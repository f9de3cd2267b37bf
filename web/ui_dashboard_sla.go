package web

import (
	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/report"
)

// dashboardSLA is the SLA panel: per priority, the first-response and resolution targets of the
// period's new cases met, breached or running, as two stacked-bar charts and one table.
type dashboardSLA struct {
	Rows    []haven.DashboardSLARow
	Figures []figure
	Any     bool // some case of the period had a clock (else the panel says so)
}

// dashboardEscalations is the escalations panel: per platform, sent and answered, and the
// median hours to the platform's first answer.
type dashboardEscalations struct {
	Rows   []haven.EscalationStatsRow
	Figure figure
}

func slaPanel(v *view, rows []haven.DashboardSLARow) *dashboardSLA {
	p := &dashboardSLA{Rows: rows}
	for _, target := range []string{haven.TargetFirstResponse, haven.TargetResolution} {
		series := []report.Series{{Name: v.L.T("dash.sla_met")}, {Name: v.L.T("dash.sla_breached")}, {Name: v.L.T("dash.sla_running")}}
		var labels []string
		for _, r := range rows {
			c := r.FirstResponse
			if target == haven.TargetResolution {
				c = r.Resolution
			}
			p.Any = p.Any || c.Met+c.Breached+c.Running > 0
			labels = append(labels, v.L.T("priority."+string(r.Priority)))
			for i, n := range []int{c.Met, c.Breached, c.Running} {
				series[i].Values = append(series[i].Values, float64(n))
			}
		}
		p.Figures = append(p.Figures, chart(report.StackedBars, report.Chart{Title: v.L.T("sla." + target),
			Description: v.L.T("dash.sla_desc"), Labels: labels, Series: series, RTL: v.L.Dir() == "rtl"}))
	}
	return p
}

func escalationsPanel(v *view, rows []haven.EscalationStatsRow) *dashboardEscalations {
	sent, answered := report.Series{Name: v.L.T("esc.sent")}, report.Series{Name: v.L.T("esc.responded")}
	var labels []string
	for _, r := range rows {
		labels = append(labels, r.Label)
		sent.Values, answered.Values = append(sent.Values, float64(r.Sent)), append(answered.Values, float64(r.Responded))
	}
	return &dashboardEscalations{Rows: rows, Figure: chart(report.Bars, report.Chart{Title: v.L.T("esc.title"),
		Description: v.L.T("dash.esc_desc"), Labels: labels, Series: []report.Series{sent, answered}, RTL: v.L.Dir() == "rtl"})}
}
