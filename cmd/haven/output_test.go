package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

type fullDisk struct{}

func (fullDisk) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// A command whose output is lost (a full disk, a closed pipe) fails: a printed master key or
// token that never reached its file must not look like a success.
func TestLostOutputFails(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"key", "generate"}} {
		var stderr bytes.Buffer
		code := run(args, fullDisk{}, &stderr)
		if code != 1 || !strings.Contains(stderr.String(), "writing output: no space left on device") {
			t.Errorf("haven %s with a full disk: exit %d, stderr %q; want 1 and the write error", strings.Join(args, " "), code, stderr.String())
		}
	}
}
