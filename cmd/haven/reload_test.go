package main

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSIGHUPReloads changes the configuration file and the mail configuration of a running
// server and sends SIGHUP: the new mailbox is accepted, the removed one refused, the log level
// follows; a configuration that does not load changes nothing.
func TestSIGHUPReloads(t *testing.T) {
	bin := buildHaven(t)
	useNewMasterKey(t, bin)
	dir := t.TempDir()
	mailConfig, config := filepath.Join(dir, "mail.json"), filepath.Join(dir, "haven.yaml")
	smtpAddr, httpAddr := freeAddr(t), freeAddr(t)
	write := func(path, text string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	settings := "listen: " + httpAddr + "\nsmtp-listen: " + smtpAddr + "\nmail-config: " + mailConfig + "\ndata: " + filepath.Join(dir, "data") + "\n"
	write(mailConfig, `{"mailboxes": [{"address": "help@helpline.test"}]}`)
	write(config, settings+"log-level: error\n")
	cmd := exec.Command(bin, "serve", "--config", config)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	logs := make(chan string, 1000)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs <- sc.Text()
		}
		close(logs)
	}()
	waitHealthy(t, httpAddr, nil)
	assertRcpt(t, smtpAddr, "help@helpline.test", "250")
	assertRcpt(t, smtpAddr, "aide@helpline.test", "550")

	write(mailConfig, `{"mailboxes": [{"address": "aide@helpline.test", "language": "fr"}]}`)
	write(config, settings+"log-level: info\n")
	hangUp(t, cmd, logs, "configuration reloaded")
	assertRcpt(t, smtpAddr, "aide@helpline.test", "250")
	assertRcpt(t, smtpAddr, "help@helpline.test", "550")

	write(config, settings+"log-level: loud\n")
	hangUp(t, cmd, logs, "configuration not reloaded")
	write(config, settings+"log-level: info\n")
	write(mailConfig, `{"mailboxes": [{"address": "not an address"}]}`)
	hangUp(t, cmd, logs, "configuration not reloaded")
	assertRcpt(t, smtpAddr, "aide@helpline.test", "250")
}

// hangUp sends SIGHUP and waits for the log line that says what became of it.
func hangUp(t *testing.T, cmd *exec.Cmd, logs <-chan string, want string) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(20 * time.Second)
	for {
		select {
		case l, ok := <-logs:
			if !ok {
				t.Fatalf("haven exited before %q", want)
			}
			if strings.Contains(l, want) {
				return
			}
		case <-timeout:
			t.Fatalf("no %q in the logs after SIGHUP", want)
		}
	}
}

// assertRcpt checks the SMTP listener's answer to RCPT TO:<to> (its first three characters).
func assertRcpt(t *testing.T, addr, to, want string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	say := func(cmd string) string {
		if cmd != "" {
			if _, err := conn.Write([]byte(cmd + "\r\n")); err != nil {
				t.Fatal(err)
			}
		}
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("SMTP %q: %v", cmd, err)
			}
			if len(line) < 4 || line[3] != '-' {
				return line
			}
		}
	}
	say("")
	say("EHLO client.test")
	say("MAIL FROM:<someone@example.org>")
	if got := say("RCPT TO:<" + to + ">"); !strings.HasPrefix(got, want) {
		t.Fatalf("RCPT TO:<%s>: %q, want %s", to, got, want)
	}
	say("QUIT")
}
