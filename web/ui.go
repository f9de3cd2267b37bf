package web

import (
	"bytes"
	"embed"
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/i18n"
)

// The web interface: server-rendered pages for handlers, at /. Every page works without
// JavaScript for reading; haven.js adds keyboard shortcuts. Pages talk to the same services as
// the API, through the signed-in user's session, so the service layer's authorization applies.

//go:embed templates/*.html templates/standalone/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pageCSP allows only Haven's own scripts, styles and images (data: for the QR code): no inline
// script, no external request, no framing.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'"

// uiFunc is a page handler; v carries the page's shared state. It returns an error instead of
// writing one, and renderError turns it into a page in the user's language.
type uiFunc func(w http.ResponseWriter, r *http.Request, v *view) error

// view is what every page template gets: the language, the user, the flash and form state, and
// the page's own data.
type view struct {
	L         *i18n.Localizer
	User      *haven.User
	MustEnrol bool
	Languages []i18n.Language
	Path      string // the request path and query, for "next" links
	Nav       string // the active navigation entry
	Title     string
	Flash     string
	Alert     string
	Errors    map[string]string // field errors of a re-rendered form
	Form      url.Values        // the submitted values of a re-rendered form
	Unread    int               // unread notifications
	Pages     []string          // the cases of the emergencies paging the user, not yet acknowledged: the banner
	Data      any
}

// Limited reports whether the session may only finish securing the account first: replace a
// one-time password, or set up the second factor the admins made mandatory.
func (v *view) Limited() bool {
	return v.MustEnrol || v.User != nil && v.User.MustChangePassword
}

// uiRoutes registers the pages on the mux; they are not in the API's route table.
func (s *Server) uiRoutes() {
	static, _ := fs.Sub(staticFS, "static")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", s.staticHandler(static)))
	s.mux.Handle("GET /{$}", http.RedirectHandler("/inbox", http.StatusSeeOther))
	for _, p := range []struct {
		pattern string
		public  bool
		h       uiFunc
	}{
		{"GET /login", true, s.loginPage},
		{"POST /login", true, s.loginSubmit},
		{"POST /login/code", true, s.loginCode},
		{"POST /logout", false, s.logoutSubmit},
		{"POST /language", true, s.languageSubmit},
		{"GET /inbox", false, s.inboxPage},
		{"POST /inbox/bulk", false, s.inboxBulk},
		{"POST /views", false, s.saveView},
		{"POST /views/{id}/delete", false, s.deleteView},
		{"POST /views/{id}/rename", false, s.renameView},
		{"GET /inbox/fresh", false, s.inboxFresh},
		{"GET /search", false, s.searchPage},
		{"GET /dashboard", false, s.dashboardPage},
		{"GET /audit", false, s.auditPage},
		{"GET /audit/export", false, s.auditExport},
		{"GET /cases/new", false, s.newCasePage},
		{"POST /cases/new", false, s.newCaseSubmit},
		{"GET /cases/{number}", false, s.casePage},
		{"POST /cases/{number}/edit", false, s.caseEdit},
		{"POST /cases/{number}/assign-me", false, s.caseAssignMe},
		{"POST /cases/{number}/links", false, s.caseLink},
		{"POST /cases/{number}/unlink", false, s.caseUnlink},
		{"POST /cases/{number}/duplicate", false, s.caseDuplicate},
		{"POST /cases/{number}/status", false, s.caseStatus},
		{"POST /cases/{number}/note", false, s.caseNote},
		{"POST /cases/{number}/reply", false, s.caseReply},
		{"POST /cases/{number}/presence", false, s.casePresencePing},
		{"POST /cases/{number}/correspondent", false, s.caseConfirmAddress},
		{"POST /cases/{number}/playbooks", false, s.casePlaybook},
		{"POST /cases/{number}/decisions", false, s.caseDecision},
		{"POST /cases/{number}/plans", false, s.casePlanPropose},
		{"POST /cases/{number}/plans/{id}", false, s.casePlanDecide},
		{"POST /cases/{number}/tasks", false, s.caseTaskAdd},
		{"POST /cases/{number}/tasks/{id}", false, s.caseTaskToggle},
		{"GET /cases/{number}/attachments/{id}", false, s.caseAttachment},
	} {
		s.mux.Handle(p.pattern, s.page(p.public, p.h))
	}
	s.accountRoutes()
	s.templateRoutes()
	s.playbookRoutes()
	s.kbRoutes()
	s.taxonomyRoutes()
	s.escalationRoutes()
	s.alertRoutes()
	s.oncallRoutes()
	s.slaRoutes()
	s.intelRoutes()
	// The public statistics: no session is looked for and no cookie is set.
	s.mux.Handle("GET /public/statistics", s.publicStatistics(false))
	s.mux.Handle("GET /public/statistics.json", s.publicStatistics(true))
}

