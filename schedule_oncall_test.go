package haven_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the DST facts below must not depend on the machine's zone files

	"github.com/haven-helpline/haven"
)

// local reads "2006-01-02 15:04" on the wall clock of zone (never an ambiguous time here).
func local(t testing.TB, zone, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func utc(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func schedule(zone string, layers ...haven.ScheduleLayer) *haven.Schedule {
	return &haven.Schedule{Name: "helpline", TimeZone: zone, Layers: layers}
}

// checkCover asserts that spans cover [from, to) exactly, in order, without holes or overlaps,
// and that no two neighbours should have been merged.
func checkCover(t *testing.T, spans []haven.ScheduleSpan, from, to time.Time) {
	t.Helper()
	if len(spans) == 0 {
		t.Fatal("no spans")
	}
	if !spans[0].Start.Equal(from) || !spans[len(spans)-1].End.Equal(to) {
		t.Errorf("spans cover [%v, %v), want [%v, %v)", spans[0].Start, spans[len(spans)-1].End, from, to)
	}
	for i, s := range spans {
		if !s.Start.Before(s.End) {
			t.Errorf("span %d is empty or reversed: %v", i, s)
		}
		if i == 0 {
			continue
		}
		prev := spans[i-1]
		if !prev.End.Equal(s.Start) {
			t.Errorf("span %d starts at %v, the previous one ends at %v", i, s.Start, prev.End)
		}
		if prev.Layer == s.Layer && strings.Join(prev.Users, ",") == strings.Join(s.Users, ",") {
			t.Errorf("spans %d and %d are identical neighbours, not merged: %v %v", i-1, i, prev, s)
		}
	}
}

// TestZoneFacts pins the tzdata transitions the DST tests rely on. Lebanon's zone is
// Asia/Beirut (there is no Europe/Beirut): it changes at local midnight, so the repeated hour
// in October is Saturday 23:00-24:00.
func TestZoneFacts(t *testing.T) {
	tests := []struct {
		zone       string
		at         string // the first instant of the new offset
		before     int    // offset in hours just before
		after      int
		wallBefore string // the local wall clock one second before
		wallAfter  string
	}{
		{"Asia/Beirut", "2026-03-28T22:00:00Z", 2, 3, "2026-03-28 23:59:59", "2026-03-29 01:00:00"},
		{"Asia/Beirut", "2026-10-24T21:00:00Z", 3, 2, "2026-10-24 23:59:59", "2026-10-24 23:00:00"},
		{"Europe/Paris", "2026-03-29T01:00:00Z", 1, 2, "2026-03-29 01:59:59", "2026-03-29 03:00:00"},
		{"Europe/Paris", "2026-10-25T01:00:00Z", 2, 1, "2026-10-25 02:59:59", "2026-10-25 02:00:00"},
		{"America/Sao_Paulo", "2018-02-18T02:00:00Z", -2, -3, "2018-02-17 23:59:59", "2018-02-17 23:00:00"},
		{"America/Sao_Paulo", "2018-11-04T03:00:00Z", -3, -2, "2018-11-03 23:59:59", "2018-11-04 01:00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.zone+" "+tt.at, func(t *testing.T) {
			loc, _ := time.LoadLocation(tt.zone)
			at := utc(t, tt.at).In(loc)
			justBefore := at.Add(-time.Second)
			const layout = "2006-01-02 15:04:05"
			_, off0 := justBefore.Zone()
			_, off1 := at.Zone()
			if off0 != tt.before*3600 || off1 != tt.after*3600 {
				t.Errorf("offsets %d→%d s, want %d→%d h", off0, off1, tt.before, tt.after)
			}
			if got := justBefore.Format(layout); got != tt.wallBefore {
				t.Errorf("wall clock before = %s, want %s", got, tt.wallBefore)
			}
			if got := at.Format(layout); got != tt.wallAfter {
				t.Errorf("wall clock after = %s, want %s", got, tt.wallAfter)
			}
		})
	}
	// Brazil abolished DST in 2019: no change at all in 2026.
	loc, _ := time.LoadLocation("America/Sao_Paulo")
	start, _ := time.Date(2026, 6, 1, 0, 0, 0, 0, loc).ZoneBounds()
	for _, month := range []time.Month{time.January, time.June, time.December} {
		if _, off := time.Date(2026, month, 1, 0, 0, 0, 0, loc).Zone(); off != -3*3600 || !start.Equal(utc(t, "2019-02-17T02:00:00Z")) {
			t.Errorf("Sao Paulo in %s 2026: offset %d s since %v, want -3h since 2019-02-17T02:00Z", month, off, start)
		}
	}
}

// TestDailyHandoffAcrossDST: a daily rotation hands off at the same local wall time every day,
// so the shift spanning a DST change lasts 23 or 25 hours.
func TestDailyHandoffAcrossDST(t *testing.T) {
	tests := []struct {
		zone, start    string // the layer's first handoff, local
		shift          string // the local start of the shift that spans the change
		wantFrom, want string // that shift, in UTC
		hours          int
		user           string
	}{
		{"Asia/Beirut", "2026-03-20T09:00", "2026-03-28 09:00", "2026-03-28T07:00:00Z", "2026-03-29T06:00:00Z", 23, "c"},
		{"Asia/Beirut", "2026-10-20T09:00", "2026-10-24 09:00", "2026-10-24T06:00:00Z", "2026-10-25T07:00:00Z", 25, "b"},
		{"Europe/Paris", "2026-03-20T09:00", "2026-03-28 09:00", "2026-03-28T08:00:00Z", "2026-03-29T07:00:00Z", 23, "c"},
		{"Europe/Paris", "2026-10-20T09:00", "2026-10-24 09:00", "2026-10-24T07:00:00Z", "2026-10-25T08:00:00Z", 25, "b"},
		{"America/Sao_Paulo", "2018-02-10T09:00", "2018-02-17 09:00", "2018-02-17T11:00:00Z", "2018-02-18T12:00:00Z", 25, "b"},
		{"America/Sao_Paulo", "2018-10-27T09:00", "2018-11-03 09:00", "2018-11-03T12:00:00Z", "2018-11-04T11:00:00Z", 23, "b"},
	}
	for _, tt := range tests { // user: shift index (local days since start) mod 3
		t.Run(tt.zone+" "+tt.shift, func(t *testing.T) {
			s := schedule(tt.zone, haven.ScheduleLayer{Name: "primary", Users: []string{"a", "b", "c"}, Start: tt.start, Rotation: "daily"})
			from := local(t, tt.zone, tt.shift).AddDate(0, 0, -3)
			to := from.AddDate(0, 0, 7)
			spans := s.Spans(from, to)
			checkCover(t, spans, from, to)
			loc, _ := time.LoadLocation(tt.zone)
			found := false
			for i, span := range spans {
				if i > 0 && span.Start.In(loc).Format("15:04") != "09:00" {
					t.Errorf("handoff at %v, want 09:00 local", span.Start.In(loc))
				}
				if span.Start.Equal(utc(t, tt.wantFrom)) {
					found = true
					if !span.End.Equal(utc(t, tt.want)) || span.End.Sub(span.Start) != time.Duration(tt.hours)*time.Hour {
						t.Errorf("shift ends %v after %v, want %s after %dh", span.End, span.End.Sub(span.Start), tt.want, tt.hours)
					}
					if len(span.Users) != 1 || span.Users[0] != tt.user {
						t.Errorf("shift users %v, want %s", span.Users, tt.user)
					}
				}
			}
			if !found {
				t.Errorf("no shift starts at %s: %v", tt.wantFrom, spans)
			}
		})
	}
}

// TestHandoffAtMissingOrRepeatedWallTime: a handoff in the spring-forward gap normalises
// forward (as time.Date does); one in the repeated fall-back hour takes the first occurrence.
func TestHandoffAtMissingOrRepeatedWallTime(t *testing.T) {
	tests := []struct {
		name, zone, start string
		at                string // an instant in the shift before the odd handoff
		want              string // the odd handoff
	}{
		// Beirut skips 00:00-01:00 on 2026-03-29: 00:30 becomes 01:30 EEST.
		{"Beirut gap", "Asia/Beirut", "2026-03-25T00:30", "2026-03-28T12:00:00Z", "2026-03-28T22:30:00Z"},
		// Paris skips 02:00-03:00 on 2026-03-29: 02:30 becomes 03:30 CEST.
		{"Paris gap", "Europe/Paris", "2026-03-25T02:30", "2026-03-28T12:00:00Z", "2026-03-29T01:30:00Z"},
		// Beirut repeats 23:00-24:00 on 2026-10-24: the first 23:30 is EEST, 20:30Z (not 21:30Z).
		{"Beirut repeat", "Asia/Beirut", "2026-10-20T23:30", "2026-10-24T12:00:00Z", "2026-10-24T20:30:00Z"},
		// Paris repeats 02:00-03:00 on 2026-10-25: the first 02:30 is CEST, 00:30Z (not 01:30Z,
		// which is what time.Date returns).
		{"Paris repeat", "Europe/Paris", "2026-10-20T02:30", "2026-10-24T12:00:00Z", "2026-10-25T00:30:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := schedule(tt.zone, haven.ScheduleLayer{Name: "primary", Users: []string{"a", "b"}, Start: tt.start, Rotation: "daily"})
			_, until := s.OnCall(utc(t, tt.at))
			if want := utc(t, tt.want); !until.Equal(want) {
				t.Errorf("handoff at %v, want %v", until.UTC(), want)
			}
		})
	}
	// A layer whose very first handoff is in the gap starts at the normalised instant.
	s := schedule("Europe/Paris", haven.ScheduleLayer{Name: "primary", Users: []string{"a"}, Start: "2026-03-29T02:30", Rotation: "weekly"})
	if users, until := s.OnCall(utc(t, "2026-03-29T01:00:00Z")); len(users) != 0 || !until.Equal(utc(t, "2026-03-29T01:30:00Z")) {
		t.Errorf("before a gap start: %v until %v, want nobody until 01:30Z", users, until)
	}
}

