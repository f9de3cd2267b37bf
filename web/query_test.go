package web

import (
	"encoding/json"
	"net/url"
	"reflect"
	"testing"

	"github.com/haven-helpline/haven"
)

func TestCaseFilter(t *testing.T) {
	tests := []struct {
		query string
		want  haven.CaseFilter
	}{
		{"", haven.CaseFilter{}},
		{"status=open,triage", haven.CaseFilter{Status: []haven.Status{"open", "triage"}}},
		{"status=open&status=triage", haven.CaseFilter{Status: []haven.Status{"open", "triage"}}},
		{"status=open,&status=New", haven.CaseFilter{Status: []haven.Status{"open", "new"}}},
		{"priority=P1,p2&priority=P3", haven.CaseFilter{Priority: []haven.Priority{"P1", "P2", "P3"}}},
		{"q=phishing+link&assignee=me&team=tier1&category=account-compromise&tag=instagram",
			haven.CaseFilter{Text: "phishing link", Assignee: "me", Team: "tier1", Category: "account-compromise", Tag: "instagram"}},
		{"requester=12&open=true&sort=due&cursor=abc&limit=20",
			haven.CaseFilter{RequesterID: 12, OpenOnly: true, Sort: "due", Cursor: "abc", Limit: 20}},
		{"open=0", haven.CaseFilter{}},
	}
	for _, tt := range tests {
		u := &url.URL{RawQuery: tt.query}
		got, err := caseFilter(u)
		if err != nil {
			t.Errorf("%q: %v", tt.query, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", tt.query, got, tt.want)
		}
	}
}

func TestCaseFilterErrors(t *testing.T) {
	tests := map[string]string{
		"limit=ten":     "limit",
		"limit=0":       "limit",
		"limit=-5":      "limit",
		"limit=501":     "limit",
		"limit=1e3":     "limit",
		"requester=abc": "requester",
		"requester=-1":  "requester",
		"open=maybe":    "open",
		"stauts=open":   "stauts",
	}
	for query, field := range tests {
		_, err := caseFilter(&url.URL{RawQuery: query})
		he := haven.AsError(err)
		if he == nil || he.Code != haven.EINVALID || he.Fields[field] == "" {
			t.Errorf("%q: err = %v, want a field error on %s", query, err, field)
		}
	}
}

func TestListCasesOverHTTP(t *testing.T) {
	f := &fake{}
	s, _ := testServer(t, f)
	w := serve(t, s, req{method: "GET", path: "/api/v1/cases?status=open,triage&status=new&priority=P1&limit=2"})
	if w.Code != 200 {
		t.Fatalf("status = %d: %s", w.Code, w.Body)
	}
	if want := []haven.Status{"open", "triage", "new"}; !reflect.DeepEqual(f.filter.Status, want) || f.filter.Limit != 2 {
		t.Errorf("filter = %+v", f.filter)
	}
	var page struct {
		Items []map[string]any `json:"items"`
		Next  *string          `json:"next"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &page); err != nil || len(page.Items) != 1 || page.Next == nil {
		t.Errorf("page %s: %v", w.Body, err)
	}

	w = serve(t, s, req{method: "GET", path: "/api/v1/cases?limit=lots&requester=x"})
	if w.Code != 400 {
		t.Fatalf("bad limit: %d", w.Code)
	}
	if e := errorOf(t, w); e.Fields["limit"] == "" || e.Fields["requester"] == "" {
		t.Errorf("error = %+v", e)
	}
}

func TestSearchNeedsQuery(t *testing.T) {
	f := &fake{}
	s, _ := testServer(t, f)
	for _, path := range []string{"/api/v1/search", "/api/v1/search?q=+", "/api/v1/search?status=open"} {
		w := serve(t, s, req{method: "GET", path: path})
		if w.Code != 400 || errorOf(t, w).Fields["q"] == "" {
			t.Errorf("%s: %d %s", path, w.Code, w.Body)
		}
	}
	if w := serve(t, s, req{method: "GET", path: "/api/v1/search?q=doxxing&open=1"}); w.Code != 200 ||
		f.filter.Text != "doxxing" || !f.filter.OpenOnly {
		t.Errorf("search: %d %+v", w.Code, f.filter)
	}
}

func TestRequesterCasesUsesPathID(t *testing.T) {
	f := &fake{}
	s, _ := testServer(t, f)
	w := serve(t, s, req{method: "GET", path: "/api/v1/requesters/42/cases?requester=7&open=true"})
	if w.Code != 200 || f.filter.RequesterID != 42 || !f.filter.OpenOnly {
		t.Errorf("%d %+v", w.Code, f.filter)
	}
	if w := serve(t, s, req{method: "GET", path: "/api/v1/requesters/abc/cases"}); w.Code != 404 {
		t.Errorf("non-numeric id: %d", w.Code)
	}
}

func TestRequesterFilter(t *testing.T) {
	f := &fake{}
	s, _ := testServer(t, f)
	w := serve(t, s, req{method: "GET", path: "/api/v1/requesters?contact=r%40example.org&name=ran&limit=3&cursor=c"})
	want := haven.RequesterFilter{Contact: "r@example.org", Name: "ran", Cursor: "c", Limit: 3}
	if w.Code != 200 || f.rfilter != want {
		t.Errorf("%d %+v", w.Code, f.rfilter)
	}
	if w := serve(t, s, req{method: "GET", path: "/api/v1/requesters?limit=x"}); w.Code != 400 || errorOf(t, w).Fields["limit"] == "" {
		t.Errorf("bad limit: %d %s", w.Code, w.Body)
	}
}
