package service

import (
	"context"

	"haven"
	"haven/auth"
)

// CreateUser adds a staff account (admins only).
func (s *Service) CreateUser(ctx context.Context, in haven.UserCreate) (*haven.User, error) {
	u, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	return s.createUser(ctx, u, in)
}

// CreateFirstAdmin creates an admin when the database has no user at all (first start, CLI).
// It returns ECONFLICT when users exist, so it cannot be used to add a second admin unchecked.
func (s *Service) CreateFirstAdmin(ctx context.Context, username, password string) (*haven.User, error) {
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
		created, err = s.insertUser(ctx, tx, nil, in)
		return err
	})
	return created, err
}

// CreateUserAsSystem adds a user on behalf of the operator at the console (`haven user add`),
// who already holds the database; the event records no actor.
func (s *Service) CreateUserAsSystem(ctx context.Context, in haven.UserCreate) (*haven.User, error) {
	return s.createUser(ctx, nil, in)
}

func (s *Service) createUser(ctx context.Context, actor *haven.User, in haven.UserCreate) (*haven.User, error) {
	var created *haven.User
	err := s.store.Update(ctx, func(tx haven.Tx) error {
		var err error
		created, err = s.insertUser(ctx, tx, actor, in)
		return err
	})
	return created, err
}

func (s *Service) insertUser(ctx context.Context, tx haven.Tx, actor *haven.User, in haven.UserCreate) (*haven.User, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return nil, haven.Internal("hash password", err)
	}
	now := s.clock.Now()
	u := &haven.User{Username: in.Username, DisplayName: in.DisplayName, Email: in.Email, Role: in.Role,
		Language: in.Language, PasswordHash: hash, CreatedAt: now, Teams: []string{}}
	if err := tx.InsertUser(ctx, u); err != nil {
		return nil, err
	}
	return u, record(ctx, tx, now, actor, "user.created", "user", u.Username, 0, map[string]any{"role": u.Role})
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

// Users lists every account. Everyone signed in may list colleagues (to assign cases).
func (s *Service) Users(ctx context.Context) ([]*haven.User, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	return s.usersUnchecked(ctx)
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
	return s.updateUser(ctx, actor, username, up)
}

// UpdateUserAsSystem changes an account for the console operator (`haven user disable`).
func (s *Service) UpdateUserAsSystem(ctx context.Context, username string, up haven.UserUpdate) (*haven.User, error) {
	return s.updateUser(ctx, nil, username, up)
}

func (s *Service) updateUser(ctx context.Context, actor *haven.User, username string, up haven.UserUpdate) (*haven.User, error) {
	var u *haven.User
	err := s.store.Update(ctx, func(tx haven.Tx) error {
		var err error
		if u, err = tx.UserByUsername(ctx, username); err != nil {
			return err
		}
		changed, err := applyUser(u, up)
		if err != nil {
			return err
		}
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		data := map[string]any{"fields": changed}
		if up.Disabled != nil && *up.Disabled || up.Password != nil {
			// A disabled account or a changed password ends every browser session at once.
			n, err := tx.DeleteUserSessions(ctx, u.ID)
			if err != nil {
				return err
			}
			data["sessions_ended"] = n
		}
		return record(ctx, tx, s.clock.Now(), actor, "user.updated", "user", u.Username, 0, data)
	})
	return u, err
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
		u.PasswordHash, changed = hash, append(changed, "password")
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
	t := &haven.Team{Name: name, Members: []string{}}
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

// Teams lists teams and members.
func (s *Service) Teams(ctx context.Context) ([]*haven.Team, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	var teams []*haven.Team
	err := s.store.View(ctx, func(tx haven.Tx) error {
		var err error
		teams, err = tx.Teams(ctx)
		return err
	})
	return teams, err
}

// AddTeamMember puts a user in a team (admins only).
func (s *Service) AddTeamMember(ctx context.Context, team, username string) (*haven.Team, error) {
	return s.changeMembership(ctx, team, username, true)
}

// RemoveTeamMember takes a user out of a team (admins only).
func (s *Service) RemoveTeamMember(ctx context.Context, team, username string) (*haven.Team, error) {
	return s.changeMembership(ctx, team, username, false)
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
		return record(ctx, tx, s.clock.Now(), actor, action, "team", t.Name, 0, map[string]any{"user": u.Username})
	})
	return t, err
}