// TestWeeklySaoPauloHasNoDST: Brazil abolished DST in 2019, so every weekly shift in 2026 is
// exactly 168 hours, handed off at 09:00 local (12:00Z).
func TestWeeklySaoPauloHasNoDST(t *testing.T) {
	s := schedule("America/Sao_Paulo", haven.ScheduleLayer{Name: "primary", Users: []string{"a", "b"}, Start: "2026-01-05T09:00", Rotation: "weekly"})
	from, to := utc(t, "2026-01-05T12:00:00Z"), utc(t, "2027-01-04T12:00:00Z")
	spans := s.Spans(from, to)
	checkCover(t, spans, from, to)
	if len(spans) != 52 {
		t.Fatalf("%d shifts in 52 weeks", len(spans))
	}
	for i, span := range spans {
		if d := span.End.Sub(span.Start); d != 168*time.Hour || span.Start.UTC().Hour() != 12 {
			t.Errorf("shift %d from %v lasts %v, want 168h from 12:00Z", i, span.Start, d)
		}
		if want := []string{"a", "b"}[i%2]; span.Users[0] != want {
			t.Errorf("shift %d: %v, want %s", i, span.Users, want)
		}
	}
}

// TestHoursRotationIsElapsedTime: a 12-hour rotation stays 12 real hours across DST changes;
// the local handoff time moves instead.
func TestHoursRotationIsElapsedTime(t *testing.T) {
	tests := []struct{ zone, start, from string }{
		{"Europe/Paris", "2026-03-28T08:00", "2026-03-28T07:00:00Z"},
		{"Europe/Paris", "2026-10-24T08:00", "2026-10-24T06:00:00Z"},
		{"Asia/Beirut", "2026-10-24T08:00", "2026-10-24T05:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.zone+" "+tt.start, func(t *testing.T) {
			s := schedule(tt.zone, haven.ScheduleLayer{Name: "primary", Users: []string{"a", "b", "c"}, Start: tt.start, Rotation: "hours", Hours: 12})
			from := utc(t, tt.from)
			to := from.Add(6 * 12 * time.Hour)
			spans := s.Spans(from, to)
			checkCover(t, spans, from, to)
			if len(spans) != 6 {
				t.Fatalf("%d shifts, want 6: %v", len(spans), spans)
			}
			for i, span := range spans {
				if d := span.End.Sub(span.Start); d != 12*time.Hour {
					t.Errorf("shift %d lasts %v", i, d)
				}
				if want := []string{"a", "b", "c"}[i%3]; span.Users[0] != want {
					t.Errorf("shift %d: %v, want %s", i, span.Users, want)
				}
			}
		})
	}
}

