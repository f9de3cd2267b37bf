package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
)

type breakGlassRequest struct {
	Reason string `json:"reason"`
}

// breakGlass opens a restricted case to a lead or admin, with a reason.
func (s *Server) breakGlass(w http.ResponseWriter, r *http.Request) error {
	var in breakGlassRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	c, err := s.svc.Compartments.BreakGlass(r.Context(), r.PathValue("number"), in.Reason)
	return reply(w, c, err)
}

type grantRequest struct {
	Username string `json:"username"`
	Hours    int    `json:"hours"`
}

// grantAccess opens a restricted case to a user for some hours (leads).
func (s *Server) grantAccess(w http.ResponseWriter, r *http.Request) error {
	var in grantRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	g, err := s.svc.Compartments.GrantAccess(r.Context(), r.PathValue("number"), strings.TrimSpace(in.Username),
		time.Duration(in.Hours)*time.Hour)
	return created(w, g, err)
}

func (s *Server) listCompartments(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.svc.Compartments.Compartments(r.Context())
	return replyList(w, cs, err)
}

func (s *Server) createCompartment(w http.ResponseWriter, r *http.Request) error {
	var in teamRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	c, err := s.svc.Compartments.CreateCompartment(r.Context(), strings.TrimSpace(in.Name))
	return created(w, c, err)
}

func (s *Server) addCompartmentMember(w http.ResponseWriter, r *http.Request) error {
	var in memberRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	c, err := s.svc.Compartments.AddCompartmentMember(r.Context(), r.PathValue("name"), strings.TrimSpace(in.Username))
	return reply(w, c, err)
}

func (s *Server) removeCompartmentMember(w http.ResponseWriter, r *http.Request) error {
	c, err := s.svc.Compartments.RemoveCompartmentMember(r.Context(), r.PathValue("name"), r.PathValue("username"))
	return reply(w, c, err)
}

func (s *Server) listRetention(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.svc.Retention.RetentionPolicies(r.Context())
	return replyList(w, ps, err)
}

type retentionRequest struct {
	Days *int `json:"days"`
}

// setRetention sets (or, with days 0, removes) a category's retention policy (admins).
func (s *Server) setRetention(w http.ResponseWriter, r *http.Request) error {
	var in retentionRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if in.Days == nil {
		return haven.Errorf(haven.EINVALID, "days is required (0 removes the policy)")
	}
	p, err := s.svc.Retention.SetRetentionPolicy(r.Context(), haven.RetentionPolicy{Category: r.PathValue("category"), Days: *in.Days})
	return reply(w, p, err)
}

// getCorrespondent answers where the case's replies go, and an address change awaiting
// confirmation (a restricted case's).
func (s *Server) getCorrespondent(w http.ResponseWriter, r *http.Request) error {
	c, err := s.svc.Correspondents.CaseCorrespondent(r.Context(), r.PathValue("number"))
	return reply(w, c, err)
}

// confirmCorrespondent makes the pending address the one the case's replies go to.
func (s *Server) confirmCorrespondent(w http.ResponseWriter, r *http.Request) error {
	c, err := s.svc.Correspondents.ConfirmCorrespondent(r.Context(), r.PathValue("number"))
	return reply(w, c, err)
}
