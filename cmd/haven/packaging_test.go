package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/haven-helpline/haven/keyring"
	"github.com/haven-helpline/haven/testenv"
)

// instruction is one Containerfile instruction, continuation lines joined.
type instruction struct {
	cmd  string // upper case: FROM, RUN, ...
	args string
}

func parseContainerfile(t *testing.T, text string) []instruction {
	t.Helper()
	var out []instruction
	var cur strings.Builder
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if cur.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur.WriteString(strings.TrimSuffix(trimmed, "\\") + " ")
			continue
		}
		cur.WriteString(trimmed)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, instruction{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)})
		cur.Reset()
	}
	return out
}

// stages splits the instructions at each FROM.
func stages(ins []instruction) [][]instruction {
	var out [][]instruction
	for _, in := range ins {
		if in.cmd == "FROM" {
			out = append(out, nil)
		}
		if len(out) > 0 {
			out[len(out)-1] = append(out[len(out)-1], in)
		}
	}
	return out
}

func findAll(stage []instruction, cmd string) []string {
	var args []string
	for _, in := range stage {
		if in.cmd == cmd {
			args = append(args, in.args)
		}
	}
	return args
}

// The Containerfile cannot be built here (no base images can be pulled), so it is linted for
// what matters: a multi-stage static build on pinned images, a non-root numeric user, the data
// volume the environment points into, a HEALTHCHECK the image can run, no download at build.
func TestContainerfile(t *testing.T) {
	raw, err := os.ReadFile("../../Containerfile")
	if err != nil {
		t.Fatal(err)
	}
	if docker, err := os.ReadFile("../../Dockerfile"); err != nil || !bytes.Equal(docker, raw) {
		t.Fatalf("Dockerfile must be the Containerfile (a symlink): %v", err)
	}
	for _, problem := range lintContainerfile(t, string(raw)) {
		t.Error(problem)
	}
}

// lintContainerfile returns what is wrong with a Containerfile; tested on broken variants too.
func lintContainerfile(t *testing.T, text string) []string {
	t.Helper()
	ins := parseContainerfile(t, text)
	st := stages(ins)
	var problems []string
	if len(st) < 2 {
		return []string{"not a multi-stage build"}
	}
	for _, s := range st {
		image := strings.Fields(s[0].args)[0]
		name, tag, _ := strings.Cut(image, ":")
		pinned := name == "scratch" || strings.Contains(image, "@sha256:") ||
			regexp.MustCompile(`^\d+\.\d+\.\d+`).MatchString(tag)
		if !pinned {
			problems = append(problems, fmt.Sprintf("base image %s: pin an exact version tag (or a digest)", image))
		}
	}
	for _, in := range ins {
		if in.cmd == "ADD" {
			problems = append(problems, "ADD "+in.args+": use COPY; nothing is downloaded at build time")
		}
		if in.cmd == "RUN" && regexp.MustCompile(`\b(curl|wget|apt-get|apk|git clone)\b`).MatchString(in.args) {
			problems = append(problems, "RUN "+in.args+": the build reaches no network but the Go module proxy")
		}
	}
	build := strings.Join(findAll(st[0], "RUN"), "\n")
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-X main.version="} {
		if !strings.Contains(build, want) {
			problems = append(problems, "the build stage's go build lacks "+want)
		}
	}
	final := st[len(st)-1]
	problems = append(problems, lintFinalStage(final)...)
	return problems
}

func lintFinalStage(final []instruction) []string {
	var problems []string
	users := findAll(final, "USER")
	if len(users) == 0 || !regexp.MustCompile(`^[1-9]\d*(:[1-9]\d*)?$`).MatchString(users[len(users)-1]) {
		problems = append(problems, fmt.Sprintf("final stage USER %q: a numeric non-root user (and group)", users))
	}
	volumes := strings.Join(findAll(final, "VOLUME"), " ")
	if !strings.Contains(volumes, "/var/lib/haven") {
		problems = append(problems, "no VOLUME /var/lib/haven")
	}
	env := strings.Join(findAll(final, "ENV"), " ")
	for _, want := range []string{"HAVEN_DATA=/var/lib/haven", "TMPDIR=/var/lib/haven/", "HAVEN_LISTEN=0.0.0.0:"} {
		if !strings.Contains(env, want) {
			problems = append(problems, "final stage ENV lacks "+want+" (data and temporary files on the volume)")
		}
	}
	if len(findAll(final, "EXPOSE")) == 0 {
		problems = append(problems, "no EXPOSE")
	}
	if len(healthcheckCommand(final)) == 0 {
		problems = append(problems, "no HEALTHCHECK running `haven healthcheck` in exec form")
	}
	labels := strings.Join(findAll(final, "LABEL"), " ")
	for _, want := range []string{"org.opencontainers.image.source", "org.opencontainers.image.version", "org.opencontainers.image.revision"} {
		if !strings.Contains(labels, want) {
			problems = append(problems, "no label "+want)
		}
	}
	return problems
}