func TestWeeklyRotation(t *testing.T) {
	const zone = "Europe/Paris"
	s := schedule(zone, haven.ScheduleLayer{Name: "primary", Users: []string{"ana", "ben", "cy"}, Start: "2026-01-05T09:00", Rotation: "weekly"})
	handoff := local(t, zone, "2026-05-18 09:00") // 133 days = 19 weeks after the start: shift 19
	tests := []struct {
		name      string
		at        time.Time
		want      string
		wantUntil time.Time
	}{
		{"before the start", local(t, zone, "2026-01-05 08:59"), "", local(t, zone, "2026-01-05 09:00")},
		{"at the start", local(t, zone, "2026-01-05 09:00"), "ana", local(t, zone, "2026-01-12 09:00")},
		{"just before handoff 19", handoff.Add(-time.Nanosecond), "ana", handoff},
		{"at handoff 19", handoff, "ben", local(t, zone, "2026-05-25 09:00")},
		{"mid-week", local(t, zone, "2026-05-20 12:00"), "ben", local(t, zone, "2026-05-25 09:00")},
		{"before the Monday handoff", local(t, zone, "2026-05-25 08:00"), "ben", local(t, zone, "2026-05-25 09:00")},
		{"a year on", local(t, zone, "2027-01-06 12:00"), "ben", local(t, zone, "2027-01-11 09:00")}, // shift 52
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			users, until := s.OnCall(tt.at)
			if got := strings.Join(users, ","); got != tt.want || !until.Equal(tt.wantUntil) {
				t.Errorf("OnCall = %q until %v, want %q until %v", got, until, tt.want, tt.wantUntil)
			}
		})
	}
}

