package haven

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"syscall"
)

// Error codes. Every error that crosses a package boundary carries one, so the web layer can map
// it to an HTTP status and the CLI to an exit message without parsing text.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ETOOLARGE     = "too_large"
	ETOOMANY      = "too_many_requests"
	EINTERNAL     = "internal"
	// EUNAVAILABLE: a dependency (the database) cannot be reached or refuses work for now; the
	// request may be repeated unchanged in a moment. Nothing was written.
	EUNAVAILABLE = "unavailable"
	// EFULL: storage is full (disk, database size limit); writes fail until an operator makes
	// room, reads still work. Nothing was written.
	EFULL = "storage_full"
)

// Transient reports whether code says "try again later" (EUNAVAILABLE, EFULL) rather than
// "this request is wrong" or "a bug": such answers carry Retry-After, and credentials are kept.
func Transient(code string) bool { return code == EUNAVAILABLE || code == EFULL }

// Error is Haven's coded error. Message is safe to show to the user; Fields holds per-field
// validation messages; Allowed lists valid alternatives (e.g. the statuses a case may move to).
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
	Allowed []string
	Err     error // wrapped cause, never shown to users
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Code)
	b.WriteString(": ")
	b.WriteString(e.Message)
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "; %s: %s", k, e.Fields[k])
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds a coded error with a user-facing message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Internal wraps an unexpected failure; the message shown to users stays generic.
func Internal(op string, err error) error {
	if err == nil {
		return nil
	}
	var he *Error
	if errors.As(err, &he) {
		return fmt.Errorf("%s: %w", op, err)
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		// A full disk is the operator's to fix, not a bug: the client may try again later.
		return &Error{Code: EFULL, Message: StorageFullMessage, Err: fmt.Errorf("%s: %w", op, err)}
	}
	return &Error{Code: EINTERNAL, Message: "internal error", Err: fmt.Errorf("%s: %w", op, err)}
}

// The user-facing messages of the transient codes; they never carry the cause.
const (
	UnavailableMessage = "the database is temporarily unavailable; try again in a moment"
	StorageFullMessage = "storage is full: nothing was saved; try again once an operator has made room"
)

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for other errors and
// "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var he *Error
	if errors.As(err, &he) {
		return he.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err.
func ErrorMessage(err error) string {
	var he *Error
	if errors.As(err, &he) {
		return he.Message
	}
	if err == nil {
		return ""
	}
	return "internal error"
}

// AsError returns the *Error in err's chain, or nil.
func AsError(err error) *Error {
	var he *Error
	if errors.As(err, &he) {
		return he
	}
	return nil
}

// Validation collects field errors and turns them into one EINVALID error.
type Validation map[string]string

// Add records msg for field unless the field already has a message.
func (v Validation) Add(field, msg string) {
	if _, ok := v[field]; !ok {
		v[field] = msg
	}
}

// Check records msg for field when ok is false.
func (v Validation) Check(ok bool, field, msg string) {
	if !ok {
		v.Add(field, msg)
	}
}

// Err returns nil when no field failed.
func (v Validation) Err() error {
	if len(v) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "some fields are not valid", Fields: map[string]string(v)}
}
