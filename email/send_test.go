package email

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// relayRecord is what the test relay saw of one transaction.
type relayRecord struct {
	user  string
	tls   bool
	from  string
	rcpts []string
	data  []byte
}

// testRelay is a real SMTP server (go-smtp) standing in for the helpline's
// submission relay. RCPT to "reject@…" gets 550, to "later@…" 451.
type testRelay struct {
	mu       sync.Mutex
	records  []relayRecord
	mails    int // MAIL commands seen, accepted or not
	auths    int
	password string
}

func (r *testRelay) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &relaySession{r: r, c: c}, nil
}

type relaySession struct {
	r   *testRelay
	c   *smtp.Conn
	rec relayRecord
}

func (s *relaySession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *relaySession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		s.r.mu.Lock()
		defer s.r.mu.Unlock()
		s.r.auths++
		if pass != s.r.password {
			return smtp.ErrAuthFailed
		}
		s.rec.user = user
		return nil
	}), nil
}

func (s *relaySession) Mail(from string, _ *smtp.MailOptions) error {
	s.r.mu.Lock()
	s.r.mails++
	s.r.mu.Unlock()
	_, s.rec.tls = s.c.TLSConnectionState()
	s.rec.from = from
	return nil
}

func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	switch {
	case strings.HasPrefix(to, "reject@"):
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	case strings.HasPrefix(to, "later@"):
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try later"}
	}
	s.rec.rcpts = append(s.rec.rcpts, to)
	return nil
}

func (s *relaySession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.rec.data = b
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.records = append(s.r.records, s.rec)
	return nil
}

func (s *relaySession) Reset()        { s.rec = relayRecord{user: s.rec.user} }
func (s *relaySession) Logout() error { return nil }

func (r *testRelay) snapshot() ([]relayRecord, int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]relayRecord(nil), r.records...), r.mails, r.auths
}

// selfSigned makes a throwaway certificate for 127.0.0.1.
func selfSigned(t *testing.T) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "relay.test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

type relayMode int

const (
	relayStartTLS relayMode = iota
	relayImplicitTLS
	relayPlainOnly // no STARTTLS offered
)

