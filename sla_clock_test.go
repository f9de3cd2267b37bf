package haven_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// paris reads "2006-01-02 15:04" as Paris wall time.
func paris(t testing.TB, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// officeHours is Mon–Fri 09:00–17:00 in Paris, the calendar most tests use.
func officeHours(holidays ...string) *haven.BusinessCalendar {
	return &haven.BusinessCalendar{
		Name:     "office",
		TimeZone: "Europe/Paris",
		Days:     []string{"mon", "tue", "wed", "thu", "fri"},
		Start:    "09:00",
		End:      "17:00",
		Holidays: holidays,
	}
}

func TestBusinessCalendar247(t *testing.T) {
	cals := map[string]*haven.BusinessCalendar{
		"zero":       {},
		"nil":        nil,
		"paris zone": {Name: "always", TimeZone: "Europe/Paris"},
		// An invalid calendar counts everything, so that a misconfiguration cannot hide a breach.
		"bad zone": {Name: "office", TimeZone: "Mars/Olympus", Days: []string{"mon"}, Start: "09:00", End: "17:00"},
	}
	ranges := []struct{ from, to string }{
		{"2026-03-06 16:00", "2026-03-09 10:00"},
		{"2026-03-28 12:00", "2026-03-29 12:00"}, // spring forward: 23 hours of real time
		{"2026-10-24 12:00", "2026-10-25 12:00"}, // fall back: 25 hours
	}
	for name, cal := range cals {
		if name != "bad zone" && !cal.Is247() {
			t.Errorf("%s: Is247 = false", name)
		}
		for _, r := range ranges {
			from, to := paris(t, r.from), paris(t, r.to)
			wall := to.Sub(from)
			if got := cal.BusinessDuration(from, to); got != wall {
				t.Errorf("%s: BusinessDuration(%s, %s) = %v, want %v", name, r.from, r.to, got, wall)
			}
			if got := cal.AddBusiness(from, wall); !got.Equal(to) {
				t.Errorf("%s: AddBusiness(%s, %v) = %v, want %v", name, r.from, wall, got, to)
			}
			k := haven.SLAClock{Target: "resolution", Started: from, Budget: 48 * time.Hour}
			st := k.Status(cal, to, 0.75)
			if st.Elapsed != wall || !st.Due.Equal(from.Add(48*time.Hour)) {
				t.Errorf("%s: Status elapsed %v due %v, want %v and %v", name, st.Elapsed, st.Due, wall, from.Add(48*time.Hour))
			}
		}
	}
	if officeHours().Is247() {
		t.Error("office hours: Is247 = true")
	}
}

func TestBusinessCalendarAddBusiness(t *testing.T) {
	tests := []struct {
		name string
		cal  *haven.BusinessCalendar
		from string
		d    time.Duration
		want time.Time
	}{
		{"friday into monday", officeHours(), "2026-03-06 16:00", 2 * time.Hour, paris(t, "2026-03-09 10:00")},
		{"opened on saturday", officeHours(), "2026-03-07 11:00", time.Hour, paris(t, "2026-03-09 10:00")},
		{"across spring forward", officeHours(), "2026-03-27 16:30", time.Hour, time.Date(2026, 3, 30, 7, 30, 0, 0, time.UTC)},
		{"across fall back", officeHours(), "2026-10-23 16:30", time.Hour, time.Date(2026, 10, 26, 8, 30, 0, 0, time.UTC)},
		{"holiday on a thursday", officeHours("2025-12-25"), "2025-12-24 16:00", 2 * time.Hour, paris(t, "2025-12-26 10:00")},
		{"christmas 2026 is a friday", officeHours("2026-12-25"), "2026-12-24 16:00", 2 * time.Hour, paris(t, "2026-12-28 10:00")},
		{"runs out at closing", officeHours(), "2026-03-02 16:00", time.Hour, paris(t, "2026-03-02 17:00")},
		{"from closing", officeHours(), "2026-03-02 17:00", time.Hour, paris(t, "2026-03-03 10:00")},
		{"before opening", officeHours(), "2026-03-02 06:00", 30 * time.Minute, paris(t, "2026-03-02 09:30")},
		{"zero stays put outside hours", officeHours(), "2026-03-07 11:00", 0, paris(t, "2026-03-07 11:00")},
		{"negative stays put", officeHours(), "2026-03-02 10:00", -time.Hour, paris(t, "2026-03-02 10:00")},
		{"thirty business days", officeHours(), "2026-03-02 09:00", 30 * 8 * time.Hour, paris(t, "2026-04-10 17:00")},
		// 02:30 does not exist on 2026-03-29 in Paris: that Sunday has no business hours at all.
		{"opening in the skipped hour", &haven.BusinessCalendar{Name: "night", TimeZone: "Europe/Paris", Days: []string{"sun"}, Start: "02:30", End: "03:00"},
			"2026-03-28 12:00", 15 * time.Minute, paris(t, "2026-04-05 02:45")},
		{"weekend calendar", &haven.BusinessCalendar{Name: "weekend", TimeZone: "Asia/Tokyo", Days: []string{"sat", "sun"}, Start: "10:00", End: "12:00"},
			"2026-03-02 09:00", 3 * time.Hour, time.Date(2026, 3, 8, 2, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := paris(t, tt.from)
			got := tt.cal.AddBusiness(from, tt.d)
			if !got.Equal(tt.want) {
				t.Fatalf("AddBusiness = %v, want %v", got, tt.want.UTC())
			}
			if tt.d > 0 {
				if back := tt.cal.BusinessDuration(from, got); back != tt.d {
					t.Errorf("BusinessDuration(from, due) = %v, want %v", back, tt.d)
				}
				k := haven.SLAClock{Target: "first_response", Started: from, Budget: tt.d}
				if due := k.Status(tt.cal, from, 0.75).Due; !due.Equal(tt.want) {
					t.Errorf("Status at start: Due = %v, want %v", due, tt.want.UTC())
				}
			}
		})
	}
}

func TestBusinessDuration(t *testing.T) {
	tests := []struct {
		name     string
		cal      *haven.BusinessCalendar
		from, to string
		want     time.Duration
	}{
		{"over a weekend", officeHours(), "2026-03-06 16:00", "2026-03-09 10:00", 2 * time.Hour},
		{"inside one day", officeHours(), "2026-03-02 10:15", "2026-03-02 11:45", 90 * time.Minute},
		{"night only", officeHours(), "2026-03-02 17:00", "2026-03-03 09:00", 0},
		{"reversed", officeHours(), "2026-03-03 12:00", "2026-03-02 12:00", 0},
		{"empty", officeHours(), "2026-03-02 12:00", "2026-03-02 12:00", 0},
		{"week with dst change", officeHours(), "2026-03-23 00:00", "2026-04-06 00:00", 10 * 8 * time.Hour},
		{"holiday skipped", officeHours("2026-12-25"), "2026-12-21 00:00", "2026-12-28 00:00", 4 * 8 * time.Hour},
		// Auckland's Tuesday morning is still Monday in Paris: days are counted in the calendar's zone.
		{"dates in the calendar's zone", &haven.BusinessCalendar{Name: "nz", TimeZone: "Pacific/Auckland", Days: []string{"mon", "tue"}, Start: "09:00", End: "17:00"},
			"2026-03-01 21:00", "2026-03-02 22:00", 9 * time.Hour},
		{"a year", officeHours(), "2026-01-01 00:00", "2027-01-01 00:00", 261 * 8 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cal.BusinessDuration(paris(t, tt.from), paris(t, tt.to)); got != tt.want {
				t.Errorf("BusinessDuration = %v, want %v", got, tt.want)
			}
		})
	}
}

