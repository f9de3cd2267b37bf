package web

import (
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/haven-helpline/haven"
)

func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(openAPIDocument)
	if err != nil {
		t.Fatalf("load openapi.json: %v", err)
	}
	return doc
}

func TestOpenAPIValid(t *testing.T) {
	doc := loadOpenAPI(t)
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json does not validate: %v", err)
	}
}

// TestOpenAPIMatchesRoutes checks the route table against the document both ways, so serving and
// documentation cannot drift apart.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	s, _ := testServer(t, &fake{})
	served := map[string]bool{}
	for _, rt := range s.Routes() {
		key := rt.Method + " " + rt.Pattern
		if served[key] {
			t.Errorf("route %s is in the table twice", key)
		}
		served[key] = true
		item := doc.Paths.Value(rt.Pattern)
		if item == nil || item.GetOperation(rt.Method) == nil {
			t.Errorf("route %s is served but not documented in openapi.json", key)
			continue
		}
		op := item.GetOperation(rt.Method)
		public := op.Security != nil && len(*op.Security) == 0
		if public == rt.Auth {
			t.Errorf("route %s: Auth = %v but openapi.json says public = %v", key, rt.Auth, public)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if key := method + " " + path; !served[key] {
				t.Errorf("openapi.json documents %s, which is not served", key)
			}
		}
	}
}