// healthcheckCommand is the exec-form command of the final stage's HEALTHCHECK.
func healthcheckCommand(final []instruction) []string {
	for _, hc := range findAll(final, "HEALTHCHECK") {
		_, cmd, ok := strings.Cut(hc, "CMD ")
		var argv []string
		if ok && json.Unmarshal([]byte(cmd), &argv) == nil && len(argv) >= 2 && argv[1] == "healthcheck" {
			return argv
		}
	}
	return nil
}

// The lint catches each property going missing: a check that cannot fail proves nothing.
func TestContainerfileLintCatches(t *testing.T) {
	raw, err := os.ReadFile("../../Containerfile")
	if err != nil {
		t.Fatal(err)
	}
	good := string(raw)
	for _, tc := range []struct{ from, to, want string }{
		{"USER 65532:65532", "USER root", "numeric non-root"},
		{"USER 65532:65532", "USER 0:0", "numeric non-root"},
		{"CGO_ENABLED=0 ", "", "CGO_ENABLED=0"},
		{"-trimpath ", "", "-trimpath"},
		{`VOLUME ["/var/lib/haven"]`, "", "VOLUME"},
		{"HEALTHCHECK ", "# ", "HEALTHCHECK"},
		{"golang:1.26.8-trixie", "golang:latest", "pin"},
		{"COPY . .", "ADD https://example.org/src.tar.gz .", "ADD"},
		{"FROM scratch", "#", "multi-stage"},
		{"EXPOSE 8080", "", "EXPOSE"},
		{"TMPDIR=/var/lib/haven/tmp", "TMPDIR=/tmp", "TMPDIR"},
	} {
		if !strings.Contains(good, tc.from) {
			t.Fatalf("the Containerfile no longer has %q: update this test", tc.from)
		}
		problems := strings.Join(lintContainerfile(t, strings.Replace(good, tc.from, tc.to, 1)), "\n")
		if !strings.Contains(problems, tc.want) {
			t.Errorf("replacing %q by %q: lint says %q, want a problem about %s", tc.from, tc.to, problems, tc.want)
		}
	}
}

// The build image's Go is the version go.mod asks for.
func TestContainerfileGoVersion(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../../Containerfile")
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(string(mod))
	from := regexp.MustCompile(`(?m)^FROM golang:(\d+\.\d+)\.`).FindStringSubmatch(string(raw))
	if goLine == nil || from == nil || goLine[1] != from[1] {
		t.Fatalf("go.mod asks for Go %v, the Containerfile builds with %v", goLine, from)
	}
}

// unitFile is deploy/haven.service: its [Service] settings, each key's values in order.
func unitFile(t *testing.T) (string, map[string][]string) {
	t.Helper()
	raw, err := os.ReadFile("../../deploy/haven.service")
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string][]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			settings[k] = append(settings[k], v)
		}
	}
	return string(raw), settings
}

