package testenv

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testIMAPConn is just enough IMAP to check the server from the outside.
type testIMAPConn struct {
	t   *testing.T
	c   net.Conn
	r   *bufio.Reader
	seq int
}

func dialTestIMAP(t *testing.T, d *DovecotServer) *testIMAPConn {
	c, err := net.DialTimeout("tcp", net.JoinHostPort(d.Host, strconv.Itoa(d.Port)), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	s := &testIMAPConn{t: t, c: c, r: bufio.NewReader(c)}
	if greeting, _ := s.r.ReadString('\n'); !strings.HasPrefix(greeting, "* OK") {
		t.Fatalf("greeting %q", greeting)
	}
	return s
}

// cmd sends one command and returns the untagged lines and the tagged status line.
func (s *testIMAPConn) cmd(format string, args ...any) ([]string, string) {
	s.seq++
	tag := fmt.Sprintf("a%d", s.seq)
	fmt.Fprintf(s.c, tag+" "+format+"\r\n", args...)
	var lines []string
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			s.t.Fatalf("reading response to %q: %v", format, err)
		}
		line = strings.TrimRight(line, "\r\n")
		if strings.HasPrefix(line, tag+" ") {
			return lines, strings.TrimPrefix(line, tag+" ")
		}
		lines = append(lines, line)
	}
}

func (s *testIMAPConn) ok(format string, args ...any) []string {
	lines, status := s.cmd(format, args...)
	if !strings.HasPrefix(status, "OK") {
		s.t.Fatalf("%q: %s", format, status)
	}
	return lines
}

func imapExists(lines []string) int {
	for _, l := range lines {
		var n int
		if _, err := fmt.Sscanf(l, "* %d EXISTS", &n); err == nil {
			return n
		}
	}
	return -1
}

func TestDovecot(t *testing.T) {
	d := Dovecot(t)
	d.Append(t, "INBOX", []byte("From: a@example.org\r\nSubject: one\r\n\r\nbody\r\n"))
	d.Append(t, "INBOX", []byte("From: b@example.org\r\nSubject: two\r\n\r\nbody\r\n"))

	s := dialTestIMAP(t, d)
	s.ok("LOGIN %s %s", d.Username, d.Password)
	if n := imapExists(s.ok("SELECT INBOX")); n != 2 {
		t.Fatalf("INBOX has %d messages, want 2", n)
	}
	s.ok(`CREATE "Haven.Processed"`)
	s.ok(`UID MOVE 1 "Haven.Processed"`)
	if got := d.Count(t, "INBOX"); got != 1 {
		t.Errorf("Count(INBOX) = %d after MOVE, want 1", got)
	}
	if got := d.Count(t, "Haven/Processed"); got != 1 {
		t.Errorf("Count(Haven/Processed) = %d, want 1", got)
	}

	d.Append(t, "Haven/Processed", []byte("Subject: three\r\n\r\nx\r\n"))
	if n := imapExists(s.ok(`SELECT "Haven.Processed"`)); n != 2 {
		t.Fatalf("Haven.Processed has %d messages, want 2", n)
	}
	s.ok("LOGOUT")

	// Last: Dovecot delays the next login from an address that failed one.
	s = dialTestIMAP(t, d)
	if _, status := s.cmd("LOGIN %s %s", d.Username, "wrong"); !strings.HasPrefix(status, "NO") {
		t.Fatalf("wrong password accepted: %s", status)
	}
	log, err := os.ReadFile(d.log)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(log), d.Password) {
		t.Error("the password appears in Dovecot's log")
	}
}

func TestDovecotInstances(t *testing.T) {
	a, b := Dovecot(t), Dovecot(t)
	if a.Port == b.Port || a.MailDir == b.MailDir || a.Password == b.Password {
		t.Fatalf("two servers share state: %+v %+v", a, b)
	}
	a.Append(t, "INBOX", []byte("Subject: x\r\n\r\ny\r\n"))
	if a.Count(t, "INBOX") != 1 || b.Count(t, "INBOX") != 0 {
		t.Fatal("Append reached the wrong server")
	}
}
