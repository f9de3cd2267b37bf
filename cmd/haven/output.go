package main

import (
	"fmt"
	"io"
)

// Commands print through env, which keeps the first write error; run reports it and exits 1, so
// that output lost to a full disk or a closed pipe (a new token, an export) is never taken for
// success. Commands print from their own goroutine only.

// printf writes to standard output.
func (e *env) printf(format string, args ...any) { e.fprintf(e.stdout, format, args...) }

// println writes a line to standard output.
func (e *env) println(args ...any) { e.fprintln(e.stdout, args...) }

// fprintf writes to w (standard error, or a tabwriter over standard output).
func (e *env) fprintf(w io.Writer, format string, args ...any) {
	_, err := fmt.Fprintf(w, format, args...)
	e.keepWriteErr(err)
}

// fprintln writes a line to w.
func (e *env) fprintln(w io.Writer, args ...any) {
	_, err := fmt.Fprintln(w, args...)
	e.keepWriteErr(err)
}

func (e *env) keepWriteErr(err error) {
	if err != nil && e.writeErr == nil {
		e.writeErr = fmt.Errorf("writing output: %w", err)
	}
}

// cleanup runs a deferred clean-up (closing the database, removing a temp dir) and keeps its
// error in *err unless the command already failed: `defer cleanup(&err, a.Close)`.
func cleanup(err *error, f func() error) {
	if cerr := f(); cerr != nil && *err == nil {
		*err = cerr
	}
}