// TestOpenAPIDescribesAnswers calls every route with the fake and checks that the answer's status
// is documented and that its body validates against the documented schema.
func TestOpenAPIDescribesAnswers(t *testing.T) {
	doc := loadOpenAPI(t)
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	bodies := map[string]string{
		"POST /api/v1/cases":                                `{"title":"t","requester":{"name":"n"}}`,
		"POST /api/v1/cases/{number}/reports":               `{"report_id":8}`,
		"POST /api/v1/requesters/{id}/merge":                `{"from":4}`,
		"POST /api/v1/cases/{number}/transitions":           `{"to":"open"}`,
		"POST /api/v1/teams/{name}/members":                 `{"username":"bob"}`,
		"POST /api/v1/tokens":                               `{"name":"ci","read_only":true}`,
		"POST /api/v1/cases/{number}/assign":                `{"assignee":"bob"}`,
		"POST /api/v1/cases/{number}/links":                 `{"case":"HV-2026-000002"}`,
		"POST /api/v1/cases/{number}/duplicate":             `{"of":"HV-2026-000002"}`,
		"DELETE /api/v1/teams/{name}/members/{username}":    "",
		"POST /api/v1/cases/{number}/notes":                 `{"body":"called","visibility":"leads"}`,
		"POST /api/v1/cases/{number}/presence":              `{"state":"replying"}`,
		"POST /api/v1/cases/{number}/tasks":                 `{"title":"Reset password","due_at":null}`,
		"POST /api/v1/cases/{number}/messages":              `{"to":["r@example.org"],"subject":"s","text":"hello"}`,
		"POST /api/v1/reports":                              `{"channel":"web","dedupe_key":"k1","raw":"form data"}`,
		"POST /api/v1/users":                                `{"username":"bob","password":"correct horse battery","role":"handler"}`,
		"POST /api/v1/teams":                                `{"name":"tier2"}`,
		"PATCH /api/v1/teams/{name}":                        `{"labels":{"ar":"الدعم","fr":"Soutien"}}`,
		"POST /api/v1/cases/{number}/break-glass":           `{"reason":"threat to life: requester unreachable"}`,
		"POST /api/v1/cases/{number}/access":                `{"username":"bob","hours":4}`,
		"POST /api/v1/compartments":                         `{"name":"child-safety"}`,
		"POST /api/v1/compartments/{name}/members":          `{"username":"bob"}`,
		"POST /api/v1/session":                              `{"username":"bob","password":"correct horse battery"}`,
		"POST /api/v1/requesters":                           `{"pseudonym":"Sparrow","contacts":[{"kind":"signal","value":"+44 7700 900000"}]}`,
		"PATCH /api/v1/cases/{number}":                      `{"priority":"P1","tags":null,"add_tags":["x"],"version":3}`,
		"PATCH /api/v1/cases/{number}/tasks/{id}":           `{"done":true}`,
		"PATCH /api/v1/requesters/{id}":                     `{"vetting":"vetted","languages":["ar","fr"]}`,
		"PATCH /api/v1/users/{username}":                    `{"disabled":true,"role":null}`,
		"PATCH /api/v1/me":                                  `{"display_name":"Rania","language":"ar"}`,
		"POST /api/v1/users/{username}/sign-out":            "",
		"PUT /api/v1/retention/{category}":                  `{"days":365}`,
		"POST /api/v1/account/two-factor":                   `{"password":"correct horse battery"}`,
		"POST /api/v1/users/{username}/reset-password":      "",
		"POST /api/v1/account/two-factor/confirm":           `{"code":"123456","password":"correct horse battery"}`,
		"POST /api/v1/users/{username}/two-factor/disable":  `{"password":"correct horse battery"}`,
		"PUT /api/v1/settings/two-factor":                   `{"required":true}`,
		"POST /api/v1/notifications/read":                   `{"up_to":4}`,
		"PUT /api/v1/account/notification-preferences":      `{"email":{"mention":true}}`,
		"POST /api/v1/cases/{number}/correspondent/confirm": "",
		"POST /api/v1/templates":                            `{"name":"first-reply","kind":"reply","variants":{"en":{"subject":"About {case_number}","body":"Hello {requester_name}"}}}`,
		"PATCH /api/v1/templates/{id}":                      `{"name":"first-reply","variants":{"ar":{"subject":"","body":"مرحبا {requester_name}"}}}`,
		"POST /api/v1/cases/{number}/render-template":       `{"template":3}`,
		"POST /api/v1/cases/{number}/plans":                 `{"tasks":[5]}`,
		"POST /api/v1/cases/{number}/plans/{id}/reject":     `{"reason":"ask the family first"}`,
		"POST /api/v1/categories":                           `{"slug":"phishing/sms"}`,
		"PATCH /api/v1/categories/{slug}":                   `{"retired":true}`,
		"POST /api/v1/platforms":                            `{"slug":"mastodon","name":"Mastodon"}`,
		"PATCH /api/v1/platforms/{slug}":                    `{"name":"X","channels":[{"kind":"email","address":"partners@x.example"}],"targets":{"doxxing":24}}`,
		"POST /api/v1/cases/{number}/escalations":           `{"platform":"instagram","kind":"hacked-account","channel":"email","subject":"s","body":"b"}`,
		"POST /api/v1/escalations/{id}/transitions":         `{"to":"sent","consent_override":true,"reason":"urgent"}`,
		"POST /api/v1/schedules":                            `{"name":"primary","time_zone":"Europe/Paris","layers":[{"users":["alice"],"start":"2026-01-05T09:00","rotation":"weekly"}]}`,
		"PATCH /api/v1/schedules/{name}":                    `{"layers":[{"users":["alice"],"start":"2026-01-05T09:00","rotation":"daily","restrictions":[{"days":["mon"],"start":"09:00","end":"18:00"}]}]}`,
		"POST /api/v1/schedules/{name}/overrides":           `{"user":"rami","start":"2026-03-01T02:00:00Z","end":"2026-03-01T08:00:00Z"}`,
		"POST /api/v1/escalation-policies":                  `{"name":"default","levels":[{"targets":[{"kind":"schedule","name":"primary"}],"delay_minutes":5}],"repeat":1}`,
		"PATCH /api/v1/escalation-policies/{name}":          `{"levels":[{"targets":[{"kind":"user","name":"lead"}],"delay_minutes":10}]}`,
		"POST /api/v1/alerts":                               `{"case":"HV-2026-000001","message":"threat to life"}`,
		"POST /api/v1/alerts/{id}/acknowledge":              "",
		"POST /api/v1/alerts/{id}/resolve":                  "",
		"POST /api/v1/alerts/{id}/reassign":                 `{"user":"bob"}`,
		"POST /api/v1/account/channels":                     `{"kind":"webhook","address":"https://gateway.example/hook","quiet_start":"22:00","quiet_end":"07:00","time_zone":"Europe/Paris"}`,
		"POST /api/v1/account/channels/{id}/verify":         `{"code":"123456"}`,
		"DELETE /api/v1/account/channels/{id}":              "",
		"POST /api/v1/account/channels/{id}/test":           "",
		"PUT /api/v1/settings/sla":                          `{"targets":{"P1":{"first_response_minutes":15,"next_update_minutes":60,"resolution_minutes":1440},"P2":{"first_response_minutes":15,"next_update_minutes":60,"resolution_minutes":1440},"P3":{"first_response_minutes":15,"next_update_minutes":60,"resolution_minutes":1440},"P4":{"first_response_minutes":15,"next_update_minutes":60,"resolution_minutes":1440}},"warn_at":0.8}`,
		"POST /api/v1/calendars":                            `{"name":"office","time_zone":"Europe/Paris","days":["mon","tue"],"start":"09:00","end":"17:00","holidays":["2026-12-25"],"teams":["tier1"]}`,
		"POST /api/v1/articles":                             `{"slug":"vetting","variants":{"en":{"title":"Vetting","body":"How we vet"}}}`,
		"PATCH /api/v1/articles/{slug}":                     `{"slug":"vetting","variants":{"en":{"title":"Vetting","body":"How"}}}`,
		"PUT /api/v1/settings/citations":                    `{"outcomes":["referred"]}`,
		"POST /api/v1/playbooks":                            `{"yaml":"name: lost-login"}`,
		"POST /api/v1/cases/{number}/playbooks":             `{"playbook":"lost-login"}`,
		"POST /api/v1/cases/{number}/decisions":             `{"step":"can-login","answer":"no"}`,
		"PATCH /api/v1/observables/{id}":                    `{"verdict":"malicious","tlp":"amber","pap":"green","confidence":80,"techniques":["T1566.002"]}`,
		"PUT /api/v1/allowlist":                             `{"domains":["helpline.example"]}`,
		"POST /api/v1/campaigns":                            `{"name":"Fake PayPal wave","aliases":["PP-2026"],"tlp":"amber","techniques":["T1566.002"]}`,
		"PATCH /api/v1/campaigns/{id}":                      `{"name":"Fake PayPal wave","actors":[4]}`,
		"POST /api/v1/actors":                               `{"name":"Group X","actor_kind":"intrusion-set"}`,
		"PATCH /api/v1/actors/{id}":                         `{"name":"Group X","description":"phishing kits"}`,
		"PUT /api/v1/cases/{number}/intel":                  `{"techniques":["T1566"],"groups":[3]}`,
		"POST /api/v1/export":                               `{"cases":["HV-2026-000001"],"format":"misp","tlp_max":"green"}`,
		"PUT /api/v1/settings/public-statistics":            `{"enabled":true,"k":10,"round":5}`,
		"PUT /api/v1/settings/report-schedule":              `{"every":"monthly","to":["board@helpline.example"],"lang":"fr"}`,
		"POST /api/v1/import":                               `{"type":"bundle","id":"bundle--6ba7b810-9dad-11d1-80b4-00c04fd430c8","objects":[]}`,
	}
	queries := map[string]string{"/api/v1/search": "?q=phishing&status=open", "/api/v1/stats/escalations": "?from=2026-09-01&to=2026-11-30&by=platform",
		"/api/v1/schedules/{name}/oncall": "?at=2026-03-01T10:00:00Z", "/api/v1/stats/sla": "?from=2026-09-01&to=2026-11-30&by=team",
		"/api/v1/observables": "?q=hxxps://evil[.]example/login", "/api/v1/import": "?source=CiviCERT", "/api/v1/cases/{number}/export": "?format=stix&tlp_max=amber",
		"/api/v1/stats/cases": "?from=2026-01-01&to=2026-12-31&by=category&team=mena&category=phishing&country=LB"}
	s, _ := testServer(t, &fake{})
	// The same calls with the database unavailable (503) and full (507): documented, Retry-After sent.
	unavailable, _ := testServer(t, &fake{err: haven.Errorf(haven.EUNAVAILABLE, haven.UnavailableMessage)})
	full, _ := testServer(t, &fake{err: haven.Errorf(haven.EFULL, haven.StorageFullMessage)})
	for _, rt := range s.Routes() {
		key := rt.Method + " " + rt.Pattern
		path := strings.NewReplacer("{number}", "HV-2026-000001", "{id}", "3", "{username}", "bob",
			"{name}", "tier1", "{category}", "phishing", "{slug}", "vetting", "{other}", "HV-2026-000002").Replace(rt.Pattern) + queries[rt.Pattern]
		body, ok := bodies[key]
		if !ok && (rt.Method == "POST" || rt.Method == "PATCH") {
			body = "{}"
		}
		ct := ""
		if key == "POST /api/v1/cases/{number}/attachments" {
			body, ct = multipartFile("screenshot.png", "hello")
		}
		checkRequestBody(t, doc, rt, body)
		w := serve(t, s, req{method: rt.Method, path: path, body: body, contentType: ct})
		checkAnswer(t, doc, rt, w)
		if rt.Auth {
			checkAnswer(t, doc, rt, serve(t, s, req{method: rt.Method, path: path, body: body, contentType: ct, token: "-"}))
		}
		for _, fs := range []*Server{unavailable, full} {
			checkAnswer(t, doc, rt, serve(t, fs, req{method: rt.Method, path: path, body: body, contentType: ct}))
		}
	}
	// Every documented error answer has the Error shape; check one of each status.
	for code, status := range map[string]int{haven.ENOTFOUND: 404, haven.ECONFLICT: 409, haven.EINVALID: 400,
		haven.EUNAVAILABLE: 503, haven.EFULL: 507} {
		f := &fake{err: &haven.Error{Code: code, Message: "m", Fields: map[string]string{"f": "x"}, Allowed: []string{"a"}}}
		s, _ := testServer(t, f)
		rt := Route{Method: "PATCH", Pattern: "/api/v1/cases/{number}", Auth: true}
		w := serve(t, s, req{method: "PATCH", path: "/api/v1/cases/HV-2026-000001", body: "{}"})
		if w.Code != status {
			t.Fatalf("status %d, want %d", w.Code, status)
		}
		checkAnswer(t, doc, rt, w)
	}
}

