package haven

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Role decides what a user may do. Team membership narrows what a handler may change.
type Role string

const (
	RoleHandler Role = "handler" // tier-1/tier-2 staff working cases
	RoleLead    Role = "lead"    // coordinators and leads: every case, reassignments
	RoleAdmin   Role = "admin"   // everything, including users and teams
	RoleAuditor Role = "auditor" // reads everything, changes nothing
)

// Roles lists the roles.
func Roles() []Role { return []Role{RoleHandler, RoleLead, RoleAdmin, RoleAuditor} }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles(), r) }

// User is a member of the helpline staff.
type User struct {
	ID          int64    `json:"id"`
	Username    string   `json:"username"`
	DisplayName string   `json:"display_name"`
	Email       string   `json:"email"`
	Role        Role     `json:"role"`
	Teams       []string `json:"teams"`
	Language    string   `json:"language"`
	Disabled    bool     `json:"disabled"`
	// TwoFactor (an authenticator app is enrolled) and MustChangePassword (the password was given
	// out once, by the console or an admin) are shown to admins and to the user only: to everyone
	// else they are left out (Colleague), so nobody can pick the accounts that are easiest to take.
	TwoFactor          bool      `json:"two_factor,omitempty"`
	MustChangePassword bool      `json:"must_change_password,omitempty"`
	PasswordHash       string    `json:"-"`
	CreatedAt          time.Time `json:"created_at"`
}

// EPASSWORDCHANGE is the error code of a request from an account whose password was given out
// once: until its owner chooses their own, only that change (and signing out) is allowed. The API
// answers it with 403, under this code so that clients can tell it from a refusal by role.
const EPASSWORDCHANGE = "password_change_required"

// Colleague is u as other staff may see it: without the state of its credentials.
func (u *User) Colleague() *User {
	c := *u
	c.TwoFactor, c.MustChangePassword, c.PasswordHash = false, false, ""
	return &c
}

// CanWrite reports whether u may change anything at all.
func (u *User) CanWrite() bool { return u != nil && !u.Disabled && u.Role != RoleAuditor }

// CanReadCases reports whether u may read (unrestricted) cases.
func (u *User) CanReadCases() bool { return u != nil && !u.Disabled }

// CanEditCase reports whether u may change c: leads and admins any case; handlers cases without
// a team, in one of their teams, or assigned to them.
func (u *User) CanEditCase(c *Case) bool {
	if !u.CanWrite() {
		return false
	}
	if u.Role == RoleLead || u.Role == RoleAdmin {
		return true
	}
	return c.Team == "" || c.Assignee == u.Username || slices.Contains(u.Teams, c.Team)
}

// CanAssign reports whether u may change c's assignee: leads and admins always; handlers only for
// an unassigned case or one of their own, so nobody silently takes over a colleague's case.
func (u *User) CanAssign(c *Case) bool {
	if !u.CanEditCase(c) {
		return false
	}
	return u.Role == RoleLead || u.Role == RoleAdmin || c.Assignee == "" || c.Assignee == u.Username
}

// CanWriteTemplates reports whether u may write the helpline's templates (leads and admins).
func (u *User) CanWriteTemplates() bool {
	return u.CanWrite() && (u.Role == RoleLead || u.Role == RoleAdmin)
}

// IsAdmin reports whether u may manage users and teams.
func (u *User) IsAdmin() bool { return u != nil && !u.Disabled && u.Role == RoleAdmin }

// CanAudit reports whether u may read the audit trail.
func (u *User) CanAudit() bool {
	return u != nil && !u.Disabled && (u.Role == RoleAuditor || u.Role == RoleAdmin)
}

// CanManageRequesters reports whether u may merge requester records (a destructive change).
func (u *User) CanManageRequesters() bool {
	return u.CanWrite() && (u.Role == RoleLead || u.Role == RoleAdmin)
}

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// ValidUsername reports whether s can be a username.
func ValidUsername(s string) bool { return usernameRE.MatchString(s) }

// UserCreate adds a user.
type UserCreate struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Email       string `json:"email"`
	Role        Role   `json:"role"`
	Language    string `json:"language"`
	Password    string `json:"password"`
}

// Validate checks and defaults the input.
func (in *UserCreate) Validate() error {
	v := Validation{}
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	if in.Role == "" {
		in.Role = RoleHandler
	}
	if in.Language == "" {
		in.Language = "en"
	}
	v.Check(ValidUsername(in.Username), "username", "lower-case letters, digits, . _ - (at most 63)")
	v.Check(in.Role.Valid(), "role", "must be one of handler, lead, admin, auditor")
	v.Check(in.Email == "" || validEmail(in.Email), "email", "not a valid email address")
	v.Check(validLanguage(in.Language), "language", "must be a language tag such as en, fr, ar")
	v.Check(len(in.Password) >= 12, "password", "at least 12 characters")
	v.Check(len(in.Password) <= 1024, "password", "at most 1024 bytes")
	return v.Err()
}