// The unit has the hardening the operations guide promises, and stops no sooner than the
// server's shutdown drain allows.
func TestSystemdUnitHardening(t *testing.T) {
	_, s := unitFile(t)
	for key, want := range map[string]string{
		"DynamicUser": "yes", "StateDirectory": "haven", "ProtectSystem": "strict", "NoNewPrivileges": "yes",
		"PrivateTmp": "yes", "ProtectHome": "yes", "PrivateDevices": "yes", "CapabilityBoundingSet": "",
		"LockPersonality": "yes", "MemoryDenyWriteExecute": "yes", "RestrictNamespaces": "yes",
		"Restart": "on-failure", "ReadWritePaths": "%S/haven", "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
		"LoadCredential": "master-key:/etc/haven/master.key",
	} {
		if !contains(s[key], want) {
			t.Errorf("%s=%q, want %q", key, s[key], want)
		}
	}
	if !contains(s["SystemCallFilter"], "@system-service") {
		t.Errorf("SystemCallFilter=%q lacks @system-service", s["SystemCallFilter"])
	}
	execStart := strings.Join(s["ExecStart"], " ")
	if !strings.Contains(execStart, "--master-key-file ${CREDENTIALS_DIRECTORY}/master-key") || !strings.Contains(execStart, "--data ${STATE_DIRECTORY}") {
		t.Errorf("ExecStart %q must take the key from the credential and the data from the state directory", execStart)
	}
	stop, err := time.ParseDuration(strings.Join(s["TimeoutStopSec"], ""))
	if err != nil {
		t.Fatalf("TimeoutStopSec: %v", err)
	}
	if drain := shutdownDrain(t); stop <= drain {
		t.Errorf("TimeoutStopSec=%s must exceed serve's shutdown drain (%s), or systemd kills requests in flight", stop, drain)
	}
}

// shutdownDrain is serve's --shutdown-drain default, read from the kong model.
func shutdownDrain(t *testing.T) time.Duration {
	t.Helper()
	for _, f := range serveFlags(t) {
		if f.Name == "shutdown-drain" {
			d, err := time.ParseDuration(f.Default)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
	}
	return 15 * time.Second // the fixed drain before the flag existed
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// systemdAnalyze is systemd-analyze's path; missing, the test skips, or fails under
// HAVEN_REQUIRE_REAL=1 (.ci/run installs it).
func systemdAnalyze(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if testenv.RequireReal() {
			t.Fatalf("systemd-analyze is required (HAVEN_REQUIRE_REAL=1): %v", err)
		}
		t.Skip("systemd-analyze not installed")
	}
	return path
}

// systemd itself finds nothing to say about the unit (it reports problems as warnings on an exit
// status of 0, so any output fails), and a unit it warns about fails this check.
func TestSystemdUnitVerifies(t *testing.T) {
	analyze := systemdAnalyze(t)
	unit, _ := unitFile(t)
	bin := buildHaven(t)
	verify := func(text string) string {
		dir := t.TempDir()
		path := filepath.Join(dir, "haven.service")
		text = strings.ReplaceAll(text, "/usr/local/bin/haven", bin) // verify checks the binary exists
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(analyze, "verify", path).CombinedOutput()
		if err != nil {
			return fmt.Sprintf("%v: %s", err, out)
		}
		return string(out)
	}
	if out := verify(unit); out != "" {
		t.Fatalf("systemd-analyze verify deploy/haven.service:\n%s", out)
	}
	if out := verify(strings.Replace(unit, "ProtectSystem=strict", "ProtectSytem=strict", 1)); !strings.Contains(out, "ProtectSytem") {
		t.Fatalf("a misspelt key went unnoticed: %q", out)
	}
}

// The unit's ExecStart, with the freshly built binary and temporary state and credentials
// directories, starts Haven; it answers /readyz, the container's HEALTHCHECK command says so,
// and SIGTERM stops it cleanly; stopped, the probe fails.
func TestSystemdUnitRuns(t *testing.T) {
	_, s := unitFile(t)
	bin := buildHaven(t)
	state, creds := t.TempDir(), t.TempDir()
	key, err := keyring.GenerateMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	writeFile(t, filepath.Join(creds, "master-key"), key+"\n")
	writeFile(t, filepath.Join(creds, "haven.yaml"), "listen: "+addr+"\nhelpline-name: Test line\n")
	argv := strings.Fields(s["ExecStart"][0])
	for i, a := range argv {
		a = strings.ReplaceAll(a, "${STATE_DIRECTORY}", state)
		argv[i] = strings.ReplaceAll(a, "${CREDENTIALS_DIRECTORY}", creds)
	}
	if argv[0] != "/usr/local/bin/haven" {
		t.Fatalf("ExecStart runs %s; docs/operations.md installs /usr/local/bin/haven", argv[0])
	}
	cmd := exec.Command(bin, argv[1:]...)
	cmd.Env = append(cleanHavenEnv(), "STATE_DIRECTORY="+state, "CREDENTIALS_DIRECTORY="+creds)
	serveUntilSIGTERM(t, cmd, bin, addr, func() {
		if _, err := os.Stat(filepath.Join(state, "haven.db")); err != nil {
			t.Fatalf("the database is not in the state directory: %v", err)
		}
		if _, err := os.Stat(filepath.Join(state, "master.key")); err == nil {
			t.Fatal("a master key was generated although the credential holds one")
		}
	})
}

// serveUntilSIGTERM starts cmd (a server on addr), waits for /readyz to answer 200, runs check,
// probes it with the container's HEALTHCHECK, stops it with SIGTERM and expects a clean exit;
// stopped, the probe must fail.
func serveUntilSIGTERM(t *testing.T, cmd *exec.Cmd, bin, addr string, check func()) {
	t.Helper()
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() { _ = cmd.Process.Kill() }()
	waitHealthy(t, addr, &logs)
	if resp, err := http.Get("http://" + addr + "/readyz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("/readyz: %v %v", err, resp)
	}
	check()
	probe := containerProbe(t, bin)
	if out, err := probe(addr); err != nil {
		t.Fatalf("HEALTHCHECK against a ready server: %v %s", err, out)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("SIGTERM: exit %v\n%s", err, logs.String())
		}
		t.Logf("stopped %s after SIGTERM", time.Since(start).Round(time.Millisecond))
	case <-time.After(30 * time.Second):
		t.Fatalf("no exit 30 s after SIGTERM\n%s", logs.String())
	}
	if out, err := probe(addr); err == nil {
		t.Fatalf("HEALTHCHECK passed with the server stopped: %s", out)
	}
}

