package web

import (
	"net/http"
	"strings"

	"github.com/haven-helpline/haven"
)

func (s *Server) listPlaybooks(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.svc.Playbooks.Playbooks(r.Context())
	return replyList(w, ps, err)
}

type playbookRequest struct {
	YAML string `json:"yaml"`
}

// savePlaybook creates a playbook from its YAML (201) or makes a new version of the one of that
// name (200). Problems are a 400 naming the file's lines.
func (s *Server) savePlaybook(w http.ResponseWriter, r *http.Request) error {
	var in playbookRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	p, created, err := s.svc.Playbooks.SavePlaybook(r.Context(), in.YAML)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, p)
	return nil
}

func (s *Server) getPlaybook(w http.ResponseWriter, r *http.Request) error {
	p, err := s.svc.Playbooks.Playbook(r.Context(), r.PathValue("name"))
	return reply(w, p, err)
}

type applyRequest struct {
	Playbook string `json:"playbook"`
}

// applyPlaybook creates the playbook's first tasks on the case: 201 with those tasks.
func (s *Server) applyPlaybook(w http.ResponseWriter, r *http.Request) error {
	var in applyRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	tasks, err := s.svc.Playbooks.ApplyPlaybook(r.Context(), r.PathValue("number"), strings.TrimSpace(in.Playbook))
	return createdList(w, tasks, err)
}

// decide answers a decision step: 201 with the tasks of the answer's branch.
func (s *Server) decide(w http.ResponseWriter, r *http.Request) error {
	var in haven.Decision
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	tasks, err := s.svc.Playbooks.Decide(r.Context(), r.PathValue("number"), in)
	return createdList(w, tasks, err)
}

func (s *Server) playbookRuns(w http.ResponseWriter, r *http.Request) error {
	runs, err := s.svc.Playbooks.PlaybookRuns(r.Context(), r.PathValue("number"))
	return replyList(w, runs, err)
}

func createdList[T any](w http.ResponseWriter, xs []T, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, list(xs))
	return nil
}
