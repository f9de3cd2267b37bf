package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/i18n"
)

// inboxCases is the fake's case service with the answers the inbox tests need: per-case
// refusals for bulk actions, and pages that know the way back.
type inboxCases struct {
	*fake
	mu      sync.Mutex
	refuse  map[string]error // by case number
	changed []string
	filters []haven.CaseFilter
	items   []*haven.Case
}

func (c *inboxCases) AssignCase(ctx context.Context, number, username string) (*haven.Case, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.refuse[number]; err != nil {
		return nil, err
	}
	c.changed = append(c.changed, number+"→"+username)
	return testCase(number), nil
}

func (c *inboxCases) Cases(ctx context.Context, f haven.CaseFilter) (*haven.CasePage, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.filters = append(c.filters, f)
	page := &haven.CasePage{Items: c.items, Next: "next-" + f.Cursor}
	if f.Cursor != "" && f.Cursor != "first" {
		page.Prev = "prev-" + f.Cursor
	}
	if page.Items == nil {
		page.Items = []*haven.Case{testCase("HV-2026-000001")}
	}
	return page, nil
}

// speaker is the fake's sessions, signed in as a user with no language of their own: the
// pages follow the language cookie.
type speaker struct{ *fake }

func (s speaker) SessionActor(ctx context.Context, token string) (haven.Actor, error) {
	a, err := s.fake.SessionActor(ctx, token)
	if a.User != nil {
		a.User.Language = ""
	}
	return a, err
}

func inboxServer(t *testing.T) (*Server, *inboxCases) {
	t.Helper()
	f := &fake{}
	s, _ := testServer(t, f)
	cs := &inboxCases{fake: f, refuse: map[string]error{}}
	s.svc.Cases, s.svc.Auth = cs, speaker{f}
	return s, cs
}

// inboxGet sends a signed-in page request (a form post when form is not nil).
func inboxGet(s *Server, method, path string, form url.Values, lang string) *httptest.ResponseRecorder {
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	r.AddCookie(&http.Cookie{Name: SessionCookie, Value: goodSession})
	r.AddCookie(&http.Cookie{Name: languageCookie, Value: lang})
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	return w
}

func TestInboxBulkNothingSelected(t *testing.T) {
	s, cs := inboxServer(t)
	w := inboxGet(s, "POST", "/inbox/bulk", url.Values{"action": {"assign"}, "assignee": {"bob"},
		"next": {"/inbox?queue=open&bulk=done&failed=HV-2026-000009:forbidden"}}, "en")
	loc := w.Header().Get("Location")
	if w.Code != http.StatusSeeOther || !strings.Contains(loc, "bulk=none") || strings.Contains(loc, "failed=") || !strings.Contains(loc, "queue=open") {
		t.Fatalf("nothing selected: %d to %q, want back to the queue with bulk=none and the old report gone", w.Code, loc)
	}
	if len(cs.changed) != 0 {
		t.Fatalf("nothing selected, yet changed %v", cs.changed)
	}
	page := inboxGet(s, "GET", loc, nil, "fr").Body.String()
	l := s.catalog.Localizer("fr")
	if !strings.Contains(page, esc(l.T("inbox.bulk_none"))) {
		t.Errorf("the inbox does not say nothing was selected, in French:\n%s", page)
	}
	if !strings.Contains(page, `<input id="b-assignee" name="assignee" list="assignees"`) || !strings.Contains(page, `<datalist id="assignees"><option value="alice"></datalist>`) {
		t.Errorf("the assignee is not picked from the list of people")
	}
}

