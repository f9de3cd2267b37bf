package web

import (
	"strings"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/i18n"
)

// calendarWidth is the width of a day's bar in SVG units: one per minute of a 24-hour day. Days
// of 23 or 25 hours (DST changes) are scaled to the same width, so midnight lines up on every row.
const calendarWidth = 1440

// calendarDay is one row of a schedule's calendar: a local calendar day and who is on call when.
type calendarDay struct {
	Date     time.Time
	Segments []calendarSegment
	Ticks    []float64 // x of 06:00, 12:00 and 18:00
}

// calendarSegment is one stretch of a day with the same people on call (none: a gap).
type calendarSegment struct {
	X, Width float64 // in SVG units, already mirrored for right-to-left languages
	Label    string  // "08:00–16:00 rami, lina", also the bar's tooltip
	Gap      bool
}

// scheduleCalendar cuts spans into local days of zone, from the day holding from for n days.
// Stretches before the first span (the past) are left blank.
func scheduleCalendar(l *i18n.Localizer, spans []haven.ScheduleSpan, zone *time.Location, from time.Time, n int) []calendarDay {
	rtl := l.Dir() == "rtl"
	f := from.In(zone)
	days := make([]calendarDay, 0, n)
	for i := range n {
		start := time.Date(f.Year(), f.Month(), f.Day()+i, 0, 0, 0, 0, zone)
		end := time.Date(f.Year(), f.Month(), f.Day()+i+1, 0, 0, 0, 0, zone)
		day := calendarDay{Date: start}
		scale := calendarWidth / end.Sub(start).Minutes()
		for _, h := range []int{6, 12, 18} {
			tick := time.Date(start.Year(), start.Month(), start.Day(), h, 0, 0, 0, zone)
			day.Ticks = append(day.Ticks, mirror(tick.Sub(start).Minutes()*scale, 0, rtl))
		}
		for _, sp := range spans {
			a, b := maxTime(sp.Start, start), minTime(sp.End, end)
			if !a.Before(b) {
				continue
			}
			x, w := a.Sub(start).Minutes()*scale, b.Sub(a).Minutes()*scale
			day.Segments = append(day.Segments, calendarSegment{
				X: mirror(x, w, rtl), Width: w, Gap: len(sp.Users) == 0,
				Label: segmentLabel(l, a.In(zone), b.In(zone), b.Equal(end), sp.Users),
			})
		}
		days = append(days, day)
	}
	return days
}

// mirror flips a stretch [x, x+w) of the bar for right-to-left reading, where the day starts on the right.
func mirror(x, w float64, rtl bool) float64 {
	if rtl {
		return calendarWidth - x - w
	}
	return x
}

// segmentLabel says when and who, in the reader's digits; a stretch running to midnight ends at 24:00.
func segmentLabel(l *i18n.Localizer, a, b time.Time, toMidnight bool, users []string) string {
	until := b.Format("15:04")
	if toMidnight {
		until = "24:00"
	}
	who := strings.Join(users, ", ")
	if who == "" {
		who = l.T("oncall.nobody")
	}
	return l.Digits(a.Format("15:04")+"–"+until) + " " + who
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