// UserUpdate changes a user; nil leaves a field as it is. Password is set only by the user
// themself (AccountService.UpdateMe) or the console: an admin resets it (ResetPassword) instead,
// so that nobody signs in with a password they chose for someone else.
type UserUpdate struct {
	DisplayName *string `json:"display_name"`
	Email       *string `json:"email"`
	Role        *Role   `json:"role"`
	Language    *string `json:"language"`
	Disabled    *bool   `json:"disabled"`
	Password    *string `json:"password"`
}

// Team is a group of users that owns cases.
type Team struct {
	ID      int64    `json:"id"`
	Name    string   `json:"name"` // the slug: what the API and the filters name it by
	Members []string `json:"members"`
	// Labels are its display names by UI language (issue 16), shown instead of the slug.
	Labels map[string]string `json:"labels"`
}

// Label names the team in lang, else in English, else by its slug.
func (t *Team) Label(lang string) string {
	if l := t.Labels[lang]; l != "" {
		return l
	}
	if l := t.Labels["en"]; l != "" {
		return l
	}
	return t.Name
}

// TeamUpdate changes a team; nil leaves a field as it is.
type TeamUpdate struct {
	// Labels replaces the display names: language → label, an empty label removing one.
	Labels *map[string]string `json:"labels"`
}

// UILanguages are the languages of the interface, English first.
func UILanguages() []string { return []string{"en", "ar", "fr", "es", "pt", "ru"} }

// MaxTeamLabel bounds a team's label, in characters.
const MaxTeamLabel = 80

// Validate checks the labels: interface languages, at most MaxTeamLabel characters, no control
// characters (a label is shown on one line everywhere). Empty labels are allowed: they remove one.
func (up *TeamUpdate) Validate() error {
	v := Validation{}
	if up.Labels == nil {
		return nil
	}
	for lang, l := range *up.Labels {
		v.Check(slices.Contains(UILanguages(), lang), "labels."+lang, "not a language of the interface")
		v.Check(utf8.ValidString(l) && utf8.RuneCountInString(l) <= MaxTeamLabel, "labels."+lang, fmt.Sprintf("at most %d characters", MaxTeamLabel))
		v.Check(!strings.ContainsFunc(l, unicode.IsControl), "labels."+lang, "no control characters")
	}
	return v.Err()
}

var teamRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// ValidTeamName reports whether s can be a team name.
func ValidTeamName(s string) bool { return teamRE.MatchString(s) }

// UserService manages staff accounts and teams (admin only, apart from reading oneself).
type UserService interface {
	CreateUser(ctx context.Context, in UserCreate) (*User, error)
	User(ctx context.Context, username string) (*User, error)
	Users(ctx context.Context) ([]*User, error)
	UpdateUser(ctx context.Context, username string, u UserUpdate) (*User, error)
	// ResetPassword gives username a generated one-time password, returned once, which they must
	// replace at their next sign-in; it ends their sessions (and tokens) and tells them.
	ResetPassword(ctx context.Context, username string) (string, error)
	CreateTeam(ctx context.Context, name string) (*Team, error)
	Teams(ctx context.Context) ([]*Team, error)
	AddTeamMember(ctx context.Context, team, username string) (*Team, error)
	RemoveTeamMember(ctx context.Context, team, username string) (*Team, error)
	// UpdateTeam sets a team's labels (admins).
	UpdateTeam(ctx context.Context, name string, up TeamUpdate) (*Team, error)
}

// UserStore is what the service layer needs from storage for users and teams.
type UserStore interface {
	InsertUser(ctx context.Context, u *User) error
	UserByID(ctx context.Context, id int64) (*User, error)
	UserByUsername(ctx context.Context, username string) (*User, error)
	Users(ctx context.Context) ([]*User, error)
	UpdateUser(ctx context.Context, u *User) error
	CountUsers(ctx context.Context) (int, error)
	InsertTeam(ctx context.Context, t *Team) error
	TeamByName(ctx context.Context, name string) (*Team, error)
	Teams(ctx context.Context) ([]*Team, error)
	AddTeamMember(ctx context.Context, teamID, userID int64) error
	RemoveTeamMember(ctx context.Context, teamID, userID int64) error
	SetTeamLabels(ctx context.Context, teamID int64, labels map[string]string) error
}
