package main

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/alecthomas/kong"
)

// revision is set at build time (-X main.revision=…) where the Go toolchain cannot stamp the
// commit itself: a container build that leaves .git out of its context.
var revision = ""

// buildInfo says which code a binary is: what an operator quotes in a bug report.
type buildInfo struct {
	Version  string
	Revision string
	Time     string // the commit's time: no build date is stamped, so builds of one commit can be identical
	Modified bool   // built from a working tree with uncommitted changes
	Go       string
	Platform string
}

// readBuildInfo combines the -X main.version value with what the Go toolchain recorded: the
// module version for `go install …@vX.Y.Z`, and the commit for builds from a checkout.
func readBuildInfo() buildInfo {
	b := buildInfo{Version: version, Revision: revision, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	if b.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		b.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// text is the build information, one `name: value` line each after the version line.
func (b buildInfo) text() string {
	orUnknown := func(s string) string {
		if s == "" {
			return "unknown"
		}
		return s
	}
	return fmt.Sprintf("haven %s\ncommit: %s\ncommit date: %s\nmodified: %t\ngo: %s %s\n",
		b.Version, orUnknown(b.Revision), orUnknown(b.Time), b.Modified, b.Go, b.Platform)
}

// VersionCmd prints the version.
type VersionCmd struct{}

// Run prints the version and the build's commit.
func (VersionCmd) Run(e *env) error {
	e.printf("%s", readBuildInfo().text())
	return nil
}

// errVersionShown ends parsing after --version printed: run exits 0 without running a command.
var errVersionShown = errors.New("version shown")

// versionFlag is --version, the same output as `haven version`.
type versionFlag bool

// BeforeReset prints the version before kong asks for a command.
func (versionFlag) BeforeReset(k *kong.Kong) error {
	if _, err := io.WriteString(k.Stdout, readBuildInfo().text()); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	return errVersionShown
}
