package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// statsCase opens a case at a given time, answers it after firstResponse (if any) and closes it
// after resolution (if any).
func statsCase(t *testing.T, f *fixture, at time.Time, in haven.CaseCreate, firstResponse, resolution time.Duration) string {
	t.Helper()
	f.clock.t = at
	c, err := f.svc.CreateCase(f.users["amira"], in)
	if err != nil {
		t.Fatal(err)
	}
	if firstResponse > 0 {
		f.clock.t = at.Add(firstResponse)
		if _, err := f.svc.AddMessage(f.users["amira"], c.Number, haven.MessageCreate{Direction: haven.Outbound, Channel: "phone",
			Text: "called back"}); err != nil {
			t.Fatal(err)
		}
	}
	if resolution > 0 {
		f.clock.t = at.Add(resolution)
		if _, err := f.svc.TransitionCase(f.users["amira"], c.Number, haven.Transition{To: haven.StatusClosed, Outcome: "resolved"}); err != nil {
			t.Fatal(err)
		}
	}
	return c.Number
}

func hoursOf(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}

// TestCaseStats: known cases give known figures by month and by category, filters apply, and a
// restricted case counts only for those who may see it.
func TestCaseStats(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 9, 0, 0, 0, time.UTC) }
		for _, slug := range []string{"phishing", "phishing/sms", "harassment"} {
			if _, err := f.svc.CreateCategory(f.admin, haven.CategoryInput{Slug: slug}); err != nil && haven.ErrorCode(err) != haven.ECONFLICT {
				t.Fatal(err)
			}
		}
		statsCase(t, f, day(3, 2), haven.CaseCreate{Title: "a", Team: "mena", Country: "LB", Categories: []string{"phishing/sms"}}, 3*time.Hour, 72*time.Hour)
		statsCase(t, f, day(3, 10), haven.CaseCreate{Title: "b", Team: "mena", Country: "LB", Categories: []string{"phishing"}}, 0, 0)
		statsCase(t, f, day(4, 1), haven.CaseCreate{Title: "c", Country: "MX", Categories: []string{"harassment"}}, time.Hour, 48*time.Hour)
		statsCase(t, f, day(3, 3), haven.CaseCreate{Title: "d", Team: "mena", Country: "LB", Categories: []string{"phishing"},
			TLP: "red", RestrictedTo: []string{"amira"}}, 0, 0)
		f.clock.t = day(5, 15)
		stats := func(who string, by, category, country string) *haven.CaseStats {
			t.Helper()
			q, err := haven.ParseCaseStatsQuery("2026-03-01", "2026-04-30", by, "", category, country)
			if err != nil {
				t.Fatal(err)
			}
			st, err := f.svc.CaseStats(f.users[who], q)
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		type fig struct{ new, closed, open int }
		check := func(where string, r haven.CaseStatsRow, want fig) {
			t.Helper()
			if got := (fig{r.New, r.Closed, r.Open}); got != want {
				t.Errorf("%s %q: %+v, want %+v", where, r.Key, got, want)
			}
		}
		st := stats("lucas", "month", "", "")
		if len(st.Rows) != 2 || st.Rows[0].Key != "2026-03" || st.Rows[1].Key != "2026-04" {
			t.Fatalf("months: %+v", st.Rows)
		}
		check("lucas march", st.Rows[0], fig{2, 1, 1})
		check("lucas april", st.Rows[1], fig{1, 1, 1})
		check("lucas total", st.Total, fig{3, 2, 1})
		if hoursOf(st.Rows[0].MedianFirstResponseHours) != 3 || hoursOf(st.Rows[0].MedianResolutionHours) != 72 ||
			hoursOf(st.Total.MedianResolutionHours) != 60 || hoursOf(st.Total.MedianFirstResponseHours) != 2 {
			t.Errorf("durations: march %+v total %+v", st.Rows[0], st.Total)
		}
		check("amira march (sees the restricted case)", stats("amira", "month", "", "").Rows[0], fig{3, 1, 2})
		byCat := map[string]haven.CaseStatsRow{}
		for _, r := range stats("lucas", "category", "", "").Rows {
			byCat[r.Key] = r
		}
		check("category", byCat["phishing/sms"], fig{1, 1, 0})
		check("category (with its sub-categories)", byCat["phishing"], fig{2, 1, 1})
		if byCat["phishing/sms"].Parent != "phishing" || byCat["phishing"].Parent != "" {
			t.Errorf("parents: %+v", byCat)
		}
		check("category", byCat["harassment"], fig{1, 1, 0})
		rows := func(by string) map[string]haven.CaseStatsRow {
			out := map[string]haven.CaseStatsRow{}
			for _, r := range stats("lucas", by, "", "").Rows {
				out[r.Key] = r
			}
			return out
		}
		check("team", rows("team")["mena"], fig{2, 1, 1})
		check("no team", rows("team")[""], fig{1, 1, 0})
		check("priority", rows("priority")["P3"], fig{3, 2, 1})
		check("outcome", rows("outcome")["resolved"], fig{2, 2, 0})
		check("no outcome yet", rows("outcome")[""], fig{1, 0, 1})
		check("channel", rows("channel")["api"], fig{3, 2, 1})
		check("nobody assigned", rows("assignee")[""], fig{3, 2, 1})
		check("no escalation", rows("platform")[""], fig{3, 2, 1})
		check("filter phishing and below", stats("lucas", "month", "phishing", "").Total, fig{2, 1, 1})
		check("filter MX", stats("lucas", "country", "", "mx").Total, fig{1, 1, 0})
		weeks := stats("lucas", "week", "", "") // 1 March is a Sunday: W09 holds that day alone
		if len(weeks.Rows) != 10 || weeks.Rows[0].Key != "2026-W09" || weeks.Rows[0].New != 0 || weeks.Rows[1].New != 1 {
			t.Errorf("weeks: %d rows, first %+v %+v", len(weeks.Rows), weeks.Rows[0], weeks.Rows[1])
		}
		// Open now (15 May): case b (P3, opened 10 March, 66 days) for lucas; and the restricted
		// case d (P3, 73 days) too for amira.
		for who, want := range map[string]int{"lucas": 1, "amira": 2} {
			bl, err := f.svc.Backlog(f.users[who], haven.CaseStatsQuery{})
			if err != nil {
				t.Fatal(err)
			}
			if p3 := bl.Rows[2]; p3.Priority != haven.P3 || p3.Counts[3] != want || p3.Total != want || bl.Rows[0].Total != 0 {
				t.Errorf("%s backlog: %+v", who, bl.Rows)
			}
		}
		_, err := f.svc.CaseStats(context.Background(), haven.CaseStatsQuery{})
		wantCode(t, err, haven.EUNAUTHORIZED)
	})
}

