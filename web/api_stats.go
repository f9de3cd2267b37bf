package web

import (
	"encoding/csv"
	"net/http"
	"strconv"

	"github.com/haven-helpline/haven"
)

// caseStats answers the dashboard's figures as JSON, or as CSV with ?format=csv.
func (s *Server) caseStats(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r.URL, "from", "to", "by", "team", "category", "country", "format")
	format := q.str("format")
	q.v.Check(format == "" || format == "json" || format == "csv", "format", "json or csv")
	cq, err := haven.ParseCaseStatsQuery(q.str("from"), q.str("to"), q.str("by"), q.str("team"), q.str("category"), q.str("country"))
	if err == nil {
		err = q.err()
	}
	if err != nil {
		return err
	}
	st, err := s.svc.CaseStats.CaseStats(r.Context(), cq)
	if err != nil || format != "csv" {
		return reply(w, st, err)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="haven-cases-`+st.By+`-`+st.From+`-`+st.To+`.csv"`)
	return writeCaseStatsCSV(w, st)
}

// caseStatsColumns are the CSV's columns, in the JSON rows' names.
var caseStatsColumns = []string{"key", "new", "closed", "open", "median_first_response_hours", "p90_first_response_hours",
	"median_resolution_hours", "p90_resolution_hours"}

func writeCaseStatsCSV(w http.ResponseWriter, st *haven.CaseStats) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(caseStatsColumns)
	n := strconv.Itoa
	for _, r := range append(st.Rows, st.Total) {
		_ = cw.Write([]string{csvSafe(r.Key), n(r.New), n(r.Closed), n(r.Open), floatCell(r.MedianFirstResponseHours),
			floatCell(r.P90FirstResponseHours), floatCell(r.MedianResolutionHours), floatCell(r.P90ResolutionHours)})
	}
	cw.Flush()
	return nil // an error here means the client went away
}

func (s *Server) getPublicSettings(w http.ResponseWriter, r *http.Request) error {
	p, err := s.svc.Public.PublicSettings(r.Context()) // the public page tells as much
	return reply(w, p, err)
}

func (s *Server) putPublicSettings(w http.ResponseWriter, r *http.Request) error {
	var in haven.PublicSettings
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	p, err := s.svc.Public.SetPublicSettings(r.Context(), in)
	s.public.forget()
	return reply(w, p, err)
}

func (s *Server) getBriefingSchedule(w http.ResponseWriter, r *http.Request) error {
	b, err := s.svc.Briefing.BriefingSchedule(r.Context())
	return reply(w, b, err)
}

func (s *Server) putBriefingSchedule(w http.ResponseWriter, r *http.Request) error {
	var in haven.BriefingSchedule
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	b, err := s.svc.Briefing.SetBriefingSchedule(r.Context(), in)
	return reply(w, b, err)
}
