package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/haven-helpline/haven"
)

func (s *Server) createEscalation(w http.ResponseWriter, r *http.Request) error {
	var in haven.EscalationCreate
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	e, err := s.svc.Escalations.CreateEscalation(r.Context(), r.PathValue("number"), in)
	return created(w, e, err)
}

func (s *Server) caseEscalations(w http.ResponseWriter, r *http.Request) error {
	es, err := s.svc.Escalations.CaseEscalations(r.Context(), r.PathValue("number"))
	return replyList(w, es, err)
}

// listEscalations answers escalations across the cases the caller may see, newest first.
func (s *Server) listEscalations(w http.ResponseWriter, r *http.Request) error {
	f, err := escalationFilter(r.URL)
	if err != nil {
		return err
	}
	page, err := s.svc.Escalations.Escalations(r.Context(), f)
	return reply(w, page, err)
}

func (s *Server) getEscalation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "escalation")
	if err != nil {
		return err
	}
	e, err := s.svc.Escalations.Escalation(r.Context(), id)
	return reply(w, e, err)
}

func (s *Server) transitionEscalation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "escalation")
	if err != nil {
		return err
	}
	var t haven.EscalationTransition
	if err := s.decode(w, r, &t); err != nil {
		return err
	}
	e, err := s.svc.Escalations.TransitionEscalation(r.Context(), id, t)
	return reply(w, e, err)
}

// escalationStats answers the figures as JSON, or as CSV with ?format=csv.
func (s *Server) escalationStats(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r.URL, "from", "to", "by", "format")
	format := q.str("format")
	q.v.Check(format == "" || format == "json" || format == "csv", "format", "json or csv")
	sq, err := haven.ParseStatsQuery(q.str("from"), q.str("to"), q.str("by"))
	if err == nil {
		err = q.err()
	}
	if err != nil {
		return err
	}
	st, err := s.svc.Escalations.EscalationStats(r.Context(), sq)
	if err != nil || format != "csv" {
		return reply(w, st, err)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="haven-escalations-`+st.By+`-`+st.From+`-`+st.To+`.csv"`)
	return writeStatsCSV(w, st)
}

// escalationStatsColumns are the CSV's columns, in the JSON rows' names.
var escalationStatsColumns = []string{"key", "label", "sent", "responded", "resolved", "declined", "no_response",
	"withdrawn", "open", "overdue", "missed_target", "median_first_response_hours", "p90_first_response_hours",
	"median_resolution_hours"}

// writeStatsCSV writes one line per row and the total.
func writeStatsCSV(w http.ResponseWriter, st *haven.EscalationStats) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(escalationStatsColumns)
	for _, row := range append(st.Rows, st.Total) {
		_ = cw.Write(statsRecord(row))
	}
	cw.Flush()
	return nil // an error here means the client went away
}

func statsRecord(r haven.EscalationStatsRow) []string {
	n := strconv.Itoa
	return []string{csvSafe(r.Key), csvSafe(r.Label), n(r.Sent), n(r.Responded), n(r.Resolved), n(r.Declined),
		n(r.NoResponse), n(r.Withdrawn), n(r.Open), n(r.Overdue), n(r.MissedTarget),
		floatCell(r.MedianFirstResponseHours), floatCell(r.P90FirstResponseHours), floatCell(r.MedianResolutionHours)}
}

func floatCell(h *float64) string {
	if h == nil {
		return ""
	}
	return strconv.FormatFloat(*h, 'f', -1, 64)
}

// csvSafe keeps a spreadsheet from reading a label as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// escalationFilter reads the escalation list's filters from the URL.
func escalationFilter(u *url.URL) (haven.EscalationFilter, error) {
	q := newQuery(u, "platform", "kind", "state", "overdue", "owner", "cursor", "limit")
	f := haven.EscalationFilter{Platform: q.str("platform"), Kind: q.str("kind"), State: haven.EscalationState(q.str("state")),
		Overdue: q.flag("overdue"), Owner: q.str("owner"), After: q.id("cursor"), Limit: q.limit()}
	return f, q.err()
}
