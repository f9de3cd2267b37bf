package web

import (
	"cmp"
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
)

// queue is one of the inbox's fixed views.
type queue struct {
	Name   string
	filter haven.CaseFilter
}

// queues are the inbox's views, in tab order.
func queues() []queue {
	return []queue{
		{"mine", haven.CaseFilter{Assignee: "me", OpenOnly: true}},
		{"unassigned", haven.CaseFilter{Assignee: "none", OpenOnly: true}},
		{"team", haven.CaseFilter{Team: "mine", OpenOnly: true}},
		{"emergencies", haven.CaseFilter{Priority: []haven.Priority{haven.P1}, OpenOnly: true}},
		{"waiting", haven.CaseFilter{Status: []haven.Status{haven.StatusWaitingRequester, haven.StatusWaitingThirdParty}}},
		{"breaching", haven.CaseFilter{BreachingSoon: true, OpenOnly: true, Sort: haven.SortDue}},
		{"overdue", haven.CaseFilter{OverdueTasks: true, OpenOnly: true}},
		{"open", haven.CaseFilter{OpenOnly: true}},
	}
}

// inboxData is the inbox page.
type inboxData struct {
	Queue  string
	Queues []queueTab
	Pinned []*haven.Case // P1 cases of the queue, always on top
	Cases  []*haven.Case
	// Rows are Pinned then Cases, rendered as the table's rows.
	Rows    template.HTML
	Next    string // the next page's URL, "" on the last
	Prev    string // the previous page's URL, "" on the first
	Filter  url.Values
	Views   []*haven.SavedView
	Query   string // the current filters, for "save this view"
	Here    string // this page without what a post reported back
	Filters bool   // some filter beyond the queue is set
	// Head is the table's header, with the sorting links (caseHeadHTML).
	Head template.HTML
	// Fresh is where the page asks how many cases arrived since it was read.
	Fresh string
	// Assignees are the bulk assignment's choices, the names of the users who may work on
	// cases, as the options of a datalist: written in Go, as the rows are, since a helpline's
	// every user is on every inbox page.
	Assignees template.HTML
	// Failed lists the cases a bulk action could not change, each with why.
	Failed []bulkFailure
	// Teams are the team filter's choices, named in the reader's language.
	Teams []teamChoice
	// sort is the list's order, whose column the header marks, reverse its direction.
	sort    haven.CaseSort
	reverse bool
}

// bulkFailure is one case a bulk action left unchanged, and why in the reader's words.
type bulkFailure struct{ Number, Reason string }

type queueTab struct {
	Name    string
	Count   int
	Over    bool // more than haven.CountCap
	Current bool
}

// uiOnlyParams are the inbox's own parameters, not case filters: the queue, and what a form
// post reports back (bulk actions, views).
var uiOnlyParams = []string{"queue", "flash", "failed", "bulk", "done", "view", "since"}

// bulkReasons are the reasons a bulk action reports per case, by error code: a case the user
// may not see is not found, as everywhere.
var bulkReasons = map[string]string{haven.ENOTFOUND: "not_found", haven.EFORBIDDEN: "forbidden",
	haven.EUNAUTHORIZED: "forbidden", haven.ECONFLICT: "conflict", haven.EINVALID: "invalid"}

func (s *Server) inboxPage(w http.ResponseWriter, r *http.Request, v *view) error {
	flashFrom(r, v)
	d := &inboxData{Queue: r.URL.Query().Get("queue"), Filter: r.URL.Query()}
	bulkReport(r.URL.Query(), v, d)
	qs := queues()
	if done, err := s.landing(w, r, qs); done || err != nil {
		return err // the queue with waiting work (ui_firstrun.go)
	}
	base, ok := queueFilter(qs, d.Queue)
	if !ok {
		d.Queue, base = "mine", qs[0].filter
	}
	f, err := filterFromURL(r.URL, base)
	if err != nil {
		return err
	}
	if err := s.fillInbox(r, d, qs, f); err != nil {
		return err
	}
	labels, err := s.categoryLabels(r, v)
	if err != nil {
		return err
	}
	if d.Teams, err = s.teamChoices(r, v); err != nil {
		return err
	}
	now := time.Now()
	d.Head = caseHeadHTML(v.L, d.sort, d.reverse, d.Here)
	d.Fresh = "/inbox/fresh?" + d.Query + "&since=" + strconv.FormatInt(now.UnixMilli(), 10)
	d.Rows = caseRowsHTML(v.L, labels, append(d.Pinned, d.Cases...), now)
	v.Nav, v.Title, v.Data = "inbox", v.L.T("inbox.title"), d
	return s.render(w, r, http.StatusOK, "inbox", v)
}

