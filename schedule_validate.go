package haven

import (
	"fmt"
	"slices"
	"strings"
)

// scheduleProblems lists every problem of a schedule at once, keyed by field path
// ("time_zone", "layers[0].users", "overrides[2].end"), so a form can show each beside its field.
type scheduleProblems map[string]string

func (v scheduleProblems) Error() string {
	fields := make([]string, 0, len(v))
	for f := range v {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f + ": " + v[f]
	}
	return "invalid schedule: " + strings.Join(parts, "; ")
}

// merge adds other's problems under prefix.
func (v scheduleProblems) merge(prefix string, other scheduleProblems) {
	for f, problem := range other {
		v[prefix+f] = problem
	}
}

// Validate checks the whole schedule: an EINVALID error whose fields list every problem, or nil.
func (s *Schedule) Validate() error {
	problems := scheduleProblems{}
	if !validName(s.Name) {
		problems["name"] = "must be 1 to 63 lower-case letters, digits or hyphens"
	}
	locs := locations{}
	if _, err := locs.load(s.TimeZone); err != nil {
		problems["time_zone"] = err.Error()
	}
	if len(s.Layers) == 0 {
		problems["layers"] = "at least one layer is required"
	}
	for i, l := range s.Layers {
		_, lp := compileLayer(l, s.TimeZone, locs)
		problems.merge(fmt.Sprintf("layers[%d].", i), lp)
	}
	for i, o := range s.Overrides {
		problems.merge(fmt.Sprintf("overrides[%d].", i), checkOverride(o))
	}
	if len(problems) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: problems.Error(), Fields: map[string]string(problems)}
}

func checkOverride(o ScheduleOverride) scheduleProblems {
	problems := scheduleProblems{}
	if o.User == "" {
		problems["user"] = "required"
	}
	if o.Start.IsZero() {
		problems["start"] = "required"
	}
	if !o.End.After(o.Start) {
		problems["end"] = "must be after start"
	}
	return problems
}

// validName accepts 1 to 63 lower-case ASCII letters, digits and hyphens: the name is used in
// URLs and commands.
func validName(name string) bool {
	if name == "" || len(name) > 63 {
		return false
	}
	for _, c := range name {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}
