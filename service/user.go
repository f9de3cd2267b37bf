package service

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/auth"
)

// CreateUser adds a staff account (admins only).
func (s *Service) CreateUser(ctx context.Context, in haven.UserCreate) (*haven.User, error) {
	u, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	return s.createUser(ctx, u, in, false)
}

// CreateFirstAdmin creates an admin when the database has no user at all (first start, CLI).
// It returns ECONFLICT when users exist, so it cannot be used to add a second admin unchecked.
func (s *Service) CreateFirstAdmin(ctx context.Context, username, password string) (*haven.User, error) {
	return s.createFirstAdmin(ctx, username, password, false)
}

// BootstrapAdmin is CreateFirstAdmin with a generated password, returned once for `serve` to
// print on the console: it works for one sign-in, which must set a new password first.
func (s *Service) BootstrapAdmin(ctx context.Context, username string) (*haven.User, string, error) {
	password, err := auth.GeneratePassword()
	if err != nil {
		return nil, "", haven.Internal("generate password", err)
	}
	u, err := s.createFirstAdmin(ctx, username, password, true)
	return u, password, err
}

func (s *Service) createFirstAdmin(ctx context.Context, username, password string, oneTime bool) (*haven.User, error) {
	in := haven.UserCreate{Username: username, Password: password, Role: haven.RoleAdmin}
	var created *haven.User
	err := s.store.Update(ctx, func(tx haven.Tx) error {
		n, err := tx.CountUsers(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return haven.Errorf(haven.ECONFLICT, "users already exist")
		}
		created, err = s.insertUser(ctx, tx, nil, in, oneTime)
		return err
	})
	return created, err
}

// CreateUserAsSystem adds a user on behalf of the operator at the console (`haven user add`),
// who already holds the database; the event records no actor. With oneTime the password is one
// the operator hands over: it works for one sign-in, which must choose the user's own first.
func (s *Service) CreateUserAsSystem(ctx context.Context, in haven.UserCreate, oneTime bool) (*haven.User, error) {
	return s.createUser(ctx, nil, in, oneTime)
}

func (s *Service) createUser(ctx context.Context, actor *haven.User, in haven.UserCreate, oneTime bool) (*haven.User, error) {
	var created *haven.User
	err := s.store.Update(ctx, func(tx haven.Tx) error {
		var err error
		created, err = s.insertUser(ctx, tx, actor, in, oneTime)
		return err
	})
	return created, err
}

// insertUser adds an account; oneTime marks its password as one to replace at the first sign-in.
func (s *Service) insertUser(ctx context.Context, tx haven.Tx, actor *haven.User, in haven.UserCreate, oneTime bool) (*haven.User, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return nil, haven.Internal("hash password", err)
	}
	now := s.clock.Now()
	u := &haven.User{Username: in.Username, DisplayName: in.DisplayName, Email: in.Email, Role: in.Role,
		Language: in.Language, PasswordHash: hash, CreatedAt: now, Teams: []string{}, MustChangePassword: oneTime}
	if err := tx.InsertUser(ctx, u); err != nil {
		return nil, err
	}
	return u, record(ctx, tx, now, actor, "user.created", "user", u.Username, 0,
		map[string]any{"role": u.Role, "must_change_password": oneTime})
}

// User reads one account: admins any, others themselves.
func (s *Service) User(ctx context.Context, username string) (*haven.User, error) {
	me, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if me.Username != username && !me.IsAdmin() {
		return nil, haven.Errorf(haven.EFORBIDDEN, "only admins can read other accounts")
	}
	var u *haven.User
	err = s.store.View(ctx, func(tx haven.Tx) error {
		u, err = tx.UserByUsername(ctx, username)
		return err
	})
	return u, err
}

// Users lists every account. Everyone signed in may list colleagues (to assign cases), but only
// admins see whose account lacks a second factor or still has a one-time password.
func (s *Service) Users(ctx context.Context) ([]*haven.User, error) {
	me, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	users, err := s.usersUnchecked(ctx)
	if err != nil || me.IsAdmin() {
		return users, err
	}
	for i, u := range users {
		if u.ID != me.ID {
			users[i] = u.Colleague()
		}
	}
	return users, nil
}

func (s *Service) usersUnchecked(ctx context.Context) ([]*haven.User, error) {
	var users []*haven.User
	err := s.store.View(ctx, func(tx haven.Tx) error {
		var err error
		users, err = tx.Users(ctx)
		return err
	})
	return users, err
}

// UsersAsSystem lists accounts for the console operator (`haven user list`).
func (s *Service) UsersAsSystem(ctx context.Context) ([]*haven.User, error) {
	return s.usersUnchecked(ctx)
}

