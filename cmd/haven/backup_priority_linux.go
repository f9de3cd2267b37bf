package main

import (
	"errors"
	"fmt"
	"syscall"
	"unsafe"
)

const (
	schedIdle = 5 // SCHED_IDLE: runs only when no normal task wants the CPU

	ioprioWhoProcess = 1 // IOPRIO_WHO_PROCESS: a thread id here
	ioprioClassShift = 13
	ioprioClassBE    = 2 // best effort; the idle class could wait forever behind a busy writer
	ioprioLowestBE   = 7
)

// lowerThreadPriority puts the calling thread, which must be locked, in SCHED_IDLE at nice 19
// (which still counts where SCHED_IDLE is refused) and in the lowest best-effort I/O class.
// SCHED_IDLE is chosen over nice alone because a server thread that wakes up preempts a
// SCHED_IDLE thread at once, where a nice 19 one may finish its time slice first.
func lowerThreadPriority() error {
	tid := syscall.Gettid()
	param := struct{ priority int32 }{0}
	var errs []error
	// sched_setscheduler(tid, SCHED_IDLE, {0}); the syscall package has no wrapper.
	if _, _, e := syscall.RawSyscall(syscall.SYS_SCHED_SETSCHEDULER, uintptr(tid), schedIdle, uintptr(unsafe.Pointer(&param))); e != 0 { //nolint:gosec // a pointer to a local for the duration of the call
		errs = append(errs, fmt.Errorf("SCHED_IDLE: %w", e))
	}
	if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, 19); err != nil {
		errs = append(errs, fmt.Errorf("nice 19: %w", err))
	}
	prio := ioprioClassBE<<ioprioClassShift | ioprioLowestBE
	if _, _, e := syscall.RawSyscall(syscall.SYS_IOPRIO_SET, ioprioWhoProcess, uintptr(tid), uintptr(prio)); e != 0 {
		errs = append(errs, fmt.Errorf("I/O priority: %w", e))
	}
	return errors.Join(errs...)
}
