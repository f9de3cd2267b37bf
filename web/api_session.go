package web

import (
	"net/http"
	"time"

	"haven"
)

// SessionCookie names the browser session cookie. It holds a random token; the database keeps
// only its hash.
const SessionCookie = "haven_session"

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// login checks a password and sets the session cookie (browsers; API clients use tokens).
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var in loginRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	token, u, err := s.svc.Auth.Login(r.Context(), in.Username, in.Password)
	if err != nil {
		return err
	}
	http.SetCookie(w, sessionCookie(r, token, 0))
	writeJSON(w, http.StatusCreated, u)
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

// logout ends the session and clears the cookie.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return haven.Errorf(haven.EUNAUTHORIZED, "not signed in")
	}
	if err := s.svc.Auth.Logout(r.Context(), c.Value); err != nil {
		return err
	}
	http.SetCookie(w, sessionCookie(r, "", -1))
	w.WriteHeader(http.StatusNoContent)
	return nil
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
func sessionCookie(r *http.Request, token string, maxAge int) *http.Cookie {
	c := &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: maxAge}
	if maxAge < 0 {
		c.Expires = time.Unix(0, 0)
	}
	return c
}
