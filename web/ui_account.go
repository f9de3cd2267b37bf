package web

import (
	"encoding/base64"
	"html/template"
	"maps"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/haven-helpline/haven"
)

// accountRoutes registers the account, requester and admin pages.
func (s *Server) accountRoutes() {
	for _, p := range []struct {
		pattern string
		h       uiFunc
	}{
		{"GET /account", s.accountPage},
		{"GET " + offerPath, s.twoFactorOffer},
		{"POST /account/profile", s.accountProfile},
		{"POST /account/password", s.accountPassword},
		{"POST /account/two-factor", s.accountTOTPBegin},
		{"POST /account/two-factor/confirm", s.accountTOTPConfirm},
		{"POST /account/two-factor/disable", s.accountTOTPDisable},
		{"POST /account/tokens", s.accountTokenCreate},
		{"POST /account/tokens/{id}/revoke", s.accountTokenRevoke},
		{"POST /account/sign-out-all", s.accountSignOutAll},
		{"POST /account/notifications/read", s.accountNotificationsRead},
		{"GET /account/unread", s.accountUnread},
		{"POST /account/notification-preferences", s.accountNotifyPrefs},
		{"POST /account/channels", s.accountChannelAdd},
		{"POST /account/channels/{id}/verify", s.accountChannelVerify},
		{"POST /account/channels/{id}/delete", s.accountChannelDelete},
		{"POST /account/channels/{id}/test", s.accountChannelTest},
		{"GET /requesters", s.requestersPage},
		{"GET /requesters/{id}", s.requesterPage},
		{"POST /requesters/{id}/edit", s.requesterEdit},
		{"GET /admin", s.adminPage},
		{"POST /admin/users", s.adminUserCreate},
		{"POST /admin/users/{username}", s.adminUserUpdate},
		{"POST /admin/users/{username}/two-factor/disable", s.adminUserTOTPOff},
		{"POST /admin/users/{username}/reset-password", s.adminUserResetPassword},
		{"POST /admin/teams", s.adminTeamCreate},
		{"POST /admin/teams/{name}/members", s.adminTeamAdd},
		{"POST /admin/teams/{name}/labels", s.adminTeamLabels},
		{"POST /admin/teams/{name}/members/{username}/remove", s.adminTeamRemove},
		{"POST /admin/two-factor", s.adminRequireTOTP},
	} {
		s.mux.Handle(p.pattern, s.page(false, p.h))
	}
}

// accountData is the "My account" page.
type accountData struct {
	Status        *haven.TwoFactorStatus
	Enrol         *enrolment // an authenticator app being set up
	Recovery      []string   // recovery codes, shown once right after the set-up
	Tokens        []*haven.APIToken
	NewToken      string // a token just created, shown once
	Notifications []notice
	NotifyPrefs   []notifyPref // which kinds are emailed too
	Unread        bool
	Newest        int64  // the newest notification's id, for "mark all read"
	OfferTOTP     bool   // a new password was just set: the second factor is offered next
	Next          string // where to go once a one-time password is replaced (a same-origin path)
	// Channels are where the user is paged besides the app; NewChannel one just added (with a
	// webhook's secret, shown once).
	Channels      []*haven.PageChannel
	NewChannel    *haven.PageChannel
	ChannelsShown bool
}

// notice is a notification with its text in the reader's language, when its kind has words of
// its own (the changes to one's account); others show the text they were written with.
type notice struct {
	*haven.Notification
	Shown string
}

// enrolment is the set-up of an authenticator app: the QR code as a data: URL (an <img>, never
// inline SVG markup) and the secret for typing in by hand.
type enrolment struct {
	Secret string
	QR     template.URL
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, v *view) error {
	flashFrom(r, v)
	d, err := s.loadAccount(r, v)
	if err != nil {
		return err
	}
	d.OfferTOTP = r.URL.Query().Get("flash") == "password_set" && d.Status != nil && !d.Status.Enabled
	d.Next = keptNext(r.URL.Query().Get("next"))
	return s.renderAccount(w, r, v, d, http.StatusOK)
}

