package haven

import (
	"fmt"
	"time"
)

// window is a parsed restriction: open on the weekdays set in days, from start to end minutes
// after local midnight; end <= start runs into the next day, and end == start is a full day.
type window struct {
	days       [7]bool // indexed by time.Weekday
	start, end int
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// parseWindow parses w; the problems are keyed relative to the window ("days[1]", "start").
func parseWindow(w ScheduleWindow) (window, scheduleProblems) {
	problems := scheduleProblems{}
	var p window
	for i, name := range w.Days {
		d, ok := weekdays[name]
		if !ok {
			problems[fmt.Sprintf("days[%d]", i)] = `must be one of "mon" "tue" "wed" "thu" "fri" "sat" "sun"`
			continue
		}
		p.days[d] = true
	}
	if len(w.Days) == 0 {
		p.days = [7]bool{true, true, true, true, true, true, true}
	}
	var err error
	if p.start, err = parseClock(w.Start); err != nil {
		problems["start"] = err.Error()
	}
	if p.end, err = parseClock(w.End); err != nil {
		problems["end"] = err.Error()
	}
	return p, problems
}

// opening returns when the window opened on local date y-m-d begins and ends.
func (w window) opening(y int, m time.Month, d int, loc *time.Location) (from, to time.Time) {
	from = localTime(y, m, d, w.start/60, w.start%60, loc)
	endDay := d
	if w.end <= w.start {
		endDay++
	}
	return from, localTime(y, m, endDay, w.end/60, w.end%60, loc)
}

// restricted reports whether t falls inside one of the layer's windows, and the next instant
// after t at which a window opens or closes.
func (l *layer) restricted(t time.Time) (inside bool, edge time.Time) {
	lt := t.In(l.loc)
	y, m, d := lt.Date()
	weekday := int(lt.Weekday())
	// Yesterday's opening may still run (overnight windows). Each window opens at most once a
	// day on at least one weekday, so the next edge is at most eight days away.
	for day := -1; day <= 7; day++ {
		for _, w := range l.windows {
			if !w.days[(weekday+day+7)%7] {
				continue
			}
			from, to := w.opening(y, m, d+day, l.loc)
			inside = inside || (!t.Before(from) && t.Before(to))
			edge = earliestAfter(t, edge, from)
			edge = earliestAfter(t, edge, to)
		}
		// Openings on later dates begin after the next midnight: none can come sooner.
		if day >= 0 && !edge.IsZero() && !edge.After(localTime(y, m, d+day+1, 0, 0, l.loc)) {
			break
		}
	}
	return inside, edge
}

// earliestAfter returns the earlier of best and candidate among those after t; a zero best
// means none yet.
func earliestAfter(t, best, candidate time.Time) time.Time {
	if !candidate.After(t) {
		return best
	}
	if best.IsZero() || candidate.Before(best) {
		return candidate
	}
	return best
}
