package main

import (
	"errors"
	"runtime"
	"syscall"
	"testing"
)

// threadPolicy is the scheduling policy and nice value of the calling thread.
func threadPolicy(t *testing.T) (policy uintptr, nice int) {
	t.Helper()
	policy, _, e := syscall.RawSyscall(syscall.SYS_SCHED_GETSCHEDULER, 0, 0, 0)
	if e != 0 {
		t.Fatalf("sched_getscheduler: %v", e)
	}
	// getpriority returns 20-nice on Linux (never negative).
	prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
	if err != nil {
		t.Fatalf("getpriority: %v", err)
	}
	return policy, 20 - prio
}

// TestGentlyLowersOnlyItsThread runs work gently: the work sees SCHED_IDLE at nice 19, and the
// goroutine that asked, and threads started afterwards, keep their normal priority.
func TestGentlyLowersOnlyItsThread(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	wantPolicy, wantNice := threadPolicy(t)
	var gotPolicy uintptr
	var gotNice int
	errWork := errors.New("the work's own error")
	err, lowerErr := gently(true, func() error {
		gotPolicy, gotNice = threadPolicy(t)
		return errWork
	})
	if lowerErr != nil {
		t.Fatalf("lowering the priority failed: %v", lowerErr)
	}
	if !errors.Is(err, errWork) {
		t.Errorf("gently returned %v, want the work's error", err)
	}
	if gotPolicy != schedIdle || gotNice != 19 {
		t.Errorf("the work ran with policy %d nice %d, want SCHED_IDLE (%d) nice 19", gotPolicy, gotNice, schedIdle)
	}
	if p, n := threadPolicy(t); p != wantPolicy || n != wantNice {
		t.Errorf("the caller's thread changed to policy %d nice %d (was %d, %d)", p, n, wantPolicy, wantNice)
	}
	// A fresh goroutine on a fresh thread must not inherit the lowered priority either.
	done := make(chan [2]int)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		p, n := threadPolicy(t)
		done <- [2]int{int(p), n}
	}()
	if got := <-done; got != [2]int{int(wantPolicy), wantNice} {
		t.Errorf("another thread runs at policy %d nice %d, want %d, %d", got[0], got[1], wantPolicy, wantNice)
	}
}

// TestGentlyNormal runs the work where it is when the priority is normal.
func TestGentlyNormal(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	wantPolicy, wantNice := threadPolicy(t)
	ran := false
	err, lowerErr := gently(false, func() error {
		ran = true
		if p, n := threadPolicy(t); p != wantPolicy || n != wantNice {
			t.Errorf("normal priority ran the work at policy %d nice %d", p, n)
		}
		return nil
	})
	if err != nil || lowerErr != nil || !ran {
		t.Errorf("gently(false) = %v, %v, ran %v", err, lowerErr, ran)
	}
}
