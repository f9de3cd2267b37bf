package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/haven-helpline/haven"
)

// adminData is the users & teams page.
type adminData struct {
	Users    []*haven.User
	Teams    []adminTeam
	Roles    []haven.Role
	Required bool // two-factor authentication is mandatory
	// Reset is a password just reset, shown once for the admin to pass on.
	Reset *resetPassword
}

type resetPassword struct {
	Username, Password string
}

// adminTeam is a team with the users that could still join it, and its label fields.
type adminTeam struct {
	*haven.Team
	Candidates []string
	Label      string // in the reader's language
	Fields     []teamLabelField
}

// teamLabelField is one language's input of a team's labels form.
type teamLabelField struct {
	Lang, Language, ID, Value, Error string // Language: the language's name, in the reader's
}

// adminPage shows staff accounts and teams. Users and teams are readable by all staff (to
// assign cases), so no service read refuses a non-admin here: the page is refused with the
// same rule the services apply to every change on it (User.IsAdmin).
func (s *Server) adminPage(w http.ResponseWriter, r *http.Request, v *view) error {
	flashFrom(r, v)
	d, err := s.loadAdmin(r, v)
	if err != nil {
		return err
	}
	return s.renderAdmin(w, r, v, d, http.StatusOK)
}

func (s *Server) loadAdmin(r *http.Request, v *view) (*adminData, error) {
	if !v.User.IsAdmin() {
		return nil, haven.Errorf(haven.EFORBIDDEN, "only admins can manage users and teams")
	}
	ctx := r.Context()
	d := &adminData{Roles: haven.Roles()}
	var err error
	if d.Users, err = s.svc.Users.Users(ctx); err != nil {
		return nil, err
	}
	teams, err := s.svc.Users.Teams(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range teams {
		at := adminTeam{Team: t}
		for _, u := range d.Users {
			if !u.Disabled && !slices.Contains(t.Members, u.Username) {
				at.Candidates = append(at.Candidates, u.Username)
			}
		}
		d.Teams = append(d.Teams, at)
	}
	st, err := s.svc.TwoFactor.TwoFactorStatus(ctx)
	if err != nil {
		return nil, err
	}
	d.Required = st.Required
	return d, nil
}

func (s *Server) renderAdmin(w http.ResponseWriter, r *http.Request, v *view, d *adminData, status int) error {
	for i := range d.Teams {
		labelFields(v, &d.Teams[i])
	}
	v.Nav, v.Title, v.Data, v.Path = "admin", v.L.T("nav.admin"), d, "/admin"
	return s.render(w, r, status, "admin", v)
}

// afterAdminForm redirects back to the admin page after a change, or shows it again with the
// errors beside their fields.
func (s *Server) afterAdminForm(w http.ResponseWriter, r *http.Request, v *view, err error, flash string, fields map[string]string) error {
	if err == nil {
		return redirect(w, r, "/admin", flash)
	}
	if code := haven.ErrorCode(err); code != haven.EINVALID && code != haven.ECONFLICT {
		return err
	}
	d, lerr := s.loadAdmin(r, v)
	if lerr != nil {
		return lerr
	}
	formFailed(v, r, err, fields)
	return s.renderAdmin(w, r, v, d, http.StatusUnprocessableEntity)
}

func (s *Server) adminUserCreate(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	f := r.PostForm
	in := haven.UserCreate{Username: strings.TrimSpace(f.Get("username")), DisplayName: strings.TrimSpace(f.Get("display_name")),
		Email: strings.TrimSpace(f.Get("email")), Role: haven.Role(f.Get("role")), Language: f.Get("language"),
		Password: f.Get("password")}
	_, err := s.svc.Users.CreateUser(r.Context(), in)
	fields := map[string]string{"username": "username:admin.username_invalid", "email": "email:admin.email_invalid",
		"password": "password:account.password_short"}
	if haven.ErrorCode(err) == haven.ECONFLICT {
		err, fields["username"] = taken(err, "username"), "username:admin.username_taken"
	}
	return s.afterAdminForm(w, r, v, err, "user_added", fields)
}

// adminUserUpdate changes a user's role, or disables or re-enables the account: whichever the
// form sent.
func (s *Server) adminUserUpdate(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	var up haven.UserUpdate
	if role, ok := r.PostForm["role"]; ok && len(role) > 0 {
		rl := haven.Role(role[0])
		up.Role = &rl
	}
	if dis, ok := r.PostForm["disabled"]; ok && len(dis) > 0 {
		b := dis[0] == "true"
		up.Disabled = &b
	}
	_, err := s.svc.Users.UpdateUser(r.Context(), r.PathValue("username"), up)
	if haven.ErrorCode(err) == haven.ECONFLICT {
		// The service's one refusal of this kind: an admin disabling or demoting themself.
		d, lerr := s.loadAdmin(r, v)
		if lerr != nil {
			return lerr
		}
		v.Alert = v.L.T("admin.not_yourself")
		return s.renderAdmin(w, r, v, d, http.StatusConflict)
	}
	return s.afterAdminForm(w, r, v, err, "saved", nil)
}

// adminUserTOTPOff removes someone's second factor, e.g. after they lost their phone.
func (s *Server) adminUserTOTPOff(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := s.svc.TwoFactor.DisableTOTP(r.Context(), r.PathValue("username"), ""); err != nil {
		return err
	}
	return redirect(w, r, "/admin", "totp_off")
}

// adminUserResetPassword gives a user a one-time password and shows it, once, to the admin; the
// user must choose their own at their next sign-in and is told who reset it.
func (s *Server) adminUserResetPassword(w http.ResponseWriter, r *http.Request, v *view) error {
	username := r.PathValue("username")
	pw, err := s.svc.Users.ResetPassword(r.Context(), username)
	if err != nil {
		return err
	}
	d, err := s.loadAdmin(r, v)
	if err != nil {
		return err
	}
	d.Reset = &resetPassword{Username: username, Password: pw}
	return s.renderAdmin(w, r, v, d, http.StatusOK)
}

func (s *Server) adminTeamCreate(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	_, err := s.svc.Users.CreateTeam(r.Context(), strings.TrimSpace(r.PostForm.Get("name")))
	fields := map[string]string{"name": "team_name:admin.team_invalid"}
	if haven.ErrorCode(err) == haven.ECONFLICT {
		err, fields["name"] = taken(err, "name"), "team_name:admin.team_taken"
	}
	return s.afterAdminForm(w, r, v, err, "saved", fields)
}

// labelFields fills a team's label inputs: what was typed if its form was just refused, else
// its labels.
func labelFields(v *view, t *adminTeam) {
	t.Label = t.Team.Label(v.L.Tag())
	typed := v.Form != nil && v.Form.Get("team") == t.Name
	for _, lang := range haven.UILanguages() {
		f := teamLabelField{Lang: lang, Language: v.L.LanguageName(lang), ID: "tl-" + t.Name + "-" + lang, Value: t.Labels[lang]}
		if typed {
			f.Value, f.Error = v.Form.Get("label."+lang), v.Errors[f.ID]
		}
		t.Fields = append(t.Fields, f)
	}
}

// adminTeamLabels sets a team's labels from its form: one field per language, an empty one
// removing that language's label.
func (s *Server) adminTeamLabels(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	name := r.PathValue("name")
	labels := map[string]string{}
	fields := map[string]string{}
	for _, lang := range haven.UILanguages() {
		labels[lang] = r.PostForm.Get("label." + lang)
		fields["labels."+lang] = "tl-" + name + "-" + lang + ":admin.team_label_invalid"
	}
	r.PostForm.Set("team", name) // which team's form the kept values belong to
	_, err := s.svc.Users.UpdateTeam(r.Context(), name, haven.TeamUpdate{Labels: &labels})
	return s.afterAdminForm(w, r, v, err, "saved", fields)
}

func (s *Server) adminTeamAdd(w http.ResponseWriter, r *http.Request, v *view) error {
	_, err := s.svc.Users.AddTeamMember(r.Context(), r.PathValue("name"), strings.TrimSpace(r.FormValue("username")))
	if err != nil {
		return err
	}
	return redirect(w, r, "/admin", "member_added")
}

func (s *Server) adminTeamRemove(w http.ResponseWriter, r *http.Request, v *view) error {
	_, err := s.svc.Users.RemoveTeamMember(r.Context(), r.PathValue("name"), r.PathValue("username"))
	if err != nil {
		return err
	}
	return redirect(w, r, "/admin", "saved")
}

// adminRequireTOTP makes two-factor authentication mandatory for every browser sign-in, or
// optional again.
func (s *Server) adminRequireTOTP(w http.ResponseWriter, r *http.Request, v *view) error {
	required := r.FormValue("required") == "true"
	if err := s.svc.TwoFactor.SetTwoFactorRequired(r.Context(), required); err != nil {
		return err
	}
	if required {
		return redirect(w, r, "/admin", "required_on")
	}
	return redirect(w, r, "/admin", "required_off")
}

// taken turns a name clash into an error of the name's field, shown beside it.
func taken(err error, field string) error {
	return &haven.Error{Code: haven.EINVALID, Message: haven.ErrorMessage(err), Fields: map[string]string{field: "taken"}, Err: err}
}