// want is the part of an SLAStatus a test case checks; Due is Paris wall time.
type slaWant struct {
	elapsed, remaining             time.Duration
	due                            string
	paused, breached, warning, met bool
}

func TestSLAStatus(t *testing.T) {
	mon := func(hm string) time.Time { return paris(t, "2026-03-02 "+hm) }
	stop := func(s string) *time.Time { v := paris(t, s); return &v }
	waitedForRequester := []haven.Pause{{Start: mon("10:00"), End: mon("14:00")}}
	tests := []struct {
		name  string
		clock haven.SLAClock
		at    time.Time
		want  slaWant
	}{
		{"pause uses exactly the budget", haven.SLAClock{Started: mon("09:00"), Budget: 3 * time.Hour, Pauses: waitedForRequester},
			mon("16:00"), slaWant{elapsed: 3 * time.Hour, due: "2026-03-02 16:00", warning: true}},
		{"pause then breach", haven.SLAClock{Started: mon("09:00"), Budget: 3 * time.Hour, Pauses: waitedForRequester},
			mon("16:30"), slaWant{elapsed: 210 * time.Minute, remaining: -30 * time.Minute, due: "2026-03-02 16:00", breached: true}},
		{"open pause", haven.SLAClock{Started: mon("09:00"), Budget: 5 * time.Hour, Pauses: []haven.Pause{{Start: mon("11:00")}}},
			mon("15:00"), slaWant{elapsed: 2 * time.Hour, remaining: 3 * time.Hour, due: "2026-03-03 10:00", paused: true}},
		{"resumed pause", haven.SLAClock{Started: mon("09:00"), Budget: 5 * time.Hour, Pauses: []haven.Pause{{Start: mon("11:00"), End: mon("15:00")}}},
			mon("15:00"), slaWant{elapsed: 2 * time.Hour, remaining: 3 * time.Hour, due: "2026-03-03 10:00"}},
		{"warning at 75%", haven.SLAClock{Started: mon("09:00"), Budget: 4 * time.Hour},
			mon("12:00"), slaWant{elapsed: 3 * time.Hour, remaining: time.Hour, due: "2026-03-02 13:00", warning: true}},
		{"no warning at 50%", haven.SLAClock{Started: mon("09:00"), Budget: 4 * time.Hour},
			mon("11:00"), slaWant{elapsed: 2 * time.Hour, remaining: 2 * time.Hour, due: "2026-03-02 13:00"}},
		{"met, then time passes", haven.SLAClock{Started: mon("09:00"), Budget: 4 * time.Hour, StoppedAt: stop("2026-03-02 12:00")},
			paris(t, "2026-03-09 12:00"), slaWant{elapsed: 3 * time.Hour, remaining: time.Hour, due: "2026-03-02 13:00", met: true}},
		{"stopped late", haven.SLAClock{Started: mon("09:00"), Budget: 2 * time.Hour, StoppedAt: stop("2026-03-02 12:00")},
			paris(t, "2026-03-09 12:00"), slaWant{elapsed: 3 * time.Hour, remaining: -time.Hour, due: "2026-03-02 11:00", breached: true}},
		{"stop in the future of at", haven.SLAClock{Started: mon("09:00"), Budget: 4 * time.Hour, StoppedAt: stop("2026-03-02 12:00")},
			mon("10:00"), slaWant{elapsed: time.Hour, remaining: 3 * time.Hour, due: "2026-03-02 13:00"}},
		{"overlapping pauses", haven.SLAClock{Started: mon("09:00"), Budget: 4 * time.Hour, Pauses: []haven.Pause{
			{Start: mon("11:00"), End: mon("14:00")}, {Start: mon("10:00"), End: mon("12:00")}, {Start: mon("11:30"), End: mon("11:45")},
			{Start: mon("06:00"), End: mon("08:00")}, {Start: mon("16:00"), End: mon("18:00")}}},
			mon("15:00"), slaWant{elapsed: 2 * time.Hour, remaining: 2 * time.Hour, due: "2026-03-02 17:00", paused: false}},
		{"budget runs out as the pause starts", haven.SLAClock{Started: mon("09:00"), Budget: time.Hour, Pauses: waitedForRequester},
			mon("15:00"), slaWant{elapsed: 2 * time.Hour, remaining: -time.Hour, due: "2026-03-02 10:00", breached: true}},
		{"breach inside a later day", haven.SLAClock{Started: paris(t, "2026-03-06 16:00"), Budget: 2 * time.Hour,
			Pauses: []haven.Pause{{Start: paris(t, "2026-03-09 09:30"), End: paris(t, "2026-03-09 11:00")}}},
			paris(t, "2026-03-09 15:00"), slaWant{elapsed: 330 * time.Minute, remaining: -210 * time.Minute, due: "2026-03-09 11:30", breached: true}},
		{"budget from minutes", haven.SLAClock{Started: mon("09:00"), BudgetMinutes: 90},
			mon("10:00"), slaWant{elapsed: time.Hour, remaining: 30 * time.Minute, due: "2026-03-02 10:30"}},
		{"not started yet", haven.SLAClock{Started: mon("10:00"), Budget: time.Hour},
			mon("08:00"), slaWant{remaining: time.Hour, due: "2026-03-02 11:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.clock.Target = "resolution"
			got := tt.clock.Status(officeHours(), tt.at, 0.75)
			checkSLA(t, got, tt.want)
		})
	}
}

