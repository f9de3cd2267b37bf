package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/haven-helpline/haven"
)

func (s *Server) slaRoutes() {
	for _, p := range []struct {
		pattern string
		h       uiFunc
	}{
		{"GET /admin/sla", s.slaPage},
		{"POST /admin/sla/targets", s.slaTargets},
		{"POST /admin/sla/calendars", s.slaCalendar},
	} {
		s.mux.Handle(p.pattern, s.page(false, p.h))
	}
}

type slaPageData struct {
	Settings   *haven.SLASettings
	Priorities []haven.Priority
	Calendars  []*haven.BusinessCalendar
	Days       []string
}

// slaPage is the admins' page for SLA targets and business calendars.
func (s *Server) slaPage(w http.ResponseWriter, r *http.Request, v *view) error {
	flashFrom(r, v)
	return s.renderSLA(w, r, v, http.StatusOK)
}

func (s *Server) renderSLA(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	if !v.User.IsAdmin() {
		return haven.Errorf(haven.EFORBIDDEN, "only admins set SLA targets and calendars")
	}
	d := &slaPageData{Priorities: []haven.Priority{haven.P1, haven.P2, haven.P3, haven.P4},
		Days: []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}}
	var err error
	if d.Settings, err = s.svc.SLA.SLASettings(r.Context()); err != nil {
		return err
	}
	if d.Calendars, err = s.svc.SLA.Calendars(r.Context()); err != nil {
		return err
	}
	v.Nav, v.Title, v.Data = "admin", v.L.T("slaadmin.title"), d
	return s.render(w, r, status, "sla", v)
}

// slaTargets saves the targets: minutes per priority and target, and the warning share.
func (s *Server) slaTargets(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	set := haven.SLASettings{Targets: map[haven.Priority]haven.SLATargetMinutes{}}
	for _, p := range []haven.Priority{haven.P1, haven.P2, haven.P3, haven.P4} {
		n := func(k string) int {
			x, _ := strconv.Atoi(strings.TrimSpace(r.PostForm.Get(string(p) + "_" + k)))
			return x
		}
		set.Targets[p] = haven.SLATargetMinutes{FirstResponse: n("first"), NextUpdate: n("next"), Resolution: n("resolution")}
	}
	set.WarnAt, _ = strconv.ParseFloat(r.PostForm.Get("warn_percent"), 64)
	set.WarnAt /= 100
	return s.afterSLA(w, r, v, func() error { _, err := s.svc.SLA.SetSLASettings(r.Context(), set); return err })
}

// slaCalendar creates or replaces a business calendar.
func (s *Server) slaCalendar(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	f := r.PostForm
	c := haven.BusinessCalendar{Name: strings.TrimSpace(f.Get("name")), TimeZone: strings.TrimSpace(f.Get("time_zone")),
		Days: f["days"], Start: f.Get("start"), End: f.Get("end"), Holidays: splitList(f.Get("holidays")), Teams: splitList(f.Get("teams"))}
	return s.afterSLA(w, r, v, func() error { _, err := s.svc.SLA.SaveCalendar(r.Context(), c); return err })
}

// afterSLA runs a change and goes back to the page, or shows it again with the refusal.
func (s *Server) afterSLA(w http.ResponseWriter, r *http.Request, v *view, change func() error) error {
	err := change()
	if err == nil {
		return redirect(w, r, "/admin/sla", "saved")
	}
	if !refused(v, r, err) {
		return err
	}
	return s.renderSLA(w, r, v, http.StatusUnprocessableEntity)
}