func checkAnswer(t *testing.T, doc *openapi3.T, rt Route, w *httptest.ResponseRecorder) {
	t.Helper()
	key := rt.Method + " " + rt.Pattern
	op := doc.Paths.Value(rt.Pattern).GetOperation(rt.Method)
	resp := op.Responses.Status(w.Code)
	if resp == nil || resp.Value == nil {
		t.Errorf("%s answered %d, which is not documented: %.300s", key, w.Code, w.Body)
		return
	}
	if _, ok := resp.Value.Headers["Retry-After"]; ok && w.Header().Get("Retry-After") == "" {
		t.Errorf("%s %d: Retry-After is documented but not sent", key, w.Code)
	}
	if w.Code == http.StatusNoContent {
		if w.Body.Len() != 0 || resp.Value.Content != nil {
			t.Errorf("%s 204: a body is sent or documented", key)
		}
		return
	}
	if w.Code < 300 && rt.Pattern == "/metrics" {
		return // the Prometheus text format
	}
	if w.Code < 300 && rt.Pattern == "/api/v1/audit/export" {
		checkJSONLines(t, doc, key, w)
		return
	}
	if w.Code < 300 && rt.Pattern == "/api/v1/cases/{number}/attachments/{id}" {
		checkDownload(t, resp.Value, w)
		return
	}
	mt := resp.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		t.Errorf("%s %d: no application/json schema", key, w.Code)
		return
	}
	var v any
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Errorf("%s %d: body is not JSON: %v", key, w.Code, err)
		return
	}
	if err := mt.Schema.Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.VisitAsResponse()); err != nil {
		t.Errorf("%s %d: body does not match its schema: %v\n%.500s", key, w.Code, err, w.Body)
	}
}

