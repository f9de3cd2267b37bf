package testenv

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	dovecotHint    = "install Debian package dovecot-imapd"
	dovecotStartup = 15 * time.Second
	dovecotStop    = 5 * time.Second
)

// DovecotServer is a throwaway Dovecot IMAP server: plaintext IMAP on
// 127.0.0.1 (no TLS), one user whose mail is a maildir under MailDir.
//
// Dovecot's default maildir++ layout is used, so the hierarchy separator
// is "." and folder "Haven/Processed" (as Haven configures it) is the
// server's "Haven.Processed", stored in MailDir/.Haven.Processed.
type DovecotServer struct {
	Host     string
	Port     int
	Username string
	Password string
	MailDir  string

	acct dovecotAccount // who owns the mail files
	log  string         // Dovecot's log file
}

// dovecotAccount is the unprivileged account Dovecot runs as and that owns
// the mail. Dovecot refuses mail access as root whatever first_valid_uid
// says, so when the tests run as root the server runs as "nobody";
// otherwise it runs as the current user.
type dovecotAccount struct {
	uid, gid    int
	user, group string
	cred        *syscall.Credential // non-nil when we are root and must switch user
}

// Dovecot starts a Dovecot for this test and stops it in t.Cleanup. It fails
// the test (never skips) when Dovecot is not installed.
func Dovecot(t testing.TB) *DovecotServer {
	t.Helper()
	bin, err := dovecotBinary()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	acct, err := currentDovecotAccount()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	dir, err := dovecotDir(acct)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("testenv: removing Dovecot's directory: %v", err)
		}
	})
	d, err := startDovecot(t, bin, dir, acct)
	if err != nil {
		t.Fatalf("testenv: starting Dovecot: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("Dovecot log tail:\n%s", d.LogTail())
		}
	})
	return d
}

// dovecotBinary finds the dovecot master and checks that the IMAP service
// and the 2.3 configuration syntax (which this file writes) are available.
func dovecotBinary() (string, error) {
	bin := "/usr/sbin/dovecot"
	if !isExecutable(bin) {
		p, err := exec.LookPath("dovecot")
		if err != nil {
			return "", fmt.Errorf("dovecot not found at /usr/sbin/dovecot nor on PATH: %s", dovecotHint)
		}
		bin = p
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("%s --version: %w", bin, err)
	}
	version := strings.TrimSpace(string(out))
	if !strings.HasPrefix(version, "2.3.") {
		return "", fmt.Errorf("testenv.Dovecot writes a Dovecot 2.3 configuration; found %s", version)
	}
	libexec := filepath.Join(filepath.Dir(filepath.Dir(bin)), "lib", "dovecot")
	if !isExecutable(filepath.Join(libexec, "imap")) && !isExecutable("/usr/lib/dovecot/imap") {
		return "", fmt.Errorf("the Dovecot IMAP server (lib/dovecot/imap) is missing: %s", dovecotHint)
	}
	return bin, nil
}

func currentDovecotAccount() (dovecotAccount, error) {
	var u *user.User
	var err error
	if os.Geteuid() == 0 {
		u, err = user.Lookup("nobody")
	} else {
		u, err = user.Current()
	}
	if err != nil {
		return dovecotAccount{}, fmt.Errorf("looking up the account to run Dovecot as: %w", err)
	}
	g, err := user.LookupGroupId(u.Gid)
	if err != nil {
		return dovecotAccount{}, fmt.Errorf("looking up group %s of %s: %w", u.Gid, u.Username, err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return dovecotAccount{}, fmt.Errorf("non-numeric uid/gid %q/%q", u.Uid, u.Gid)
	}
	a := dovecotAccount{uid: uid, gid: gid, user: u.Username, group: g.Name}
	if os.Geteuid() == 0 {
		a.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	return a, nil
}

// dovecotDir creates the server's directory. Unix socket paths are limited
// to 108 bytes, so it is a short MkdirTemp name rather than t.TempDir (which
// embeds the test name). When Dovecot runs as another user, the directory
// must be reachable by that user and owned by it.
func dovecotDir(acct dovecotAccount) (string, error) {
	base, err := tempBase(acct.cred)
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp(base, "hv-dc-")
	if err != nil {
		return "", err
	}
	for _, sub := range []string{"Maildir", "home", "state"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o700); err != nil {
			return dir, err
		}
	}
	return dir, acct.chownTree(dir)
}

func (a dovecotAccount) chownTree(dir string) error {
	if a.cred == nil {
		return nil
	}
	return filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, a.uid, a.gid)
	})
}

