package web

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/haven-helpline/haven"
)

// SessionCookie names the browser session cookie. It holds a random token; the database keeps
// only its hash.
const SessionCookie = "haven_session"

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Code     string `json:"code"` // the second factor, for accounts that have one
}

// login checks a password and sets the session cookie (browsers; API clients use tokens).
// Attempts are limited per client address here; the service locks out a username after repeated
// failures, whatever address they come from.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	if err := s.limitLogins(w, r); err != nil {
		return err
	}
	var in loginRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	res, err := s.svc.Auth.Login(r.Context(), haven.Credentials{Username: in.Username, Password: in.Password, Code: in.Code})
	if err != nil {
		return err
	}
	if res.Token == "" {
		return &haven.Error{Code: haven.ETOTP, Message: "this account has two-factor authentication: send the code from the authenticator app (or a recovery code) as \"code\" with the password",
			Fields: map[string]string{"code": "required"}}
	}
	http.SetCookie(w, s.sessionCookie(r, res.Token, 0))
	writeJSON(w, http.StatusCreated, res.User)
	return nil
}

// session answers who the session cookie belongs to.
func (s *Server) session(w http.ResponseWriter, r *http.Request) error {
	a, err := s.sessionActor(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.User)
	return nil
}

// logout ends the session and clears the cookie; with ?all=true it ends every session of the
// cookie's user ("sign out everywhere").
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r.URL, "all")
	all := q.flag("all")
	if err := q.err(); err != nil {
		return err
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return haven.Errorf(haven.EUNAUTHORIZED, "not signed in")
	}
	if all {
		err = s.signOutEverywhere(r, c.Value)
	} else {
		err = s.svc.Auth.Logout(r.Context(), c.Value)
	}
	if err != nil {
		return err
	}
	http.SetCookie(w, s.sessionCookie(r, "", -1))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) signOutEverywhere(r *http.Request, token string) error {
	a, err := s.svc.Auth.SessionActor(r.Context(), token)
	if err != nil {
		return err
	}
	return s.svc.Auth.SignOutEverywhere(haven.WithActor(r.Context(), a), a.User.Username)
}

// limitLogins takes one sign-in attempt from the client's address, or answers 429 with
// Retry-After when the address has used them all.
func (s *Server) limitLogins(w http.ResponseWriter, r *http.Request) error {
	if s.logins == nil {
		return nil
	}
	var ok bool
	var wait time.Duration
	if s.shared != nil {
		ok, wait = s.shared.allow(r.Context(), haven.ClientIPFrom(r.Context()))
	} else {
		ok, wait = s.logins.allow(haven.ClientIPFrom(r.Context()))
	}
	if ok {
		return nil
	}
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return haven.Errorf(haven.ETOOMANY, "too many sign-in attempts from your address: try again in %d seconds", secs)
}

func (s *Server) sessionActor(r *http.Request) (haven.Actor, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return haven.Actor{}, haven.Errorf(haven.EUNAUTHORIZED, "not signed in")
	}
	return s.svc.Auth.SessionActor(r.Context(), c.Value)
}

// sessionCookie is HttpOnly (no script reads it), SameSite=Strict (no cross-site request sends
// it) and Secure whenever the request came over TLS. maxAge < 0 deletes it.
func (s *Server) sessionCookie(r *http.Request, token string, maxAge int) *http.Cookie {
	// Secure over TLS, and behind a proxy that terminates TLS (--hsts says there is one): the
	// request Haven sees is then plain HTTP, but the browser's is not.
	c := &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || s.cfg.HSTS, MaxAge: maxAge}
	if maxAge < 0 {
		c.Expires = time.Unix(0, 0)
	}
	return c
}
