package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
)

func (s *Server) oncallRoutes() {
	for _, p := range []struct {
		pattern string
		h       uiFunc
	}{
		{"GET /oncall", s.oncallPage},
		{"GET /oncall/{name}", s.schedulePage},
		{"POST /oncall/{name}/overrides", s.scheduleOverride},
		{"POST /oncall/schedules", s.scheduleSave},
		{"POST /oncall/policies", s.policySave},
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
	// CanEdit: a lead or admin, who may write schedules and policies (as JSON, the API's shape);
	// PolicyJSON is the policies' current text, or the refused one as typed.
	CanEdit    bool
	PolicyJSON string
}

// oncallPage shows who is on call now on each schedule, the policies, and the open alerts.
func (s *Server) oncallPage(w http.ResponseWriter, r *http.Request, v *view) error {
	flashFrom(r, v)
	return s.renderOnCall(w, r, v, http.StatusOK)
}

func (s *Server) renderOnCall(w http.ResponseWriter, r *http.Request, v *view, status int) error {
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
	d.CanEdit = v.User.Role == haven.RoleLead || v.User.IsAdmin()
	d.PolicyJSON = formValue(v.Form, "policy", policyTemplate(d.Policies))
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
	return s.render(w, r, status, "oncall", v)
}

// scheduleData is one schedule's next two weeks, in the time zone asked (default its own).
type scheduleData struct {
	View     *haven.ScheduleView
	Zone     *time.Location
	Users    []string
	CanEdit  bool
	Calendar []calendarDay
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
	d := &scheduleData{View: sv, Zone: zone, CanEdit: v.User.CanWrite(),
		Calendar: scheduleCalendar(v.L, sv.Spans, zone, now, 14)}
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

// policyTemplate is the text the policy editor starts from: the default policy when there is
// one, else an example.
func policyTemplate(ps []*haven.EscalationPolicy) string {
	p := &haven.EscalationPolicy{Name: haven.DefaultPolicy, Levels: []haven.PolicyLevel{
		{Targets: []haven.PolicyTarget{{Kind: "schedule", Name: "primary"}}, DelayMinutes: 5}}}
	for _, x := range ps {
		if x.Name == haven.DefaultPolicy {
			p = x
		}
	}
	raw, _ := json.MarshalIndent(haven.EscalationPolicy{Name: p.Name, Levels: p.Levels, Repeat: p.Repeat}, "", "  ")
	return strings.Replace(string(raw), "  \"updated_at\": \"0001-01-01T00:00:00Z\"\n", "", 1)
}

// scheduleSave creates or replaces a schedule written as JSON (the API's shape).
func (s *Server) scheduleSave(w http.ResponseWriter, r *http.Request, v *view) error {
	var sc haven.Schedule
	if err := decodeForm(r, "schedule", &sc); err != nil {
		return s.afterOnCall(w, r, v, err, "")
	}
	_, err := s.svc.Schedules.SaveSchedule(r.Context(), sc)
	return s.afterOnCall(w, r, v, err, "/oncall/"+sc.Name)
}

// policySave creates or replaces an escalation policy written as JSON.
func (s *Server) policySave(w http.ResponseWriter, r *http.Request, v *view) error {
	var p haven.EscalationPolicy
	if err := decodeForm(r, "policy", &p); err != nil {
		return s.afterOnCall(w, r, v, err, "")
	}
	_, err := s.svc.Alerts.SavePolicy(r.Context(), p)
	return s.afterOnCall(w, r, v, err, "/oncall")
}

// decodeForm reads a form field holding JSON, strictly.
func decodeForm(r *http.Request, field string, dst any) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	dec := json.NewDecoder(strings.NewReader(r.PostForm.Get(field)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return &haven.Error{Code: haven.EINVALID, Message: "not valid JSON: " + err.Error(), Fields: map[string]string{field: err.Error()}}
	}
	return nil
}

// afterOnCall goes to next after a change, or shows the on-call page again with the refusal
// and the typed text.
func (s *Server) afterOnCall(w http.ResponseWriter, r *http.Request, v *view, err error, next string) error {
	if err == nil {
		return redirect(w, r, next, "saved")
	}
	if !refused(v, r, err) {
		return err
	}
	return s.renderOnCall(w, r, v, http.StatusUnprocessableEntity)
}
