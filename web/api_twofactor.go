package web

import (
	"net/http"

	"github.com/haven-helpline/haven"
)

func (s *Server) twoFactorStatus(w http.ResponseWriter, r *http.Request) error {
	st, err := s.svc.TwoFactor.TwoFactorStatus(r.Context())
	return reply(w, st, err)
}

// beginTwoFactor starts adding an authenticator app; the answer holds the secret, so it is never
// cached. The body, {"password"}, is needed only to replace an app already on.
func (s *Server) beginTwoFactor(w http.ResponseWriter, r *http.Request) error {
	var in passwordRequest
	if r.ContentLength != 0 {
		if err := s.decode(w, r, &in); err != nil {
			return err
		}
	}
	enr, err := s.svc.TwoFactor.BeginTOTP(r.Context(), in.Password)
	w.Header().Set("Cache-Control", "no-store")
	return created(w, enr, err)
}

type codeRequest struct {
	Code     string `json:"code"`
	Password string `json:"password"` // to replace an app already on
}

type recoveryCodes struct {
	RecoveryCodes []string `json:"recovery_codes"`
}

// confirmTwoFactor turns the second factor on; the recovery codes are shown only in this answer.
func (s *Server) confirmTwoFactor(w http.ResponseWriter, r *http.Request) error {
	var in codeRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	codes, err := s.svc.TwoFactor.ConfirmTOTP(r.Context(), in.Code, in.Password)
	w.Header().Set("Cache-Control", "no-store")
	return reply(w, recoveryCodes{codes}, err)
}

type passwordRequest struct {
	Password string `json:"password"`
}

// disableTwoFactor removes a user's second factor (theirs with their password, or an admin).
func (s *Server) disableTwoFactor(w http.ResponseWriter, r *http.Request) error {
	var in passwordRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if err := s.svc.TwoFactor.DisableTOTP(r.Context(), r.PathValue("username"), in.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type requiredRequest struct {
	Required *bool `json:"required"`
}

// requireTwoFactor makes a second factor mandatory, or optional again (admins).
func (s *Server) requireTwoFactor(w http.ResponseWriter, r *http.Request) error {
	var in requiredRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if in.Required == nil {
		return &haven.Error{Code: haven.EINVALID, Message: "required (true or false) is missing", Fields: map[string]string{"required": "required"}}
	}
	return reply(w, in, s.svc.TwoFactor.SetTwoFactorRequired(r.Context(), *in.Required))
}