// startDovecot writes the configuration and starts the master in the
// foreground. Another process may grab the port between freePort and
// Dovecot's bind, hence the retries.
func startDovecot(t testing.TB, bin, dir string, acct dovecotAccount) (*DovecotServer, error) {
	d := &DovecotServer{
		Host:     "127.0.0.1",
		Username: "haven",
		Password: dovecotRandomHex(12),
		MailDir:  filepath.Join(dir, "Maildir"),
		acct:     acct,
		log:      filepath.Join(dir, "dovecot.log"),
	}
	passwd := filepath.Join(dir, "passwd")
	if err := d.writeOwned(passwd, d.Username+":{PLAIN}"+d.Password+"::::::\n"); err != nil {
		return nil, err
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		d.Port = port
		conf := filepath.Join(dir, "dovecot.conf")
		if err := d.writeOwned(conf, d.config(dir, passwd)); err != nil {
			return nil, err
		}
		stop, err := d.run(bin, conf, dir)
		if err == nil {
			t.Cleanup(stop)
			return d, nil
		}
		lastErr = fmt.Errorf("%w\nDovecot log tail:\n%s", err, logTail(d.log))
		if !strings.Contains(lastErr.Error(), "in use") {
			break
		}
	}
	return nil, lastErr
}

// config is a minimal Dovecot 2.3 configuration. Every process runs as the
// one unprivileged account, chroots are disabled (they need root), and no
// auth debugging is enabled so passwords never reach the log.
func (d *DovecotServer) config(dir, passwd string) string {
	a := d.acct
	var b strings.Builder
	fmt.Fprintf(&b, "base_dir = %q\nstate_dir = %q\ninstance_name = %q\n",
		filepath.Join(dir, "run"), filepath.Join(dir, "state"), "haven-"+filepath.Base(dir))
	fmt.Fprintf(&b, "protocols = imap\nlisten = 127.0.0.1\nssl = no\n")
	// Tests try wrong passwords on purpose: answer them at once.
	fmt.Fprintf(&b, "disable_plaintext_auth = no\nauth_mechanisms = plain login\nauth_failure_delay = 0\n")
	fmt.Fprintf(&b, "log_path = %q\n", d.log)
	fmt.Fprintf(&b, "default_internal_user = %s\ndefault_internal_group = %s\ndefault_login_user = %s\n", a.user, a.group, a.user)
	fmt.Fprintf(&b, "mail_uid = %d\nmail_gid = %d\nfirst_valid_uid = 1\nfirst_valid_gid = 0\n", a.uid, a.gid)
	fmt.Fprintf(&b, "mail_location = maildir:%s\n", d.MailDir)
	// Messages written straight into the maildir must reach IDLE clients fast.
	fmt.Fprintf(&b, "mailbox_idle_check_interval = 1 secs\n")
	fmt.Fprintf(&b, "passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%%u %s\n}\n", passwd)
	fmt.Fprintf(&b, "userdb {\n  driver = static\n  args = home=%s\n}\n", filepath.Join(dir, "home"))
	fmt.Fprintf(&b, "service imap-login {\n  chroot =\n  inet_listener imap {\n    address = 127.0.0.1\n    port = %d\n  }\n"+
		"  inet_listener imaps {\n    port = 0\n  }\n}\n", d.Port)
	for _, svc := range []string{"anvil", "ipc", "old-stats", "aggregator", "director", "imap-urlauth-login"} {
		fmt.Fprintf(&b, "service %s {\n  chroot =\n}\n", svc)
	}
	return b.String()
}

