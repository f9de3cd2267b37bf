package sqldb

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/haven-helpline/haven"
)

const userColumns = `id, username, display_name, email, role, password_hash, language, disabled, created_at,
	totp_enabled_at IS NOT NULL, must_change_password`

func scanUser(row rowScanner) (*haven.User, error) {
	var u haven.User
	var at int64
	if err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Email, &u.Role, &u.PasswordHash, &u.Language, &u.Disabled, &at,
		&u.TwoFactor, &u.MustChangePassword); err != nil {
		return nil, err
	}
	u.CreatedAt = fromMicros(at)
	return &u, nil
}

// InsertUser stores u; a taken username gives ECONFLICT.
func (tx *Tx) InsertUser(ctx context.Context, u *haven.User) error {
	id, err := tx.insertID(ctx, "insert user", `INSERT INTO users (username, display_name, email, role,
		password_hash, language, disabled, created_at, must_change_password) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		RETURNING id`,
		u.Username, u.DisplayName, u.Email, u.Role, u.PasswordHash, u.Language, u.Disabled, micros(u.CreatedAt), u.MustChangePassword)
	if haven.ErrorCode(err) == haven.ECONFLICT {
		return &haven.Error{Code: haven.ECONFLICT, Message: "the username " + u.Username + " is taken",
			Fields: map[string]string{"username": "already taken"}, Err: err}
	}
	u.ID = id
	return err
}

func (tx *Tx) userWhere(ctx context.Context, what, where string, arg any) (*haven.User, error) {
	u, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg))
	if err != nil {
		return nil, notFound(err, what)
	}
	return u, tx.loadTeams(ctx, u)
}

// UserByID reads one user with their teams.
func (tx *Tx) UserByID(ctx context.Context, id int64) (*haven.User, error) {
	return tx.userWhere(ctx, fmt.Sprintf("user %d", id), "id = $1", id)
}

// UserByUsername reads one user with their teams.
func (tx *Tx) UserByUsername(ctx context.Context, username string) (*haven.User, error) {
	return tx.userWhere(ctx, "user "+username, "username = $1", username)
}

func (tx *Tx) loadTeams(ctx context.Context, u *haven.User) error {
	names, err := queryAll(ctx, tx, "user teams", `SELECT t.name FROM teams t JOIN team_members m ON m.team_id = t.id
		WHERE m.user_id = $1 ORDER BY t.name`, func(row rowScanner) (string, error) {
		var s string
		return s, row.Scan(&s)
	}, u.ID)
	u.Teams = names
	return err
}

// Users lists every user by username.
func (tx *Tx) Users(ctx context.Context) ([]*haven.User, error) {
	users, err := queryAll(ctx, tx, "users", `SELECT `+userColumns+` FROM users ORDER BY username`, scanUser)
	if err != nil {
		return nil, err
	}
	// Every membership in one query rather than one per user: the case page lists the users
	// (to assign) on every view.
	type membership struct {
		user int64
		team string
	}
	members, err := queryAll(ctx, tx, "team members", `SELECT m.user_id, t.name FROM teams t
		JOIN team_members m ON m.team_id = t.id ORDER BY t.name`, func(row rowScanner) (membership, error) {
		var m membership
		return m, row.Scan(&m.user, &m.team)
	})
	if err != nil {
		return nil, err
	}
	teams := map[int64][]string{}
	for _, m := range members {
		teams[m.user] = append(teams[m.user], m.team)
	}
	for _, u := range users {
		u.Teams = append([]string{}, teams[u.ID]...)
	}
	return users, nil
}

// UpdateUser writes u.
func (tx *Tx) UpdateUser(ctx context.Context, u *haven.User) error {
	res, err := tx.exec(ctx, "update user", `UPDATE users SET display_name = $1, email = $2, role = $3,
		password_hash = $4, language = $5, disabled = $6, must_change_password = $7 WHERE id = $8`,
		u.DisplayName, u.Email, u.Role, u.PasswordHash, u.Language, u.Disabled, u.MustChangePassword, u.ID)
	if err != nil {
		return err
	}
	return expectOne(res, "user")
}

// CountUsers counts every user, disabled ones included.
func (tx *Tx) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, mapError("count users", err)
}

// InsertTeam stores t.
func (tx *Tx) InsertTeam(ctx context.Context, t *haven.Team) error {
	id, err := tx.insertID(ctx, "insert team", `INSERT INTO teams (name) VALUES ($1) RETURNING id`, t.Name)
	if haven.ErrorCode(err) == haven.ECONFLICT {
		return &haven.Error{Code: haven.ECONFLICT, Message: "the team " + t.Name + " exists", Fields: map[string]string{"name": "already exists"}, Err: err}
	}
	t.ID = id
	return err
}

