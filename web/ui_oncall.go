package web

import (
	"net/http"
	"time"

	"haven"
)

func (s *Server) oncallRoutes() {
	for _, p := range []struct {
		pattern string
		h       uiFunc
	}{
		{"GET /oncall", s.oncallPage},
		{"GET /oncall/{name}", s.schedulePage},
		{"POST /oncall/{name}/overrides", s.scheduleOverride},
	} {
		s.mux.Handle(p.pattern, s.page(false, p.h))
	}
}

// onCallRow is a schedule with who is on call now.
type onCallRow struct {
	Name, TimeZone string
	Users          []string
	Until          time.Time
}

type oncallData struct {
	Schedules []onCallRow
	Policies  []*haven.EscalationPolicy
	Alerts    []*haven.Alert
}

// oncallPage shows who is on call now on each schedule, the policies, and the open alerts.
func (s *Server) oncallPage(w http.ResponseWriter, r *http.Request, v *view) error {
	flashFrom(r, v)
	ctx := r.Context()
	d := &oncallData{}
	scheds, err := s.svc.Schedules.Schedules(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	for _, sc := range scheds {
		users, until := sc.Schedule.OnCall(now)
		d.Schedules = append(d.Schedules, onCallRow{Name: sc.Name, TimeZone: sc.TimeZone, Users: users, Until: until})
	}
	if d.Policies, err = s.svc.Alerts.Policies(ctx); err != nil {
		return err
	}
	all, err := s.svc.Alerts.Alerts(ctx, "")
	for _, a := range all {
		if a.State != haven.AlertResolved {
			d.Alerts = append(d.Alerts, a)
		}
	}
	if err != nil {
		return err
	}
	v.Nav, v.Title, v.Data = "oncall", v.L.T("oncall.title"), d
	return s.render(w, r, http.StatusOK, "oncall", v)
}

// scheduleData is one schedule's next two weeks, in the time zone asked (default its own).
type scheduleData struct {
	View     *haven.ScheduleView
	Zone     *time.Location
	Users    []string
	CanEdit  bool
	NextWeek time.Time
}

// schedulePage shows a schedule's coming two weeks as spans, gaps flagged, with the override form.
func (s *Server) schedulePage(w http.ResponseWriter, r *http.Request, v *view) error {
	flashFrom(r, v)
	return s.renderSchedule(w, r, v, http.StatusOK)
}

func (s *Server) renderSchedule(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	now := time.Now().Truncate(time.Hour)
	sv, err := s.svc.Schedules.Schedule(r.Context(), r.PathValue("name"), now, now.Add(14*24*time.Hour))
	if err != nil {
		return err
	}
	zone, err := time.LoadLocation(r.URL.Query().Get("tz"))
	if r.URL.Query().Get("tz") == "" || err != nil {
		zone, _ = time.LoadLocation(sv.TimeZone)
	}
	d := &scheduleData{View: sv, Zone: zone, CanEdit: v.User.CanWrite()}
	users, err := s.svc.Users.Users(r.Context())
	if err != nil {
		return err
	}
	for _, u := range users {
		if !u.Disabled {
			d.Users = append(d.Users, u.Username)
		}
	}
	v.Nav, v.Title, v.Data = "oncall", sv.Name, d
	return s.render(w, r, status, "oncall_schedule", v)
}

// scheduleOverride adds a one-off override; the times are read in the page's time zone.
func (s *Server) scheduleOverride(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	zone, err := time.LoadLocation(r.PostForm.Get("tz"))
	if err != nil {
		zone = time.UTC
	}
	start, err1 := time.ParseInLocation("2006-01-02T15:04", r.PostForm.Get("start"), zone)
	end, err2 := time.ParseInLocation("2006-01-02T15:04", r.PostForm.Get("end"), zone)
	if err1 != nil || err2 != nil {
		err = &haven.Error{Code: haven.EINVALID, Message: "dates and times", Fields: map[string]string{"start": "a date and a time"}}
	} else {
		_, err = s.svc.Schedules.AddOverride(r.Context(), r.PathValue("name"), haven.ScheduleOverride{User: r.PostForm.Get("user"), Start: start, End: end})
	}
	if err == nil {
		return redirect(w, r, "/oncall/"+r.PathValue("name")+"?tz="+zone.String(), "saved")
	}
	if !refused(v, r, err) {
		return err
	}
	return s.renderSchedule(w, r, v, http.StatusUnprocessableEntity)
}