// UpdateUser changes an account (admins only).
func (s *Service) UpdateUser(ctx context.Context, username string, up haven.UserUpdate) (*haven.User, error) {
	actor, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	if actor.Username == username && (up.Disabled != nil && *up.Disabled || up.Role != nil && *up.Role != haven.RoleAdmin) {
		return nil, haven.Errorf(haven.ECONFLICT, "you cannot disable or demote yourself")
	}
	if up.Password != nil {
		// A password an admin chose would let them sign in as the user, unseen.
		return nil, &haven.Error{Code: haven.EINVALID, Message: "admins do not set passwords: reset it instead (POST /api/v1/users/{username}/reset-password), or change your own under My account",
			Fields: map[string]string{"password": "not settable here"}}
	}
	return s.updateUser(ctx, actor, username, up)
}

// UpdateUserAsSystem changes an account for the console operator (`haven user disable`).
func (s *Service) UpdateUserAsSystem(ctx context.Context, username string, up haven.UserUpdate) (*haven.User, error) {
	return s.updateUser(ctx, nil, username, up)
}

func (s *Service) updateUser(ctx context.Context, actor *haven.User, username string, up haven.UserUpdate) (*haven.User, error) {
	var u *haven.User
	now := s.clock.Now()
	err := s.store.Update(ctx, func(tx haven.Tx) error {
		var err error
		if u, err = tx.UserByUsername(ctx, username); err != nil {
			return err
		}
		before := *u
		changed, err := applyUser(u, up)
		if err != nil {
			return err
		}
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		data, err := s.afterUserUpdate(ctx, tx, u, up)
		if err != nil {
			return err
		}
		data["fields"] = changed
		if err := notifyUserUpdate(ctx, tx, now, actor, &before, u); err != nil {
			return err
		}
		return record(ctx, tx, now, actor, "user.updated", "user", u.Username, 0, data)
	})
	return u, err
}

// afterUserUpdate ends what a change makes unsafe to keep: every browser session of a disabled
// account, and after a new password every session and (unless configured otherwise) every token.
func (s *Service) afterUserUpdate(ctx context.Context, tx haven.Tx, u *haven.User, up haven.UserUpdate) (map[string]any, error) {
	if up.Password != nil {
		return s.endCredentials(ctx, tx, u)
	}
	if up.Disabled == nil || !*up.Disabled {
		return map[string]any{}, nil
	}
	n, err := tx.DeleteUserSessions(ctx, u.ID)
	return map[string]any{"sessions_ended": n}, err
}

// notifyUserUpdate tells the user of an admin's (or the console's) change to their account.
func notifyUserUpdate(ctx context.Context, tx haven.Tx, now time.Time, actor, before, after *haven.User) error {
	var kinds []string
	switch {
	case after.Disabled && !before.Disabled:
		kinds = append(kinds, haven.NoticeDisabled)
	case !after.Disabled && before.Disabled:
		kinds = append(kinds, haven.NoticeEnabled)
	}
	if after.Role != before.Role {
		kinds = append(kinds, haven.NoticeRoleChanged)
	}
	for _, k := range kinds {
		if err := notifyAccount(ctx, tx, now, actor, after, k); err != nil {
			return err
		}
	}
	if after.Role == before.Role || (after.Role != haven.RoleLead && before.Role != haven.RoleLead) {
		return nil
	}
	for _, name := range after.Teams { // a lead sees the team's restricted cases: its members are told
		t, err := tx.TeamByName(ctx, name)
		if err != nil {
			return err
		}
		if err := tellTeam(ctx, tx, actor, t.Members, "team.lead_changed", t.Name, after, now); err != nil {
			return err
		}
	}
	return nil
}

func applyUser(u *haven.User, up haven.UserUpdate) ([]string, error) {
	var changed []string
	v := haven.Validation{}
	if up.DisplayName != nil {
		u.DisplayName, changed = *up.DisplayName, append(changed, "display_name")
	}
	if up.Email != nil {
		u.Email, changed = *up.Email, append(changed, "email")
	}
	if up.Role != nil {
		v.Check(up.Role.Valid(), "role", "must be one of handler, lead, admin, auditor")
		u.Role, changed = *up.Role, append(changed, "role")
	}
	if up.Language != nil {
		u.Language, changed = *up.Language, append(changed, "language")
	}
	if up.Disabled != nil {
		u.Disabled, changed = *up.Disabled, append(changed, "disabled")
	}
	if up.Password != nil {
		v.Check(len(*up.Password) >= 12 && len(*up.Password) <= 1024, "password", "12 to 1024 characters")
		if err := v.Err(); err != nil {
			return nil, err
		}
		hash, err := auth.HashPassword(*up.Password)
		if err != nil {
			return nil, haven.Internal("hash password", err)
		}
		// A password of the user's own replaces any one-time password.
		u.PasswordHash, u.MustChangePassword, changed = hash, false, append(changed, "password")
	}
	return changed, v.Err()
}

