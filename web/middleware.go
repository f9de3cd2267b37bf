package web

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
)

// reqInfo is filled in while a request is served and read back by observe for logs and metrics.
type reqInfo struct {
	route string // the matched pattern, "unmatched" otherwise
	user  string // the authenticated username, if any
}

type infoKey struct{}

func infoFrom(ctx context.Context) *reqInfo {
	info, _ := ctx.Value(infoKey{}).(*reqInfo)
	return info
}

// statusWriter remembers the status and size of the answer.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe is the outermost layer: it records the client address for audit events, recovers from
// panics with a 500, and logs and counts every request by its route pattern. It never logs
// bodies, query strings or headers, so neither personal data nor tokens reach the logs.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &reqInfo{route: "unmatched"}
		id := requestID(r)
		w.Header().Set(requestIDHeader, id)
		ctx := haven.WithRequestID(context.WithValue(r.Context(), infoKey{}, info), id)
		r = r.WithContext(haven.WithClientIP(ctx, clientIP(r)))
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			p := recover()
			if p != nil {
				s.recovered(sw, r, p)
			}
			s.record(r, sw, info, time.Since(start))
			if p == http.ErrAbortHandler {
				panic(p)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// recovered answers a panicking request with a 500 when nothing was sent yet.
func (s *Server) recovered(w *statusWriter, r *http.Request, p any) {
	if p == http.ErrAbortHandler {
		if w.status == 0 {
			w.status = 499 // client went away: nginx's convention, for logs and metrics only
		}
		return
	}
	s.log.ErrorContext(r.Context(), "panic serving request", "method", r.Method,
		"route", infoFrom(r.Context()).route, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	if w.status == 0 {
		writeJSON(w, http.StatusInternalServerError, errorBody{Error: internalJSON})
	}
}

// record logs the request and updates the metrics.
func (s *Server) record(r *http.Request, w *statusWriter, info *reqInfo, d time.Duration) {
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	s.metrics.observe(r.Method, info.route, status, d)
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	attrs := []slog.Attr{slog.String("method", r.Method), slog.String("route", info.route),
		slog.Int("status", status), durationMS(d), slog.Int64("bytes", w.bytes)}
	if info.user != "" {
		attrs = append(attrs, slog.String("user", info.user))
	}
	s.log.LogAttrs(r.Context(), level, "http request", attrs...)
}

// durationMS is a duration as log tools read it best: duration_ms, a number of milliseconds.
func durationMS(d time.Duration) slog.Attr {
	return slog.Float64("duration_ms", float64(d.Microseconds())/1000)
}

// clientIP is the host part of the TCP peer address. X-Forwarded-For is not trusted: anyone can
// send it, and audit events must not record a forged address.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// hstsValue asks browsers to use HTTPS only, for two years, on this host and its subdomains.
const hstsValue = "max-age=63072000; includeSubDomains"

// secure sets the security headers of every answer. API answers hold personal data, so they are
// never cached either. HSTS is sent over TLS, or always when hsts says a proxy terminates TLS.
func secure(hsts bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if strings.HasPrefix(r.URL.Path, "/api/") {
			h.Set("Cache-Control", "no-store")
		}
		if hsts || r.TLS != nil {
			h.Set("Strict-Transport-Security", hstsValue)
		}
		next.ServeHTTP(w, r)
	})
}

// authenticate resolves the bearer token into the actor of the request.
func (s *Server) authenticate(r *http.Request) (*http.Request, error) {
	token, ok := bearerToken(r.Header.Get("Authorization"))
	if !ok {
		return r, haven.Errorf(haven.EUNAUTHORIZED, "an API token is required: Authorization: Bearer <token>")
	}
	actor, err := s.svc.Auth.TokenActor(r.Context(), token)
	if err != nil {
		return r, err
	}
	return r.WithContext(haven.WithActor(r.Context(), actor)), nil
}

// bearerToken extracts the token of an "Authorization: Bearer <token>" header.
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func actorName(ctx context.Context) string {
	if a, ok := haven.ActorFrom(ctx); ok {
		return a.User.Username
	}
	return ""
}
