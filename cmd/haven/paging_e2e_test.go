package main

import (
	"crypto/hmac"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/email"
	"github.com/haven-helpline/haven/jobs"
	"github.com/haven-helpline/haven/service"
)

// hookReceiver is a webhook gateway: it checks Haven's signature and answers 500 to the first
// request, to see the page retried.
type hookReceiver struct {
	mu     sync.Mutex
	secret string
	bodies []map[string]any
	calls  int
	bad    int
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	h.calls++
	want := "v1=" + webhookSignature(h.secret, r.Header.Get("X-Haven-Timestamp"), body)
	if h.secret != "" && !hmac.Equal([]byte(want), []byte(r.Header.Get("X-Haven-Signature"))) {
		h.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if h.calls == 1 {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	var v map[string]any
	_ = json.Unmarshal(body, &v)
	h.bodies = append(h.bodies, v)
}

type movingClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *movingClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *movingClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// TestPagingByEmailAndWebhook: channels are verified by the codes of their test messages; a P1
// case pages the on-call user in the app, by email through a real SMTP relay (with a one-time
// acknowledge link) and by a signed webhook, retried after a 500; the link acknowledges once and
// expires after an hour. The job runner and the service run on a clock the test moves.
func TestPagingByEmailAndWebhook(t *testing.T) {
	m := startMailServer(t, nil)
	clock := &movingClock{t: time.Now()}
	m.a.cfg.PublicURL = "https://haven.test"
	svc := service.New(m.a.db, clock, m.a.cfg)
	m.a.svc = svc
	runner := jobs.New(m.a.db, clock, m.e.log, jobs.Config{Worker: "test"})
	runner.Handle(haven.JobPageDeliver, newPager(svc, m.rt.sender).deliver)
	runner.Handle(haven.JobAlertStep, alertStep(m.a))
	work := func() {
		for range 5 {
			if _, err := runner.Tick(m.e.ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	hook := &hookReceiver{}
	gateway := httptest.NewServer(hook)
	defer gateway.Close()
	address := "admin@helpline.test"
	if _, err := svc.UpdateUser(m.admin, "admin", haven.UserUpdate{Email: &address}); err != nil {
		t.Fatal(err)
	}
	verifyChannels(t, m, svc, hook, gateway.URL, work, clock)
	if _, err := svc.SavePolicy(m.admin, haven.EscalationPolicy{Name: haven.DefaultPolicy, Levels: []haven.PolicyLevel{
		{Targets: []haven.PolicyTarget{{Kind: "user", Name: "admin"}}, DelayMinutes: 5}}}); err != nil {
		t.Fatal(err)
	}
	token := pageAndAcknowledge(t, m, svc, hook, work, clock)
	if _, err := svc.AcknowledgeByLink(m.e.ctx, token); haven.ErrorCode(err) != haven.ENOTFOUND {
		t.Fatalf("a used link worked again: %v", err)
	}
	c2, err := svc.CreateCase(m.admin, haven.CaseCreate{Title: "Second emergency", Priority: "P1"})
	if err != nil {
		t.Fatal(err)
	}
	work()
	late := lastAckToken(t, m)
	clock.add(61 * time.Minute)
	if _, err := svc.AcknowledgeByLink(m.e.ctx, late); haven.ErrorCode(err) != haven.ENOTFOUND {
		t.Fatalf("an expired link worked: %v", err)
	}
	if a, _ := svc.CaseAlert(m.admin, c2.Number); a.State != haven.AlertTriggered {
		t.Fatalf("the expired link acknowledged: %+v", a)
	}
}

// verifyChannels adds an email and a webhook channel and verifies each with its test's code.
func verifyChannels(t *testing.T, m *mailServer, svc *service.Service, hook *hookReceiver, hookURL string, work func(), clock *movingClock) {
	mail, err := svc.AddPageChannel(m.admin, haven.PageChannelInput{Kind: "email", Address: "admin@helpline.test"})
	if err != nil {
		t.Fatal(err)
	}
	wh, err := svc.AddPageChannel(m.admin, haven.PageChannelInput{Kind: "webhook", Address: hookURL + "/page"})
	if err != nil || len(wh.Secret) != 64 {
		t.Fatalf("webhook channel: %+v %v", wh, err)
	}
	hook.mu.Lock()
	hook.secret = wh.Secret
	hook.mu.Unlock()
	work()
	clock.add(time.Minute) // the webhook's first answer was a 500: its retry waits 30 s
	work()
	sent := m.relay.received()
	code := regexp.MustCompile(`code is ([0-9]{6})`).FindStringSubmatch(email.Parse(sent[len(sent)-1]).Text)
	if code == nil {
		t.Fatal("no code in the test email")
	}
	if _, err := svc.VerifyPageChannel(m.admin, mail.ID, code[1]); err != nil {
		t.Fatal(err)
	}
	hook.mu.Lock()
	hookCode, _ := hook.bodies[0]["code"].(string)
	hook.mu.Unlock()
	if _, err := svc.VerifyPageChannel(m.admin, wh.ID, "000000"); haven.ErrorCode(err) != haven.EINVALID && hookCode != "000000" {
		t.Fatalf("a wrong code verified the channel: %v", err)
	}
	if _, err := svc.VerifyPageChannel(m.admin, wh.ID, hookCode); err != nil {
		t.Fatal(err)
	}
}

// pageAndAcknowledge raises a P1 case, checks the email and webhook pages, and acknowledges with
// the email's link; it returns the link's token.
func pageAndAcknowledge(t *testing.T, m *mailServer, svc *service.Service, hook *hookReceiver, work func(), clock *movingClock) string {
	c, err := svc.CreateCase(m.admin, haven.CaseCreate{Title: "zqsecret: threat to life", Priority: "P1"})
	if err != nil {
		t.Fatal(err)
	}
	work()
	hook.mu.Lock()
	last := hook.bodies[len(hook.bodies)-1]
	bad := hook.bad
	hook.mu.Unlock()
	if last["type"] != "page" || last["case"] != c.Number || !strings.HasPrefix(last["acknowledge_url"].(string), "https://haven.test/ack/") || bad != 0 {
		t.Fatalf("webhook page: %v (bad signatures %d)", last, bad)
	}
	token := lastAckToken(t, m)
	if raw := m.relay.received(); strings.Contains(string(raw[len(raw)-1]), "zqsecret") {
		t.Fatal("the page email carries the case's title")
	}
	a, err := svc.AcknowledgeByLink(m.e.ctx, token)
	if err != nil || a.State != haven.AlertAcknowledged || a.AcknowledgedBy != "admin" {
		t.Fatalf("acknowledge by link: %+v %v", a, err)
	}
	got, _ := svc.CaseAlert(m.admin, c.Number)
	kinds := map[string]int{}
	for _, e := range got.History {
		kinds[e.Kind+"/"+e.Channel]++
	}
	if kinds["paged/app"] != 1 || kinds["paged/email"] != 1 || kinds["paged/webhook"] != 1 {
		t.Fatalf("history: %v", kinds)
	}
	return token
}

// lastAckToken is the token of the acknowledge link in the last email at the relay.
func lastAckToken(t *testing.T, m *mailServer) string {
	t.Helper()
	sent := m.relay.received()
	link := regexp.MustCompile(`https://haven\.test/ack/([A-Za-z0-9_-]+)`).FindStringSubmatch(email.Parse(sent[len(sent)-1]).Text)
	if link == nil {
		t.Fatalf("no acknowledge link in %q", email.Parse(sent[len(sent)-1]).Text)
	}
	u, _ := url.PathUnescape(link[1])
	return u
}
