package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
)

// query reads URL query parameters, collecting per-parameter errors. Parameters a route does not
// know are errors too: a misspelt filter must not silently return everything.
type query struct {
	values url.Values
	known  []string
	v      haven.Validation
}

func newQuery(u *url.URL, known ...string) *query {
	return &query{values: u.Query(), known: known, v: haven.Validation{}}
}

// str returns the last value of name.
func (q *query) str(name string) string {
	vs := q.values[name]
	if len(vs) == 0 {
		return ""
	}
	return strings.TrimSpace(vs[len(vs)-1])
}

// strs returns every value of name, repeated or comma-separated.
func (q *query) strs(name string) []string {
	var out []string
	for _, v := range q.values[name] {
		out = append(out, splitList(v)...)
	}
	return out
}

// id reads a positive id; absent is 0.
func (q *query) id(name string) int64 {
	s := q.str(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	q.v.Check(err == nil && n > 0, name, "must be a positive whole number")
	return n
}

// limit reads a page size; absent is 0 (the service's default).
func (q *query) limit() int {
	s := q.str("limit")
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	q.v.Check(err == nil && n >= 1 && n <= haven.MaxLimit, "limit",
		"must be a whole number from 1 to "+strconv.Itoa(haven.MaxLimit))
	return n
}

// flag reads a boolean (true/false/1/0); absent is false.
func (q *query) flag(name string) bool {
	s := q.str(name)
	if s == "" {
		return false
	}
	b, err := strconv.ParseBool(s)
	q.v.Check(err == nil, name, "must be true or false")
	return b
}

// err reports the collected errors, plus any unknown parameter.
func (q *query) err() error {
	for name := range q.values {
		if !slices.Contains(q.known, name) {
			q.v.Add(name, "unknown parameter")
		}
	}
	return q.v.Err()
}

// caseParams are the parameters of every case list (list, search, a requester's cases).
var caseParams = []string{"q", "status", "priority", "assignee", "team", "category", "tag",
	"requester", "open", "overdue_tasks", "breaching_soon", "sort", "reverse", "cursor", "limit"}

// caseFilter reads a case list's filters from the URL.
func caseFilter(u *url.URL) (haven.CaseFilter, error) {
	q := newQuery(u, caseParams...)
	f := haven.CaseFilter{
		Text:          q.str("q"),
		Assignee:      q.str("assignee"),
		Team:          q.str("team"),
		Category:      q.str("category"),
		Tag:           q.str("tag"),
		RequesterID:   q.id("requester"),
		OpenOnly:      q.flag("open"),
		OverdueTasks:  q.flag("overdue_tasks"),
		BreachingSoon: q.flag("breaching_soon"),
		Sort:          haven.CaseSort(q.str("sort")),
		Reverse:       q.flag("reverse"),
		Cursor:        q.str("cursor"),
		Limit:         q.limit(),
	}
	for _, s := range q.strs("status") {
		f.Status = append(f.Status, haven.Status(strings.ToLower(s)))
	}
	for _, p := range q.strs("priority") {
		f.Priority = append(f.Priority, haven.Priority(strings.ToUpper(p)))
	}
	return f, q.err()
}

// requesterFilter reads a requester list's filters from the URL.
func requesterFilter(u *url.URL) (haven.RequesterFilter, error) {
	q := newQuery(u, "contact", "name", "cursor", "limit")
	f := haven.RequesterFilter{Contact: q.str("contact"), Name: q.str("name"), Cursor: q.str("cursor"), Limit: q.limit()}
	return f, q.err()
}

// eventFilter reads the audit trail's filters from the URL; times are RFC 3339 or a date (UTC).
func eventFilter(u *url.URL) (haven.EventFilter, error) {
	q := newQuery(u, "actor", "action", "case", "since", "until", "cursor", "limit")
	f := haven.EventFilter{Actor: q.str("actor"), Action: q.str("action"), Case: q.str("case"),
		Cursor: q.str("cursor"), Limit: q.limit(), Since: q.time("since"), Until: q.time("until")}
	return f, q.err()
}

func (q *query) time(name string) time.Time {
	s := q.str(name)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	q.v.Add(name, "use 2006-01-02 or 2006-01-02T15:04:05Z")
	return time.Time{}
}
