package main

import "runtime"

// A backup runs beside the server it copies, on the same cores and disk. Run gently, its work
// (reading the database, the quick check, compression, hashing, encryption) takes only what the
// server leaves: it runs on an OS thread of its own whose CPU and I/O priority are lowered. Only
// that thread is lowered, so a backup run inside another program (the tests) slows nothing else.

// backupPriorities are the values of --priority.
const (
	priorityLow    = "low"
	priorityNormal = "normal"
)

// gently runs fn on a thread of its own at the lowest priority when low, else as it is. It
// returns the priority changes that failed (the backup runs anyway, at normal priority).
func gently(low bool, fn func() error) (err, lowerErr error) {
	if !low {
		return fn(), nil
	}
	type result struct{ err, lowerErr error }
	done := make(chan result, 1)
	go func() {
		// Never unlocked: when this goroutine ends, the runtime ends its thread too, so no other
		// goroutine ever runs at the lowered priority. Threads the runtime starts meanwhile come
		// from its template thread, not from this one, and keep the normal priority.
		runtime.LockOSThread()
		lowerErr := lowerThreadPriority()
		done <- result{fn(), lowerErr}
	}()
	r := <-done
	return r.err, r.lowerErr
}