// checkRequestBody validates a test's request body against the documented request schema, so the
// bodies the tests send are ones the document allows.
func checkRequestBody(t *testing.T, doc *openapi3.T, rt Route, body string) {
	t.Helper()
	op := doc.Paths.Value(rt.Pattern).GetOperation(rt.Method)
	if body == "" {
		if op.RequestBody != nil {
			t.Errorf("%s %s documents a body but the test sends none", rt.Method, rt.Pattern)
		}
		return
	}
	if op.RequestBody == nil {
		t.Errorf("%s %s takes a body that is not documented", rt.Method, rt.Pattern)
		return
	}
	if op.RequestBody.Value.Content.Get("multipart/form-data") != nil {
		if !strings.Contains(body, `name="file"`) {
			t.Errorf("%s %s: the test's multipart body has no file field", rt.Method, rt.Pattern)
		}
		return
	}
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	schema := op.RequestBody.Value.Content.Get("application/json").Schema.Value
	if err := schema.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.VisitAsRequest()); err != nil {
		t.Errorf("%s %s: test body %s does not match its schema: %v", rt.Method, rt.Pattern, body, err)
	}
}

// TestOpenAPIRejectsUnknownFields checks that request schemas are closed, as the decoder is.
func TestOpenAPIRejectsUnknownFields(t *testing.T) {
	doc := loadOpenAPI(t)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value.Content.Get("application/json") == nil {
				continue
			}
			schema := op.RequestBody.Value.Content.Get("application/json").Schema.Value
			err := schema.VisitJSON(map[string]any{"no_such_field": 1}, openapi3.EnableJSONSchema2020())
			if err == nil {
				t.Errorf("%s %s: the request schema accepts unknown fields", method, path)
			}
		}
	}
}

