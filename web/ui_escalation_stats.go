package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/report"
)

// escalationListData is the escalations page: a filtered list across the cases the reader sees.
type escalationListData struct {
	Page      *haven.EscalationPage
	Platforms []*haven.Platform
	Filter    haven.EscalationFilter
	NextURL   string
}

// escalationsPage lists escalations, newest first, filtered by platform, kind, state and overdue.
func (s *Server) escalationsPage(w http.ResponseWriter, r *http.Request, v *view) error {
	f, err := escalationFilter(r.URL)
	if err != nil {
		return err
	}
	d := &escalationListData{Filter: f}
	if d.Page, err = s.svc.Escalations.Escalations(r.Context(), f); err != nil {
		return err
	}
	if d.Platforms, err = s.svc.Platforms.Platforms(r.Context(), true); err != nil {
		return err
	}
	if d.Page.Next != "" {
		q := r.URL.Query()
		q.Set("cursor", d.Page.Next)
		d.NextURL = "/escalations?" + q.Encode()
	}
	v.Nav, v.Title, v.Data = "escalations", v.L.T("esc.list_title"), d
	return s.render(w, r, http.StatusOK, "escalations", v)
}

// escalationStatsData is the analytics page: where platforms fail, in charts and tables.
type escalationStatsData struct {
	Stats  *haven.EscalationStats
	Trend  *haven.EscalationStats // month by month over the same period
	Labels map[string]string      // a row's key in the reader's language
	Charts []figure
	CSV    string
}

// figure is a chart with its visible caption (the SVG's own title is for screen readers).
type figure struct {
	Caption string
	SVG     template.HTML
}

// escalationStatsPage shows the figures of a period: outcomes, answer times, the gaps ranking and
// the monthly trend, each chart with its numbers in a table beside it.
func (s *Server) escalationStatsPage(w http.ResponseWriter, r *http.Request, v *view) error {
	st, err := s.statsFor(r)
	if err != nil {
		return err
	}
	q, err := haven.ParseStatsQuery(st.From, st.To, "month")
	if err != nil {
		return err
	}
	trend, err := s.svc.Escalations.EscalationStats(r.Context(), q)
	if err != nil {
		return err
	}
	d := &escalationStatsData{Stats: st, Trend: trend, Labels: statsLabels(v, st),
		CSV: "/escalations/stats.csv?" + url.Values{"from": {st.From}, "to": {st.To}, "by": {st.By}}.Encode()}
	d.Charts = escalationCharts(v, d)
	v.Nav, v.Title, v.Data = "escalations", v.L.T("esc.stats_title"), d
	return s.render(w, r, http.StatusOK, "escalation_stats", v)
}

// escalationStatsCSV downloads the page's table as CSV (the API's format).
func (s *Server) escalationStatsCSV(w http.ResponseWriter, r *http.Request, v *view) error {
	st, err := s.statsFor(r)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="haven-escalations-`+st.By+`-`+st.From+`-`+st.To+`.csv"`)
	return writeStatsCSV(w, st)
}

// statsFor reads the period and grouping of the page's form and asks the service.
func (s *Server) statsFor(r *http.Request) (*haven.EscalationStats, error) {
	q := newQuery(r.URL, "from", "to", "by")
	sq, err := haven.ParseStatsQuery(q.str("from"), q.str("to"), q.str("by"))
	if err == nil {
		err = q.err()
	}
	if err != nil {
		return nil, err
	}
	return s.svc.Escalations.EscalationStats(r.Context(), sq)
}

// statsLabels names each row in the reader's language: kinds are translated, platforms keep
// their names, months their dates.
func statsLabels(v *view, st *haven.EscalationStats) map[string]string {
	out := map[string]string{}
	for _, row := range st.Rows {
		out[row.Key] = row.Label
		if st.By == "kind" {
			out[row.Key] = v.L.T("esckind." + row.Key)
		}
	}
	return out
}

// escalationCharts draws the outcomes, the answer times, the gaps and the trend.
func escalationCharts(v *view, d *escalationStatsData) []figure {
	rtl := v.L.Dir() == "rtl"
	var labels []string
	outcomes := []report.Series{{Name: v.L.T("escstate.resolved")}, {Name: v.L.T("escstate.declined")},
		{Name: v.L.T("escstate.no-response")}, {Name: v.L.T("esc.open")}}
	answer := []report.Series{{Name: v.L.T("esc.median")}, {Name: v.L.T("esc.p90")}}
	for _, row := range d.Stats.Rows {
		labels = append(labels, d.Labels[row.Key])
		for i, n := range []int{row.Resolved, row.Declined, row.NoResponse, row.Open} {
			outcomes[i].Values = append(outcomes[i].Values, float64(n))
		}
		answer[0].Values = append(answer[0].Values, orZero(row.MedianFirstResponseHours))
		answer[1].Values = append(answer[1].Values, orZero(row.P90FirstResponseHours))
	}
	charts := []figure{
		chart(report.StackedBars, report.Chart{Title: v.L.T("esc.chart_outcomes"), Description: v.L.T("esc.chart_outcomes_desc"),
			Labels: labels, Series: outcomes, RTL: rtl}),
		chart(report.Bars, report.Chart{Title: v.L.T("esc.chart_first"), Description: v.L.T("esc.chart_first_desc"),
			Labels: labels, Series: answer, Unit: "h", RTL: rtl}),
	}
	return append(charts, gapsChart(v, d.Stats, rtl), trendChart(v, d.Trend, rtl))
}

// chart draws c and captions it with its title.
func chart(draw func(report.Chart) string, c report.Chart) figure {
	return figure{Caption: c.Title, SVG: template.HTML(draw(c))} //nolint:gosec // report escapes every text it writes
}

func gapsChart(v *view, st *haven.EscalationStats, rtl bool) figure {
	missed := report.Series{Name: v.L.T("esc.missed_share")}
	var labels []string
	for _, g := range st.Gaps {
		labels = append(labels, g.Label)
		missed.Values = append(missed.Values, g.MissedTargetShare*100)
	}
	return chart(report.Bars, report.Chart{Title: v.L.T("esc.chart_gaps"), Description: v.L.T("esc.chart_gaps_desc"),
		Labels: labels, Series: []report.Series{missed}, Unit: "%", RTL: rtl})
}

func trendChart(v *view, st *haven.EscalationStats, rtl bool) figure {
	sent, responded := report.Series{Name: v.L.T("esc.sent")}, report.Series{Name: v.L.T("esc.responded")}
	var labels []string
	for _, row := range st.Rows {
		labels = append(labels, row.Key)
		sent.Values = append(sent.Values, float64(row.Sent))
		responded.Values = append(responded.Values, float64(row.Responded))
	}
	return chart(report.Lines, report.Chart{Title: v.L.T("esc.chart_trend"), Description: v.L.T("esc.chart_trend_desc"),
		Labels: labels, Series: []report.Series{sent, responded}, RTL: rtl})
}

func orZero(h *float64) float64 {
	if h == nil {
		return 0
	}
	return *h
}

// hours writes a measured number of hours, or a dash when nothing was measured.
func hoursText(h *float64) string {
	if h == nil {
		return "—"
	}
	return strconv.FormatFloat(*h, 'f', -1, 64)
}

// percent writes a share as a whole percentage.
func percent(share float64) string { return strconv.FormatFloat(share*100, 'f', 0, 64) + " %" }