// knownReason reports whether reason is one inboxBulk writes: the report travels in the URL,
// where anyone can write anything.
func knownReason(reason string) bool {
	for _, r := range bulkReasons {
		if r == reason {
			return true
		}
	}
	return reason == "error"
}

// bulkReport turns what a bulk action or a view's change reported back into the page's
// messages: nothing selected, how many changed, and each case that was not, with why.
func bulkReport(q url.Values, v *view, d *inboxData) {
	switch q.Get("bulk") {
	case "none":
		v.Alert = v.L.T("inbox.bulk_none")
	case "done":
		if n, err := strconv.Atoi(q.Get("done")); err == nil && n > 0 {
			v.Flash = v.L.T("inbox.bulk_done", "Count", n)
		}
	}
	for _, f := range q["failed"] {
		number, reason, _ := strings.Cut(f, ":")
		if !haven.ValidCaseNumber(number) || !knownReason(reason) {
			continue // not written by inboxBulk
		}
		d.Failed = append(d.Failed, bulkFailure{Number: number, Reason: v.L.T("inbox.why." + reason)})
	}
	if len(d.Failed) > 0 {
		v.Alert = v.L.T("inbox.bulk_failed", "Count", len(d.Failed))
	}
	if q.Get("view") == "invalid" {
		v.Alert = v.L.T("inbox.view_invalid")
	}
}

func queueFilter(qs []queue, name string) (haven.CaseFilter, bool) {
	for _, q := range qs {
		if q.Name == name {
			return q.filter, true
		}
	}
	return haven.CaseFilter{}, false
}

// filterFromURL lays the URL's filters over a queue's.
func filterFromURL(u *url.URL, base haven.CaseFilter) (haven.CaseFilter, error) {
	clean := *u
	q := u.Query()
	for _, p := range uiOnlyParams {
		q.Del(p)
	}
	for k, vs := range q {
		if len(vs) == 1 && vs[0] == "" {
			q.Del(k) // an empty select of the filter form
		}
	}
	clean.RawQuery = q.Encode()
	f, err := caseFilter(&clean)
	if err != nil {
		return f, err
	}
	if f.Assignee == "" {
		f.Assignee = base.Assignee
	}
	if f.Team == "" {
		f.Team = base.Team
	}
	if len(f.Status) == 0 {
		f.Status = base.Status
	}
	if len(f.Priority) == 0 {
		f.Priority = base.Priority
	}
	f.OpenOnly = f.OpenOnly || base.OpenOnly && len(f.Status) == 0
	return f, nil
}

// fillInbox reads the queue's cases (P1 first, pinned, on the first page), the counts of every
// queue, the user's saved views and the assignees.
func (s *Server) fillInbox(r *http.Request, d *inboxData, qs []queue, f haven.CaseFilter) error {
	ctx := r.Context()
	if f.Sort == "" {
		f.Sort = haven.SortPriority
	}
	f.Brief = true // the inbox shows no summary
	page, err := s.svc.Cases.Cases(ctx, f)
	if err != nil {
		return err
	}
	if page.Prev == "" { // the first page, however it was reached
		if err := s.pinP1(r, d, &f); err != nil {
			return err
		}
	}
	d.Cases = page.Items
	here := inboxURL(r.URL)
	d.Here = here
	if page.Next != "" {
		d.Next = withQuery(here, "cursor", page.Next)
	}
	if page.Prev != "" {
		d.Prev = withQuery(here, "cursor", page.Prev)
	}
	d.sort, d.reverse = f.Sort, f.Reverse
	if err := s.fillCounts(ctx, d, qs); err != nil {
		return err
	}
	if d.Views, err = s.svc.Account.SavedViews(ctx); err != nil {
		return err
	}
	names, err := s.counts.assignees(ctx, s.assignees)
	if err != nil {
		return err
	}
	var w htmlWriter
	for _, n := range names {
		w.raw(`<option value="`).text(n).raw(`">`)
	}
	d.Assignees = template.HTML(w.String()) //nolint:gosec // every name is written by text
	q := r.URL.Query()
	for _, p := range append([]string{"cursor"}, uiOnlyParams[1:]...) {
		q.Del(p)
	}
	d.Query = q.Encode()
	for k := range q {
		d.Filters = d.Filters || k != "queue"
	}
	return nil
}

