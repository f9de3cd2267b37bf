package web

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/haven-helpline/haven"
)

func (s *Server) listSchedules(w http.ResponseWriter, r *http.Request) error {
	ss, err := s.svc.Schedules.Schedules(r.Context())
	return replyList(w, ss, err)
}

func (s *Server) createSchedule(w http.ResponseWriter, r *http.Request) error {
	var in haven.Schedule
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	v, err := s.svc.Schedules.SaveSchedule(r.Context(), in)
	return created(w, v, err)
}

// getSchedule answers a schedule with its spans and gaps over ?from=&to= (default: four weeks
// from now).
func (s *Server) getSchedule(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r.URL, "from", "to")
	from, to := q.time("from"), q.time("to")
	if err := q.err(); err != nil {
		return err
	}
	v, err := s.svc.Schedules.Schedule(r.Context(), r.PathValue("name"), from, to)
	return reply(w, v, err)
}

// updateSchedule changes the fields of a schedule the body names (time_zone, layers,
// overrides); the name is the path's.
func (s *Server) updateSchedule(w http.ResponseWriter, r *http.Request) error {
	cur, err := s.svc.Schedules.Schedule(r.Context(), r.PathValue("name"), time.Time{}, time.Time{})
	if err != nil {
		return err
	}
	in := *cur.Schedule
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	in.Name = cur.Name
	v, err := s.svc.Schedules.SaveSchedule(r.Context(), in)
	return reply(w, v, err)
}

func (s *Server) scheduleOnCall(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r.URL, "at")
	at := q.time("at")
	if err := q.err(); err != nil {
		return err
	}
	a, err := s.svc.Schedules.OnCall(r.Context(), r.PathValue("name"), at)
	return reply(w, a, err)
}

func (s *Server) addOverride(w http.ResponseWriter, r *http.Request) error {
	var o haven.ScheduleOverride
	if err := s.decode(w, r, &o); err != nil {
		return err
	}
	v, err := s.svc.Schedules.AddOverride(r.Context(), r.PathValue("name"), o)
	return created(w, v, err)
}

func (s *Server) listPolicies(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.svc.Alerts.Policies(r.Context())
	return replyList(w, ps, err)
}

func (s *Server) createPolicy(w http.ResponseWriter, r *http.Request) error {
	var p haven.EscalationPolicy
	if err := s.decode(w, r, &p); err != nil {
		return err
	}
	out, err := s.svc.Alerts.SavePolicy(r.Context(), p)
	return created(w, out, err)
}

func (s *Server) getPolicy(w http.ResponseWriter, r *http.Request) error {
	p, err := s.svc.Alerts.Policy(r.Context(), r.PathValue("name"))
	return reply(w, p, err)
}

// updatePolicy changes the fields of a policy the body names (levels, repeat); the name is the
// path's.
func (s *Server) updatePolicy(w http.ResponseWriter, r *http.Request) error {
	cur, err := s.svc.Alerts.Policy(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	p := *cur
	if err := s.decode(w, r, &p); err != nil {
		return err
	}
	p.Name = cur.Name
	out, err := s.svc.Alerts.SavePolicy(r.Context(), p)
	return reply(w, out, err)
}

func (s *Server) createAlert(w http.ResponseWriter, r *http.Request) error {
	var in haven.AlertCreate
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	a, err := s.svc.Alerts.CreateAlert(r.Context(), in)
	return created(w, a, err)
}

func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r.URL, "state")
	state := haven.AlertState(q.str("state"))
	if err := q.err(); err != nil {
		return err
	}
	as, err := s.svc.Alerts.Alerts(r.Context(), state)
	return replyList(w, as, err)
}

func (s *Server) getAlert(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "alert")
	if err != nil {
		return err
	}
	a, err := s.svc.Alerts.Alert(r.Context(), id)
	return reply(w, a, err)
}

func (s *Server) acknowledgeAlert(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "alert")
	if err != nil {
		return err
	}
	a, err := s.svc.Alerts.AcknowledgeAlert(r.Context(), id)
	return reply(w, a, err)
}