func TestInboxBulkPartialFailureNamesEachCase(t *testing.T) {
	s, cs := inboxServer(t)
	cs.refuse["HV-2026-000002"] = haven.Errorf(haven.EFORBIDDEN, "you cannot change case HV-2026-000002 (team x)")
	cs.refuse["HV-2026-000003"] = haven.Errorf(haven.ENOTFOUND, "case HV-2026-000003 not found") // hidden or missing
	w := inboxGet(s, "POST", "/inbox/bulk", url.Values{"action": {"assign"}, "assignee": {" bob "}, "next": {"/inbox?queue=open"},
		"case": {"HV-2026-000001", "HV-2026-000002", "HV-2026-000003", "HV-2026-000004", "<script>"}}, "en")
	if len(cs.changed) != 2 || cs.changed[0] != "HV-2026-000001→bob" || cs.changed[1] != "HV-2026-000004→bob" {
		t.Fatalf("changed %v, want cases 1 and 4 assigned to bob, each through the service", cs.changed)
	}
	loc := w.Header().Get("Location")
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("done") != "2" || strings.Join(q["failed"], ",") != "HV-2026-000002:forbidden,HV-2026-000003:not_found" {
		t.Fatalf("report %q, want 2 done and cases 2 and 3 with their reasons (an invalid number is not echoed)", loc)
	}
	for _, lang := range []string{"en", "ar"} {
		l := s.catalog.Localizer(lang)
		page := inboxGet(s, "GET", loc, nil, lang).Body.String()
		for _, want := range []string{"HV-2026-000002</bdi>: " + esc(l.T("inbox.why.forbidden")), "HV-2026-000003</bdi>: " + esc(l.T("inbox.why.not_found")),
			esc(l.T("inbox.bulk_failed", "Count", 2)), esc(l.T("inbox.bulk_done", "Count", 2))} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the page lacks %q", lang, want)
			}
		}
		if strings.Contains(page, "team x") {
			t.Errorf("%s: the page shows the service's English message rather than the reason", lang)
		}
	}
	// A forged report shows nothing it could not have said.
	page := inboxGet(s, "GET", "/inbox?failed=HV-2026-000002:<b>pwned</b>&failed=nonsense:forbidden", nil, "en").Body.String()
	if strings.Contains(page, "<b>pwned") || strings.Contains(page, "<bdi>nonsense") || strings.Contains(page, `class="bulk-failed"`) {
		t.Errorf("a forged report is shown:\n%s", page)
	}
}