// loadAccount reads what the account page shows. A user who must replace a one-time password
// sees only that form, and one who must set up two-factor authentication only that part (the
// services refuse everything else to them).
func (s *Server) loadAccount(r *http.Request, v *view) (*accountData, error) {
	ctx := r.Context()
	d := &accountData{}
	if v.User.MustChangePassword {
		return d, nil
	}
	var err error
	if d.Status, err = s.svc.TwoFactor.TwoFactorStatus(ctx); err != nil {
		return nil, err
	}
	if v.MustEnrol {
		return d, nil
	}
	if d.Tokens, err = s.svc.Auth.Tokens(ctx, v.User.Username); err != nil {
		return nil, err
	}
	if s.svc.PageChannels != nil && !v.User.MustChangePassword {
		if d.Channels, err = s.svc.PageChannels.PageChannels(ctx); err != nil {
			return nil, err
		}
		d.ChannelsShown = true
	}
	prefs, err := s.svc.Notifications.NotificationPrefs(ctx)
	if err != nil {
		return nil, err
	}
	d.NotifyPrefs = notifyPrefsOf(prefs)
	ns, err := s.svc.Notifications.Notifications(ctx, false)
	if err != nil {
		return nil, err
	}
	for _, n := range ns {
		d.Notifications = append(d.Notifications, notice{Notification: n, Shown: n.Worded(v.L.T)})
		d.Newest = max(d.Newest, n.ID)
		d.Unread = d.Unread || n.ReadAt == nil
	}
	return d, nil
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, v *view, d *accountData, status int) error {
	// A page shown in answer to a form post links back (e.g. from the language picker) to the
	// page itself, not to the post's address.
	v.Nav, v.Title, v.Data, v.Path = "account", v.L.T("account.title"), d, "/account"
	return s.render(w, r, status, "account", v)
}

// accountFormFailed shows the account page again after a refused form, with the errors beside
// their fields (see formFailed). Other errors become an error page.
func (s *Server) accountFormFailed(w http.ResponseWriter, r *http.Request, v *view, err error, fields map[string]string) error {
	code := haven.ErrorCode(err)
	if code != haven.EINVALID && code != haven.ECONFLICT {
		return err
	}
	d, lerr := s.loadAccount(r, v)
	if lerr != nil {
		return lerr
	}
	formFailed(v, r, err, fields)
	return s.renderAccount(w, r, v, d, http.StatusUnprocessableEntity)
}

// formFailed fills a re-rendered form's state: the submitted values (passwords left out), the
// field errors and the alert. fields maps a service field to "form_field:message.id": the error
// is shown beside form_field, in the words of message.id (after an empty id, the service's).
func formFailed(v *view, r *http.Request, err error, fields map[string]string) {
	v.Form, v.Errors = maps.Clone(r.PostForm), map[string]string{}
	for _, k := range []string{"password", "current_password"} {
		v.Form.Del(k)
	}
	he := haven.AsError(err)
	v.Alert = v.L.T("form.invalid")
	if haven.ErrorCode(err) == haven.ECONFLICT && (he == nil || len(he.Fields) == 0) {
		v.Alert = v.L.T("error.conflict") // a conflict about a field is said beside it
	}
	if he == nil {
		return
	}
	for k, msg := range he.Fields {
		to, id := k, ""
		if m, ok := fields[k]; ok {
			to, id, _ = strings.Cut(m, ":")
		}
		if id != "" {
			msg = v.L.T(id)
		} else {
			msg = fieldMessage(v.L, msg)
		}
		v.Errors[to] = msg
	}
}

// accountProfile saves the display name and the interface language.
func (s *Server) accountProfile(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	name := strings.TrimSpace(r.PostForm.Get("display_name"))
	lang := r.PostForm.Get("language")
	if len(name) > 200 {
		return s.accountFormFailed(w, r, v, &haven.Error{Code: haven.EINVALID, Message: "name too long",
			Fields: map[string]string{"display_name": "at most 200 bytes"}}, nil)
	}
	if _, err := s.svc.Account.UpdateMe(r.Context(), haven.MeUpdate{DisplayName: &name, Language: &lang}); err != nil {
		return s.accountFormFailed(w, r, v, err, map[string]string{"language": "language:account.language_unknown"})
	}
	http.SetCookie(w, &http.Cookie{Name: languageCookie, Value: lang, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: 365 * 24 * 3600})
	return redirect(w, r, "/account", "saved")
}