func (s *Server) resolveAlert(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "alert")
	if err != nil {
		return err
	}
	a, err := s.svc.Alerts.ResolveAlert(r.Context(), id)
	return reply(w, a, err)
}

func (s *Server) listChannels(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.svc.PageChannels.PageChannels(r.Context())
	return replyList(w, cs, err)
}

func (s *Server) addChannel(w http.ResponseWriter, r *http.Request) error {
	var in haven.PageChannelInput
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	c, err := s.svc.PageChannels.AddPageChannel(r.Context(), in)
	return created(w, c, err)
}

type verifyRequest struct {
	Code string `json:"code"`
}

func (s *Server) verifyChannel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "channel")
	if err != nil {
		return err
	}
	var in verifyRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	c, err := s.svc.PageChannels.VerifyPageChannel(r.Context(), id, in.Code)
	return reply(w, c, err)
}

func (s *Server) deleteChannel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "channel")
	if err != nil {
		return err
	}
	if err := s.svc.PageChannels.DeletePageChannel(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) caseClocks(w http.ResponseWriter, r *http.Request) error {
	ks, err := s.svc.SLA.CaseClocks(r.Context(), r.PathValue("number"))
	return replyList(w, ks, err)
}

func (s *Server) listCalendars(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.svc.SLA.Calendars(r.Context())
	return replyList(w, cs, err)
}

// saveCalendar creates or replaces a business calendar (admins).
func (s *Server) saveCalendar(w http.ResponseWriter, r *http.Request) error {
	var c haven.BusinessCalendar
	if err := s.decode(w, r, &c); err != nil {
		return err
	}
	out, err := s.svc.SLA.SaveCalendar(r.Context(), c)
	return created(w, out, err)
}

// slaStats answers the SLA compliance report as JSON, or as CSV with ?format=csv.
func (s *Server) slaStats(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r.URL, "from", "to", "by", "format")
	format := q.str("format")
	q.v.Check(format == "" || format == "json" || format == "csv", "format", "json or csv")
	sq, err := haven.ParseStatsQuery(q.str("from"), q.str("to"), q.str("by"), haven.SLAGroupings()...)
	if err == nil {
		err = q.err()
	}
	if err != nil {
		return err
	}
	st, err := s.svc.SLA.SLAStats(r.Context(), sq)
	if err != nil || format != "csv" {
		return reply(w, st, err)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="haven-sla-`+st.By+`-`+st.From+`-`+st.To+`.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"key", "cases", "first_response_met", "first_response_missed", "median_first_response_minutes",
		"p90_first_response_minutes", "resolution_met", "resolution_missed", "median_resolution_minutes", "p90_resolution_minutes"})
	for _, row := range append(st.Rows, st.Total) {
		n := strconv.Itoa
		_ = cw.Write([]string{csvSafe(row.Key), n(row.Cases), n(row.FirstResponseMet), n(row.FirstResponseMissed),
			floatCell(row.MedianFirstResponseMinutes), floatCell(row.P90FirstResponseMinutes), n(row.ResolutionMet),
			n(row.ResolutionMissed), floatCell(row.MedianResolutionMinutes), floatCell(row.P90ResolutionMinutes)})
	}
	cw.Flush()
	return nil
}

func (s *Server) getSLASettings(w http.ResponseWriter, r *http.Request) error {
	set, err := s.svc.SLA.SLASettings(r.Context())
	return reply(w, set, err)
}

func (s *Server) putSLASettings(w http.ResponseWriter, r *http.Request) error {
	var in haven.SLASettings
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	set, err := s.svc.SLA.SetSLASettings(r.Context(), in)
	return reply(w, set, err)
}

type reassignRequest struct {
	User string `json:"user"`
}

func (s *Server) reassignAlert(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "alert")
	if err != nil {
		return err
	}
	var in reassignRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	a, err := s.svc.Alerts.ReassignAlert(r.Context(), id, in.User)
	return reply(w, a, err)
}

func (s *Server) testChannel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "channel")
	if err != nil {
		return err
	}
	if err := s.svc.PageChannels.TestPageChannel(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent) // queued
	return nil
}
