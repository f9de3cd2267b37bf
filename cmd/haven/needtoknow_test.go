package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/testenv"
)

// TestNeedToKnowProbes replays, on both databases, the ways an outside review broke
// need-to-know (issue "Need-to-know must hold everywhere"), as the hostile handler, admin, lead
// and anonymous sender it tried them as. Each must now fail without revealing anything.
func TestNeedToKnowProbes(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { runProbes(t, filepath.Join(t.TempDir(), "h.db")) })
	t.Run("postgres", func(t *testing.T) { runProbes(t, testenv.Postgres(t)) })
}

func runProbes(t *testing.T, dsn string) {
	f, actors := startMatrix(t, dsn)
	as := map[string]*apiClient{}
	for _, a := range actors {
		as[a.name] = &apiClient{t: t, base: f.base, token: a.token}
	}
	secretAddr := "zqsecret.person@example.org"
	if st, body := as["insider"].do("PATCH", fmt.Sprintf("/api/v1/requesters/%d", f.restReq),
		map[string]any{"contacts": []map[string]string{{"kind": "email", "value": secretAddr}}}); st != 200 {
		t.Fatalf("insider gives the hidden person an address: %d %v", st, body)
	}
	t.Run("hidden requester by id answers as unknown", func(t *testing.T) { probeRequesterID(t, f, as["handler"]) })
	t.Run("hidden requester by address is never linked", func(t *testing.T) { probeRequesterAddress(t, f, as["handler"], secretAddr) })
	t.Run("spoofed sender opens a separate record", func(t *testing.T) { probeSpoofedSender(t, f, as["handler"], secretAddr) })
	t.Run("subject tag from a stranger opens a new case", func(t *testing.T) { probeSubjectTag(t, f, as, secretAddr) })
	t.Run("reports follow their case", func(t *testing.T) { probeReports(t, f, as) })
	t.Run("audit trail under need-to-know", func(t *testing.T) { probeAudit(t, f, as) })
	t.Run("admins cannot join a compartment", func(t *testing.T) { probeCompartmentJoin(t, f, as) })
	t.Run("restriction keeps the team's lead", func(t *testing.T) { probeRestriction(t, f, as) })
	t.Run("break-glass gives no lasting access", func(t *testing.T) { probeBreakGlass(t, f, as) })
}

// noMarker fails when anything of the restricted case or its person is in body.
func noMarker(t *testing.T, where string, body any) {
	t.Helper()
	raw := strings.ToLower(marshal(body))
	for what, m := range restrictedMarkers {
		if strings.Contains(raw, m) {
			t.Errorf("%s: the restricted %s marker %q leaked: %s", where, what, m, raw)
		}
	}
	if strings.Contains(raw, "zqsecret.person") {
		t.Errorf("%s: the hidden person's address leaked: %s", where, raw)
	}
}

func probeRequesterID(t *testing.T, f *matrixFixture, hana *apiClient) {
	stHidden, hidden := hana.do("POST", "/api/v1/cases", map[string]any{"title": "probe", "requester_id": f.restReq})
	stGhost, ghost := hana.do("POST", "/api/v1/cases", map[string]any{"title": "probe", "requester_id": 987654321})
	if stHidden != stGhost || stHidden != 400 || marshal(hidden) != marshal(ghost) {
		t.Fatalf("a hidden requester id answers %d %v, an unknown one %d %v", stHidden, hidden, stGhost, ghost)
	}
	noMarker(t, "create with hidden requester id", hidden)
}

func probeRequesterAddress(t *testing.T, f *matrixFixture, hana *apiClient, secretAddr string) {
	st, c := hana.do("POST", "/api/v1/cases", map[string]any{"title": "probe by address",
		"requester": map[string]any{"name": "Whoever", "email": strings.ToUpper(secretAddr)}})
	if st != 201 {
		t.Fatalf("create by address: %d %v", st, c)
	}
	noMarker(t, "create by address", c)
	if id := int64(c["requester_id"].(float64)); id == f.restReq || id == 0 {
		t.Fatalf("the new case was linked to requester %d (the hidden one is %d)", id, f.restReq)
	}
	if st, body := hana.do("GET", fmt.Sprintf("/api/v1/requesters/%d", f.restReq), nil); st != 404 {
		t.Fatalf("the hidden person became readable: %d %v", st, body)
	}
	if st, body := hana.do("PATCH", fmt.Sprintf("/api/v1/requesters/%d", f.restReq),
		map[string]any{"contacts": []map[string]string{{"kind": "email", "value": "attacker@example.net"}}}); st != 404 {
		t.Fatalf("the hidden person's address could be changed: %d %v", st, body)
	}
	if st, body := hana.do("POST", "/api/v1/requesters", map[string]any{"name": "Again", "email": secretAddr}); st != 201 {
		t.Fatalf("a contact someone else holds must be no conflict (that would tell who holds it): %d %v", st, body)
	}
	st, list := hana.do("GET", "/api/v1/requesters?contact="+secretAddr, nil)
	if st != 200 {
		t.Fatalf("requesters by contact: %d", st)
	}
	for _, it := range items(list) {
		if int64(it.(map[string]any)["id"].(float64)) == f.restReq {
			t.Fatal("the hidden person is listed by their address")
		}
	}
	for what, m := range restrictedMarkers { // the address is hana's own records', which she typed
		if strings.Contains(strings.ToLower(marshal(list)), m) {
			t.Errorf("requesters by contact: the restricted %s marker leaked", what)
		}
	}
}