// TestBriefing: the executive report compares the period with the one before and says which
// groups moved: phishing rose from 5 to 8 cases (+60 %), harassment fell from 6 to 3 (-50 %),
// and a group too small to be a trend is left out.
func TestBriefing(t *testing.T) {
	f := newFixture(t)
	for _, slug := range []string{"phishing", "harassment", "doxxing"} {
		if _, err := f.svc.CreateCategory(f.admin, haven.CategoryInput{Slug: slug}); err != nil && haven.ErrorCode(err) != haven.ECONFLICT {
			t.Fatal(err)
		}
	}
	open := func(month time.Month, category string, n int) {
		for i := range n {
			statsCase(t, f, time.Date(2026, month, 1+i, 9, 0, 0, 0, time.UTC), haven.CaseCreate{Title: "x", Categories: []string{category}}, 0, 0)
		}
	}
	open(9, "phishing", 5)
	open(9, "harassment", 6)
	open(9, "doxxing", 1)
	open(10, "phishing", 8)
	open(10, "harassment", 3)
	open(10, "doxxing", 3)
	f.clock.t = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	q, err := haven.ParseCaseStatsQuery("2026-10-01", "2026-10-31", "", "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.svc.Briefing(f.users["fatou"], q)
	if err != nil {
		t.Fatal(err)
	}
	if b.Current.New != 14 || b.Previous.New != 12 || b.PrevFrom != "2026-08-31" || b.PrevTo != "2026-09-30" {
		t.Errorf("key figures: now %+v before %+v from %s", b.Current, b.Previous, b.PrevFrom)
	}
	want := []haven.Trend{{Dimension: "category", Key: "phishing", Before: 5, After: 8, Change: 60},
		{Dimension: "category", Key: "harassment", Before: 6, After: 3, Change: -50}}
	if len(b.Trends) != 2 || b.Trends[0] != want[0] || b.Trends[1] != want[1] {
		t.Errorf("trends: %+v, want %+v", b.Trends, want)
	}
}
