package haven

import (
	"slices"
	"time"
)

// searchLimit caps how far OnCall looks ahead for the next change of who is on call.
const searchLimit = 90 * 24 * time.Hour

// plan is a schedule resolved for one evaluation (one OnCall or Spans call).
type plan struct {
	layers    []layer
	overrides []ScheduleOverride
}

// who is the outcome at one instant: user "" is a gap.
type who struct {
	user  string
	layer string
}

func (w who) users() []string {
	if w.user == "" {
		return []string{}
	}
	return []string{w.user}
}

// compile resolves the schedule for one call, loading each time zone once. A layer that does
// not validate is left out, so it has nobody on call.
func (s *Schedule) compile() plan {
	locs := locations{}
	p := plan{overrides: s.Overrides}
	for _, l := range s.Layers {
		if c, problems := compileLayer(l, s.TimeZone, locs); len(problems) == 0 && c.loc != nil {
			p.layers = append(p.layers, c)
		}
	}
	return p
}

// at tells who is on call at t and the next instant after t at which that may change; a zero
// next means nothing ever changes again.
func (p *plan) at(t time.Time) (w who, next time.Time) {
	for i := len(p.overrides) - 1; i >= 0; i-- {
		o := p.overrides[i]
		if w.user == "" && !t.Before(o.Start) && t.Before(o.End) {
			w = who{o.User, overrideLayer} // listed last wins
		}
		next = earliestAfter(t, next, o.Start)
		next = earliestAfter(t, next, o.End)
	}
	for i := len(p.layers) - 1; i >= 0; i-- {
		l := &p.layers[i]
		user, on, change := l.at(t)
		if w.user == "" && on {
			w = who{user, l.name} // the last layer with someone on call wins
		}
		next = earliestAfter(t, next, change)
	}
	return w, next
}

// OnCall returns who is on call at `at` (one user, or none) and until when that stays true:
// the next handoff, window edge or override edge that changes the user. Spans of the same user
// from different layers count as one. If nothing changes within 90 days, until is at+90 days.
func (s *Schedule) OnCall(at time.Time) (users []string, until time.Time) {
	p := s.compile()
	now, next := p.at(at)
	limit := at.Add(searchLimit)
	for !next.IsZero() && next.Before(limit) {
		then, after := p.at(next)
		if then.user != now.user {
			return now.users(), next
		}
		next = after
	}
	return now.users(), limit
}

// Spans returns consecutive spans covering [from, to) without holes or overlaps; adjacent
// stretches with the same user from the same layer are merged, and gaps have empty Users.
func (s *Schedule) Spans(from, to time.Time) []ScheduleSpan {
	p := s.compile()
	spans := []ScheduleSpan{}
	for t := from; t.Before(to); {
		w, next := p.at(t)
		if next.IsZero() || next.After(to) {
			next = to
		}
		spans = appendSpan(spans, ScheduleSpan{Start: t, End: next, Users: w.users(), Layer: w.layer})
		t = next
	}
	return spans
}

// appendSpan appends s, or extends the last span when it has the same user and layer.
func appendSpan(spans []ScheduleSpan, s ScheduleSpan) []ScheduleSpan {
	if n := len(spans); n > 0 {
		last := &spans[n-1]
		if last.Layer == s.Layer && slices.Equal(last.Users, s.Users) {
			last.End = s.End
			return spans
		}
	}
	return append(spans, s)
}

// Gaps returns the stretches of [from, to) where nobody is on call.
func (s *Schedule) Gaps(from, to time.Time) []ScheduleSpan {
	gaps := []ScheduleSpan{}
	for _, span := range s.Spans(from, to) {
		if len(span.Users) == 0 {
			gaps = append(gaps, span)
		}
	}
	return gaps
}