func probeSpoofedSender(t *testing.T, f *matrixFixture, hana *apiClient, secretAddr string) {
	res, err := f.a.svc.IngestEmail(context.Background(), haven.InboundEmail{Mailbox: "help@helpline.example",
		Raw: []byte("From: " + secretAddr + "\r\n\r\nspoofed"), MessageID: "spoof-1@evil.example", FromAddr: secretAddr,
		Subject: "please help", Text: "spoofed"})
	if err != nil || res.Threading != haven.ThreadNew {
		t.Fatalf("spoofed email: %+v %v", res, err)
	}
	st, c := hana.do("GET", "/api/v1/cases/"+res.CaseNumber, nil)
	if st != 200 {
		t.Fatalf("the spoofed email's case: %d %v", st, c)
	}
	noMarker(t, "spoofed email's case", c)
	if int64(c["requester_id"].(float64)) == f.restReq {
		t.Fatal("a spoofed sender was linked to the hidden person")
	}
	if st, _ := hana.do("GET", fmt.Sprintf("/api/v1/requesters/%d", f.restReq), nil); st != 404 {
		t.Fatal("a spoofed email made the hidden person readable")
	}
}

func probeSubjectTag(t *testing.T, f *matrixFixture, as map[string]*apiClient, secretAddr string) {
	ingest := func(from, id string) *haven.IngestResult {
		res, err := f.a.svc.IngestEmail(context.Background(), haven.InboundEmail{Mailbox: "help@helpline.example",
			Raw: []byte("From: " + from + "\r\n\r\n" + id), MessageID: id, FromAddr: from, CaseTag: f.rest,
			Subject: "Re: [" + f.rest + "] hello", Text: "injected " + id})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	stranger := ingest("stranger@evil.example", "tag-1@evil.example")
	if stranger.Threading != haven.ThreadNew || stranger.CaseNumber == f.rest {
		t.Fatalf("a stranger's tagged email went into the restricted case: %+v", stranger)
	}
	_, tl := as["insider"].do("GET", "/api/v1/cases/"+stranger.CaseNumber+"/timeline", nil)
	if !strings.Contains(marshal(tl), `"claims_case_number":"`+f.rest+`"`) {
		t.Errorf("a member does not see which case the stranger's email claimed: %s", marshal(tl))
	}
	_, tl = as["handler"].do("GET", "/api/v1/cases/"+stranger.CaseNumber+"/timeline", nil)
	if strings.Contains(marshal(tl), "claims_case") { // the number itself is in the stranger's own subject
		t.Errorf("a non-member learns which case the stranger claimed: %s", marshal(tl))
	}
	// The insider gave the person an address after the case was opened without one: on a
	// restricted case it waits for confirmation, and until then it is not the case's correspondent.
	if early := ingest(secretAddr, "tag-2@example.org"); early.CaseNumber == f.rest {
		t.Fatalf("an unconfirmed address threaded into the restricted case: %+v", early)
	}
	if st, body := as["handler"].do("POST", "/api/v1/cases/"+f.rest+"/correspondent/confirm", nil); st != 404 {
		t.Fatalf("a non-member confirms the address: %d %v", st, body)
	}
	st, corr := as["insider"].do("POST", "/api/v1/cases/"+f.rest+"/correspondent/confirm", nil)
	if st != 200 || corr["address"] != secretAddr {
		t.Fatalf("confirm: %d %v", st, corr)
	}
	if known := ingest(secretAddr, "tag-3@example.org"); known.Threading != haven.ThreadSubjectTag || known.CaseNumber != f.rest {
		t.Fatalf("the case's correspondent's tagged reply did not thread: %+v", known)
	}
}

func probeReports(t *testing.T, f *matrixFixture, as map[string]*apiClient) {
	ctx := context.Background()
	res, err := f.a.svc.IngestEmail(ctx, haven.InboundEmail{Mailbox: "help@helpline.example", Raw: []byte("From: a@b\r\n\r\nx"),
		MessageID: "rest-report@example.org", DedupeKey: "mid:<rest-report@example.org>", FromAddr: "a@b.example", Subject: "x", Text: "x"})
	if err != nil {
		t.Fatal(err)
	}
	// Move that report into the restricted case, as a member would.
	var reportID int64
	if _, err := f.a.svc.LinkReport(asUser(t, f, "insider"), res.ReportID, f.rest); err != nil {
		t.Fatal(err)
	}
	reportID = res.ReportID
	st, body := as["handler"].do("POST", "/api/v1/reports", map[string]any{"channel": "email", "raw": "From: c@d\r\n\r\nmine",
		"dedupe_key": "mid:<rest-report@example.org>"})
	if st != 201 && st != 200 {
		t.Fatalf("report with a known dedupe key: %d %v", st, body)
	}
	noMarker(t, "dedupe answer", body)
	if strings.Contains(marshal(body), f.rest) || int64(body["id"].(float64)) == reportID {
		t.Fatalf("the dedupe answer names the restricted case or its report: %v", body)
	}
	stHidden, hidden := as["handler"].do("POST", "/api/v1/cases/"+f.open+"/reports", map[string]any{"report_id": reportID})
	stGhost, ghost := as["handler"].do("POST", "/api/v1/cases/"+f.open+"/reports", map[string]any{"report_id": 987654321})
	if stHidden != 404 || stGhost != 404 || strings.ReplaceAll(marshal(hidden), fmt.Sprint(reportID), "N") != strings.ReplaceAll(marshal(ghost), "987654321", "N") {
		t.Fatalf("linking a report off a restricted case: %d %v (unknown report: %d %v)", stHidden, hidden, stGhost, ghost)
	}
	if _, reps := as["insider"].do("GET", "/api/v1/cases/"+f.rest+"/reports", nil); !strings.Contains(marshal(reps), fmt.Sprintf(`"id":%d`, reportID)) {
		t.Fatalf("the report left the restricted case: %v", reps)
	}
}

func probeAudit(t *testing.T, f *matrixFixture, as map[string]*apiClient) {
	if _, err := f.a.svc.TransitionCase(asUser(t, f, "insider"), f.rest, haven.Transition{To: haven.StatusTriage, Reason: "zqsecretreason"}); err != nil && haven.ErrorCode(err) != haven.ECONFLICT {
		t.Fatal(err)
	}
	restID := caseID(t, f, f.rest)
	for _, who := range []string{"auditor", "admin"} {
		for _, path := range []string{"/api/v1/audit?limit=500", "/api/v1/audit/export"} {
			st, body := as[who].do("GET", path, nil)
			if st != 200 {
				t.Fatalf("%s %s: %d", who, path, st)
			}
			raw := marshal(body)
			noMarker(t, who+" "+path, body)
			if strings.Contains(raw, "zqsecretreason") || strings.Contains(raw, f.rest) || strings.Contains(raw, fmt.Sprintf(`"case_id":%d,`, restID)) {
				t.Errorf("%s %s lists the restricted case's events: %s", who, path, raw)
			}
		}
	}
	// The content is in no event at all: the chain holds references only.
	var page *haven.EventPage
	if err := f.a.db.View(context.Background(), func(tx haven.Tx) (err error) {
		page, err = tx.FindEvents(context.Background(), haven.EventFilter{Limit: 500, Everything: true})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, e := range page.Items {
		e.Detail = nil
		if raw := marshal(e); strings.Contains(raw, "zqsecretreason") {
			t.Errorf("free text in a chained event: %s", raw)
		}
	}
	_, tl := as["insider"].do("GET", "/api/v1/cases/"+f.rest+"/timeline", nil)
	if !strings.Contains(marshal(tl), "zqsecretreason") {
		t.Errorf("a member no longer sees the transition's reason on the timeline: %s", marshal(tl))
	}
}

func probeCompartmentJoin(t *testing.T, f *matrixFixture, as map[string]*apiClient) {
	if st, body := as["admin"].do("POST", "/api/v1/compartments/child-safety/members", map[string]any{"username": "admin"}); st != 403 {
		t.Fatalf("an admin added themself to a compartment: %d %v", st, body)
	}
	if st, _ := as["admin"].do("GET", "/api/v1/cases/"+f.rest, nil); st != 404 {
		t.Fatal("the admin reads the restricted case")
	}
	if st, body := as["insider"].do("POST", "/api/v1/compartments/child-safety/members", map[string]any{"username": "sam"}); st != 200 && st != 201 {
		t.Fatalf("a member adds an auditor: %d %v", st, body)
	}
	_, notes := as["insider"].do("GET", "/api/v1/notifications", nil)
	_ = notes // the actor is not told of their own change
	_, samNotes := as["auditor"].do("GET", "/api/v1/notifications", nil)
	if !strings.Contains(marshal(samNotes), "compartment.member_added") {
		t.Errorf("the new member is not told: %s", marshal(samNotes))
	}
	if st, _ := as["auditor"].do("GET", "/api/v1/audit?case="+f.rest, nil); st != 200 {
		t.Errorf("an auditor of the compartment cannot audit its case: %d", st)
	}
	if st, _ := as["insider"].do("DELETE", "/api/v1/compartments/child-safety/members/sam", nil); st != 200 && st != 204 {
		t.Errorf("a member removes the auditor: %d", st)
	}
}

func probeRestriction(t *testing.T, f *matrixFixture, as map[string]*apiClient) {
	st, c := as["handler"].do("POST", "/api/v1/cases", map[string]any{"title": "team case", "team": "mena"})
	if st != 201 {
		t.Fatalf("create: %d %v", st, c)
	}
	number := c["number"].(string)
	if st, body := as["handler"].do("PATCH", "/api/v1/cases/"+number, map[string]any{"restricted_to": []string{"hana"}}); st != 200 {
		t.Fatalf("restrict to self: %d %v", st, body)
	}
	if st, _ := as["lead"].do("GET", "/api/v1/cases/"+number, nil); st != 200 {
		t.Errorf("restricting a team case hid it from the team's lead: %d", st)
	}
	st, c = as["handler"].do("POST", "/api/v1/cases", map[string]any{"title": "no team"})
	if st != 201 {
		t.Fatal(st)
	}
	for _, up := range []map[string]any{{"restricted_to": []string{"hana"}}, {"tlp": "red"}} {
		if st, body := as["handler"].do("PATCH", "/api/v1/cases/"+c["number"].(string), up); st != 403 {
			t.Errorf("a handler hid a team-less case from everyone with %v: %d %v", up, st, body)
		}
	}
	if st, body := as["handler"].do("POST", "/api/v1/cases", map[string]any{"title": "red, no team", "tlp": "red"}); st != 403 {
		t.Errorf("a handler created a team-less TLP:RED case: %d %v", st, body)
	}
	// Taking the team away from a case restricted to named users would take it from the leads.
	if st, body := as["handler"].do("PATCH", "/api/v1/cases/"+number, map[string]any{"team": ""}); st != 403 {
		t.Errorf("a handler took a restricted case away from its team's leads: %d %v", st, body)
	}
	_, leadNotes := as["lead"].do("GET", "/api/v1/notifications", nil)
	if !strings.Contains(marshal(leadNotes), "access_changed") {
		t.Errorf("the lead is not told of the restriction: %s", marshal(leadNotes))
	}
}

func probeBreakGlass(t *testing.T, f *matrixFixture, as map[string]*apiClient) {
	lead := as["lead"]
	if st, body := lead.do("POST", "/api/v1/cases/"+f.rest+"/break-glass", map[string]any{"reason": "requester unreachable"}); st != 200 {
		t.Fatalf("break-glass: %d %v", st, body)
	}
	for _, try := range []struct {
		method, path string
		body         map[string]any
	}{
		{"POST", "/api/v1/cases/" + f.rest + "/access", map[string]any{"username": "lena", "hours": 720}},
		{"POST", "/api/v1/cases/" + f.rest + "/access", map[string]any{"username": "hana", "hours": 1}},
		{"PATCH", "/api/v1/cases/" + f.rest, map[string]any{"restricted_to": []string{"lena"}}},
		{"PATCH", "/api/v1/cases/" + f.rest, map[string]any{"compartment": ""}},
		{"PATCH", "/api/v1/cases/" + f.rest, map[string]any{"tlp": "red"}},
		{"POST", "/api/v1/cases/" + f.rest + "/assign", map[string]any{"assignee": "lena"}},
		{"PATCH", "/api/v1/cases/" + f.rest, map[string]any{"team": "scratch"}},
	} {
		if st, body := lead.do(try.method, try.path, try.body); st != 403 {
			t.Errorf("through break-glass, %s %s %v: %d %v", try.method, try.path, try.body, st, body)
		}
	}
	_, notes := as["insider"].do("GET", "/api/v1/notifications", nil)
	if !strings.Contains(marshal(notes), "break_glass") {
		t.Errorf("the compartment's member is not told of the break-glass: %s", marshal(notes))
	}
}

func asUser(t *testing.T, f *matrixFixture, username string) context.Context {
	t.Helper()
	u, err := f.a.svc.User(f.ctx, username)
	if err != nil {
		t.Fatal(err)
	}
	return haven.WithActor(context.Background(), haven.Actor{User: u})
}

func caseID(t *testing.T, f *matrixFixture, number string) int64 {
	t.Helper()
	c, err := f.a.svc.Case(asUser(t, f, "insider"), number)
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}
