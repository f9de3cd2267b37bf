package main

import (
	"bytes"
	"encoding/json"
	"text/tabwriter"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/haven-helpline/haven"
)

// OnCallCmd groups the on-call commands.
type OnCallCmd struct {
	Now      OnCallNowCmd      `cmd:"" help:"Print who is on call now on each schedule (or one), and until when."`
	Schedule OnCallScheduleCmd `cmd:"" help:"Manage on-call schedules."`
}

// OnCallScheduleCmd groups the schedule commands.
type OnCallScheduleCmd struct {
	Import OnCallImportCmd `cmd:"" help:"Create or replace schedules from a YAML file (one schedule, or schedules: [...]) or a directory of them."`
}

// OnCallNowCmd prints who is on call.
type OnCallNowCmd struct {
	DBFlags
	Schedule string `arg:"" optional:"" help:"Only this schedule."`
}

// Run prints one line per schedule: who is on call now and until when (UTC); "nobody" is a gap.
func (c *OnCallNowCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	views, err := a.svc.SchedulesAsSystem(e.ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	e.fprintln(w, "SCHEDULE\tON CALL\tUNTIL")
	found := false
	for _, v := range views {
		if c.Schedule != "" && v.Name != c.Schedule {
			continue
		}
		found = true
		users, until := v.Schedule.OnCall(now)
		who := "nobody (gap)"
		if len(users) > 0 {
			who = users[0]
		}
		e.fprintf(w, "%s\t%s\t%s\n", v.Name, who, until.UTC().Format(time.RFC3339))
	}
	if c.Schedule != "" && !found {
		return haven.Errorf(haven.ENOTFOUND, "no schedule %s", c.Schedule)
	}
	return w.Flush()
}

// OnCallImportCmd imports schedules.
type OnCallImportCmd struct {
	DBFlags
	Path string `arg:"" help:"A .yaml file, or a directory of them." type:"path"`
}

// Run checks every schedule of the files, then saves each (replacing one of the same name).
func (c *OnCallImportCmd) Run(e *env) (err error) {
	scheds, err := readYAMLInputs(c.Path, parseSchedules)
	if err != nil {
		return err
	}
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	for _, s := range scheds {
		if _, err := a.svc.SaveScheduleAsSystem(e.ctx, s); err != nil {
			return &haven.Error{Code: haven.ErrorCode(err), Message: "schedule " + s.Name + ": " + describe(err), Err: err}
		}
		e.printf("%s: saved (%d layers, %d overrides)\n", s.Name, len(s.Layers), len(s.Overrides))
	}
	return nil
}

// parseSchedules reads one schedule or a list under schedules:, with the API's field names
// (the YAML is turned into JSON and decoded strictly: an unknown key is an error).
func parseSchedules(raw []byte) ([]haven.Schedule, error) {
	if len(raw) > maxTemplateFile {
		return nil, haven.Errorf(haven.EINVALID, "the file is larger than %d bytes", maxTemplateFile)
	}
	var doc any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, haven.Errorf(haven.EINVALID, "not YAML: %v", err)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, haven.Errorf(haven.EINVALID, "a schedule (a mapping) or schedules: [...]")
	}
	list := []any{m}
	if l, ok := m["schedules"].([]any); ok && len(m) == 1 {
		list = l
	}
	out := make([]haven.Schedule, 0, len(list))
	for _, item := range list {
		s, err := decodeSchedule(item)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func decodeSchedule(item any) (haven.Schedule, error) {
	var s haven.Schedule
	body, err := json.Marshal(item)
	if err != nil {
		return s, haven.Errorf(haven.EINVALID, "cannot read a schedule: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, haven.Errorf(haven.EINVALID, "schedule: %v", err)
	}
	if err := s.Validate(); err != nil {
		return s, &haven.Error{Code: haven.EINVALID, Message: "schedule " + s.Name + ": " + describe(err), Err: err}
	}
	return s, nil
}
