package haven

import (
	"context"
	"time"
)

// Session is a browser login. Only the hash of its token is stored.
type Session struct {
	TokenHash string
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// APIToken is a personal access token. Only the hash of the token is stored; the token itself is
// shown once, when created.
type APIToken struct {
	ID        int64      `json:"id"`
	UserID    int64      `json:"-"`
	Username  string     `json:"username"`
	Name      string     `json:"name"`
	TokenHash string     `json:"-"`
	ReadOnly  bool       `json:"read_only"`
	CreatedAt time.Time  `json:"created_at"`
	LastUsed  *time.Time `json:"last_used,omitempty"`
	Revoked   bool       `json:"revoked"`
}

// AuthService logs people in and turns tokens into actors.
type AuthService interface {
	// Login checks a password (and the second factor, when the account has one and c.Code is
	// set) and opens a session, whose token it returns once. Without a needed code it returns a
	// challenge instead, for CompleteLogin.
	Login(ctx context.Context, c Credentials) (*LoginResult, error)
	Logout(ctx context.Context, token string) error
	// SessionActor resolves a session cookie's token.
	SessionActor(ctx context.Context, token string) (Actor, error)
	// TokenActor resolves an API bearer token.
	TokenActor(ctx context.Context, token string) (Actor, error)
	// CreateToken issues an API token for the caller, who must be username (nobody, admins
	// included, creates credentials for someone else); the token is returned once. A read-only
	// token creates none.
	CreateToken(ctx context.Context, username, name string, readOnly bool) (token string, t *APIToken, err error)
	// Tokens lists username's API tokens, revoked ones included (self or admin).
	Tokens(ctx context.Context, username string) ([]*APIToken, error)
	// RevokeToken revokes token id (self or admin). username, when not empty, must name the
	// token's owner. A token that does not exist or that the caller may not see is ENOTFOUND.
	RevokeToken(ctx context.Context, username string, id int64) error
	// SignOutEverywhere ends every browser session of username (self or admin), and their API
	// tokens unless the service is configured to keep them.
	SignOutEverywhere(ctx context.Context, username string) error
}

// Login throttling: LoginMaxFailures failed sign-ins for one username within LoginFailureWindow
// lock it for LoginLockout, during which even the right password is refused.
const (
	LoginMaxFailures   = 5
	LoginFailureWindow = 15 * time.Minute
	LoginLockout       = 15 * time.Minute
)

// LoginFailures counts the recent failed sign-ins of one username (which need not exist).
type LoginFailures struct {
	Username    string
	Failures    int       // since FirstAt
	FirstAt     time.Time // the first failure of the current window
	LockedUntil time.Time // zero when not locked
}

// AuthStore is what the service layer needs from storage for sessions and tokens.
type AuthStore interface {
	InsertSession(ctx context.Context, s *Session) error
	SessionByHash(ctx context.Context, hash string) (*Session, error)
	DeleteSession(ctx context.Context, hash string) error
	InsertAPIToken(ctx context.Context, t *APIToken) error
	APITokenByHash(ctx context.Context, hash string) (*APIToken, error)
	APITokenByID(ctx context.Context, id int64) (*APIToken, error)
	// UserAPITokens lists a user's tokens, newest first.
	UserAPITokens(ctx context.Context, userID int64) ([]*APIToken, error)
	// RevokeAPIToken marks a token revoked; tokens are never deleted (events refer to them).
	RevokeAPIToken(ctx context.Context, id int64) error
	// RevokeUserAPITokens revokes every token of a user still in use and returns how many.
	RevokeUserAPITokens(ctx context.Context, userID int64) (int, error)
	// TouchAPIToken records when a token was last used.
	TouchAPIToken(ctx context.Context, id int64, at time.Time) error
	// DeleteUserSessions ends every session of a user and returns how many there were.
	DeleteUserSessions(ctx context.Context, userID int64) (int, error)
	// LoginFailures reads the failure count of username; a username never seen has a zero value.
	LoginFailures(ctx context.Context, username string) (*LoginFailures, error)
	// AddLoginFailure counts one failure at at, atomically: a count whose window started before
	// windowStart starts again at 1. It returns the new state.
	AddLoginFailure(ctx context.Context, username string, at, windowStart time.Time) (*LoginFailures, error)
	// LockLogin locks username until until and clears its count.
	LockLogin(ctx context.Context, username string, until time.Time) error
	// ClearLoginFailures forgets username's failures (after a successful sign-in).
	ClearLoginFailures(ctx context.Context, username string) error
}