// page adapts a uiFunc: it resolves the session (redirecting to the sign-in page when there is
// none, unless the page is public), picks the language, and renders errors as pages.
func (s *Server) page(public bool, h uiFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := infoFrom(r.Context())
		if info != nil {
			info.route = routeLabel(r.Pattern)
		}
		v := &view{Languages: s.catalog.Languages(), Path: r.URL.RequestURI()}
		if a, err := s.sessionActor(r); err == nil {
			r = r.WithContext(haven.WithActor(r.Context(), a))
			v.User, v.MustEnrol = a.User, a.MustEnrol
			if info != nil {
				info.user = a.User.Username
			}
		} else if haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			// The session could not be checked (the database is down): it may be fine, so the
			// user is not sent to sign in again, and the cookie stays.
			v.L = s.localizer(r, nil)
			s.renderError(w, r, v, err)
			return
		} else if !public {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		v.L = s.localizer(r, v.User)
		if v.Limited() && !strings.HasPrefix(r.URL.Path, "/account") && r.URL.Path != "/logout" && !public {
			http.Redirect(w, r, "/account", http.StatusSeeOther)
			return
		}
		if err := h(w, r, v); err != nil {
			s.renderError(w, r, v, err)
		}
		if r.Method != http.MethodGet && v.User != nil {
			s.counts.forget(v.User.ID) // their own change shows in their counts at once
		}
	})
}

// localizer picks the user's language, else the language cookie, else the browser's.
func (s *Server) localizer(r *http.Request, u *haven.User) *i18n.Localizer {
	var prefs []string
	if u != nil && u.Language != "" {
		prefs = append(prefs, u.Language)
	}
	if c, err := r.Cookie(languageCookie); err == nil {
		prefs = append(prefs, c.Value)
	}
	prefs = append(prefs, r.Header.Get("Accept-Language"))
	return s.catalog.Localizer(s.catalog.Match(prefs...))
}

const languageCookie = "haven_lang"

// pagesOf lists the case numbers of unread emergency pages, once each, newest first.
func pagesOf(ns []*haven.Notification) []string {
	var out []string
	for _, n := range ns {
		if n.Kind == haven.NoticeAlert && n.CaseNumber != "" && !slices.Contains(out, n.CaseNumber) {
			out = append(out, n.CaseNumber)
		}
	}
	return out
}

