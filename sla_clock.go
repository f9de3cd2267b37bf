package haven

import (
	"fmt"
	"slices"
	"time"
)

// BusinessCalendar says when an SLA clock runs. Zero value (no days) = 24/7.
type BusinessCalendar struct {
	Name     string   `json:"name"`
	TimeZone string   `json:"time_zone"`          // IANA
	Days     []string `json:"days"`               // "mon".."sun"; empty = 24/7 (every day, all day)
	Start    string   `json:"start,omitempty"`    // "09:00" local
	End      string   `json:"end,omitempty"`      // "17:30" local, > Start (no overnight business days)
	Holidays []string `json:"holidays,omitempty"` // "2026-12-25" local dates with no business hours
	// Teams whose cases' clocks follow this calendar (P1 cases always run 24/7).
	Teams []string `json:"teams,omitempty"`
}

// maxCalendarDays bounds every day-by-day walk (ten years and a few days): no SLA target runs
// that long, and the bound keeps a corrupt timestamp or an odd calendar from looping for ever.
const maxCalendarDays = 3660

const calendarDay = 24 * time.Hour

// businessHours is a parsed BusinessCalendar, so that one Status call loads the zone once.
type businessHours struct {
	loc         *time.Location
	all         bool           // 24/7: every instant counts
	days        [7]bool        // indexed by time.Weekday
	open, close int            // minutes after local midnight
	holidays    map[int64]bool // dayNumber of each local date with no business hours
}

// Validate reports every invalid field at once, so an administrator fixes a calendar in one go.
func (c *BusinessCalendar) Validate() error {
	_, v := parseCalendar(c)
	v.Check(validName(c.Name), "name", "must be 1 to 63 lower-case letters, digits or hyphens")
	return v.Err()
}

// Is247 reports whether the clock runs every day, all day.
func (c *BusinessCalendar) Is247() bool {
	return c == nil || len(c.Days) == 0
}

// BusinessDuration is how much business time elapses between from and to (0 if to <= from).
func (c *BusinessCalendar) BusinessDuration(from, to time.Time) time.Duration {
	return c.hours().duration(from, to)
}

// AddBusiness returns the instant when d of business time has elapsed after from; from itself
// when d <= 0. From outside business hours, the count starts at the next opening.
func (c *BusinessCalendar) AddBusiness(from time.Time, d time.Duration) time.Time {
	return c.hours().add(from, d)
}

// hours parses c for the clock arithmetic. A calendar that fails Validate (or a nil one) counts
// as 24/7 in UTC: these methods cannot return an error, and counting too much time can only make
// a breach show early, never hide one.
func (c *BusinessCalendar) hours() *businessHours {
	if c == nil {
		return &businessHours{loc: time.UTC, all: true}
	}
	h, v := parseCalendar(c)
	if len(v) > 0 {
		return &businessHours{loc: time.UTC, all: true}
	}
	return &h
}

// parseCalendar checks and parses everything but the name, which the arithmetic does not need.
func parseCalendar(c *BusinessCalendar) (businessHours, Validation) {
	v := Validation{}
	h := businessHours{loc: time.UTC, all: len(c.Days) == 0}
	// A 24/7 clock needs no zone (every instant counts), but a zone that is given must be real.
	if c.TimeZone != "" || !h.all {
		loc, err := locations{}.load(c.TimeZone)
		if err != nil {
			v.Add("time_zone", err.Error())
		} else {
			h.loc = loc
		}
	}
	if h.all {
		// Hours or holidays without days would be silently ignored: refuse them instead.
		v.Check(c.Start == "", "start", "must be empty when days is empty (24/7)")
		v.Check(c.End == "", "end", "must be empty when days is empty (24/7)")
		v.Check(len(c.Holidays) == 0, "holidays", "must be empty when days is empty (24/7)")
		return h, v
	}
	h.parseDays(c.Days, v)
	h.parseClockHours(c.Start, c.End, v)
	h.parseHolidays(c.Holidays, v)
	return h, v
}

func (h *businessHours) parseDays(days []string, v Validation) {
	for i, name := range days {
		d, ok := weekdays[name]
		switch {
		case !ok:
			v.Add(fmt.Sprintf("days[%d]", i), `must be one of "mon" "tue" "wed" "thu" "fri" "sat" "sun"`)
		case h.days[d]:
			v.Add(fmt.Sprintf("days[%d]", i), "is listed twice")
		default:
			h.days[d] = true
		}
	}
}

