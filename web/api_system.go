package web

import (
	_ "embed"
	"net/http"
)

//go:embed openapi.json
var openAPIDocument []byte

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(openAPIDocument)
	return nil
}

type statusBody struct {
	Status string `json:"status"`
}

// healthz says the process is up; it does not touch the database.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, statusBody{Status: "ok"})
	return nil
}

// readyz says whether this instance can serve: the database answers and its schema is current.
// The cause of a failure is logged, not shown.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	if s.svc.Ready != nil {
		if err := s.svc.Ready(r.Context()); err != nil {
			s.log.WarnContext(r.Context(), "not ready", "err", err.Error())
			writeJSON(w, http.StatusServiceUnavailable, statusBody{Status: "unavailable"})
			return nil
		}
	}
	writeJSON(w, http.StatusOK, statusBody{Status: "ok"})
	return nil
}