// inboxURL is the page's address without what a post reported back: the base of its links.
func inboxURL(u *url.URL) string {
	q := u.Query()
	for _, p := range uiOnlyParams[1:] {
		q.Del(p)
	}
	return (&url.URL{Path: u.Path, RawQuery: q.Encode()}).String()
}

func (s *Server) fillCounts(ctx context.Context, d *inboxData, qs []queue) error {
	filters := map[string]haven.CaseFilter{}
	for _, q := range qs {
		filters[q.Name] = q.filter
	}
	counts, err := s.counts.get(ctx, s.svc.Cases, userID(ctx), filters)
	if err != nil {
		return err
	}
	for _, q := range qs {
		d.Queues = append(d.Queues, queueTab{Name: q.Name, Count: min(counts[q.Name], haven.CountCap),
			Over: counts[q.Name] > haven.CountCap, Current: q.Name == d.Queue})
	}
	return nil
}

// assignees are the names of the active users who may work on cases (not auditors, who
// change nothing): whom a case may be assigned to.
func (s *Server) assignees(ctx context.Context) ([]string, error) {
	users, err := s.svc.Users.Users(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, u := range users {
		if u.CanWrite() {
			out = append(out, u.Username)
		}
	}
	return out, nil
}

// pinP1 puts the queue's P1 cases on top of its first page, whatever the sort. Sorted by
// priority (the default) the list starts with them anyway; otherwise they also keep their place
// in the list below (leaving them out would make the database sort every other case).
func (s *Server) pinP1(r *http.Request, d *inboxData, f *haven.CaseFilter) error {
	if f.Sort == haven.SortPriority && !f.Reverse || len(f.Priority) != 0 {
		return nil
	}
	pf := *f
	pf.Reverse = false
	// Sorted by priority, which for P1 alone is by last update, so that the database walks
	// the priority index rather than every case by date.
	pf.Priority, pf.Limit, pf.Sort, pf.Cursor = []haven.Priority{haven.P1}, 20, haven.SortPriority, ""
	page, err := s.svc.Cases.Cases(r.Context(), pf)
	if err != nil {
		return err
	}
	d.Pinned = page.Items
	return nil
}

// maxBulkReported bounds the failures named after a bulk action (they travel in the URL).
const maxBulkReported = 100

// inboxBulk applies one action to the selected cases: assign, change status, or add a tag.
// Each case goes through the service on its own, so one refused change leaves the others done,
// and the page names each case left unchanged with the reason. With nothing selected, nothing
// is done and the page says so.
func (s *Server) inboxBulk(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	back, err := url.Parse(localPath(r.PostForm.Get("next")))
	if err != nil {
		back = &url.URL{Path: "/inbox"}
	}
	q := back.Query()
	for _, p := range uiOnlyParams[1:] {
		q.Del(p) // what an earlier post reported
	}
	numbers := r.PostForm["case"]
	if len(numbers) == 0 {
		q.Set("bulk", "none")
	} else {
		done := 0
		for _, n := range numbers {
			err := s.bulkOne(r, n)
			switch {
			case err == nil:
				done++
			case haven.ValidCaseNumber(n) && len(q["failed"]) < maxBulkReported:
				q.Add("failed", n+":"+cmp.Or(bulkReasons[haven.ErrorCode(err)], "error"))
			}
		}
		q.Set("bulk", "done")
		q.Set("done", strconv.Itoa(done))
	}
	back.RawQuery = q.Encode()
	return redirect(w, r, back.String(), "")
}

func (s *Server) bulkOne(r *http.Request, number string) error {
	if !haven.ValidCaseNumber(number) {
		return haven.Errorf(haven.ENOTFOUND, "no such case")
	}
	ctx := r.Context()
	switch r.PostForm.Get("action") {
	case "assign":
		_, err := s.svc.Cases.AssignCase(ctx, number, strings.TrimSpace(r.PostForm.Get("assignee")))
		return err
	case "status":
		t := haven.Transition{To: haven.Status(r.PostForm.Get("status")), Outcome: haven.Outcome(r.PostForm.Get("outcome"))}
		_, err := s.svc.Cases.TransitionCase(ctx, number, t)
		return err
	case "tag":
		_, err := s.svc.Cases.UpdateCase(ctx, number, haven.CaseUpdate{AddTags: []string{r.PostForm.Get("tag")}})
		return err
	}
	return haven.Errorf(haven.EINVALID, "unknown action")
}

func (s *Server) saveView(w http.ResponseWriter, r *http.Request, v *view) error {
	_, err := s.svc.Account.SaveView(r.Context(), haven.SavedView{Name: r.FormValue("name"), Query: r.FormValue("query")})
	if err != nil && haven.ErrorCode(err) != haven.EINVALID && haven.ErrorCode(err) != haven.ECONFLICT {
		return err
	}
	if err != nil {
		return redirect(w, r, "/inbox?"+r.FormValue("query"), "")
	}
	return redirect(w, r, "/inbox?"+r.FormValue("query"), "view_saved")
}

func (s *Server) deleteView(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return haven.Errorf(haven.ENOTFOUND, "no such view")
	}
	if err := s.svc.Account.DeleteView(r.Context(), id); err != nil {
		return err
	}
	return redirect(w, r, "/inbox", "deleted")
}

