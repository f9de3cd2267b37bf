package haven

import (
	"fmt"
	"time"
)

// maxHours bounds an "hours" rotation to a year, far past any real shift and far from
// overflowing time.Duration.
const maxHours = 24 * 366

// layer is a ScheduleLayer resolved for evaluation: its zone loaded, its start and windows parsed.
type layer struct {
	name    string
	users   []string
	loc     *time.Location
	first   localDateTime // Start as written: handoffs repeat its wall-clock time
	start   time.Time     // the instant of the first handoff
	day     int64         // dayNumber of first's date
	period  int64         // local days per shift for "daily" (1) and "weekly" (7); 0 for "hours"
	every   time.Duration // shift length for "hours"
	windows []window
}

// compileLayer resolves l, whose zone defaults to zone. The problems are keyed by field name
// relative to the layer ("users", "restrictions[0].start"); the layer is usable only if there
// are none and it has a location.
func compileLayer(l ScheduleLayer, zone string, locs locations) (layer, scheduleProblems) {
	problems := scheduleProblems{}
	c := layer{name: l.Name, users: l.Users}
	switch l.Name {
	case "":
		problems["name"] = "required"
	case overrideLayer:
		problems["name"] = fmt.Sprintf("%q is reserved for overrides", overrideLayer)
	}
	checkUsers(l.Users, problems)
	// An invalid schedule zone is reported once, under the schedule's "time_zone"; the layer
	// then has no location and is unusable all the same.
	var err error
	if l.TimeZone != "" {
		zone = l.TimeZone
	}
	if c.loc, err = locs.load(zone); err != nil && l.TimeZone != "" {
		problems["time_zone"] = err.Error()
	}
	c.period, c.every = parseRotation(l, problems)
	if c.first, err = parseLocalDateTime(l.Start); err != nil {
		problems["start"] = err.Error()
	} else if c.loc != nil {
		f := c.first
		c.start = localTime(f.year, f.month, f.day, f.hour, f.minute, c.loc)
		c.day = dayNumber(f.year, f.month, f.day)
	}
	for i, w := range l.Restrictions {
		parsed, wp := parseWindow(w)
		c.windows = append(c.windows, parsed)
		problems.merge(fmt.Sprintf("restrictions[%d].", i), wp)
	}
	return c, problems
}

func checkUsers(users []string, problems scheduleProblems) {
	if len(users) == 0 {
		problems["users"] = "at least one user is required"
	}
	for i, u := range users {
		if u == "" {
			problems[fmt.Sprintf("users[%d]", i)] = "required"
		}
	}
}

// parseRotation returns the days per shift of a "daily" or "weekly" rotation, or the shift
// length of an "hours" one.
func parseRotation(l ScheduleLayer, problems scheduleProblems) (period int64, every time.Duration) {
	if l.Rotation != "hours" && l.Hours != 0 {
		problems["hours"] = `only for rotation "hours"`
	}
	switch l.Rotation {
	case "daily":
		return 1, 0
	case "weekly":
		return 7, 0
	case "hours":
		if l.Hours <= 0 || l.Hours > maxHours {
			problems["hours"] = fmt.Sprintf("must be from 1 to %d", maxHours)
			return 0, 0
		}
		return 0, time.Duration(l.Hours) * time.Hour
	}
	problems["rotation"] = `must be "daily", "weekly" or "hours"`
	return 0, 0
}

// at tells who of this layer is on call at t, if anyone, and the next instant after t at
// which that may change (a handoff or a window edge).
func (l *layer) at(t time.Time) (user string, on bool, next time.Time) {
	index, next, started := l.shift(t)
	if !started {
		return "", false, next
	}
	on = true
	if len(l.windows) > 0 {
		var edge time.Time
		on, edge = l.restricted(t)
		if !edge.IsZero() && edge.Before(next) {
			next = edge
		}
	}
	if !on {
		return "", false, next
	}
	return l.users[index%int64(len(l.users))], true, next
}

// shift returns the 0-based index of the shift that holds t and when the next shift begins.
// Before the first handoff started is false and next is that handoff. The index is arithmetic
// (elapsed hours, or civil days between dates), never a walk over past shifts.
func (l *layer) shift(t time.Time) (index int64, next time.Time, started bool) {
	if t.Before(l.start) {
		return 0, l.start, false
	}
	if l.every > 0 {
		index = int64(t.Sub(l.start) / l.every)
		return index, l.start.Add(time.Duration(index) * l.every).Add(l.every), true
	}
	days := dayNumber(t.In(l.loc).Date()) - l.day
	index = days / l.period
	// The handoff on t's own local date may still be ahead of t's clock.
	if at := l.handoff(index); t.Before(at) {
		return index - 1, at, true
	}
	return index, l.handoff(index + 1), true
}

// handoff returns when shift i begins: Start's wall-clock time, i periods of local days later,
// so across a DST change a daily shift lasts 23 or 25 hours.
func (l *layer) handoff(i int64) time.Time {
	f := l.first
	return localTime(f.year, f.month, f.day+int(i*l.period), f.hour, f.minute, l.loc)
}