// render executes a page into a buffer first, so a template error never sends half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) error {
	t, ok := s.pages[v.L.Tag()][name]
	if !ok {
		return haven.Errorf(haven.EINTERNAL, "no page %s", name)
	}
	if v.User != nil && s.svc.Notifications != nil && !v.Limited() {
		if ns, err := s.svc.Notifications.Notifications(r.Context(), true); err == nil {
			v.Unread = len(ns)
			v.Pages = pagesOf(ns)
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return haven.Internal("render "+name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// renderError shows an error as a page: sign-in for an ended session, else a message in the
// user's language (internal details go to the log only).
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, v *view, err error) {
	code := haven.ErrorCode(err)
	if code == haven.EUNAUTHORIZED && v.User == nil {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	if haven.Transient(code) {
		s.renderUnavailable(w, r, v, err)
		return
	}
	status, msg := statusOf(code), map[string]string{
		haven.ENOTFOUND: "error.not_found", haven.EFORBIDDEN: "error.forbidden", haven.ECONFLICT: "error.conflict",
		haven.EUNAUTHORIZED: "error.forbidden", haven.EPASSWORDCHANGE: "error.forbidden"}[code]
	if msg == "" {
		msg = "error.internal"
		if code == haven.EINVALID || code == haven.ETOOLARGE {
			msg = "form.invalid"
		}
	}
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "page failed", "route", r.Pattern, "err", err)
	}
	v.Title, v.Alert = v.L.T(msg), v.L.T(msg)
	var he *haven.Error
	if errors.As(err, &he) && status < 500 && code != haven.ENOTFOUND {
		v.Data = he.Message // service messages are safe to show (in English for now)
	}
	if rerr := s.render(w, r, status, "error", v); rerr != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// redirect answers a form post by sending the browser to a page (post/redirect/get), with an
// optional flash message carried in the query string.
func redirect(w http.ResponseWriter, r *http.Request, to, flash string) error {
	return redirectAt(w, r, to, flash, "")
}

// redirectAt is redirect to an anchor of the page (an element's id), so that what was just
// added is in view.
func redirectAt(w http.ResponseWriter, r *http.Request, to, flash, anchor string) error {
	if flash != "" {
		sep := "?"
		if strings.Contains(to, "?") {
			sep = "&"
		}
		to += sep + "flash=" + url.QueryEscape(flash)
	}
	if anchor != "" {
		to += "#" + url.PathEscape(anchor)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// flashFrom shows a flash message id from the query string (only known ids: nothing the user
// typed is echoed).
func flashFrom(r *http.Request, v *view) {
	switch id := r.URL.Query().Get("flash"); id {
	case "saved", "sent", "noted", "assigned", "status", "address_confirmed", "playbook", "decided", "deleted", "bulk", "view_saved", "signed_out_all",
		"password_changed", "password_set", "totp_on", "totp_off", "token_revoked", "user_added", "member_added", "required_on", "required_off", "escalation_drafted", "escalation_moved", "paged", "alert_moved", "channel_verified", "channel_tested":
		v.Flash = v.L.T("flash." + id)
	case "sent_queued", "sent_recorded", "sent_no_relay":
		v.Flash = v.L.T("flash." + id)
	}
}

// localPath keeps a "next" target on this site. Browsers drop tabs and line breaks anywhere in a
// URL and read "\\" as "/", so "/\t/evil.example" or "/\\evil.example" leads off-site just as
// "//evil.example" does: the target is normalised as a browser would first, and kept only when
// it then parses as a path, with neither scheme nor host. Anything else goes to "/".
func localPath(next string) string {
	clean := strings.Map(browserURLChar, next)
	if !strings.HasPrefix(clean, "/") || strings.HasPrefix(clean, "//") {
		return "/"
	}
	u, err := url.Parse(clean)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	return clean
}

// browserURLChar maps a character of a URL as browsers do before parsing it (WHATWG URL): tab,
// CR and LF are removed, and a backslash is a slash in http(s) URLs.
func browserURLChar(r rune) rune {
	switch r {
	case '\t', '\r', '\n':
		return -1
	case '\\':
		return '/'
	}
	return r
}

// fieldMessage shows a service's field error in the user's language. The service words its
// messages in English; they are kept as they are for English, and otherwise stand for the kind of
// problem they name (missing, too long, not one of the choices), or for "check this field".
func fieldMessage(l *i18n.Localizer, msg string) string {
	if l.Tag() == "en" {
		return msg
	}
	lower := strings.ToLower(msg)
	switch {
	case strings.Contains(lower, "required") || strings.Contains(lower, "needs a"):
		return l.T("form.required")
	case strings.Contains(lower, "at most") || strings.Contains(lower, "too long"):
		return l.T("form.too_long")
	case strings.Contains(lower, "must be one of") || strings.Contains(lower, "unknown") || strings.Contains(lower, "no such"):
		return l.T("form.choose")
	}
	return l.T("form.check_field")
}
