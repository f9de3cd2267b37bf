package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/haven-helpline/haven"
)

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	a, ok := haven.ActorFrom(r.Context())
	if !ok {
		return haven.Errorf(haven.EUNAUTHORIZED, "sign in first")
	}
	writeJSON(w, http.StatusOK, a.User)
	return nil
}

// updateMe changes the caller's own name, language or password (with the current one). A new
// password ends the account's sessions and, by default, revokes its tokens: this one too.
func (s *Server) updateMe(w http.ResponseWriter, r *http.Request) error {
	var up haven.MeUpdate
	if err := s.decode(w, r, &up); err != nil {
		return err
	}
	u, err := s.svc.Account.UpdateMe(r.Context(), up)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	users, err := s.svc.Users.Users(r.Context())
	return replyList(w, users, err)
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	var in haven.UserCreate
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	u, err := s.svc.Users.CreateUser(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+url.PathEscape(u.Username))
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) error {
	u, err := s.svc.Users.User(r.Context(), r.PathValue("username"))
	return reply(w, u, err)
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) error {
	var up haven.UserUpdate
	if err := s.decode(w, r, &up); err != nil {
		return err
	}
	u, err := s.svc.Users.UpdateUser(r.Context(), r.PathValue("username"), up)
	return reply(w, u, err)
}

func (s *Server) listTeams(w http.ResponseWriter, r *http.Request) error {
	teams, err := s.svc.Users.Teams(r.Context())
	return replyList(w, teams, err)
}

type oneTimePassword struct {
	Password string `json:"password"`
}

// resetPassword gives a user a one-time password (admins); the answer is its only copy.
func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request) error {
	pw, err := s.svc.Users.ResetPassword(r.Context(), r.PathValue("username"))
	w.Header().Set("Cache-Control", "no-store")
	return reply(w, oneTimePassword{pw}, err)
}

type teamRequest struct {
	Name string `json:"name"`
}

func (s *Server) createTeam(w http.ResponseWriter, r *http.Request) error {
	var in teamRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	t, err := s.svc.Users.CreateTeam(r.Context(), strings.TrimSpace(in.Name))
	return created(w, t, err)
}

// updateTeam sets a team's labels per language (admins).
func (s *Server) updateTeam(w http.ResponseWriter, r *http.Request) error {
	var up haven.TeamUpdate
	if err := s.decode(w, r, &up); err != nil {
		return err
	}
	t, err := s.svc.Users.UpdateTeam(r.Context(), r.PathValue("name"), up)
	return reply(w, t, err)
}

type memberRequest struct {
	Username string `json:"username"`
}

func (s *Server) addTeamMember(w http.ResponseWriter, r *http.Request) error {
	var in memberRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	t, err := s.svc.Users.AddTeamMember(r.Context(), r.PathValue("name"), strings.TrimSpace(in.Username))
	return reply(w, t, err)
}

func (s *Server) removeTeamMember(w http.ResponseWriter, r *http.Request) error {
	t, err := s.svc.Users.RemoveTeamMember(r.Context(), r.PathValue("name"), r.PathValue("username"))
	return reply(w, t, err)
}

type tokenRequest struct {
	Name     string `json:"name"`
	ReadOnly bool   `json:"read_only"`
	Username string `json:"username"` // default: the caller, the only one allowed
}

// tokenResponse shows the token once; only its hash is kept.
type tokenResponse struct {
	Token string          `json:"token"`
	Info  *haven.APIToken `json:"info"`
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	var in tokenRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if len(in.Name) > 200 {
		return &haven.Error{Code: haven.EINVALID, Message: "the token name is too long",
			Fields: map[string]string{"name": "at most 200 bytes"}}
	}
	username := strings.TrimSpace(in.Username)
	if username == "" {
		username = actorName(r.Context())
	}
	token, info, err := s.svc.Auth.CreateToken(r.Context(), username, strings.TrimSpace(in.Name), in.ReadOnly)
	return created(w, tokenResponse{Token: token, Info: info}, err)
}

// listTokens lists the caller's tokens, or ?username='s (admins).
func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r.URL, "username")
	username := q.str("username")
	if err := q.err(); err != nil {
		return err
	}
	if username == "" {
		username = actorName(r.Context())
	}
	tokens, err := s.svc.Auth.Tokens(r.Context(), username)
	return replyList(w, tokens, err)
}

// revokeToken revokes a token: the caller's own, or anyone's for admins (the service decides).
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "token")
	if err != nil {
		return err
	}
	if err := s.svc.Auth.RevokeToken(r.Context(), "", id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// signOutUser ends every browser session of a user (oneself, or anyone for admins).
func (s *Server) signOutUser(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.Auth.SignOutEverywhere(r.Context(), r.PathValue("username")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
