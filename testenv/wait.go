package testenv

import (
	"testing"
	"time"
)

// WaitTimeout bounds Eventually. It is generous on purpose: Eventually returns as soon as the
// condition holds, so the bound only matters when something is really wrong, and on a loaded
// machine (CI, `go test ./...` on two cores) a server's background work can take many seconds.
const WaitTimeout = 2 * time.Minute

// deadlineMargin is kept free before the test binary's own -timeout, so that Eventually fails
// with its message rather than the binary dying with a goroutine dump.
const deadlineMargin = 5 * time.Second

// Eventually polls cond until it reports done, and fails the test when WaitTimeout passes (or
// the test's deadline comes near) first. cond describes the state it saw when not done; the
// failure names what was awaited and that last state. Use it for work that another goroutine
// or process does in its own time (a poller, a server, a job) instead of sleeping a fixed time
// and checking once.
func Eventually(t testing.TB, what string, cond func() (done bool, state string)) {
	t.Helper()
	deadline := time.Now().Add(WaitTimeout)
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if td, set := d.Deadline(); set && td.Add(-deadlineMargin).Before(deadline) {
			deadline = td.Add(-deadlineMargin)
		}
	}
	if state, ok := poll(deadline, cond); !ok {
		t.Fatalf("waited until %s for %s; last state: %s", deadline.Format(time.TimeOnly), what, state)
	}
}

// poll calls cond, pausing a little longer each time (10 ms up to 250 ms), until it is done or
// the deadline has passed; cond is always called at least once, and once more at the deadline.
func poll(deadline time.Time, cond func() (bool, string)) (state string, done bool) {
	pause := 10 * time.Millisecond
	for {
		done, state = cond()
		if done {
			return state, true
		}
		left := time.Until(deadline)
		if left <= 0 {
			return state, false
		}
		time.Sleep(min(pause, left))
		pause = min(2*pause, 250*time.Millisecond)
	}
}
