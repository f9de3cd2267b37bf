//go:build !linux

package main

// lowerThreadPriority does nothing where thread priorities are not set per thread the Linux way:
// there, run the backup under nice (docs/operations.md).
func lowerThreadPriority() error { return nil }