// run starts the master and waits for the IMAP greeting. The returned func
// stops it.
func (d *DovecotServer) run(bin, conf, dir string) (func(), error) {
	out, err := os.Create(filepath.Join(dir, "stderr.log"))
	if err != nil {
		return nil, err
	}
	defer func() { _ = out.Close() }() // Dovecot writes through its own descriptor
	cmd := exec.Command(bin, "-F", "-c", conf)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	// Pdeathsig: a test binary that dies must not leave a server behind.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM, Credential: d.acct.cred}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", bin, err)
	}
	exited := make(chan struct{})
	// The server is stopped by a signal: how it exited tells nothing.
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() { stopDovecot(cmd.Process.Pid, exited) }
	if err := d.waitGreeting(exited); err != nil {
		stop()
		stderr, _ := os.ReadFile(out.Name())
		return nil, fmt.Errorf("%w (stderr: %s)", err, strings.TrimSpace(string(stderr)))
	}
	return stop, nil
}

// stopDovecot sends SIGTERM to the master's whole process group (the
// master alone takes a second to stop its children), then SIGKILL if it
// lingers.
func stopDovecot(pid int, exited <-chan struct{}) {
	// A failed kill means the group is already gone; exited closes either way.
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(dovecotStop):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-exited
	}
}

// waitGreeting polls the port until Dovecot says "* OK".
func (d *DovecotServer) waitGreeting(exited <-chan struct{}) error {
	deadline := time.Now().Add(dovecotStartup)
	addr := net.JoinHostPort(d.Host, strconv.Itoa(d.Port))
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("dovecot exited during startup")
		default:
		}
		if imapGreeted(addr) {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no IMAP greeting on %s within %v", addr, dovecotStartup)
}

func imapGreeted(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer func() { _ = c.Close() }() // a probe: only the greeting matters
	if c.SetDeadline(time.Now().Add(2*time.Second)) != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "* OK")
}

// Append stores raw as a new message of folder ("INBOX", or "A/B" / "A.B"
// for a subfolder, created if missing). It writes straight into the
// maildir, the way an MDA delivers: into tmp/, then renamed into new/,
// which Dovecot picks up on its next sync (IDLE clients are notified).
func (d *DovecotServer) Append(t testing.TB, folder string, raw []byte) {
	t.Helper()
	dir := d.folderDir(folder)
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := d.mkdirOwned(filepath.Join(dir, sub)); err != nil {
			t.Fatalf("testenv: Dovecot Append: %v", err)
		}
	}
	name := fmt.Sprintf("%d.M%dP%d_%s.haven", time.Now().Unix(), time.Now().Nanosecond()/1000, os.Getpid(), dovecotRandomHex(8))
	tmp := filepath.Join(dir, "tmp", name)
	if err := d.writeOwned(tmp, string(raw)); err != nil {
		t.Fatalf("testenv: Dovecot Append: %v", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "new", name)); err != nil {
		t.Fatalf("testenv: Dovecot Append: %v", err)
	}
}

// Count returns the number of messages in folder (files in its cur/ and
// new/), 0 if the folder does not exist.
func (d *DovecotServer) Count(t testing.TB, folder string) int {
	t.Helper()
	n := 0
	for _, sub := range []string{"cur", "new"} {
		entries, err := os.ReadDir(filepath.Join(d.folderDir(folder), sub))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatalf("testenv: Dovecot Count: %v", err)
		}
		for _, e := range entries {
			if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
				n++
			}
		}
	}
	return n
}

// LogTail returns the end of Dovecot's log, for failure messages.
func (d *DovecotServer) LogTail() string { return logTail(d.log) }

// folderDir maps a folder name to its maildir++ directory: INBOX is the
// root, "A/B" and "A.B" are ".A.B".
func (d *DovecotServer) folderDir(folder string) string {
	if folder == "" || strings.EqualFold(folder, "INBOX") {
		return d.MailDir
	}
	return filepath.Join(d.MailDir, "."+strings.ReplaceAll(folder, "/", "."))
}

func (d *DovecotServer) mkdirOwned(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if d.acct.cred == nil {
		return nil
	}
	// MkdirAll may have created the folder directory too.
	if err := os.Lchown(filepath.Dir(dir), d.acct.uid, d.acct.gid); err != nil {
		return err
	}
	return os.Lchown(dir, d.acct.uid, d.acct.gid)
}

// writeOwned writes a file readable only by the account Dovecot runs as.
func (d *DovecotServer) writeOwned(path, content string) error {
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		return err
	}
	if d.acct.cred == nil {
		return nil
	}
	return os.Lchown(path, d.acct.uid, d.acct.gid)
}

func dovecotRandomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