// TestRestrictions: a business-hours layer over a 24/7 one, and overnight windows.
func TestRestrictions(t *testing.T) {
	const zone = "Europe/Paris"
	allDay := haven.ScheduleLayer{Name: "all-day", Users: []string{"night"}, Start: "2026-03-02T09:00", Rotation: "weekly"}
	business := haven.ScheduleLayer{Name: "business", Users: []string{"day"}, Start: "2026-03-02T09:00", Rotation: "weekly",
		Restrictions: []haven.ScheduleWindow{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Start: "09:00", End: "18:00"}}}
	nights := haven.ScheduleLayer{Name: "nights", Users: []string{"owl"}, Start: "2026-03-02T09:00", Rotation: "daily",
		Restrictions: []haven.ScheduleWindow{{Start: "22:00", End: "06:00"}}}
	fridayNight := haven.ScheduleLayer{Name: "friday", Users: []string{"fri"}, Start: "2026-03-02T09:00", Rotation: "daily",
		Restrictions: []haven.ScheduleWindow{{Days: []string{"fri"}, Start: "22:00", End: "06:00"}}}
	wholeDay := haven.ScheduleLayer{Name: "sunday", Users: []string{"sun"}, Start: "2026-03-02T09:00", Rotation: "daily",
		Restrictions: []haven.ScheduleWindow{{Days: []string{"sun"}, Start: "07:00", End: "07:00"}}}
	tests := []struct {
		name      string
		layers    []haven.ScheduleLayer
		at        string // local; 2026-03-10 is a Tuesday
		want      string
		wantUntil string
	}{
		{"business hours", []haven.ScheduleLayer{allDay, business}, "2026-03-10 10:00", "day", "2026-03-10 18:00"},
		{"evening", []haven.ScheduleLayer{allDay, business}, "2026-03-10 20:00", "night", "2026-03-11 09:00"},
		{"saturday", []haven.ScheduleLayer{allDay, business}, "2026-03-14 10:00", "night", "2026-03-16 09:00"},
		{"window closes exactly", []haven.ScheduleLayer{allDay, business}, "2026-03-10 18:00", "night", "2026-03-11 09:00"},
		{"lower layer listed last wins", []haven.ScheduleLayer{business, allDay}, "2026-03-10 10:00", "night", "2026-06-08 11:00"}, // never changes: 90 days on,
		{"overnight, evening", []haven.ScheduleLayer{allDay, nights}, "2026-03-10 23:00", "owl", "2026-03-11 06:00"},
		{"overnight, morning", []haven.ScheduleLayer{allDay, nights}, "2026-03-11 05:00", "owl", "2026-03-11 06:00"},
		{"overnight, noon", []haven.ScheduleLayer{allDay, nights}, "2026-03-11 12:00", "night", "2026-03-11 22:00"},
		{"friday night into saturday", []haven.ScheduleLayer{allDay, fridayNight}, "2026-03-14 03:00", "fri", "2026-03-14 06:00"},
		{"saturday night is not friday's", []haven.ScheduleLayer{allDay, fridayNight}, "2026-03-15 03:00", "night", "2026-03-20 22:00"},
		{"start == end is a full day", []haven.ScheduleLayer{allDay, wholeDay}, "2026-03-16 06:00", "sun", "2026-03-16 07:00"},
	}
	if local(t, zone, "2026-03-10 00:00").Weekday() != time.Tuesday {
		t.Fatal("2026-03-10 is not a Tuesday")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			users, until := schedule(zone, tt.layers...).OnCall(local(t, zone, tt.at))
			if got := strings.Join(users, ","); got != tt.want || !until.Equal(local(t, zone, tt.wantUntil)) {
				t.Errorf("OnCall = %q until %v, want %q until %s", got, until, tt.want, tt.wantUntil)
			}
		})
	}
}

