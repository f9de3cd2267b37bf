package main

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"
)

// parseWith parses args as run does and returns the CLI, or the parse error.
func parseWith(t *testing.T, args ...string) (*CLI, error) {
	t.Helper()
	var cli CLI
	parser, err := newParser(&cli, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	_, err = parser.Parse(args)
	return &cli, err
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "haven.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// One flag given by file, environment and command line: the command line wins, then the
// environment, then the file, then the default.
func TestConfigPrecedence(t *testing.T) {
	file := writeConfig(t, "listen: 127.0.0.1:1001\n")
	for _, tc := range []struct {
		name, env string
		args      []string
		want      string
	}{
		{"default", "", []string{"serve"}, "127.0.0.1:8080"},
		{"file", "", []string{"--config", file, "serve"}, "127.0.0.1:1001"},
		{"environment over file", "127.0.0.1:1002", []string{"--config", file, "serve"}, "127.0.0.1:1002"},
		{"command line over both", "127.0.0.1:1002", []string{"--config", file, "serve", "--listen", "127.0.0.1:1003"}, "127.0.0.1:1003"},
		{"command line over file", "", []string{"serve", "--listen=127.0.0.1:1003", "--config", file}, "127.0.0.1:1003"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv("HAVEN_LISTEN", tc.env)
			} else {
				unsetEnv(t, "HAVEN_LISTEN")
			}
			cli, err := parseWith(t, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if cli.Serve.Listen != tc.want {
				t.Fatalf("listen = %q, want %q", cli.Serve.Listen, tc.want)
			}
		})
	}
}

// unsetEnv removes a variable for the test, restoring it afterwards.
func unsetEnv(t *testing.T, name string) {
	t.Helper()
	t.Setenv(name, "") // registers the restore
	if err := os.Unsetenv(name); err != nil {
		t.Fatal(err)
	}
}

// HAVEN_CONFIG names the file as --config does; values of every kind mean what the same text
// means on the command line, root flags included, and a key with no value keeps the default.
func TestConfigFromEnvironmentAndTypes(t *testing.T) {
	for _, name := range []string{"HAVEN_HSTS", "HAVEN_MAILBOX", "HAVEN_LOGIN_ATTEMPTS_PER_MINUTE", "HAVEN_ESCALATION_REMINDER_EVERY", "HAVEN_LOG_LEVEL", "HAVEN_PHONE_REGION", "HAVEN_HELPLINE_NAME"} {
		unsetEnv(t, name)
	}
	t.Setenv("HAVEN_CONFIG", writeConfig(t, `# comments are fine
hsts: true
mailbox: [help@example.org, urgent@example.org]
login-attempts-per-minute: 25
escalation-reminder-every: 12h
log-level: debug
phone-region: NO
helpline-name:
`))
	cli, err := parseWith(t, "serve")
	if err != nil {
		t.Fatal(err)
	}
	s := cli.Serve
	if !s.HSTS || s.LoginRate != 25 || s.RemindEvery != 12*time.Hour || cli.LogLevel != "debug" || s.PhoneRegion != "NO" || s.Helpline != "the helpline" {
		t.Fatalf("values from the file not applied: %+v log-level %s", s, cli.LogLevel)
	}
	if !reflect.DeepEqual(s.Mailbox, []string{"help@example.org", "urgent@example.org"}) {
		t.Fatalf("mailbox list = %q", s.Mailbox)
	}
}

// A key that names no flag is an error naming it and its line: a typo must not be ignored.
// A flag of another command is fine (one file serves every command); a value of the wrong
// type fails like it does on the command line.
func TestConfigRejectsMistakes(t *testing.T) {
	unsetEnv(t, "HAVEN_LISTEN")
	unsetEnv(t, "HAVEN_LOGIN_ATTEMPTS_PER_MINUTE")
	for _, tc := range []struct{ text, want string }{
		{"data: /srv/haven\nlisten-address: :8080\n", `haven.yaml:2: unknown setting "listen-address"`},
		{"config: other.yaml\n", `unknown setting "config"`},
		{"listen: a\nlisten: b\n", `haven.yaml:2: "listen" is set twice`},
		{"db:\n  host: x\n", `"db": expected a value or a list of values`},
		{"- listen\n", "expected settings as `name: value` lines"},
		{"login-attempts-per-minute: many\n", "login-attempts-per-minute"},
		{"listen: [unclosed\n", "haven.yaml"},
	} {
		_, err := parseWith(t, "--config", writeConfig(t, tc.text), "serve")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("config %q: error %v, want it to mention %s", tc.text, err, tc.want)
		}
	}
	if _, err := parseWith(t, "--config", filepath.Join(t.TempDir(), "missing.yaml"), "serve"); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("a missing config file: %v", err)
	}
	// new-key-file is a flag of `key rotate` only: serve accepts the shared file all the same.
	cli, err := parseWith(t, "--config", writeConfig(t, "new-key-file: /etc/haven/new.key\nlisten: 127.0.0.1:9\n"), "serve")
	if err != nil || cli.Serve.Listen != "127.0.0.1:9" {
		t.Fatalf("a file with another command's setting: %v", err)
	}
}

// serveFlags are the settings of `haven serve`, from the kong model itself, so flags added to
// ServeCmd (or its embedded groups, or the root) are checked without touching this test.
func serveFlags(t *testing.T) []*kong.Flag {
	t.Helper()
	var cli CLI
	parser, err := newParser(&cli, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	flags := append([]*kong.Flag(nil), parser.Model.Flags...)
	for _, n := range parser.Model.Children {
		if n.Name == "serve" {
			flags = append(flags, n.Flags...)
		}
	}
	var settings []*kong.Flag
	for _, f := range flags {
		if !notFromFile[f.Name] {
			settings = append(settings, f)
		}
	}
	if len(settings) < 10 {
		t.Fatalf("found only %d serve flags: the model walk is wrong", len(settings))
	}
	return settings
}

// exampleSetting matches a setting of deploy/haven.example.yaml: commented out with no space
// after the #, so that prose comments are told apart.
var exampleSetting = regexp.MustCompile(`(?m)^#([a-z][a-z0-9-]*):(.*)$`)

// deploy/haven.example.yaml lists every serve setting with its default, and uncommented as a
// whole it is a valid configuration.
func TestExampleConfigComplete(t *testing.T) {
	raw, err := os.ReadFile("../../deploy/haven.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]string{}
	for _, m := range exampleSetting.FindAllStringSubmatch(string(raw), -1) {
		listed[m[1]] = strings.TrimSpace(m[2])
	}
	for _, f := range serveFlags(t) {
		value, ok := listed[f.Name]
		if !ok {
			t.Errorf("deploy/haven.example.yaml lacks serve setting %q (%s)", f.Name, f.Help)
			continue
		}
		if f.HasDefault && strings.Trim(value, `"'`) != f.Default {
			t.Errorf("deploy/haven.example.yaml: %s: %s, but the default is %q", f.Name, value, f.Default)
		}
	}
	for _, name := range []string{"HAVEN_DB", "HAVEN_DATA", "HAVEN_LISTEN", "HAVEN_MAILBOX", "HAVEN_HSTS"} {
		unsetEnv(t, name)
	}
	uncommented := exampleSetting.ReplaceAllString(string(raw), "$1:$2")
	if _, err := parseWith(t, "--config", writeConfig(t, uncommented), "serve"); err != nil {
		t.Fatalf("the example, uncommented, does not load: %v", err)
	}
}
