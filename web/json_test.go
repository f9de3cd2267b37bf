package web

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
)

func TestBodyTooLarge(t *testing.T) {
	big := `{"title":"` + strings.Repeat("x", DefaultMaxBodyBytes+1) + `"}`
	tests := map[string]req{
		"known length": {method: "POST", path: "/api/v1/cases", body: big},
		"streamed":     {method: "POST", path: "/api/v1/cases", reader: strings.NewReader(big)},
		"trailing":     {method: "POST", path: "/api/v1/cases", reader: io.MultiReader(strings.NewReader(`{"title":"a"}   `), bytes.NewReader(bytes.Repeat([]byte(" "), DefaultMaxBodyBytes)))},
	}
	for name, rq := range tests {
		t.Run(name, func(t *testing.T) {
			f := &fake{}
			s, _ := testServer(t, f)
			w := serve(t, s, rq)
			if w.Code != http.StatusRequestEntityTooLarge {
				t.Fatalf("status = %d: %.200s", w.Code, w.Body)
			}
			if e := errorOf(t, w); e.Code != haven.ETOOLARGE {
				t.Errorf("code = %q", e.Code)
			}
			if f.lastArgs() != nil {
				t.Error("the service was called with a too-large body")
			}
		})
	}
}

func TestMaxBodyBytesConfig(t *testing.T) {
	f := &fake{}
	s := NewServer(Services{Cases: f, Auth: f}, Config{MaxBodyBytes: 16})
	w := serve(t, s, req{method: "POST", path: "/api/v1/cases", body: `{"title":"0123456789"}`})
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status = %d: %s", w.Code, w.Body)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, body, ct string
		status         int
		field          string // a field that fields must name
	}{
		{name: "unknown field", body: `{"title":"a","titel":"b"}`, status: 400, field: "titel"},
		{name: "unknown nested field", body: `{"title":"a","requester":{"nmae":"x"}}`, status: 400, field: "nmae"},
		{name: "syntax", body: `{"title":`, status: 400},
		{name: "bad syntax", body: `{"title" "a"}`, status: 400},
		{name: "trailing data", body: `{"title":"a"}{"title":"b"}`, status: 400},
		{name: "trailing garbage", body: `{"title":"a"} x`, status: 400},
		{name: "wrong type", body: `{"title":42}`, status: 400, field: "title"},
		{name: "wrong nested type", body: `{"title":"a","requester":{"name":1}}`, status: 400, field: "requester.name"},
		{name: "not an object", body: `[1,2]`, status: 400},
		{name: "form", body: `title=a`, ct: "application/x-www-form-urlencoded", status: 415},
		{name: "text", body: `{"title":"a"}`, ct: "text/plain", status: 415},
		{name: "json with charset", body: `{"title":"a"}`, ct: "application/json; charset=utf-8", status: 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fake{}
			s, _ := testServer(t, f)
			w := serve(t, s, req{method: "POST", path: "/api/v1/cases", body: tt.body, contentType: tt.ct})
			if w.Code != tt.status {
				t.Fatalf("status = %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if tt.status == 201 {
				return
			}
			e := errorOf(t, w)
			if e.Code != haven.EINVALID {
				t.Errorf("code = %q", e.Code)
			}
			if tt.field != "" && e.Fields[tt.field] == "" {
				t.Errorf("fields do not name %q: %+v", tt.field, e)
			}
			if f.lastArgs() != nil {
				t.Error("the service was called with a bad body")
			}
		})
	}
}

func TestDecodeBadTime(t *testing.T) {
	s, _ := testServer(t, &fake{})
	w := serve(t, s, req{method: "PATCH", path: "/api/v1/cases/HV-2026-000001", body: `{"resolution_due":"tomorrow"}`})
	if w.Code != 400 || !strings.Contains(errorOf(t, w).Message, "RFC 3339") {
		t.Errorf("bad time: %d %s", w.Code, w.Body)
	}
}

func TestEmptyBody(t *testing.T) {
	s, _ := testServer(t, &fake{})
	r := req{method: "POST", path: "/api/v1/cases", reader: strings.NewReader("")}
	if w := serve(t, s, r); w.Code != 400 || errorOf(t, w).Code != haven.EINVALID {
		t.Errorf("empty body: %d %s", w.Code, w.Body)
	}
}

func TestCreateCase(t *testing.T) {
	f := &fake{}
	s, _ := testServer(t, f)
	w := serve(t, s, req{method: "POST", path: "/api/v1/cases",
		body: `{"title":"Help","priority":"P1","tags":["a"],"requester":{"name":"R","email":"r@example.org"}}`})
	if w.Code != http.StatusCreated {
		t.Fatalf("status = %d: %s", w.Code, w.Body)
	}
	if loc := w.Header().Get("Location"); loc != "/api/v1/cases/HV-2026-000001" {
		t.Errorf("Location = %q", loc)
	}
	in := f.lastArgs()[0].(haven.CaseCreate)
	if in.Title != "Help" || in.Priority != haven.P1 || in.Requester == nil || in.Requester.Email != "r@example.org" {
		t.Errorf("service got %+v", in)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
}
