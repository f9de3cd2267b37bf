package service_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/service"
	"github.com/haven-helpline/haven/testenv"
)

// TestRollupsEqualRecount: after random writes — cases opened over six months in several teams,
// categories and countries, some restricted, answered, closed, reopened, recategorised,
// escalated, purged by retention, their requesters merged and erased, categories renamed — the
// statistics answered from the per-day roll-ups equal a full recount of the cases, for every
// grouping and for readers who see different cases; and a rebuild changes nothing.
func TestRollupsEqualRecount(t *testing.T) {
	for name, dsn := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "h.db") },
		"postgres": func(t *testing.T) string { return testenv.Postgres(t) },
	} {
		t.Run(name, func(t *testing.T) {
			rolled, counted, f := twinServices(t, dsn(t))
			randomHistory(t, f, rand.New(rand.NewPCG(7, 11)))
			compareStats(t, rolled, counted, f)
			if _, err := rolled.RebuildRollups(context.Background()); err != nil {
				t.Fatal(err)
			}
			compareStats(t, rolled, counted, f)
		})
	}
}

// twinServices are two services over one database: one answers from the roll-ups, the other
// counts the cases. The fixture drives the first.
func twinServices(t *testing.T, dsn string) (*service.Service, *service.Service, *fixture) {
	t.Helper()
	db := openTestDB(t, dsn)
	clock := &fixedClock{t: time.Date(2025, 11, 1, 8, 0, 0, 0, time.UTC)}
	rolled := service.New(db, clock, service.DefaultConfig())
	cfg := service.DefaultConfig()
	cfg.StatsFromCases = true
	counted := service.New(db, clock, cfg)
	admin, err := rolled.CreateFirstAdmin(context.Background(), "admin", "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{svc: rolled, clock: clock, admin: as(admin, false), users: map[string]context.Context{}}
	for _, u := range []struct{ name, team string }{{"amira", "mena"}, {"lucas", "latam"}} {
		created, err := rolled.CreateUser(f.admin, haven.UserCreate{Username: u.name, Role: haven.RoleHandler, Password: "a long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rolled.CreateTeam(f.admin, u.team); err != nil {
			t.Fatal(err)
		}
		if _, err := rolled.AddTeamMember(f.admin, u.team, u.name); err != nil {
			t.Fatal(err)
		}
		created.Teams = []string{u.team}
		f.users[u.name] = as(created, false)
	}
	lead, err := rolled.CreateUser(f.admin, haven.UserCreate{Username: "fatou", Role: haven.RoleLead, Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	f.users["fatou"] = as(lead, false)
	for _, slug := range []string{"phishing", "phishing/sms", "harassment", "spam", "doxxing"} {
		if _, err := rolled.CreateCategory(f.admin, haven.CategoryInput{Slug: slug}); err != nil && haven.ErrorCode(err) != haven.ECONFLICT {
			t.Fatal(err)
		}
	}
	return rolled, counted, f
}

// randomHistory writes six months of helpline life with r's choices.
func randomHistory(t *testing.T, f *fixture, r *rand.Rand) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	start := time.Date(2025, 11, 1, 8, 0, 0, 0, time.UTC)
	var numbers []string
	var requesters []int64
	for i := range 120 {
		f.clock.t = start.Add(time.Duration(i) * 36 * time.Hour).Add(time.Duration(r.IntN(600)) * time.Minute)
		who := []string{"amira", "lucas"}[r.IntN(2)]
		in := haven.CaseCreate{Title: "case", Country: []string{"LB", "MX", "TN", ""}[r.IntN(4)],
			Categories: [][]string{{"phishing"}, {"phishing/sms"}, {"harassment"}, {"spam"}, {"doxxing", "harassment"}, {}}[r.IntN(6)],
			Priority:   haven.Priority([]string{"P1", "P2", "P3", "P4"}[r.IntN(4)]), Channel: []string{"web", "email", "api"}[r.IntN(3)],
			Team: map[string]string{"amira": "mena", "lucas": "latam"}[who], Requester: &haven.RequesterInput{Name: fmt.Sprintf("person %d", r.IntN(40))}}
		if r.IntN(6) == 0 {
			in.TLP, in.RestrictedTo = "red", []string{who}
		}
		c, err := f.svc.CreateCase(f.users[who], in)
		must(err)
		numbers, requesters = append(numbers, c.Number), append(requesters, c.RequesterID)
		randomLife(t, f, r, who, c.Number)
		if i%10 == 9 { // the SLA job records the breaches of the clocks past due; the roll-up job runs
			_, err := f.svc.CheckSLAs(f.admin)
			must(err)
			_, err = f.svc.RefreshRollups(context.Background()) // later writes then change stored facts
			must(err)
		}
	}
	f.clock.t = start.AddDate(0, 7, 0)
	_, err := f.svc.SetRetentionPolicy(f.admin, haven.RetentionPolicy{Category: "spam", Days: 30})
	must(err)
	_, err = f.svc.PurgeExpired(f.admin)
	must(err)
	_, err = f.svc.MergeRequesters(f.users["fatou"], requesters[0], requesters[1])
	if err != nil && haven.ErrorCode(err) != haven.EINVALID && haven.ErrorCode(err) != haven.ENOTFOUND && haven.ErrorCode(err) != haven.ECONFLICT {
		t.Fatal(err)
	}
	_, err = f.svc.EraseRequester(f.users["fatou"], requesters[len(requesters)-1])
	if err != nil && haven.ErrorCode(err) != haven.ENOTFOUND {
		t.Fatal(err)
	}
	renamed := "harassment/doxxing"
	_, err = f.svc.UpdateCategory(f.admin, "doxxing", haven.CategoryUpdate{Slug: &renamed})
	must(err)
	_ = numbers
}

// randomLife answers, escalates, closes, reopens and recategorises a case, now and then.
func randomLife(t *testing.T, f *fixture, r *rand.Rand, who, number string) {
	t.Helper()
	ctx := f.users[who]
	later := func() { f.clock.t = f.clock.t.Add(time.Duration(1+r.IntN(90)) * time.Hour) }
	step := func(err error) {
		t.Helper()
		if err != nil && haven.ErrorCode(err) != haven.ECONFLICT {
			t.Fatal(err)
		}
	}
	if r.IntN(3) > 0 {
		later()
		_, err := f.svc.AddMessage(ctx, number, haven.MessageCreate{Direction: haven.Outbound, Channel: "phone", Text: "called"})
		step(err)
	}
	if r.IntN(4) == 0 {
		e, err := f.svc.CreateEscalation(ctx, number, haven.EscalationCreate{Platform: []string{"instagram", "facebook"}[r.IntN(2)],
			Kind: "other", Channel: "web-form", Body: "please"})
		step(err)
		if err == nil && r.IntN(3) > 0 { // sent, and now and then answered
			_, err = f.svc.TransitionEscalation(ctx, e.ID, haven.EscalationTransition{To: haven.EscalationSent,
				ConsentOverride: true, Reason: "requester unreachable"})
			step(err)
			if r.IntN(2) == 0 {
				later()
				_, err = f.svc.TransitionEscalation(ctx, e.ID, haven.EscalationTransition{To: haven.EscalationAcknowledged, Reference: "T-1"})
				step(err)
			}
		}
	}
	if r.IntN(5) == 0 {
		country := []string{"LB", "FR"}[r.IntN(2)]
		_, err := f.svc.UpdateCase(ctx, number, haven.CaseUpdate{Country: &country, Categories: &[]string{"harassment"}})
		step(err)
	}
	if r.IntN(3) > 0 {
		later()
		_, err := f.svc.TransitionCase(ctx, number, haven.Transition{To: haven.StatusClosed, Outcome: "resolved"})
		step(err)
		if r.IntN(4) == 0 {
			later()
			_, err := f.svc.TransitionCase(ctx, number, haven.Transition{To: haven.StatusOpen, Reason: "wrote again"})
			step(err)
		}
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// compareStats asks both services every grouping and the backlog, for several readers, and
// wants the same.
func compareStats(t *testing.T, rolled, counted *service.Service, f *fixture) {
	t.Helper()
	for _, who := range []string{"amira", "lucas", "fatou"} {
		a, err := rolled.Backlog(f.users[who], haven.CaseStatsQuery{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := counted.Backlog(f.users[who], haven.CaseStatsQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if ja, jb := fmt.Sprint(a), fmt.Sprint(b); ja != jb {
			t.Errorf("%s backlog:\nroll-ups %s\ncounted  %s", who, ja, jb)
		}
		q, err := haven.ParseCaseStatsQuery("2025-12-01", "2026-03-31", "", "", "", "")
		if err != nil {
			t.Fatal(err)
		}
		da, err := rolled.Dashboard(f.users[who], q, haven.CaseStatsGroupings())
		if err != nil {
			t.Fatal(err)
		}
		db, err := counted.Dashboard(f.users[who], q, haven.CaseStatsGroupings())
		if err != nil {
			t.Fatal(err)
		}
		if ja, jb := mustJSON(da), mustJSON(db); ja != jb {
			t.Errorf("%s dashboard:\nroll-ups %s\ncounted  %s", who, ja, jb)
		}
		compareFiltered(t, rolled, f.users[who])
		compareFilteredCounted(t, rolled, counted, f.users[who], who)
		for _, by := range haven.CaseStatsGroupings() {
			for _, period := range [][2]string{{"2025-12-01", "2026-03-31"}, {"2025-11-01", "2026-06-30"}} {
				q, err := haven.ParseCaseStatsQuery(period[0], period[1], by, "", "", "")
				if err != nil {
					t.Fatal(err)
				}
				a, err := rolled.CaseStats(f.users[who], q)
				if err != nil {
					t.Fatal(err)
				}
				b, err := counted.CaseStats(f.users[who], q)
				if err != nil {
					t.Fatal(err)
				}
				ja, _ := json.Marshal(a)
				jb, _ := json.Marshal(b)
				if string(ja) != string(jb) {
					t.Errorf("%s by %s %v:\nroll-ups %s\ncounted  %s", who, by, period, ja, jb)
				}
			}
		}
	}
}

// compareFiltered wants a filtered dashboard (one pass over the cases for every panel) to give
// each grouping's own figures.
func compareFiltered(t *testing.T, svc *service.Service, who context.Context) {
	t.Helper()
	q, err := haven.ParseCaseStatsQuery("2025-12-01", "2026-03-31", "", "mena", "", "")
	if err != nil {
		t.Fatal(err)
	}
	d, err := svc.Dashboard(who, q, haven.CaseStatsGroupings())
	if err != nil {
		t.Fatal(err)
	}
	for i, by := range haven.CaseStatsGroupings() {
		q.By = by
		one, err := svc.CaseStats(who, q)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := mustJSON(d.Panels[i]), mustJSON(one); a != b {
			t.Errorf("filtered by team, by %s:\ndashboard %s\nalone     %s", by, a, b)
		}
	}
}

// compareFilteredCounted wants filtered dashboards answered from the stored per-case facts to
// equal a recount of the cases, SLA and escalation figures included, and those figures to be
// there to compare.
func compareFilteredCounted(t *testing.T, rolled, counted *service.Service, who context.Context, name string) {
	t.Helper()
	var sla, escalations int
	for _, filter := range [][3]string{{"", "", ""}, {"mena", "", ""}, {"latam", "", ""}, {"", "phishing", ""}, {"", "harassment", "LB"}, {"", "", "LB"}, {"nobody", "", ""}} {
		q, err := haven.ParseCaseStatsQuery("2025-11-15", "2026-04-30", "", filter[0], filter[1], filter[2])
		if err != nil {
			t.Fatal(err)
		}
		da, err := rolled.Dashboard(who, q, haven.CaseStatsGroupings())
		if err != nil {
			t.Fatal(err)
		}
		db, err := counted.Dashboard(who, q, haven.CaseStatsGroupings())
		if err != nil {
			t.Fatal(err)
		}
		if ja, jb := mustJSON(da), mustJSON(db); ja != jb {
			t.Errorf("%s dashboard filtered by %q:\nstored  %s\ncounted %s", name, filter, ja, jb)
		}
		for _, r := range da.SLA {
			sla += r.FirstResponse.Met + r.FirstResponse.Breached + r.FirstResponse.Running + r.Resolution.Met + r.Resolution.Breached + r.Resolution.Running
		}
		for _, r := range da.Escalations {
			escalations += r.Sent
		}
	}
	if sla == 0 || escalations == 0 {
		t.Errorf("%s: no SLA (%d) or escalation (%d) figures to compare", name, sla, escalations)
	}
}

// TestRefreshRemarksFailedDays: the refresh commits its claim before recomputing, so a failed
// recomputation must put its days back on the list (here the roll-ups' table is missing), and the
// next refresh then recomputes them.
func TestRefreshRemarksFailedDays(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "h.db")
	rolled, _, f := twinServices(t, path)
	if _, err := rolled.CreateCase(f.admin, haven.CaseCreate{Title: "case", Categories: []string{"phishing"}, Priority: haven.P2}); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = raw.Close() }()
	rename := func(from, to string) {
		t.Helper()
		if _, err := raw.ExecContext(ctx, `ALTER TABLE `+from+` RENAME TO `+to); err != nil {
			t.Fatal(err)
		}
	}
	pending := func() (n int) {
		t.Helper()
		if err := raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM rollup_dirty`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if pending() == 0 {
		t.Fatal("creating a case marked no day")
	}
	rename("case_rollups", "case_rollups_away")
	if _, err := rolled.RefreshRollups(ctx); err == nil {
		t.Fatal("the refresh succeeded without its table")
	}
	if pending() == 0 {
		t.Fatal("the failed refresh took its days off the list: they would never be recomputed")
	}
	rename("case_rollups_away", "case_rollups")
	if n, err := rolled.RefreshRollups(ctx); err != nil || n == 0 || pending() != 0 {
		t.Fatalf("the next refresh did %d days (%v), %d left", n, err, pending())
	}
}

// TestRefreshDoesNotDeadlockWithWrites (PostgreSQL): a write holds a dirty day (A, marked by its
// first change) while a refresh claims the days, then marks another (B, older, claimed first). A
// refresh claiming every day in one transaction held B while waiting for the write to release A,
// and the write then waited for B: a deadlock, which PostgreSQL broke by failing one of them after
// a second. Each day is now claimed in a transaction of its own, holding no other while it waits.
func TestRefreshDoesNotDeadlockWithWrites(t *testing.T) {
	ctx := context.Background()
	dsn := testenv.Postgres(t)
	store := openTestDB(t, dsn)
	clock := &fixedClock{}
	rolled := service.New(store, clock, service.DefaultConfig())
	admin, err := rolled.CreateFirstAdmin(ctx, "admin", "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	var numbers []string
	for _, day := range []int{1, 2} { // B on 1 November, A on 2 November
		clock.t = time.Date(2025, 11, day, 9, 0, 0, 0, time.UTC)
		c, err := rolled.CreateCase(as(admin, false), haven.CaseCreate{Title: "case", Categories: []string{"phishing"}, Priority: haven.P2})
		if err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, c.Number)
	}
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = raw.Close() }()

	reprioritise := func(tx haven.Tx, number string) error {
		c, err := tx.CaseByNumber(ctx, number)
		if err != nil {
			return err
		}
		c.Priority = haven.P1
		return tx.UpdateCase(ctx, c)
	}
	marked, release, written := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		written <- store.Update(ctx, func(tx haven.Tx) error {
			if err := reprioritise(tx, numbers[1]); err != nil { // holds A
				return err
			}
			close(marked)
			<-release
			return reprioritise(tx, numbers[0]) // marks B
		})
	}()
	<-marked
	refreshed := make(chan error, 1)
	go func() {
		_, err := rolled.RefreshRollups(ctx)
		refreshed <- err
	}()
	for waiting := false; !waiting; { // until the refresh waits for the write (or has ended)
		select {
		case err := <-refreshed:
			refreshed <- err
			waiting = true
		default:
			if err := raw.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
				WHERE wait_event_type = 'Lock' AND query LIKE '%rollup_dirty%')`).Scan(&waiting); err != nil {
				t.Fatal(err)
			}
			time.Sleep(5 * time.Millisecond) // polling for the state, not ordering by time
		}
	}
	close(release)
	// The write's second mark must not wait for the refresh: the refresh waits for the write.
	for done := false; !done; {
		select {
		case err := <-written:
			if err != nil {
				t.Fatalf("the write failed: %v", err)
			}
			done = true
		default:
			var stuck bool
			if err := raw.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
				WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO rollup_dirty%')`).Scan(&stuck); err != nil {
				t.Fatal(err)
			}
			if stuck {
				t.Fatal("the write waits for the refresh, which waits for the write: a deadlock")
			}
			time.Sleep(5 * time.Millisecond) // polling for the state, not ordering by time
		}
	}
	if err := <-refreshed; err != nil {
		t.Fatalf("the refresh failed: %v", err)
	}
}