// parseClockHours refuses End <= Start: a business day that runs past midnight would belong to
// two local dates, and holidays and weekdays would become ambiguous.
func (h *businessHours) parseClockHours(start, end string, v Validation) {
	var errStart, errEnd error
	h.open, errStart = parseClock(start)
	h.close, errEnd = parseClock(end)
	if errStart != nil {
		v.Add("start", errStart.Error())
	}
	if errEnd != nil {
		v.Add("end", errEnd.Error())
	}
	if errStart == nil && errEnd == nil && h.close <= h.open {
		v.Add("end", "must be after start")
	}
}

func (h *businessHours) parseHolidays(holidays []string, v Validation) {
	const layout = "2006-01-02"
	for i, s := range holidays {
		t, err := time.Parse(layout, s)
		if err != nil || len(s) != len(layout) {
			v.Add(fmt.Sprintf("holidays[%d]", i), fmt.Sprintf("must be a date such as %q", "2026-12-25"))
			continue
		}
		if h.holidays == nil {
			h.holidays = map[int64]bool{}
		}
		h.holidays[dayNumber(t.Date())] = true
	}
}

// localDay is the local date of t, as midnight UTC: stepping such a value by 24 hours walks the
// calendar exactly, whatever the zone's DST changes.
func (h *businessHours) localDay(t time.Time) time.Time {
	y, m, d := t.In(h.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// span returns the business hours of one local date (from localDay); ok is false on a closed
// day. Each day's instants come from the wall clock, so a DST change moves them correctly.
func (h *businessHours) span(day time.Time) (open, close time.Time, ok bool) {
	y, m, d := day.Date()
	if !h.days[day.Weekday()] || h.holidays[dayNumber(y, m, d)] {
		return time.Time{}, time.Time{}, false
	}
	open = localTime(y, m, d, h.open/60, h.open%60, h.loc)
	close = localTime(y, m, d, h.close/60, h.close%60, h.loc)
	// An opening inside a skipped spring-forward hour can normalise past the closing.
	return open, close, close.After(open)
}

func (h *businessHours) duration(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	if h.all {
		return to.Sub(from)
	}
	var total time.Duration
	last := h.localDay(to)
	day := h.localDay(from)
	for i := 0; i < maxCalendarDays && !day.After(last); i++ {
		if open, close, ok := h.span(day); ok {
			total += overlapOf(open, close, from, to)
		}
		day = day.Add(calendarDay)
	}
	return total
}

// overlapOf is the length of [a0, a1) ∩ [b0, b1).
func overlapOf(a0, a1, b0, b1 time.Time) time.Duration {
	start, end := a0, a1
	if b0.After(start) {
		start = b0
	}
	if b1.Before(end) {
		end = b1
	}
	if !end.After(start) {
		return 0
	}
	return end.Sub(start)
}

func (h *businessHours) add(from time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return from
	}
	if h.all {
		return from.Add(d)
	}
	day := h.localDay(from)
	for range maxCalendarDays {
		open, close, ok := h.span(day)
		day = day.Add(calendarDay)
		if !ok || !close.After(from) {
			continue
		}
		if open.Before(from) {
			open = from
		}
		// A budget that runs out exactly at closing is due at closing, not at the next opening.
		avail := close.Sub(open)
		if d <= avail {
			return open.Add(d)
		}
		d -= avail
	}
	// Only a budget longer than ten years of business time gets here; count the rest as wall
	// time rather than walk on.
	return from.Add(maxCalendarDays*calendarDay + d)
}

// Pause is a stretch the clock stood still (the case waited for the requester). End zero = still paused.
type Pause struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end,omitempty"`
}

// SLAClock is one running target of a case.
type SLAClock struct {
	Target        string        `json:"target"` // first_response, next_update, resolution
	Started       time.Time     `json:"started"`
	Budget        time.Duration `json:"-"` // the target's length in business time
	BudgetMinutes int           `json:"budget_minutes"`
	Pauses        []Pause       `json:"pauses,omitempty"`
	StoppedAt     *time.Time    `json:"stopped_at,omitempty"` // met (first response sent, case resolved)
}

// SLAStatus is a clock's state at an instant.
type SLAStatus struct {
	Target           string        `json:"target"`
	Due              time.Time     `json:"due"` // when the budget runs out (if paused now: as if it resumed now)
	Elapsed          time.Duration `json:"-"`   // business time used, excluding pauses
	Remaining        time.Duration `json:"-"`   // Budget - Elapsed (negative when breached)
	ElapsedMinutes   int           `json:"elapsed_minutes"`
	RemainingMinutes int           `json:"remaining_minutes"` // rounded down: a breach never shows as 0
	Share            float64       `json:"share"`             // Elapsed/Budget
	Paused           bool          `json:"paused"`
	Breached         bool          `json:"breached"` // Elapsed > Budget (at stop time when stopped)
	Warning          bool          `json:"warning"`  // running, not breached, Share >= warnAt
	Met              bool          `json:"met"`      // stopped within budget
}

