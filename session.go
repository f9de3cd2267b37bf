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
	// Login checks a password and opens a session; it returns the session token once.
	Login(ctx context.Context, username, password string) (token string, u *User, err error)
	Logout(ctx context.Context, token string) error
	// SessionActor resolves a session cookie's token.
	SessionActor(ctx context.Context, token string) (Actor, error)
	// TokenActor resolves an API bearer token.
	TokenActor(ctx context.Context, token string) (Actor, error)
	// CreateToken issues an API token for username; the token is returned once.
	CreateToken(ctx context.Context, username, name string, readOnly bool) (token string, t *APIToken, err error)
}

// AuthStore is what the service layer needs from storage for sessions and tokens.
type AuthStore interface {
	InsertSession(ctx context.Context, s *Session) error
	SessionByHash(ctx context.Context, hash string) (*Session, error)
	DeleteSession(ctx context.Context, hash string) error
	InsertAPIToken(ctx context.Context, t *APIToken) error
	APITokenByHash(ctx context.Context, hash string) (*APIToken, error)
}
