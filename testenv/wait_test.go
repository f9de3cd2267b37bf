package testenv

import (
	"fmt"
	"testing"
	"time"
)

func TestPoll(t *testing.T) {
	calls := 0
	state, done := poll(time.Now().Add(time.Minute), func() (bool, string) {
		calls++
		return calls == 3, fmt.Sprint(calls)
	})
	if !done || state != "3" {
		t.Fatalf("poll = %q, %v after %d calls; want done at the third", state, done, calls)
	}

	calls = 0
	start := time.Now()
	state, done = poll(start.Add(50*time.Millisecond), func() (bool, string) {
		calls++
		return false, "still waiting"
	})
	if done || state != "still waiting" || calls < 2 {
		t.Fatalf("poll = %q, %v after %d calls; want the last state, not done, and a call at the deadline", state, done, calls)
	}
	if time.Since(start) < 50*time.Millisecond {
		t.Fatal("poll gave up before the deadline")
	}
}

func TestEventually(t *testing.T) {
	n := 0
	Eventually(t, "the third call", func() (bool, string) { n++; return n >= 3, "" })
	if n != 3 {
		t.Fatalf("cond called %d times, want 3", n)
	}
}