// renameView renames a saved view; a name that is empty, too long or already used brings the
// inbox back saying so.
func (s *Server) renameView(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return haven.Errorf(haven.ENOTFOUND, "no such view")
	}
	_, err = s.svc.Account.RenameView(r.Context(), id, r.FormValue("name"))
	switch haven.ErrorCode(err) {
	case "":
		return redirect(w, r, "/inbox", "view_saved")
	case haven.EINVALID, haven.ECONFLICT:
		return redirect(w, r, "/inbox?view=invalid", "")
	}
	return err
}

// maxFresh bounds the new cases counted for the inbox's notice ("50+ new cases").
const maxFresh = 50

// inboxFresh answers how many cases of the page's queue and filters were created after since
// (Unix ms), at most maxFresh: the inbox asks every half minute, to offer to show them. It
// reads the newest page of the list, which the service keeps until the next write.
func (s *Server) inboxFresh(w http.ResponseWriter, r *http.Request, v *view) error {
	since, err := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
	if err != nil || since <= 0 {
		return haven.Errorf(haven.EINVALID, "since must be a time in Unix milliseconds")
	}
	base, ok := queueFilter(queues(), r.URL.Query().Get("queue"))
	if !ok {
		base = queues()[0].filter
	}
	f, err := filterFromURL(r.URL, base)
	if err != nil {
		return err
	}
	f.Sort, f.Reverse, f.Limit, f.Cursor, f.Brief = haven.SortCreated, false, maxFresh, "", true
	page, err := s.svc.Cases.Cases(r.Context(), f)
	if err != nil {
		return err
	}
	n := 0
	for _, c := range page.Items {
		if c.CreatedAt.UnixMilli() > since {
			n++
		}
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	text := ""
	if n > 0 {
		text = v.L.T("inbox.fresh", "Count", n)
		if n == maxFresh {
			text = v.L.T("inbox.fresh_more", "Count", n)
		}
	}
	return json.NewEncoder(w).Encode(map[string]any{"new": n, "text": text})
}

func userID(ctx context.Context) int64 {
	if a, ok := haven.ActorFrom(ctx); ok {
		return a.User.ID
	}
	return 0
}