// startRelay runs the test relay and returns a RelayConfig pointing at it.
func startRelay(t *testing.T, mode relayMode) (*testRelay, RelayConfig) {
	t.Helper()
	r := &testRelay{password: "s3cret-relay"}
	srv := smtp.NewServer(r)
	srv.Domain = "relay.test"
	srv.ErrorLog = smtpErrorLog{discardLogger()}
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := RelayConfig{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, Security: SecurityStartTLS,
		Username: "helpline", Password: r.password, HeloName: "haven.test", Timeout: 10 * time.Second, InsecureSkipVerify: true}
	switch mode {
	case relayStartTLS:
		srv.TLSConfig = tlsConfig
	case relayImplicitTLS:
		l = tls.NewListener(l, tlsConfig)
		srv.AllowInsecureAuth = true // the listener is TLS; go-smtp cannot see it
		cfg.Security = SecurityTLS
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return r, cfg
}

var sendRaw = []byte("From: help@helpline.test\r\nTo: sara@example.test\r\nSubject: hi\r\n\r\nHello.\r\n.dot line\r\n")

func TestSendStartTLSAuth(t *testing.T) {
	r, cfg := startRelay(t, relayStartTLS)
	if err := Send(context.Background(), cfg, "help@helpline.test", []string{"sara@example.test", "cc@example.test"}, sendRaw); err != nil {
		t.Fatal(err)
	}
	recs, _, _ := r.snapshot()
	if len(recs) != 1 {
		t.Fatalf("%d messages relayed", len(recs))
	}
	got := recs[0]
	if !got.tls || got.user != "helpline" || got.from != "help@helpline.test" || strings.Join(got.rcpts, ",") != "sara@example.test,cc@example.test" {
		t.Fatalf("relay saw %+v", got)
	}
	if !bytes.Equal(got.data, sendRaw) {
		t.Fatalf("relayed bytes differ:\n%q\nwant\n%q", got.data, sendRaw)
	}
}

func TestSendImplicitTLS(t *testing.T) {
	r, cfg := startRelay(t, relayImplicitTLS)
	if err := Send(context.Background(), cfg, "help@helpline.test", []string{"sara@example.test"}, sendRaw); err != nil {
		t.Fatal(err)
	}
	if recs, _, _ := r.snapshot(); len(recs) != 1 || recs[0].user != "helpline" {
		t.Fatalf("relay saw %+v", recs)
	}
}

func TestSendRecipientRefused(t *testing.T) {
	cases := []struct {
		rcpt      string
		permanent bool
		code      int
	}{
		{"reject@example.test", true, 550},
		{"later@example.test", false, 451},
	}
	for _, tc := range cases {
		t.Run(strconv.Itoa(tc.code), func(t *testing.T) {
			r, cfg := startRelay(t, relayStartTLS)
			err := Send(context.Background(), cfg, "help@helpline.test", []string{"sara@example.test", tc.rcpt}, sendRaw)
			var se *SendError
			if !errors.As(err, &se) {
				t.Fatalf("Send = %v, want *SendError", err)
			}
			if se.Permanent != tc.permanent || se.Code != tc.code {
				t.Fatalf("SendError %+v, want permanent=%v code=%d", se, tc.permanent, tc.code)
			}
			if !strings.Contains(se.Error(), tc.rcpt) {
				t.Errorf("error does not name the recipient: %v", se)
			}
			if recs, _, _ := r.snapshot(); len(recs) != 0 {
				t.Fatalf("message relayed despite a refused recipient: %+v", recs)
			}
		})
	}
}

func TestSendRequiresStartTLS(t *testing.T) {
	r, cfg := startRelay(t, relayPlainOnly)
	err := Send(context.Background(), cfg, "help@helpline.test", []string{"sara@example.test"}, sendRaw)
	var se *SendError
	if !errors.As(err, &se) || !strings.Contains(se.Error(), "STARTTLS") {
		t.Fatalf("Send = %v, want a STARTTLS SendError", err)
	}
	if recs, mails, auths := r.snapshot(); len(recs) != 0 || mails != 0 || auths != 0 {
		t.Fatalf("data reached a relay without STARTTLS: %d messages, %d MAIL, %d AUTH", len(recs), mails, auths)
	}
}

func TestSendBadPassword(t *testing.T) {
	_, cfg := startRelay(t, relayStartTLS)
	cfg.Password = "wrong"
	err := Send(context.Background(), cfg, "help@helpline.test", []string{"sara@example.test"}, sendRaw)
	var se *SendError
	if !errors.As(err, &se) || !se.Permanent || se.Code != 535 {
		t.Fatalf("Send = %#v, want permanent 535", err)
	}
}

func TestSendConfigRefused(t *testing.T) {
	cases := map[string]RelayConfig{
		"cleartext to a remote host": {Host: "relay.example.org", Security: SecurityNone},
		"unknown security":           {Host: "127.0.0.1", Security: "ssl"},
		"no host":                    {Security: SecurityTLS},
	}
	for name, cfg := range cases {
		err := Send(context.Background(), cfg, "help@helpline.test", []string{"sara@example.test"}, sendRaw)
		var se *SendError
		if !errors.As(err, &se) || !se.Permanent {
			t.Errorf("%s: Send = %v, want a permanent SendError", name, err)
		}
	}
}

func TestSendNetworkErrorIsTemporary(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close() // nothing listens there now
	cfg := RelayConfig{Host: "127.0.0.1", Port: port, Security: SecurityNone, Timeout: 5 * time.Second}
	err = Send(context.Background(), cfg, "help@helpline.test", []string{"sara@example.test"}, sendRaw)
	var se *SendError
	if !errors.As(err, &se) || se.Permanent || se.Code != 0 {
		t.Fatalf("Send = %v, want a temporary SendError", err)
	}
}