// TestRestrictionAcrossDST: windows are local and DST-aware; the night of 2026-03-28 in Paris
// (22:00 CET to 06:00 CEST) is 7 hours long.
func TestRestrictionAcrossDST(t *testing.T) {
	s := schedule("Europe/Paris", haven.ScheduleLayer{Name: "nights", Users: []string{"owl"}, Start: "2026-03-02T09:00", Rotation: "daily",
		Restrictions: []haven.ScheduleWindow{{Start: "22:00", End: "06:00"}}})
	gaps := s.Gaps(utc(t, "2026-03-28T12:00:00Z"), utc(t, "2026-03-29T12:00:00Z"))
	spans := s.Spans(utc(t, "2026-03-28T12:00:00Z"), utc(t, "2026-03-29T12:00:00Z"))
	if len(spans) != 3 || !spans[1].Start.Equal(utc(t, "2026-03-28T21:00:00Z")) || !spans[1].End.Equal(utc(t, "2026-03-29T04:00:00Z")) {
		t.Errorf("spans %v, want the night 21:00Z-04:00Z", spans)
	}
	if len(gaps) != 2 || spans[1].End.Sub(spans[1].Start) != 7*time.Hour {
		t.Errorf("gaps %v", gaps)
	}
}

func TestOverrides(t *testing.T) {
	const zone = "Europe/Paris"
	s := schedule(zone, haven.ScheduleLayer{Name: "primary", Users: []string{"ana", "ben"}, Start: "2026-03-01T09:00", Rotation: "daily"})
	// 2026-03-15 is a Sunday: rami covers 02:00-08:00; sara covers part of rami's override.
	s.Overrides = []haven.ScheduleOverride{
		{User: "rami", Start: local(t, zone, "2026-03-15 02:00"), End: local(t, zone, "2026-03-15 08:00")},
		{User: "sara", Start: local(t, zone, "2026-03-15 04:00"), End: local(t, zone, "2026-03-15 05:00")},
	}
	tests := []struct {
		at, want, wantUntil string
	}{
		{"2026-03-15 01:59", "ben", "2026-03-15 02:00"},
		{"2026-03-15 02:00", "rami", "2026-03-15 04:00"},
		{"2026-03-15 04:30", "sara", "2026-03-15 05:00"},
		{"2026-03-15 05:00", "rami", "2026-03-15 08:00"},
		{"2026-03-15 08:00", "ben", "2026-03-15 09:00"},
		{"2026-03-15 09:00", "ana", "2026-03-16 09:00"},
	}
	for _, tt := range tests {
		t.Run(tt.at, func(t *testing.T) {
			users, until := s.OnCall(local(t, zone, tt.at))
			if got := strings.Join(users, ","); got != tt.want || !until.Equal(local(t, zone, tt.wantUntil)) {
				t.Errorf("OnCall = %q until %v, want %q until %s", got, until, tt.want, tt.wantUntil)
			}
		})
	}
	spans := s.Spans(local(t, zone, "2026-03-15 00:00"), local(t, zone, "2026-03-15 12:00"))
	var got []string
	for _, span := range spans {
		got = append(got, fmt.Sprintf("%s %s/%s", span.Start.In(span.Start.Location()).Format("15:04"), span.Users[0], span.Layer))
	}
	want := "00:00 ben/primary|02:00 rami/override|04:00 sara/override|05:00 rami/override|08:00 ben/primary|09:00 ana/primary"
	if strings.Join(got, "|") != want {
		t.Errorf("spans\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
}

func TestOnCallSearchLimit(t *testing.T) {
	s := schedule("UTC", haven.ScheduleLayer{Name: "solo", Users: []string{"ana"}, Start: "2026-01-01T09:00", Rotation: "daily"})
	at := utc(t, "2026-02-01T00:00:00Z")
	users, until := s.OnCall(at)
	if len(users) != 1 || users[0] != "ana" || !until.Equal(at.Add(90*24*time.Hour)) {
		t.Errorf("OnCall = %v until %v, want ana until 90 days on", users, until)
	}
}

// TestGaps: with only a business-hours layer, nobody is on call every evening and weekend.
func TestGaps(t *testing.T) {
	const zone = "Europe/Paris"
	s := schedule(zone, haven.ScheduleLayer{Name: "business", Users: []string{"day"}, Start: "2026-03-02T09:00", Rotation: "weekly",
		Restrictions: []haven.ScheduleWindow{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Start: "09:00", End: "18:00"}}})
	from, to := local(t, zone, "2026-03-09 00:00"), local(t, zone, "2026-03-16 00:00") // Monday to Monday
	want := [][2]string{
		{"2026-03-09 00:00", "2026-03-09 09:00"},
		{"2026-03-09 18:00", "2026-03-10 09:00"},
		{"2026-03-10 18:00", "2026-03-11 09:00"},
		{"2026-03-11 18:00", "2026-03-12 09:00"},
		{"2026-03-12 18:00", "2026-03-13 09:00"},
		{"2026-03-13 18:00", "2026-03-16 00:00"},
	}
	gaps := s.Gaps(from, to)
	if len(gaps) != len(want) {
		t.Fatalf("%d gaps, want %d: %v", len(gaps), len(want), gaps)
	}
	for i, g := range gaps {
		if !g.Start.Equal(local(t, zone, want[i][0])) || !g.End.Equal(local(t, zone, want[i][1])) || len(g.Users) != 0 || g.Layer != "" {
			t.Errorf("gap %d = %v, want %v", i, g, want[i])
		}
	}
	spans := s.Spans(from, to)
	checkCover(t, spans, from, to)
	if len(spans) != 11 {
		t.Errorf("%d spans, want 6 gaps and 5 business days", len(spans))
	}
}

// TestSpansMergeAndCover: handoffs to the same user merge, and a busy schedule's spans tile the
// month exactly.
func TestSpansMergeAndCover(t *testing.T) {
	solo := schedule("Europe/Paris", haven.ScheduleLayer{Name: "solo", Users: []string{"ana"}, Start: "2026-03-01T09:00", Rotation: "daily"})
	from, to := utc(t, "2026-03-20T00:00:00Z"), utc(t, "2026-04-03T00:00:00Z")
	if spans := solo.Spans(from, to); len(spans) != 1 || !spans[0].Start.Equal(from) || !spans[0].End.Equal(to) || spans[0].Layer != "solo" {
		t.Errorf("solo spans %v, want one merged span", spans)
	}
	busy := benchSchedule(t)
	from, to = utc(t, "2026-03-01T00:00:00Z"), utc(t, "2026-04-01T00:00:00Z")
	spans := busy.Spans(from, to)
	checkCover(t, spans, from, to)
	for _, span := range spans { // every span agrees with OnCall at its start and end
		users, until := busy.OnCall(span.Start)
		if strings.Join(users, ",") != strings.Join(span.Users, ",") || (until.Before(span.End) && until.Before(to)) {
			t.Errorf("span %v: OnCall says %v until %v", span, users, until)
		}
	}
	i := 0 // and OnCall at any instant names the user of the span holding it
	for at := from; at.Before(to); at = at.Add(13*time.Minute + time.Second) {
		for !spans[i].End.After(at) {
			i++
		}
		if users, _ := busy.OnCall(at); strings.Join(users, ",") != strings.Join(spans[i].Users, ",") {
			t.Errorf("at %v OnCall says %v, the span %v", at, users, spans[i])
		}
	}
	if len(busy.Spans(to, from)) != 0 {
		t.Error("reversed range has spans")
	}
}

func TestValidate(t *testing.T) {
	valid := func() *haven.Schedule {
		s := schedule("Europe/Paris", haven.ScheduleLayer{Name: "primary", Users: []string{"ana"}, Start: "2026-01-05T09:00", Rotation: "weekly",
			Restrictions: []haven.ScheduleWindow{{Days: []string{"mon"}, Start: "09:00", End: "18:00"}}})
		s.Overrides = []haven.ScheduleOverride{{User: "rami", Start: utc(t, "2026-03-15T01:00:00Z"), End: utc(t, "2026-03-15T07:00:00Z")}}
		return s
	}
	if err := valid().Validate(); err != nil {
		t.Fatalf("valid schedule: %v", err)
	}
	tests := []struct {
		name  string
		edit  func(*haven.Schedule)
		field string
	}{
		{"empty name", func(s *haven.Schedule) { s.Name = "" }, "name"},
		{"upper-case name", func(s *haven.Schedule) { s.Name = "Helpline" }, "name"},
		{"long name", func(s *haven.Schedule) { s.Name = strings.Repeat("a", 64) }, "name"},
		{"unknown zone", func(s *haven.Schedule) { s.TimeZone = "Europe/Beirut" }, "time_zone"},
		{"Local zone", func(s *haven.Schedule) { s.TimeZone = "Local" }, "time_zone"},
		{"unknown layer zone", func(s *haven.Schedule) { s.Layers[0].TimeZone = "Mars/Olympus" }, "layers[0].time_zone"},
		{"no layers", func(s *haven.Schedule) { s.Layers = nil }, "layers"},
		{"empty users", func(s *haven.Schedule) { s.Layers[0].Users = nil }, "layers[0].users"},
		{"empty username", func(s *haven.Schedule) { s.Layers[0].Users = []string{"ana", ""} }, "layers[0].users[1]"},
		{"layer named override", func(s *haven.Schedule) { s.Layers[0].Name = "override" }, "layers[0].name"},
		{"bad rotation", func(s *haven.Schedule) { s.Layers[0].Rotation = "monthly" }, "layers[0].rotation"},
		{"hours zero", func(s *haven.Schedule) { s.Layers[0].Rotation = "hours" }, "layers[0].hours"},
		{"hours negative", func(s *haven.Schedule) { s.Layers[0].Rotation, s.Layers[0].Hours = "hours", -12 }, "layers[0].hours"},
		{"hours on weekly", func(s *haven.Schedule) { s.Layers[0].Hours = 12 }, "layers[0].hours"},
		{"bad start", func(s *haven.Schedule) { s.Layers[0].Start = "2026-01-05 09:00" }, "layers[0].start"},
		{"start with seconds", func(s *haven.Schedule) { s.Layers[0].Start = "2026-01-05T09:00:00" }, "layers[0].start"},
		{"bad day", func(s *haven.Schedule) { s.Layers[0].Restrictions[0].Days = []string{"mon", "monday"} }, "layers[0].restrictions[0].days[1]"},
		{"bad window start", func(s *haven.Schedule) { s.Layers[0].Restrictions[0].Start = "9:00" }, "layers[0].restrictions[0].start"},
		{"bad window end", func(s *haven.Schedule) { s.Layers[0].Restrictions[0].End = "24:00" }, "layers[0].restrictions[0].end"},
		{"override end before start", func(s *haven.Schedule) { s.Overrides[0].End = s.Overrides[0].Start }, "overrides[0].end"},
		{"override without user", func(s *haven.Schedule) { s.Overrides[0].User = "" }, "overrides[0].user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := valid()
			tt.edit(s)
			err := s.Validate()
			he := haven.AsError(err)
			if he == nil || he.Code != haven.EINVALID {
				t.Fatalf("Validate() = %v, want an EINVALID error", err)
			}
			v := he.Fields
			if _, ok := v[tt.field]; !ok || len(v) != 1 {
				t.Errorf("problems %v, want exactly %s", v, tt.field)
			}
			if !strings.Contains(err.Error(), tt.field+": ") {
				t.Errorf("message %q does not name %s", err, tt.field)
			}
		})
	}
}