// accountPassword changes the password; the service then ends every session, this one too.
// Replacing a one-time password signs the person in again with the new one, and offers the
// second factor next.
func (s *Server) accountPassword(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	pw := r.PostForm.Get("password")
	_, err := s.svc.Account.UpdateMe(r.Context(), haven.MeUpdate{Password: &pw, CurrentPassword: r.PostForm.Get("current_password")})
	if err != nil {
		short := "password:account.password_short"
		if pw == r.PostForm.Get("current_password") {
			short = "password:account.same_password"
		}
		return s.accountFormFailed(w, r, v, err, map[string]string{
			"current_password": "current_password:account.wrong_password", "password": short})
	}
	http.SetCookie(w, s.sessionCookie(r, "", -1))
	if v.User.MustChangePassword {
		return s.afterFirstPassword(w, r, v.User.Username, pw, r.PostForm.Get("next"))
	}
	return redirect(w, r, "/login", "password_changed")
}

// afterFirstPassword signs in with the password just chosen in place of a one-time one, and
// offers the second factor (set it up now, or later) before the page the person was going to. An
// account with a second factor signs in again through the sign-in page, with its code.
func (s *Server) afterFirstPassword(w http.ResponseWriter, r *http.Request, username, pw, next string) error {
	res, err := s.svc.Auth.Login(r.Context(), haven.Credentials{Username: username, Password: pw})
	if err != nil || res.Token == "" {
		return redirect(w, r, withNext("/login", next), "password_changed")
	}
	http.SetCookie(w, s.sessionCookie(r, res.Token, 0))
	return redirect(w, r, withNext(offerPath, next), "password_set")
}

// accountTOTPBegin starts setting up an authenticator app: the page shows the QR code and the
// secret, and asks for a first code. Setting up or replacing an app needs one's password.
func (s *Server) accountTOTPBegin(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	enr, err := s.svc.TwoFactor.BeginTOTP(r.Context(), r.PostForm.Get("password"))
	if haven.ErrorCode(err) == haven.EINVALID {
		return s.accountFormFailed(w, r, v, err, map[string]string{"password": "begin_password:account.wrong_password"})
	}
	if err != nil {
		return err
	}
	d, err := s.loadAccount(r, v)
	if err != nil {
		return err
	}
	d.Enrol = &enrolment{Secret: enr.Secret,
		QR: template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString([]byte(enr.QRSVG)))}
	return s.renderAccount(w, r, v, d, http.StatusOK)
}

var base32Secret = regexp.MustCompile(`^[A-Z2-7]{16,128}=*$`)