// checkJSONLines checks a JSON-lines download: documented as such, every line an Event.
func checkJSONLines(t *testing.T, doc *openapi3.T, key string, w *httptest.ResponseRecorder) {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/x-ndjson" {
		t.Errorf("%s: Content-Type %q", key, ct)
	}
	schema := doc.Components.Schemas["Event"].Value
	for _, line := range strings.Split(strings.TrimSpace(w.Body.String()), "\n") {
		var v any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Errorf("%s: line %q: %v", key, line, err)
			continue
		}
		if err := schema.VisitJSON(v); err != nil {
			t.Errorf("%s: line does not match Event: %v", key, err)
		}
	}
}

// checkDownload: an attachment goes out as a download of its documented type, never inline.
func checkDownload(t *testing.T, resp *openapi3.Response, w *httptest.ResponseRecorder) {
	t.Helper()
	if resp.Content.Get("application/octet-stream") == nil || w.Header().Get("Content-Type") != "application/octet-stream" {
		t.Errorf("download: Content-Type %q", w.Header().Get("Content-Type"))
	}
	if cd := w.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
		t.Errorf("download: Content-Disposition %q", cd)
	}
}

// multipartFile builds a multipart/form-data body holding one file in the field "file".
func multipartFile(name, content string) (body, contentType string) {
	var b strings.Builder
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write([]byte(content))
	mw.Close()
	return b.String(), mw.FormDataContentType()
}