// CreateTeam adds a team (admins only).
func (s *Service) CreateTeam(ctx context.Context, name string) (*haven.Team, error) {
	u, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	if !haven.ValidTeamName(name) {
		return nil, &haven.Error{Code: haven.EINVALID, Message: "bad team name", Fields: map[string]string{"name": "lower-case letters, digits, . _ - (at most 63)"}}
	}
	t := &haven.Team{Name: name, Members: []string{}, Labels: map[string]string{}}
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		if err := tx.InsertTeam(ctx, t); err != nil {
			return err
		}
		return record(ctx, tx, s.clock.Now(), u, "team.created", "team", t.Name, 0, nil)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Teams lists teams and members, kept until the next write where the store can tell (every
// inbox and case page reads them for their labels).
func (s *Service) Teams(ctx context.Context) ([]*haven.Team, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	var gen uint64
	if s.lists != nil {
		gen = s.lists.generation()
		if kept := s.lists.teams(gen); kept != nil {
			return kept, nil
		}
	}
	var teams []*haven.Team
	err := s.store.View(ctx, func(tx haven.Tx) error {
		var err error
		teams, err = tx.Teams(ctx)
		return err
	})
	if err == nil && s.lists != nil {
		s.lists.putTeams(gen, teams)
	}
	return teams, err
}

// UpdateTeam replaces a team's labels (admins). The event names the languages changed, not the
// labels: the audit trail records references and field names only.
func (s *Service) UpdateTeam(ctx context.Context, name string, up haven.TeamUpdate) (*haven.Team, error) {
	u, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	if err := up.Validate(); err != nil {
		return nil, err
	}
	var t *haven.Team
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		if t, err = tx.TeamByName(ctx, name); err != nil {
			return err
		}
		if up.Labels == nil {
			return nil
		}
		labels, changed := teamLabels(t.Labels, *up.Labels)
		if len(changed) == 0 {
			return nil
		}
		if err := tx.SetTeamLabels(ctx, t.ID, labels); err != nil {
			return err
		}
		t.Labels = labels
		return record(ctx, tx, s.clock.Now(), u, "team.updated", "team", t.Name, 0, map[string]any{"fields": changed})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// teamLabels lays set over cur (trimmed; an empty label removes one) and names the fields that
// changed ("labels.ar"), in order.
func teamLabels(cur, set map[string]string) (map[string]string, []string) {
	out := maps.Clone(cur)
	if out == nil {
		out = map[string]string{}
	}
	var changed []string
	for lang, l := range set {
		l = strings.TrimSpace(l)
		if out[lang] == l {
			continue
		}
		if l == "" {
			delete(out, lang)
		} else {
			out[lang] = l
		}
		changed = append(changed, "labels."+lang)
	}
	slices.Sort(changed)
	return out, changed
}

// AddTeamMember puts a user in a team (admins only).
func (s *Service) AddTeamMember(ctx context.Context, team, username string) (*haven.Team, error) {
	return s.changeMembership(ctx, team, username, true)
}

// RemoveTeamMember takes a user out of a team (admins only).
func (s *Service) RemoveTeamMember(ctx context.Context, team, username string) (*haven.Team, error) {
	return s.changeMembership(ctx, team, username, false)
}

// tellTeam notifies a team's members (and the user concerned) of a change of its membership: who
// is in a team decides who sees its cases, and its leads see its restricted ones, so an admin
// cannot slip an account of their own into a team unseen.
func tellTeam(ctx context.Context, tx haven.Tx, actor *haven.User, members []string, action, team string, u *haven.User, now time.Time) error {
	verb := strings.TrimPrefix(action, "team.")
	return notifyUsers(ctx, tx, members, actor, &haven.Notification{Kind: action, Actor: actorName(actor), CreatedAt: now,
		Text: fmt.Sprintf("%s: %s (%s) %s by %s", team, u.Username, u.Role, verb, cmp.Or(actorName(actor), "the operator (console)"))})
}

func (s *Service) changeMembership(ctx context.Context, team, username string, add bool) (*haven.Team, error) {
	actor, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	var t *haven.Team
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		if t, err = tx.TeamByName(ctx, team); err != nil {
			return err
		}
		before := t.Members
		u, err := tx.UserByUsername(ctx, username)
		if err != nil {
			return err
		}
		action := "team.member_added"
		if add {
			err = tx.AddTeamMember(ctx, t.ID, u.ID)
		} else {
			action, err = "team.member_removed", tx.RemoveTeamMember(ctx, t.ID, u.ID)
		}
		if err != nil {
			return err
		}
		if t, err = tx.TeamByName(ctx, team); err != nil {
			return err
		}
		if err := tellTeam(ctx, tx, actor, append(slices.Clone(before), u.Username), action, t.Name, u, s.clock.Now()); err != nil {
			return err
		}
		return record(ctx, tx, s.clock.Now(), actor, action, "team", t.Name, 0, map[string]any{"user": u.Username})
	})
	return t, err
}
