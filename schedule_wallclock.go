package haven

import (
	"errors"
	"fmt"
	"time"
)

const secondsPerDay = 24 * 60 * 60

// localTime returns the instant at which the wall clock in loc reads y-m-d h:mi; out-of-range
// days normalise as in time.Date, so callers add days to d freely.
//
// A wall time skipped by a spring-forward change normalises forward, exactly as time.Date does
// (02:30 on the day Paris jumps 02:00→03:00 is 03:30 CEST). A wall time that occurs twice on a
// fall-back day resolves to its first occurrence: time.Date leaves that choice unspecified (and in
// practice often picks the second), and a handoff should not wait an extra hour for the repeat.
func localTime(y int, m time.Month, d, h, mi int, loc *time.Location) time.Time {
	t := time.Date(y, m, d, h, mi, 0, 0, loc)
	start, _ := t.ZoneBounds()
	if start.IsZero() {
		return t
	}
	_, offset := t.Zone()
	_, before := start.Add(-time.Nanosecond).Zone()
	if before <= offset {
		return t // the last change moved clocks forward or not at all: no repeated hour
	}
	earlier := t.Add(-time.Duration(before-offset) * time.Second)
	if earlier.Before(start) && sameWallClock(earlier.In(loc), t) {
		return earlier
	}
	return t
}

func sameWallClock(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd && a.Hour() == b.Hour() && a.Minute() == b.Minute()
}

// dayNumber counts civil days since 1970-01-01, so the local days between two dates are a
// subtraction rather than a walk over the calendar.
func dayNumber(y int, m time.Month, d int) int64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / secondsPerDay
}

// localDateTime is a wall-clock date and time without a zone, as in ScheduleLayer.Start.
type localDateTime struct {
	year         int
	month        time.Month
	day          int
	hour, minute int
}

// parseLocalDateTime reads "2026-01-05T09:00". The length check keeps out the one-digit hours
// and trailing seconds that time.Parse would accept.
func parseLocalDateTime(s string) (localDateTime, error) {
	const layout = "2006-01-02T15:04"
	t, err := time.Parse(layout, s)
	if err != nil || len(s) != len(layout) {
		return localDateTime{}, fmt.Errorf("must be a local date and time such as %q", "2026-01-05T09:00")
	}
	return localDateTime{t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute()}, nil
}

// parseClock reads "HH:MM" (00:00 to 23:59) into minutes after midnight.
func parseClock(s string) (int, error) {
	bad := errors.New(`must be a time of day "HH:MM" from 00:00 to 23:59`)
	if len(s) != 5 || s[2] != ':' {
		return 0, bad
	}
	digits := []byte{s[0], s[1], s[3], s[4]}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, bad
		}
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if h > 23 || m > 59 {
		return 0, bad
	}
	return h*60 + m, nil
}

// locations loads each time zone once per evaluation: time.LoadLocation reads the zone file on
// every call, and the package keeps no cache between calls.
type locations map[string]*time.Location

func (c locations) load(name string) (*time.Location, error) {
	if loc, ok := c[name]; ok {
		return loc, nil
	}
	switch name {
	case "":
		return nil, errors.New("required")
	case "Local":
		// The server's zone is not a property of the schedule.
		return nil, errors.New(`must be an IANA name such as "Europe/Paris", not "Local"`)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	c[name] = loc
	return loc, nil
}
