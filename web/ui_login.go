package web

import (
	"net/http"
	"strings"

	"github.com/haven-helpline/haven"
)

type loginData struct {
	Next      string
	Username  string
	Challenge string // set on the second step: the code
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, v *view) error {
	flashFrom(r, v)
	next := localPath(r.URL.Query().Get("next"))
	if v.User != nil {
		return redirect(w, r, next, "")
	}
	v.Title, v.Data = v.L.T("login.title"), loginData{Next: next}
	return s.render(w, r, http.StatusOK, "login", v)
}

// loginSubmit checks the password; an account with a second factor then gets the code step,
// which carries a one-attempt challenge rather than the password.
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := s.limitLogins(w, r); err != nil {
		return s.loginFailed(w, r, v, loginData{Next: localPath(r.FormValue("next")), Username: r.FormValue("username")}, err)
	}
	d := loginData{Next: localPath(r.FormValue("next")), Username: strings.TrimSpace(r.FormValue("username"))}
	res, err := s.svc.Auth.Login(r.Context(), haven.Credentials{Username: d.Username, Password: r.FormValue("password")})
	if err != nil {
		return s.loginFailed(w, r, v, d, err)
	}
	if res.Challenge != "" {
		d.Challenge = res.Challenge
		v.Title, v.Data = v.L.T("login.totp"), d
		return s.render(w, r, http.StatusOK, "login", v)
	}
	return s.signedIn(w, r, res, d.Next)
}

func (s *Server) loginCode(w http.ResponseWriter, r *http.Request, v *view) error {
	d := loginData{Next: localPath(r.FormValue("next"))}
	if err := s.limitLogins(w, r); err != nil {
		return s.loginFailed(w, r, v, d, err)
	}
	res, err := s.svc.TwoFactor.CompleteLogin(r.Context(), r.FormValue("challenge"), r.FormValue("code"))
	if err != nil {
		d.Username = ""
		return s.loginFailed(w, r, v, d, err)
	}
	if res.WrongCode { // the code step again, saying it is the code that was wrong
		d.Challenge = res.Challenge
		v.Title, v.Data = v.L.T("login.title"), d
		v.Errors = map[string]string{"code": v.L.T("login.wrong_code")}
		return s.render(w, r, http.StatusUnauthorized, "login", v)
	}
	return s.signedIn(w, r, res, d.Next)
}

func (s *Server) signedIn(w http.ResponseWriter, r *http.Request, res *haven.LoginResult, next string) error {
	http.SetCookie(w, s.sessionCookie(r, res.Token, 0))
	if res.User != nil && res.User.Language != "" {
		http.SetCookie(w, &http.Cookie{Name: languageCookie, Value: res.User.Language, Path: "/", HttpOnly: true,
			SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: 365 * 24 * 3600})
	}
	if res.MustEnrol || res.User != nil && res.User.MustChangePassword {
		next = limitedLanding(next) // the only page such a session may use until the account is secured
	}
	return redirect(w, r, next, "")
}

// loginFailed shows the form again with the reason: the same words for an unknown user and a
// wrong password, the lock-out with its time, too many attempts from this address.
func (s *Server) loginFailed(w http.ResponseWriter, r *http.Request, v *view, d loginData, err error) error {
	v.Title, v.Data = v.L.T("login.title"), d
	switch {
	case haven.ErrorCode(err) == haven.ETOOMANY:
		v.Alert = v.L.T("login.too_many")
	case strings.Contains(err.Error(), "too many failed"):
		v.Alert = v.L.T("login.locked_until", "Time", lockTime(err))
	case haven.ErrorCode(err) == haven.EUNAUTHORIZED:
		v.Alert = v.L.T("login.failed")
	case haven.Transient(haven.ErrorCode(err)):
		// The form again, the username kept: signing in works once the database is back.
		v.Alert = v.L.T("error.unavailable")
		w.Header().Set("Retry-After", retryAfter)
		return s.render(w, r, statusOf(haven.ErrorCode(err)), "login", v)
	default:
		return err
	}
	return s.render(w, r, http.StatusUnauthorized, "login", v)
}

// lockTime is the HH:MM of a lock-out message ("… try again after 14:05 UTC").
func lockTime(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "after "); i >= 0 {
		return strings.TrimSpace(msg[i+len("after "):])
	}
	return ""
}

func (s *Server) logoutSubmit(w http.ResponseWriter, r *http.Request, v *view) error {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := s.svc.Auth.Logout(r.Context(), c.Value); err != nil {
			s.log.Warn("sign-out: the session could not be ended on the server", "err", err) // the cookie still goes
		}
	}
	http.SetCookie(w, s.sessionCookie(r, "", -1))
	return redirect(w, r, "/login", "")
}

// languageSubmit remembers the chosen language: on the account when signed in, and in a cookie
// for the sign-in page.
func (s *Server) languageSubmit(w http.ResponseWriter, r *http.Request, v *view) error {
	lang := s.catalog.Match(r.FormValue("lang"))
	if v.User != nil {
		if _, err := s.svc.Account.UpdateMe(r.Context(), haven.MeUpdate{Language: &lang}); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: languageCookie, Value: lang, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: 365 * 24 * 3600})
	return redirect(w, r, localPath(r.FormValue("next")), "")
}