// accountTOTPConfirm turns the second factor on with a first code and shows the recovery codes,
// once. A wrong code shows the set-up again (the secret for typing in; the app already has it).
func (s *Server) accountTOTPConfirm(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	codes, err := s.svc.TwoFactor.ConfirmTOTP(r.Context(), strings.TrimSpace(r.PostForm.Get("code")), r.PostForm.Get("password"))
	if haven.ErrorCode(err) == haven.EINVALID {
		d, lerr := s.loadAccount(r, v)
		if lerr != nil {
			return lerr
		}
		if secret := r.PostForm.Get("secret"); base32Secret.MatchString(secret) {
			d.Enrol = &enrolment{Secret: secret}
		}
		formFailed(v, r, err, map[string]string{"code": "code:account.totp_mismatch", "password": "confirm_password:account.wrong_password"})
		return s.renderAccount(w, r, v, d, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	// The session may do everything now: read it again, so the page shows all of the account.
	if a, err := s.sessionActor(r); err == nil {
		r = r.WithContext(haven.WithActor(r.Context(), a))
		v.User, v.MustEnrol = a.User, a.MustEnrol
	}
	d, err := s.loadAccount(r, v)
	if err != nil {
		return err
	}
	d.Recovery = codes
	v.Flash = v.L.T("flash.totp_on")
	return s.renderAccount(w, r, v, d, http.StatusOK)
}

// accountTOTPDisable removes one's own second factor, with one's password.
func (s *Server) accountTOTPDisable(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	if err := s.svc.TwoFactor.DisableTOTP(r.Context(), "", r.PostForm.Get("password")); err != nil {
		return s.accountFormFailed(w, r, v, err, map[string]string{"password": "totp_password:account.wrong_password"})
	}
	return redirect(w, r, "/account", "totp_off")
}

// accountTokenCreate issues an API token and shows it on the page, once.
func (s *Server) accountTokenCreate(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	if name == "" || len(name) > 200 {
		return s.accountFormFailed(w, r, v, &haven.Error{Code: haven.EINVALID, Message: "a token needs a name",
			Fields: map[string]string{"name": "1 to 200 bytes"}}, map[string]string{"name": "token_name:account.token_name_rules"})
	}
	token, _, err := s.svc.Auth.CreateToken(r.Context(), v.User.Username, name, r.PostForm.Get("read_only") == "true")
	if err != nil {
		return s.accountFormFailed(w, r, v, err, map[string]string{"name": "token_name:"})
	}
	d, err := s.loadAccount(r, v)
	if err != nil {
		return err
	}
	d.NewToken = token
	return s.renderAccount(w, r, v, d, http.StatusCreated)
}

func (s *Server) accountTokenRevoke(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return haven.Errorf(haven.ENOTFOUND, "no such token")
	}
	if err := s.svc.Auth.RevokeToken(r.Context(), v.User.Username, id); err != nil {
		return err
	}
	return redirect(w, r, "/account", "token_revoked")
}

// accountSignOutAll ends every session of the user, this one included.
func (s *Server) accountSignOutAll(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := s.svc.Auth.SignOutEverywhere(r.Context(), v.User.Username); err != nil {
		return err
	}
	http.SetCookie(w, s.sessionCookie(r, "", -1))
	return redirect(w, r, "/login", "signed_out_all")
}

// accountNotificationsRead marks the notifications up to the newest one shown as read (not any
// that arrived after the page was drawn).
func (s *Server) accountNotificationsRead(w http.ResponseWriter, r *http.Request, v *view) error {
	upTo, err := strconv.ParseInt(r.FormValue("upto"), 10, 64)
	if err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	if err := s.svc.Notifications.MarkNotificationsRead(r.Context(), upTo); err != nil {
		return err
	}
	return redirect(w, r, "/account", "saved")
}

// accountChannelAdd adds a paging channel; its test message carries the code that verifies it.
func (s *Server) accountChannelAdd(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	f := r.PostForm
	c, err := s.svc.PageChannels.AddPageChannel(r.Context(), haven.PageChannelInput{Kind: f.Get("kind"), Address: f.Get("address"),
		QuietStart: f.Get("quiet_start"), QuietEnd: f.Get("quiet_end"), TimeZone: f.Get("time_zone")})
	if err != nil {
		return s.accountFormFailed(w, r, v, err, nil)
	}
	d, err := s.loadAccount(r, v)
	if err != nil {
		return err
	}
	d.NewChannel, v.Flash = c, v.L.T("flash.channel_added")
	return s.renderAccount(w, r, v, d, http.StatusCreated)
}

func (s *Server) accountChannelVerify(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return haven.Errorf(haven.ENOTFOUND, "no such channel")
	}
	if _, err := s.svc.PageChannels.VerifyPageChannel(r.Context(), id, strings.TrimSpace(r.FormValue("code"))); err != nil {
		return s.accountFormFailed(w, r, v, err, nil)
	}
	return redirect(w, r, "/account#channels", "channel_verified")
}

func (s *Server) accountChannelDelete(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return haven.Errorf(haven.ENOTFOUND, "no such channel")
	}
	if err := s.svc.PageChannels.DeletePageChannel(r.Context(), id); err != nil {
		return err
	}
	return redirect(w, r, "/account#channels", "deleted")
}

func (s *Server) accountChannelTest(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return haven.Errorf(haven.ENOTFOUND, "no such channel")
	}
	if err := s.svc.PageChannels.TestPageChannel(r.Context(), id); err != nil {
		return err
	}
	return redirect(w, r, "/account#channels", "channel_tested")
}