func checkSLA(t *testing.T, got haven.SLAStatus, want slaWant) {
	t.Helper()
	if got.Target != "resolution" {
		t.Errorf("Target = %q", got.Target)
	}
	if got.Elapsed != want.elapsed || got.Remaining != want.remaining {
		t.Errorf("Elapsed, Remaining = %v, %v; want %v, %v", got.Elapsed, got.Remaining, want.elapsed, want.remaining)
	}
	if d := paris(t, want.due); !got.Due.Equal(d) {
		t.Errorf("Due = %v, want %v", got.Due.In(d.Location()), d)
	}
	if got.ElapsedMinutes != int(want.elapsed/time.Minute) || got.RemainingMinutes != int(want.remaining/time.Minute) {
		t.Errorf("minutes = %d, %d", got.ElapsedMinutes, got.RemainingMinutes)
	}
	flags := [4][2]bool{{got.Paused, want.paused}, {got.Breached, want.breached}, {got.Warning, want.warning}, {got.Met, want.met}}
	for i, name := range []string{"Paused", "Breached", "Warning", "Met"} {
		if flags[i][0] != flags[i][1] {
			t.Errorf("%s = %v, want %v", name, flags[i][0], flags[i][1])
		}
	}
	if budget := want.elapsed + want.remaining; budget > 0 {
		if share := float64(want.elapsed) / float64(budget); got.Share != share {
			t.Errorf("Share = %v, want %v", got.Share, share)
		}
	}
}