func TestInboxSortHeadersAndPagingBothWays(t *testing.T) {
	s, cs := inboxServer(t)
	page := inboxGet(s, "GET", "/inbox?queue=open&sort=due&cursor=c2&bulk=none", nil, "en").Body.String()
	if f := cs.filters[0]; f.Sort != haven.SortDue || f.Cursor != "c2" || !f.Brief {
		t.Fatalf("the list was read with %+v, want sorted by due from the cursor", f)
	}
	for _, want := range []string{
		`aria-sort="ascending"><a href="/inbox?queue=open&amp;reverse=true&amp;sort=due">`, // the active column: reverses it
		`<a href="/inbox?queue=open&amp;sort=priority">`,
		`<a href="/inbox?queue=open&amp;sort=created">`,
		`<a rel="prev" href="/inbox?cursor=prev-c2&amp;queue=open&amp;sort=due">`,
		`<a rel="next" href="/inbox?cursor=next-c2&amp;queue=open&amp;sort=due">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if n := strings.Count(page, "aria-sort="); n != 1 {
		t.Errorf("%d columns claim the sort, want 1", n)
	}
	if len(cs.filters) != 1 {
		t.Errorf("a later page pinned P1 cases again (%d lists read)", len(cs.filters))
	}
	// Reversed: read so, said so, the active header turns it back, other columns and paging
	// keep or drop the direction as they should.
	cs.filters = nil
	page = inboxGet(s, "GET", "/inbox?queue=open&sort=due&reverse=true&cursor=c2", nil, "en").Body.String()
	if f := cs.filters[0]; f.Sort != haven.SortDue || !f.Reverse {
		t.Fatalf("the reversed list was read with %+v", f)
	}
	for _, want := range []string{
		`aria-sort="descending"><a href="/inbox?queue=open&amp;sort=due">`,
		`<a href="/inbox?queue=open&amp;sort=priority">`,
		`<a rel="prev" href="/inbox?cursor=prev-c2&amp;queue=open&amp;reverse=true&amp;sort=due">`,
		`<a rel="next" href="/inbox?cursor=next-c2&amp;queue=open&amp;reverse=true&amp;sort=due">`,
		`<input type="hidden" name="query" value="queue=open&amp;reverse=true&amp;sort=due">`, // a saved view keeps it
	} {
		if !strings.Contains(page, want) {
			t.Errorf("reversed: the page lacks %s", want)
		}
	}
	if strings.Contains(page, `aria-sort="ascending"`) {
		t.Error("reversed: a column still claims ascending")
	}
	// Sorted by priority the other way, the P1 cases are still pinned on top.
	cs.filters = nil
	inboxGet(s, "GET", "/inbox?queue=open&sort=priority&reverse=true", nil, "en")
	if len(cs.filters) != 2 || cs.filters[1].Priority[0] != haven.P1 || cs.filters[1].Reverse {
		t.Errorf("P4 first: lists read %+v, want the P1 cases pinned, read the usual way", cs.filters)
	}
	// The first page (no way back) pins the P1 cases, and has no previous page.
	cs.filters = nil
	page = inboxGet(s, "GET", "/inbox?queue=open&sort=created", nil, "en").Body.String()
	if strings.Contains(page, `rel="prev"`) || len(cs.filters) != 2 || cs.filters[1].Priority[0] != haven.P1 {
		t.Errorf("first page: prev link %v, lists read %+v; want no prev and the P1 cases pinned", strings.Contains(page, `rel="prev"`), cs.filters)
	}
}

func TestInboxViewsRenameAndDelete(t *testing.T) {
	s, _ := inboxServer(t)
	f := s.svc.Account.(*fake)
	w := inboxGet(s, "POST", "/views/7/rename", url.Values{"name": {"Mes urgences"}}, "en")
	if w.Code != http.StatusSeeOther || !strings.Contains(w.Header().Get("Location"), "flash=view_saved") {
		t.Fatalf("rename: %d to %q", w.Code, w.Header().Get("Location"))
	}
	if args := f.lastArgs(); len(args) != 2 || args[0] != int64(7) || args[1] != "Mes urgences" {
		t.Fatalf("renamed with %v", args)
	}
	f.err = haven.Errorf(haven.ECONFLICT, "you already have a view named x")
	w = inboxGet(s, "POST", "/views/7/rename", url.Values{"name": {"x"}}, "en")
	if loc := w.Header().Get("Location"); loc != "/inbox?view=invalid" {
		t.Fatalf("a refused name goes to %q", loc)
	}
	f.err = nil
	if page := inboxGet(s, "GET", "/inbox?view=invalid", nil, "en").Body.String(); !strings.Contains(page, esc(s.catalog.Localizer("en").T("inbox.view_invalid"))) {
		t.Errorf("the inbox does not say why the view kept its name")
	}
	w = inboxGet(s, "POST", "/views/7/delete", url.Values{}, "en")
	if args := f.lastArgs(); w.Code != http.StatusSeeOther || len(args) != 1 || args[0] != int64(7) {
		t.Fatalf("delete: %d, args %v", w.Code, args)
	}
	if w := inboxGet(s, "POST", "/views/x/rename", url.Values{"name": {"a"}}, "en"); w.Code != http.StatusNotFound {
		t.Fatalf("a bad id: %d", w.Code)
	}
}

func TestInboxFreshCountsNewCases(t *testing.T) {
	s, cs := inboxServer(t)
	since := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i, at := range []time.Duration{2 * time.Minute, time.Minute, -time.Minute} {
		c := testCase("HV-2026-00000" + string(rune('1'+i)))
		c.CreatedAt = since.Add(at)
		cs.items = append(cs.items, c)
	}
	w := inboxGet(s, "GET", "/inbox/fresh?queue=unassigned&priority=P1&since="+strconv.FormatInt(since.UnixMilli(), 10), nil, "fr")
	var got struct {
		New  int    `json:"new"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if got.New != 2 || got.Text != s.catalog.Localizer("fr").T("inbox.fresh", "Count", 2) {
		t.Fatalf("got %+v, want 2 new cases, said in French", got)
	}
	f := cs.filters[len(cs.filters)-1]
	if f.Assignee != "none" || len(f.Priority) != 1 || f.Sort != haven.SortCreated || f.Cursor != "" {
		t.Fatalf("asked with %+v, want the queue's and page's filters, newest first", f)
	}
	if w := inboxGet(s, "GET", "/inbox/fresh?queue=open&since=soon", nil, "en"); w.Code != http.StatusUnprocessableEntity && w.Code != http.StatusBadRequest {
		t.Fatalf("a bad since: %d", w.Code)
	}
}

// The SLA cell says the most urgent running clock in words and marks it with a class.
func TestCaseRowsSLAClock(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	for _, tc := range []struct {
		name string
		edit func(c *haven.Case)
		want string // "" for an empty cell
	}{
		{"first response due in 3 h", func(c *haven.Case) {
			c.FirstResponseDue, c.ResolutionDue = at(3*time.Hour+10*time.Minute), at(48*time.Hour)
		},
			`<span class="sla ok"><time datetime="2026-03-01T15:10:00Z">First response: 3 hours left</time></span>`},
		{"next update due soon", func(c *haven.Case) { c.NextUpdateDue, c.ResolutionDue = at(35*time.Minute), at(48*time.Hour) },
			`<span class="sla soon"><time datetime="2026-03-01T12:35:00Z">Next update: 35 minutes left · due soon</time></span>`},
		{"resolution overdue", func(c *haven.Case) { c.ResolutionDue = at(-2 * time.Hour) },
			`<span class="sla over"><time datetime="2026-03-01T10:00:00Z">Resolution: overdue by 2 hours</time></span>`},
		{"paused", func(c *haven.Case) { c.ResolutionDue, c.Status = at(time.Hour), haven.StatusWaitingRequester },
			`<span class="sla paused">Paused (waiting for the requester)</span>`},
		{"closed", func(c *haven.Case) { c.ResolutionDue, c.Status = at(-time.Hour), haven.StatusClosed }, ""},
		{"no clock", func(c *haven.Case) {}, ""},
	} {
		c := &haven.Case{Number: "HV-2026-000001", Status: haven.StatusOpen, Priority: haven.P2, CreatedAt: now}
		tc.edit(c)
		got := string(caseRowsHTML(cat.Localizer("en"), nil, []*haven.Case{c}, now))
		cell := got[strings.LastIndex(got, "</time></td>\n<td>")+len("</time></td>\n<td>") : strings.LastIndex(got, "</td>\n</tr>")]
		if cell != tc.want {
			t.Errorf("%s: SLA cell %q, want %q", tc.name, cell, tc.want)
		}
	}
}

// The assignee list is read once for every reader, again once it is peopleTTL old, and a failed
// read is not kept.
func TestAssigneesKept(t *testing.T) {
	c := newCountCache(time.Second)
	reads := 0
	var fail error
	read := func(context.Context) ([]string, error) {
		reads++
		return []string{"bea", "admin"}, fail
	}
	for range 3 {
		if got, err := c.assignees(context.Background(), read); err != nil || len(got) != 2 {
			t.Fatalf("got %v, %v", got, err)
		}
	}
	if reads != 1 {
		t.Fatalf("read %d times, want once", reads)
	}
	c.peopleAt = c.peopleAt.Add(-peopleTTL)
	fail = haven.Errorf(haven.EUNAUTHORIZED, "signed out")
	if _, err := c.assignees(context.Background(), read); err == nil || reads != 2 {
		t.Fatalf("a stale list was not read again (%d reads), or its error was lost: %v", reads, err)
	}
}

// The clock's words are the catalog's, in every language (cut around the time, not rebuilt).
func TestCaseRowsSLAClockTranslated(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	soon, late := now.Add(90*time.Minute), now.Add(-3*time.Hour)
	for _, lang := range []string{"ar", "fr", "ru"} {
		l := cat.Localizer(lang)
		got := string(caseRowsHTML(l, nil, []*haven.Case{
			{Number: "HV-2026-000001", Status: haven.StatusOpen, CreatedAt: now, FirstResponseDue: &soon},
			{Number: "HV-2026-000002", Status: haven.StatusOpen, CreatedAt: now, ResolutionDue: &late},
		}, now))
		for _, want := range []string{
			l.T("sla.first_response") + ": " + l.T("sla.left", "Time", l.Ago(90*time.Minute)) + " · " + l.T("sla.soon"),
			l.T("sla.resolution") + ": " + l.T("sla.overdue_by", "Time", l.Ago(3*time.Hour)),
		} {
			if !strings.Contains(got, esc(want)) {
				t.Errorf("%s: the rows lack %q:\n%s", lang, want, got)
			}
		}
	}
}
