package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/haven-helpline/haven"
)

// errorBody is the JSON shape of every error answer.
type errorBody struct {
	Error errorJSON `json:"error"`
}

type errorJSON struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	Allowed []string          `json:"allowed,omitempty"`
}

// internalJSON is the whole answer to an internal error: its cause is logged, never shown.
var internalJSON = errorJSON{Code: haven.EINTERNAL, Message: "internal error; it has been logged"}

// statusOf maps a haven error code to its HTTP status. It is the one place where codes meet
// statuses; unknown codes are internal errors.
func statusOf(code string) int {
	switch code {
	case haven.EINVALID:
		return http.StatusBadRequest
	case haven.EUNAUTHORIZED, haven.ETOTP:
		return http.StatusUnauthorized
	case haven.EFORBIDDEN, haven.EPASSWORDCHANGE:
		return http.StatusForbidden
	case haven.ENOTFOUND:
		return http.StatusNotFound
	case haven.ECONFLICT:
		return http.StatusConflict
	case haven.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case haven.ETOOMANY:
		return http.StatusTooManyRequests
	case haven.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	case haven.EFULL:
		return http.StatusInsufficientStorage
	}
	return http.StatusInternalServerError
}

// writeError answers with err's status and JSON. Internal errors are logged with their cause and
// answered with a generic message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if se, ok := errors.AsType[*statusError](err); ok {
		s.writeErrorStatus(w, r, se.status, se.err)
		return
	}
	he := haven.AsError(err)
	if he == nil {
		he = &haven.Error{Code: haven.EINTERNAL}
	}
	status := statusOf(he.Code)
	if status == http.StatusInternalServerError {
		s.logInternal(r, err)
	}
	if haven.Transient(he.Code) {
		s.logTransient(r, err)
	}
	s.writeErrorStatus(w, r, status, he)
}

// statusError gives a coded error an HTTP status that no haven code maps to (405, 415).
type statusError struct {
	status int
	err    *haven.Error
}

func (e *statusError) Error() string { return e.err.Error() }

func (e *statusError) Unwrap() error { return e.err }

func withStatus(status int, err *haven.Error) error { return &statusError{status: status, err: err} }

// writeErrorStatus answers he with status; a 500 shows nothing of he.
func (s *Server) writeErrorStatus(w http.ResponseWriter, r *http.Request, status int, he *haven.Error) {
	body := errorJSON{Code: he.Code, Message: he.Message, Fields: he.Fields, Allowed: he.Allowed}
	if status == http.StatusInternalServerError {
		body = internalJSON
	}
	if body.Message == "" {
		body.Message = strings.ReplaceAll(he.Code, "_", " ")
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
	if haven.Transient(he.Code) {
		w.Header().Set("Retry-After", retryAfter)
	}
	writeJSON(w, status, errorBody{Error: body})
}

// retryAfter is the Retry-After of an answer with a transient code (EUNAVAILABLE, EFULL), in
// seconds: long enough for a PostgreSQL restart or failover, short enough that a client's retry
// soon finds the database back.
const retryAfter = "5"

// logTransient records why the database could not do the work: the operator's to see and fix.
func (s *Server) logTransient(r *http.Request, err error) {
	route := ""
	if info := infoFrom(r.Context()); info != nil {
		route = info.route
	}
	s.log.WarnContext(r.Context(), "database fault", "method", r.Method, "route", route,
		"code", haven.ErrorCode(err), "err", err.Error())
}

// logInternal records the cause of an internal error, which the client never sees.
func (s *Server) logInternal(r *http.Request, err error) {
	route := ""
	if info := infoFrom(r.Context()); info != nil {
		route = info.route
	}
	if errors.Is(err, context.Canceled) {
		s.log.InfoContext(r.Context(), "request canceled", "method", r.Method, "route", route)
		return
	}
	s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "route", route, "err", err.Error())
}

func splitList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