// clockSpan is a half-open stretch of wall time [start, end).
type clockSpan struct{ start, end time.Time }

// Status evaluates the clock at at on calendar cal (nil = 24/7), warning at share warnAt (e.g.
// 0.75); warnAt <= 0 turns warnings off, so an unset threshold does not flag every clock.
func (k *SLAClock) Status(cal *BusinessCalendar, at time.Time, warnAt float64) SLAStatus {
	h := cal.hours()
	budget := k.budget()
	end, stopped := k.end(at)
	spans := runningSpans(k.Started, end, k.Pauses)
	used := make([]time.Duration, len(spans))
	var elapsed time.Duration
	for i, s := range spans {
		used[i] = h.duration(s.start, s.end)
		elapsed += used[i]
	}
	s := SLAStatus{
		Target:    k.Target,
		Elapsed:   elapsed,
		Remaining: budget - elapsed,
		Share:     shareOf(elapsed, budget),
		Breached:  elapsed > budget,
		Paused:    !stopped && k.pausedAt(at),
	}
	s.ElapsedMinutes, s.RemainingMinutes = floorMinutes(s.Elapsed), floorMinutes(s.Remaining)
	s.Met = stopped && !s.Breached
	s.Warning = !stopped && !s.Breached && warnAt > 0 && s.Share >= warnAt
	if s.Breached {
		s.Due = ranOut(h, spans, used, budget)
	} else {
		s.Due = h.add(laterOf(end, k.Started), s.Remaining)
	}
	return s
}

// budget is Budget, or BudgetMinutes when Budget is unset: Budget is not serialised, so a clock
// read back from JSON carries only the minutes.
func (k *SLAClock) budget() time.Duration {
	switch {
	case k.Budget > 0:
		return k.Budget
	case k.BudgetMinutes > 0:
		return time.Duration(k.BudgetMinutes) * time.Minute
	}
	return 0
}

// end is where counting stops: the stop if it happened by at, otherwise at. A stop after at is
// ignored so that evaluating the past shows the clock as it ran then.
func (k *SLAClock) end(at time.Time) (time.Time, bool) {
	if k.StoppedAt != nil && !k.StoppedAt.After(at) {
		return *k.StoppedAt, true
	}
	return at, false
}

func (k *SLAClock) pausedAt(at time.Time) bool {
	if at.Before(k.Started) {
		return false
	}
	for _, p := range k.Pauses {
		if !p.Start.After(at) && (p.End.IsZero() || p.End.After(at)) {
			return true
		}
	}
	return false
}

// runningSpans returns [from, to) minus the pauses, in order: the stretches the clock ran.
// Sorting the clipped pauses first lets one sweep absorb overlapping and nested pauses.
func runningSpans(from, to time.Time, pauses []Pause) []clockSpan {
	var spans []clockSpan
	cur := from
	for _, p := range clippedPauses(from, to, pauses) {
		if p.start.After(cur) {
			spans = append(spans, clockSpan{cur, p.start})
		}
		cur = laterOf(cur, p.end)
	}
	if to.After(cur) {
		spans = append(spans, clockSpan{cur, to})
	}
	return spans
}

// clippedPauses cuts the pauses to [from, to), sorted by start; an open pause lasts until to.
func clippedPauses(from, to time.Time, pauses []Pause) []clockSpan {
	out := make([]clockSpan, 0, len(pauses))
	for _, p := range pauses {
		end := p.End
		if end.IsZero() || end.After(to) {
			end = to
		}
		start := laterOf(p.Start, from)
		if end.After(start) {
			out = append(out, clockSpan{start, end})
		}
	}
	slices.SortFunc(out, func(a, b clockSpan) int { return a.start.Compare(b.start) })
	return out
}

// ranOut finds the instant a breached clock's budget ran out: inside the first running stretch
// where the business time used reaches the budget.
func ranOut(h *businessHours, spans []clockSpan, used []time.Duration, budget time.Duration) time.Time {
	var acc time.Duration
	for i, s := range spans {
		if acc+used[i] >= budget {
			return h.add(s.start, budget-acc)
		}
		acc += used[i]
	}
	return time.Time{} // unreachable when the clock is breached: the spans add up to more
}

// shareOf is Elapsed/Budget; a zero budget counts as used up rather than producing an infinity
// that JSON cannot encode.
func shareOf(elapsed, budget time.Duration) float64 {
	if budget <= 0 {
		return 1
	}
	return float64(elapsed) / float64(budget)
}

func floorMinutes(d time.Duration) int {
	m := d / time.Minute
	if d%time.Minute < 0 {
		m--
	}
	return int(m)
}

func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