// TestValidateListsEveryProblem: one call reports all the problems, each under its field.
func TestValidateListsEveryProblem(t *testing.T) {
	s := &haven.Schedule{Name: "", TimeZone: "Nowhere/Else",
		Layers:    []haven.ScheduleLayer{{Name: "a", Rotation: "hourly", Start: "x"}, {Name: "b", Users: []string{"u"}, Start: "2026-01-05T09:00", Rotation: "hours"}},
		Overrides: []haven.ScheduleOverride{{User: "u"}, {User: "v"}, {User: "w", Start: time.Now(), End: time.Now().Add(-time.Hour)}},
	}
	he := haven.AsError(s.Validate())
	if he == nil {
		t.Fatal("no problems reported")
	}
	v := he.Fields
	for _, f := range []string{"name", "time_zone", "layers[0].users", "layers[0].rotation", "layers[0].start",
		"layers[1].hours", "overrides[0].start", "overrides[0].end", "overrides[2].end"} {
		if _, ok := v[f]; !ok {
			t.Errorf("no problem reported for %s in %v", f, v)
		}
	}
	// An invalid layer has nobody on call rather than a wrong answer.
	if users, _ := s.OnCall(time.Now()); len(users) != 0 {
		t.Errorf("invalid schedule has %v on call", users)
	}
}