// The image's ENTRYPOINT and CMD, in nothing but the image's environment (its ENV, the volume a
// temporary directory), start Haven on a fresh volume: the database and the first start's master
// key land in the volume, and it listens on every interface as the container must.
func TestContainerCommandRuns(t *testing.T) {
	raw, err := os.ReadFile("../../Containerfile")
	if err != nil {
		t.Fatal(err)
	}
	st := stages(parseContainerfile(t, string(raw)))
	final := st[len(st)-1]
	volume := t.TempDir()
	if err := os.Mkdir(filepath.Join(volume, "tmp"), 0o700); err != nil { // the image ships it
		t.Fatal(err)
	}
	var env []string
	for _, e := range findAll(final, "ENV") {
		env = append(env, strings.Fields(strings.ReplaceAll(e, "/var/lib/haven", volume))...)
	}
	port := strings.TrimPrefix(freeAddr(t), "127.0.0.1:")
	env = append(env, "HAVEN_LISTEN=0.0.0.0:"+port) // the image's port may be taken here
	argv := append(jsonArgv(t, findAll(final, "ENTRYPOINT")), jsonArgv(t, findAll(final, "CMD"))...)
	bin := buildHaven(t)
	if argv[0] != "/usr/local/bin/haven" {
		t.Fatalf("the image runs %q", argv)
	}
	cmd := exec.Command(bin, argv[1:]...)
	cmd.Env, cmd.Dir = env, volume
	serveUntilSIGTERM(t, cmd, bin, "127.0.0.1:"+port, func() {
		for _, name := range []string{"haven.db", "master.key"} {
			if _, err := os.Stat(filepath.Join(volume, name)); err != nil {
				t.Fatalf("%s is not on the volume: %v", name, err)
			}
		}
	})
}

func jsonArgv(t *testing.T, args []string) []string {
	t.Helper()
	var argv []string
	if len(args) != 1 || json.Unmarshal([]byte(args[0]), &argv) != nil {
		t.Fatalf("want one exec-form (JSON) instruction, have %q", args)
	}
	return argv
}

