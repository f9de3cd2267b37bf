package web

import (
	"net/http"

	"github.com/haven-helpline/haven"
)

func (s *Server) listPlans(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.svc.Plans.Plans(r.Context(), r.PathValue("number"))
	return replyList(w, ps, err)
}

// proposePlan puts tasks of the case up for approval (leads and admins).
func (s *Server) proposePlan(w http.ResponseWriter, r *http.Request) error {
	var in haven.PlanInput
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	p, err := s.svc.Plans.ProposePlan(r.Context(), r.PathValue("number"), in)
	return created(w, p, err)
}

type planReason struct {
	Reason string `json:"reason"`
}

// approvePlan and rejectPlan decide a pending plan (leads and admins; a handler gets 403).
func (s *Server) approvePlan(w http.ResponseWriter, r *http.Request) error {
	return s.decidePlan(w, r, true)
}

func (s *Server) rejectPlan(w http.ResponseWriter, r *http.Request) error {
	return s.decidePlan(w, r, false)
}

func (s *Server) decidePlan(w http.ResponseWriter, r *http.Request, approve bool) error {
	id, err := pathID(r, "id", "plan")
	if err != nil {
		return err
	}
	var in planReason
	if !approve || r.ContentLength > 0 { // an approval needs no body
		if err := s.decode(w, r, &in); err != nil {
			return err
		}
	}
	p, err := s.svc.Plans.DecidePlan(r.Context(), r.PathValue("number"), id, haven.PlanDecision{Approve: approve, Reason: in.Reason})
	return reply(w, p, err)
}