// TestJSONContract pins the field names of the API.
func TestJSONContract(t *testing.T) {
	s := haven.Schedule{Name: "helpline", TimeZone: "Europe/Paris",
		Layers:    []haven.ScheduleLayer{{Name: "p", Users: []string{"ana"}, Start: "2026-01-05T09:00", Rotation: "hours", Hours: 12, TimeZone: "UTC", Restrictions: []haven.ScheduleWindow{{Days: []string{"mon"}, Start: "09:00", End: "18:00"}}}},
		Overrides: []haven.ScheduleOverride{{User: "rami", Start: utc(t, "2026-03-15T01:00:00Z"), End: utc(t, "2026-03-15T07:00:00Z")}},
	}
	got, _ := json.Marshal(s)
	want := `{"name":"helpline","time_zone":"Europe/Paris","layers":[{"name":"p","users":["ana"],"start":"2026-01-05T09:00","rotation":"hours","hours":12,"time_zone":"UTC","restrictions":[{"days":["mon"],"start":"09:00","end":"18:00"}]}],"overrides":[{"user":"rami","start":"2026-03-15T01:00:00Z","end":"2026-03-15T07:00:00Z"}]}`
	if string(got) != want {
		t.Errorf("schedule JSON\n%s\nwant\n%s", got, want)
	}
	gap := s.Gaps(utc(t, "2026-01-04T00:00:00Z"), utc(t, "2026-01-05T00:00:00Z"))
	got, _ = json.Marshal(gap)
	if want := `[{"start":"2026-01-04T00:00:00Z","end":"2026-01-05T00:00:00Z","users":[]}]`; string(got) != want {
		t.Errorf("gap JSON %s, want %s", got, want)
	}
}