func TestSLAStatusWarningThreshold(t *testing.T) {
	start := paris(t, "2026-03-02 09:00")
	k := haven.SLAClock{Target: "next_update", Started: start, Budget: 4 * time.Hour}
	at := start.Add(3 * time.Hour)
	for _, tt := range []struct {
		warnAt float64
		want   bool
	}{{0.75, true}, {0.76, false}, {0.5, true}, {0, false}, {-1, false}} {
		if got := k.Status(officeHours(), at, tt.warnAt).Warning; got != tt.want {
			t.Errorf("warnAt %v: Warning = %v, want %v", tt.warnAt, got, tt.want)
		}
	}
}

func TestSLAStatusJSON(t *testing.T) {
	start := paris(t, "2026-03-02 09:00")
	in := haven.SLAClock{Target: "first_response", Started: start, Budget: 90 * time.Minute, BudgetMinutes: 90,
		Pauses: []haven.Pause{{Start: start.Add(30 * time.Minute)}}}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out haven.SLAClock
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	at := start.Add(2 * time.Hour)
	a, b := in.Status(officeHours(), at, 0.75), out.Status(officeHours(), at, 0.75)
	if !a.Due.Equal(b.Due) {
		t.Errorf("Due changed by a JSON round trip: %v, %v", a.Due, b.Due)
	}
	a.Due, b.Due = time.Time{}, time.Time{} // same instant, but not the same *time.Location
	if a != b {
		t.Errorf("status changed by a JSON round trip:\n%+v\n%+v", a, b)
	}
	st, err := json.Marshal(out.Status(officeHours(), at, 0.75))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"elapsed_minutes":30`, `"remaining_minutes":60`, `"paused":true`, `"share":0.3333`} {
		if !strings.Contains(string(st), key) {
			t.Errorf("status JSON %s lacks %s", st, key)
		}
	}
}

func TestBusinessCalendarValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(c *haven.BusinessCalendar)
		field string // "" = valid
	}{
		{"office hours", func(c *haven.BusinessCalendar) {}, ""},
		{"24/7", func(c *haven.BusinessCalendar) { *c = haven.BusinessCalendar{Name: "always"} }, ""},
		{"24/7 with zone", func(c *haven.BusinessCalendar) { *c = haven.BusinessCalendar{Name: "always", TimeZone: "UTC"} }, ""},
		{"bad zone", func(c *haven.BusinessCalendar) { c.TimeZone = "Europe/Atlantis" }, "time_zone"},
		{"local zone", func(c *haven.BusinessCalendar) { c.TimeZone = "Local" }, "time_zone"},
		{"no zone", func(c *haven.BusinessCalendar) { c.TimeZone = "" }, "time_zone"},
		{"bad day", func(c *haven.BusinessCalendar) { c.Days = []string{"mon", "funday"} }, "days[1]"},
		{"all days bad", func(c *haven.BusinessCalendar) { c.Days = []string{"Mon", "tues"} }, "days[0]"},
		{"repeated day", func(c *haven.BusinessCalendar) { c.Days = []string{"mon", "tue", "mon"} }, "days[2]"},
		{"end equals start", func(c *haven.BusinessCalendar) { c.End = "09:00" }, "end"},
		{"overnight", func(c *haven.BusinessCalendar) { c.Start, c.End = "22:00", "06:00" }, "end"},
		{"bad start", func(c *haven.BusinessCalendar) { c.Start = "9:00" }, "start"},
		{"missing end", func(c *haven.BusinessCalendar) { c.End = "" }, "end"},
		{"start with no days", func(c *haven.BusinessCalendar) { c.Days = nil; c.End = ""; c.Holidays = nil }, "start"},
		{"holiday with no days", func(c *haven.BusinessCalendar) {
			*c = haven.BusinessCalendar{Name: "always", Holidays: []string{"2026-12-25"}}
		}, "holidays"},
		{"bad holiday", func(c *haven.BusinessCalendar) { c.Holidays = []string{"2026-12-25", "2026-02-30"} }, "holidays[1]"},
		{"short holiday", func(c *haven.BusinessCalendar) { c.Holidays = []string{"2026-1-1"} }, "holidays[0]"},
		{"no name", func(c *haven.BusinessCalendar) { c.Name = "" }, "name"},
		{"upper-case name", func(c *haven.BusinessCalendar) { c.Name = "Office" }, "name"},
		{"long name", func(c *haven.BusinessCalendar) { c.Name = strings.Repeat("a", 64) }, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := officeHours("2026-12-25")
			tt.edit(c)
			err := c.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			he := haven.AsError(err)
			if he == nil || he.Code != haven.EINVALID || he.Fields[tt.field] == "" {
				t.Fatalf("Validate = %v, want %s error on %q", err, haven.EINVALID, tt.field)
			}
		})
	}
}

func BenchmarkSLAStatus(b *testing.B) {
	cal := officeHours("2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14")
	start := paris(b, "2026-03-02 09:30")
	k := haven.SLAClock{Target: "resolution", Started: start, Budget: 30 * 8 * time.Hour} // 30 business days
	for i := range 5 {
		day := start.AddDate(0, 0, 3*i+1)
		k.Pauses = append(k.Pauses, haven.Pause{Start: day.Add(time.Hour), End: day.Add(26 * time.Hour)})
	}
	for _, bb := range []struct {
		name string
		at   time.Time
	}{{"running", paris(b, "2026-03-25 12:00")}, {"breached", paris(b, "2026-05-29 12:00")}} {
		b.Run(bb.name, func(b *testing.B) {
			var st haven.SLAStatus
			for b.Loop() {
				st = k.Status(cal, bb.at, 0.75)
			}
			if st.Breached != (bb.name == "breached") {
				b.Fatalf("unexpected status %+v", st)
			}
		})
	}
}