// TeamByName reads one team with its members.
func (tx *Tx) TeamByName(ctx context.Context, name string) (*haven.Team, error) {
	return referenceRead(tx, "team\x00"+name, func() (*haven.Team, error) {
		t, err := scanTeam(tx.queryRow(ctx, `SELECT id, name, labels FROM teams WHERE name = $1`, name))
		if err != nil {
			return nil, notFound(err, "team "+name)
		}
		return t, tx.loadMembers(ctx, t)
	}, cloneTeam)
}

func cloneTeam(t *haven.Team) *haven.Team {
	out := *t
	out.Members, out.Labels = slices.Clone(t.Members), maps.Clone(t.Labels)
	return &out
}

func scanTeam(row rowScanner) (*haven.Team, error) {
	var t haven.Team
	var labels string
	if err := row.Scan(&t.ID, &t.Name, &labels); err != nil {
		return nil, err
	}
	t.Labels = fromJSON[map[string]string](labels)
	if t.Labels == nil {
		t.Labels = map[string]string{}
	}
	return &t, nil
}

// SetTeamLabels replaces a team's display names.
func (tx *Tx) SetTeamLabels(ctx context.Context, teamID int64, labels map[string]string) error {
	res, err := tx.exec(ctx, "team labels", `UPDATE teams SET labels = $1 WHERE id = $2`, toJSON(labels), teamID)
	if err != nil {
		return err
	}
	return expectOne(res, "team")
}

func (tx *Tx) loadMembers(ctx context.Context, t *haven.Team) error {
	names, err := queryAll(ctx, tx, "team members", `SELECT u.username FROM users u JOIN team_members m ON m.user_id = u.id
		WHERE m.team_id = $1 ORDER BY u.username`, func(row rowScanner) (string, error) {
		var s string
		return s, row.Scan(&s)
	}, t.ID)
	t.Members = names
	return err
}

// Teams lists every team with members.
func (tx *Tx) Teams(ctx context.Context) ([]*haven.Team, error) {
	teams, err := queryAll(ctx, tx, "teams", `SELECT id, name, labels FROM teams ORDER BY name`, scanTeam)
	if err != nil {
		return nil, err
	}
	for _, t := range teams {
		if err := tx.loadMembers(ctx, t); err != nil {
			return nil, err
		}
	}
	return teams, nil
}

// AddTeamMember adds a user to a team (idempotent).
func (tx *Tx) AddTeamMember(ctx context.Context, teamID, userID int64) error {
	_, err := tx.exec(ctx, "add member", `INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)
		ON CONFLICT (team_id, user_id) DO NOTHING`, teamID, userID)
	return err
}

// RemoveTeamMember removes a user from a team (idempotent).
func (tx *Tx) RemoveTeamMember(ctx context.Context, teamID, userID int64) error {
	_, err := tx.exec(ctx, "remove member", `DELETE FROM team_members WHERE team_id = $1 AND user_id = $2`, teamID, userID)
	return err
}

// InsertSession stores a login session (by token hash).
func (tx *Tx) InsertSession(ctx context.Context, s *haven.Session) error {
	_, err := tx.exec(ctx, "insert session", `INSERT INTO sessions (token_hash, user_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4)`, s.TokenHash, s.UserID, micros(s.CreatedAt), micros(s.ExpiresAt))
	return err
}

// SessionByHash reads a session.
func (tx *Tx) SessionByHash(ctx context.Context, hash string) (*haven.Session, error) {
	var s haven.Session
	var created, expires int64
	err := tx.queryRow(ctx, `SELECT token_hash, user_id, created_at, expires_at FROM sessions WHERE token_hash = $1`, hash).
		Scan(&s.TokenHash, &s.UserID, &created, &expires)
	if err != nil {
		return nil, notFound(err, "session")
	}
	s.CreatedAt, s.ExpiresAt = fromMicros(created), fromMicros(expires)
	return &s, nil
}

// DeleteSession ends a session.
func (tx *Tx) DeleteSession(ctx context.Context, hash string) error {
	_, err := tx.exec(ctx, "delete session", `DELETE FROM sessions WHERE token_hash = $1`, hash)
	return err
}

// InsertAPIToken stores an API token (by hash).
func (tx *Tx) InsertAPIToken(ctx context.Context, t *haven.APIToken) error {
	id, err := tx.insertID(ctx, "insert token", `INSERT INTO api_tokens (user_id, name, token_hash, read_only, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, t.UserID, t.Name, t.TokenHash, t.ReadOnly, micros(t.CreatedAt))
	t.ID = id
	return err
}

// APITokenByHash reads a token by the hash of its secret.
func (tx *Tx) APITokenByHash(ctx context.Context, hash string) (*haven.APIToken, error) {
	t, err := scanAPIToken(tx.queryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens k JOIN users u ON u.id = k.user_id
		WHERE k.token_hash = $1`, hash))
	return t, notFound(err, "token")
}