// openAPIProbes take no parameter, body or token and touch no database: no client error, 503 or
// 507 can happen on them. /readyz documents its own 503, in the shape of its 200.
var openAPIProbes = []string{"GET /healthz", "GET /readyz", "GET /api/v1/openapi.json", "GET /metrics"}

// TestOpenAPIForClients checks what generated clients rely on: a server, a licence, declared and
// described tags, a unique camelCase operationId and a description on every operation, and the
// error answers each operation can give, all in the one Error shape.
func TestOpenAPIForClients(t *testing.T) {
	doc := loadOpenAPI(t)
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "/" || doc.Servers[0].Description == "" {
		t.Errorf("servers: want one relative server / with a description, as paths start with /api/v1")
	}
	if doc.Info.License == nil || doc.Info.License.Name == "" || doc.Info.Contact == nil || doc.Info.Contact.URL == "" {
		t.Errorf("info needs a license and a contact")
	}
	tags := map[string]bool{}
	for _, tag := range doc.Tags {
		if tag.Description == "" {
			t.Errorf("tag %s has no description", tag.Name)
		}
		tags[tag.Name] = true
	}
	for code, name := range map[string]string{"503": "Unavailable", "507": "StorageFull", "429": "TooManyRequests"} {
		if r := doc.Components.Responses[name]; r == nil || r.Value.Headers["Retry-After"] == nil {
			t.Errorf("components/responses/%s (%s) must document Retry-After", name, code)
		}
	}
	ids := map[string]string{}
	camel := regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			key := method + " " + path
			if !camel.MatchString(op.OperationID) {
				t.Errorf("%s: operationId %q is not camelCase", key, op.OperationID)
			}
			if other, dup := ids[op.OperationID]; dup {
				t.Errorf("%s: operationId %q is also %s's", key, op.OperationID, other)
			}
			ids[op.OperationID] = key
			if strings.TrimSpace(op.Description) == "" || op.Summary == "" {
				t.Errorf("%s: no summary or description", key)
			}
			for _, tag := range op.Tags {
				if !tags[tag] {
					t.Errorf("%s: tag %s is not declared at the top level", key, tag)
				}
			}
			checkErrorAnswers(t, doc, key, item, op)
		}
	}
}

// checkErrorAnswers checks that an operation documents the client and server errors it can give,
// each through a shared response in the Error shape.
func checkErrorAnswers(t *testing.T, doc *openapi3.T, key string, item *openapi3.PathItem, op *openapi3.Operation) {
	t.Helper()
	want := map[string]bool{"500": true, "503": true, "507": true}
	method, path, _ := strings.Cut(key, " ")
	public := op.Security != nil && len(*op.Security) == 0
	if op.RequestBody != nil || hasQuery(item, op) {
		want["400"] = true
	}
	if !public {
		want["401"], want["403"] = true, true
	}
	if method != "GET" {
		want["403"] = true // the cross-origin protection refuses a browser's cross-site write
	}
	if strings.Contains(path, "{") {
		want["404"] = true
	}
	if op.RequestBody != nil {
		want["413"], want["415"] = true, true
	}
	if slices.Contains(openAPIProbes, key) {
		want = map[string]bool{}
	}
	for code := range want {
		if op.Responses.Value(code) == nil {
			t.Errorf("%s: no %s answer documented", key, code)
		}
	}
	for code, resp := range op.Responses.Map() {
		if code < "400" || key == "GET /readyz" {
			continue
		}
		name, ok := strings.CutPrefix(resp.Ref, "#/components/responses/")
		shared := doc.Components.Responses[name]
		if !ok || shared == nil || shared.Value.Content.Get("application/json").Schema.Ref != "#/components/schemas/Error" {
			t.Errorf("%s: the %s answer is not a shared response in the Error shape", key, code)
		}
	}
}

func hasQuery(item *openapi3.PathItem, op *openapi3.Operation) bool {
	for _, p := range append(item.Parameters, op.Parameters...) {
		if p.Value.In == openapi3.ParameterInQuery {
			return true
		}
	}
	return false
}
