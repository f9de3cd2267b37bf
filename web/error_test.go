package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
)

// errorOf decodes an error answer, failing unless it has exactly the documented shape.
func errorOf(t *testing.T, w *httptest.ResponseRecorder) errorJSON {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	var raw map[string]map[string]json.RawMessage
	if err := json.Unmarshal(w.Body.Bytes(), &raw); err != nil {
		t.Fatalf("error body %q: %v", w.Body, err)
	}
	for k := range raw["error"] {
		if !slices.Contains([]string{"code", "message", "fields", "allowed"}, k) {
			t.Errorf("unexpected key error.%s in %s", k, w.Body)
		}
	}
	var body errorBody
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body.Error.Code == "" || body.Error.Message == "" {
		t.Errorf("error without code or message: %s", w.Body)
	}
	return body.Error
}

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		code   string
		status int
	}{
		{haven.EINVALID, 400},
		{haven.EUNAUTHORIZED, 401},
		{haven.EFORBIDDEN, 403},
		{haven.ENOTFOUND, 404},
		{haven.ECONFLICT, 409},
		{haven.ETOOLARGE, 413},
		{haven.EINTERNAL, 500},
		{"something-new", 500},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			f := &fake{err: &haven.Error{Code: tt.code, Message: "the message",
				Fields: map[string]string{"title": "required"}, Allowed: []string{"open", "closed"}}}
			s, _ := testServer(t, f)
			w := serve(t, s, req{method: "GET", path: "/api/v1/cases/HV-2026-000001"})
			if w.Code != tt.status {
				t.Fatalf("status = %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			e := errorOf(t, w)
			if tt.status == 500 {
				if e.Code != haven.EINTERNAL || e.Message == "the message" || e.Fields != nil || e.Allowed != nil {
					t.Errorf("internal error leaks details: %+v", e)
				}
				return
			}
			if e.Code != tt.code || e.Message != "the message" || e.Fields["title"] != "required" ||
				!slices.Equal(e.Allowed, []string{"open", "closed"}) {
				t.Errorf("error = %+v", e)
			}
			if got := w.Header().Get("WWW-Authenticate"); (tt.status == 401) != (got == "Bearer") {
				t.Errorf("WWW-Authenticate = %q for %d", got, tt.status)
			}
		})
	}
}

func TestErrorOmitsEmptyFieldsAndAllowed(t *testing.T) {
	s, _ := testServer(t, &fake{err: haven.Errorf(haven.ENOTFOUND, "case HV-2026-000009 not found")})
	w := serve(t, s, req{method: "GET", path: "/api/v1/cases/HV-2026-000009"})
	want := `{"error":{"code":"not_found","message":"case HV-2026-000009 not found"}}` + "\n"
	if w.Code != 404 || w.Body.String() != want {
		t.Errorf("got %d %s, want 404 %s", w.Code, w.Body, want)
	}
}

func TestTransitionConflictListsAllowed(t *testing.T) {
	c := &haven.Case{Status: haven.StatusClosed}
	s, _ := testServer(t, &fake{err: haven.Transition{To: haven.StatusTriage}.Check(c)})
	w := serve(t, s, req{method: "POST", path: "/api/v1/cases/HV-2026-000001/transitions", body: `{"to":"triage"}`})
	if w.Code != http.StatusConflict {
		t.Fatalf("status = %d: %s", w.Code, w.Body)
	}
	if e := errorOf(t, w); e.Code != haven.ECONFLICT || !slices.Equal(e.Allowed, []string{"open"}) {
		t.Errorf("error = %+v", e)
	}
}

func TestInternalErrorIsLoggedNotShown(t *testing.T) {
	tests := map[string]error{
		"plain":   errors.New("pq: password authentication failed for secret-db-user"),
		"wrapped": haven.Internal("find cases", errors.New("secret-db-user: disk I/O error")),
		"nested":  fmt.Errorf("outer: %w", haven.Internal("x", errors.New("secret-db-user gone"))),
	}
	for name, err := range tests {
		t.Run(name, func(t *testing.T) {
			s, logs := testServer(t, &fake{err: err})
			w := serve(t, s, req{method: "GET", path: "/api/v1/cases"})
			if w.Code != 500 {
				t.Fatalf("status = %d", w.Code)
			}
			if strings.Contains(w.Body.String(), "secret-db-user") {
				t.Errorf("body leaks the cause: %s", w.Body)
			}
			if e := errorOf(t, w); e.Code != haven.EINTERNAL {
				t.Errorf("code = %q", e.Code)
			}
			if !strings.Contains(logs.String(), "secret-db-user") {
				t.Errorf("cause not logged: %s", logs)
			}
		})
	}
}

func TestStatusOfCoversEveryCode(t *testing.T) {
	for _, code := range []string{haven.EINVALID, haven.ENOTFOUND, haven.ECONFLICT, haven.EUNAUTHORIZED,
		haven.EFORBIDDEN, haven.ETOOLARGE} {
		if statusOf(code) == http.StatusInternalServerError {
			t.Errorf("code %s maps to 500", code)
		}
	}
}

func TestUnknownRouteAndMethod(t *testing.T) {
	s, _ := testServer(t, &fake{})
	w := serve(t, s, req{method: "GET", path: "/api/v1/nothing-here"})
	if w.Code != 404 || errorOf(t, w).Code != haven.ENOTFOUND {
		t.Errorf("unknown path: %d %s", w.Code, w.Body)
	}
	w = serve(t, s, req{method: "DELETE", path: "/api/v1/cases/HV-2026-000001"})
	if w.Code != http.StatusMethodNotAllowed {
		t.Fatalf("wrong method: %d %s", w.Code, w.Body)
	}
	e := errorOf(t, w)
	if !slices.Contains(e.Allowed, "GET") || !slices.Contains(e.Allowed, "PATCH") || w.Header().Get("Allow") == "" {
		t.Errorf("405 without the allowed methods: %+v, Allow %q", e, w.Header().Get("Allow"))
	}
}

func TestPanicBecomes500(t *testing.T) {
	s, logs := testServer(t, &fake{panicMsg: "boom"})
	w := serve(t, s, req{method: "GET", path: "/api/v1/cases/HV-2026-000001"})
	if w.Code != 500 || errorOf(t, w).Code != haven.EINTERNAL {
		t.Fatalf("panic: %d %s", w.Code, w.Body)
	}
	if w.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Error("panic answer lacks security headers")
	}
	if !strings.Contains(logs.String(), "boom") {
		t.Errorf("panic not logged: %s", logs)
	}
}