// benchSchedule has 5 layers (mixed rotations and zones, 3 with restrictions) and 50 overrides
// spread over March 2026.
func benchSchedule(t testing.TB) *haven.Schedule {
	weekdays := []string{"mon", "tue", "wed", "thu", "fri"}
	s := &haven.Schedule{Name: "helpline", TimeZone: "Europe/Paris", Layers: []haven.ScheduleLayer{
		{Name: "base", Users: []string{"ana", "ben", "cy", "dora"}, Start: "2026-01-05T09:00", Rotation: "weekly"},
		{Name: "follow-sun", Users: []string{"eli", "fay"}, Start: "2026-01-01T08:00", Rotation: "hours", Hours: 12, TimeZone: "Asia/Beirut"},
		{Name: "business", Users: []string{"gil", "hana", "ivo"}, Start: "2026-01-05T09:00", Rotation: "daily",
			Restrictions: []haven.ScheduleWindow{{Days: weekdays, Start: "09:00", End: "18:00"}}},
		{Name: "nights", Users: []string{"jo", "kim"}, Start: "2026-01-05T22:00", Rotation: "weekly", TimeZone: "America/Sao_Paulo",
			Restrictions: []haven.ScheduleWindow{{Start: "22:00", End: "06:00"}}},
		{Name: "weekend", Users: []string{"lea", "max", "noor"}, Start: "2026-01-03T10:00", Rotation: "daily",
			Restrictions: []haven.ScheduleWindow{{Days: []string{"sat"}, Start: "10:00", End: "10:00"}, {Days: []string{"sun"}, Start: "10:00", End: "20:00"}}},
	}}
	start := utc(t, "2026-03-01T00:00:00Z")
	for i := range 50 {
		from := start.Add(time.Duration(i*14+3) * time.Hour)
		s.Overrides = append(s.Overrides, haven.ScheduleOverride{User: fmt.Sprintf("cover-%d", i), Start: from, End: from.Add(time.Duration(2+i%5) * time.Hour)})
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	return s
}

func BenchmarkOnCall(b *testing.B) {
	s := benchSchedule(b)
	at := utc(b, "2026-03-10T11:17:00Z")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if users, _ := s.OnCall(at.Add(time.Duration(i%1000) * 37 * time.Minute)); len(users) != 1 {
			b.Fatal("nobody on call")
		}
	}
}
