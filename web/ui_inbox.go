package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"haven"
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
	Filter  url.Values
	Views   []*haven.SavedView
	Users   []*haven.User
	Query   string // the current filters, for "save this view"
	Filters bool   // some filter beyond the queue is set
}

type queueTab struct {
	Name    string
	Count   int
	Over    bool // more than haven.CountCap
	Current bool
}

// uiOnlyParams are the inbox's own parameters, not case filters.
var uiOnlyParams = []string{"queue", "flash", "failed"}

func (s *Server) inboxPage(w http.ResponseWriter, r *http.Request, v *view) error {
	flashFrom(r, v)
	if n, err := strconv.Atoi(r.URL.Query().Get("failed")); err == nil && n > 0 {
		v.Alert = v.L.T("inbox.bulk_failed", "Count", n)
	}
	d := &inboxData{Queue: r.URL.Query().Get("queue"), Filter: r.URL.Query()}
	qs := queues()
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
	d.Rows = caseRowsHTML(v.L, labels, append(d.Pinned, d.Cases...), time.Now())
	v.Nav, v.Title, v.Data = "inbox", v.L.T("inbox.title"), d
	return s.render(w, r, http.StatusOK, "inbox", v)
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

// fillInbox reads the queue's cases (P1 first, pinned), the counts of every queue and the
// user's saved views.
func (s *Server) fillInbox(r *http.Request, d *inboxData, qs []queue, f haven.CaseFilter) error {
	ctx := r.Context()
	if f.Sort == "" {
		f.Sort = haven.SortPriority
	}
	f.Brief = true // the inbox shows no summary
	if err := s.pinP1(r, d, &f); err != nil {
		return err
	}
	page, err := s.svc.Cases.Cases(ctx, f)
	if err != nil {
		return err
	}
	d.Cases = page.Items
	if page.Next != "" {
		d.Next = withQuery(r.URL.RequestURI(), "cursor", page.Next)
	}
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
	if d.Views, err = s.svc.Account.SavedViews(ctx); err != nil {
		return err
	}
	q := r.URL.Query()
	for _, p := range []string{"flash", "cursor", "failed"} {
		q.Del(p)
	}
	d.Query = q.Encode()
	for k := range q {
		d.Filters = d.Filters || k != "queue"
	}
	return nil
}

// pinP1 puts the queue's P1 cases on top of its first page, whatever the sort. Sorted by
// priority (the default) the list starts with them anyway; otherwise they also keep their place
// in the list below (leaving them out would make the database sort every other case).
func (s *Server) pinP1(r *http.Request, d *inboxData, f *haven.CaseFilter) error {
	if f.Sort == haven.SortPriority || len(f.Priority) != 0 || f.Cursor != "" {
		return nil
	}
	pf := *f
	// Sorted by priority, which for P1 alone is by last update, so that the database walks
	// the priority index rather than every case by date.
	pf.Priority, pf.Limit, pf.Sort = []haven.Priority{haven.P1}, 20, haven.SortPriority
	page, err := s.svc.Cases.Cases(r.Context(), pf)
	if err != nil {
		return err
	}
	d.Pinned = page.Items
	return nil
}

// inboxBulk applies one action to the selected cases: assign, change status, or add a tag.
// Each case goes through the service on its own, so one refused change leaves the others done.
func (s *Server) inboxBulk(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	numbers := r.PostForm["case"]
	back := localPath(r.PostForm.Get("next"))
	failed := 0
	for _, n := range numbers {
		if err := s.bulkOne(r, n); err != nil {
			failed++
		}
	}
	if failed > 0 {
		return redirect(w, r, withQuery(back, "failed", strconv.Itoa(failed)), "bulk")
	}
	return redirect(w, r, back, "bulk")
}

func (s *Server) bulkOne(r *http.Request, number string) error {
	ctx := r.Context()
	switch r.PostForm.Get("action") {
	case "assign":
		_, err := s.svc.Cases.AssignCase(ctx, number, r.PostForm.Get("assignee"))
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

func userID(ctx context.Context) int64 {
	if a, ok := haven.ActorFrom(ctx); ok {
		return a.User.ID
	}
	return 0
}