// containerProbe runs the Containerfile's HEALTHCHECK command, the image's binary replaced by
// bin, in the image's environment with HAVEN_LISTEN at addr.
func containerProbe(t *testing.T, bin string) func(addr string) (string, error) {
	t.Helper()
	raw, err := os.ReadFile("../../Containerfile")
	if err != nil {
		t.Fatal(err)
	}
	st := stages(parseContainerfile(t, string(raw)))
	argv := healthcheckCommand(st[len(st)-1])
	if len(argv) == 0 {
		t.Fatal("the Containerfile has no HEALTHCHECK")
	}
	return func(addr string) (string, error) {
		cmd := exec.Command(bin, argv[1:]...)
		cmd.Env = append(cleanHavenEnv(), "HAVEN_LISTEN="+addr)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
}

// cleanHavenEnv is the test's environment without HAVEN_* (a developer's settings would change
// what is tested).
func cleanHavenEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HAVEN_") {
			env = append(env, kv)
		}
	}
	return env
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// The healthcheck fails on a server that answers but is not ready, and on a bad address.
func TestHealthcheckNotReady(t *testing.T) {
	srv := http.Server{Addr: freeAddr(t), Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	})}
	go func() { _ = srv.ListenAndServe() }()
	defer func() { _ = srv.Close() }()
	waitListening(t, srv.Addr)
	var stderr bytes.Buffer
	if code := run([]string{"healthcheck", "--listen", srv.Addr}, &bytes.Buffer{}, &stderr); code != 1 || !strings.Contains(stderr.String(), "503") {
		t.Fatalf("a 503 /readyz: exit %d, %q", code, stderr.String())
	}
	stderr.Reset()
	if code := run([]string{"healthcheck", "--url", "http://" + srv.Addr + "/other"}, &bytes.Buffer{}, &stderr); code != 1 || !strings.Contains(stderr.String(), "404") {
		t.Fatalf("--url to a 404: exit %d, %q", code, stderr.String())
	}
	for listen, want := range map[string]string{"0.0.0.0:81": "http://127.0.0.1:81/readyz", "[::]:82": "http://127.0.0.1:82/readyz", ":83": "http://127.0.0.1:83/readyz", "10.0.0.5:84": "http://10.0.0.5:84/readyz"} {
		if got, err := (&HealthcheckCmd{Listen: listen}).target(); err != nil || got != want {
			t.Errorf("listen %s: probe %q %v, want %s", listen, got, err, want)
		}
	}
}

func waitListening(t *testing.T, addr string) {
	t.Helper()
	for i := 0; i < 100; i++ {
		if resp, err := http.Get("http://" + addr + "/"); err == nil {
			_ = resp.Body.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("nothing listens on %s", addr)
}

// `haven version` and `haven --version` tell the -X version and, from a checkout, the commit.
func TestVersionOutput(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "haven")
	build := exec.Command("go", "build", "-buildvcs=auto", "-ldflags", "-X main.version=v9.8.7", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command("git", "rev-parse", "HEAD", "--show-toplevel").Output()
	if err != nil {
		t.Fatalf("git rev-parse: %v", err) // the test runs in the repository
	}
	head, top, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	commit, date := "commit: "+head+"\n", `(?m)^commit date: \d{4}-\d\d-\d\dT`
	if info, err := os.Stat(filepath.Join(top, ".git")); err != nil || !info.IsDir() {
		// Go stamps the build only in a repository whose .git is a directory, not in a git
		// worktree (whose .git is a file): the version then says so.
		commit, date = "commit: unknown\n", `(?m)^commit date: unknown$`
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			t.Fatalf("haven %s: %v", args[0], err)
		}
		lines := strings.Split(string(out), "\n")
		if lines[0] != "haven v9.8.7" || !strings.Contains(string(out), commit) ||
			!regexp.MustCompile(date).MatchString(string(out)) ||
			!regexp.MustCompile(`(?m)^modified: (true|false)$`).MatchString(string(out)) {
			t.Fatalf("haven %s:\n%s", args[0], out)
		}
	}
}

// --version exits 0 without a command; the version command works in-process too.
func TestVersionFlag(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--version"}, &stdout, &stderr); code != 0 || !strings.HasPrefix(stdout.String(), "haven "+version+"\n") {
		t.Fatalf("--version: exit %d, %q %q", code, stdout.String(), stderr.String())
	}
	info := buildInfo{Version: "v1", Revision: "abc", Time: "2026-01-02T03:04:05Z", Modified: true, Go: "go1.26", Platform: "linux/arm64"}
	want := "haven v1\ncommit: abc\ncommit date: 2026-01-02T03:04:05Z\nmodified: true\ngo: go1.26 linux/arm64\n"
	if got := info.text(); got != want {
		t.Fatalf("text() = %q", got)
	}
	if got := (buildInfo{Version: "dev"}).text(); !strings.Contains(got, "commit: unknown\n") {
		t.Fatalf("no commit: %q", got)
	}
}
