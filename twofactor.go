package haven

import (
	"context"
	"time"
)

// ETOTP is the error code of a sign-in whose password was right but which needs a second factor:
// the code from the user's authenticator app, or one of their recovery codes.
const ETOTP = "totp_required"

// Credentials are what a person types to sign in. Code is the second factor, when they have one.
type Credentials struct {
	Username string
	Password string
	Code     string
}

// LoginResult is a sign-in's outcome: a session (Token), or, when a second factor is needed and
// none was given, a Challenge to complete with CompleteLogin within LoginChallengeTTL.
type LoginResult struct {
	Token     string `json:"-"`
	Challenge string `json:"-"`
	User      *User  `json:"user"`
	// MustEnrol is set when two-factor authentication is mandatory and the user has none yet:
	// the session may only set it up.
	MustEnrol bool `json:"must_enrol"`
	// WrongCode: the code of a two-step sign-in was wrong; Challenge is a new one for another try.
	WrongCode bool `json:"-"`
}

// LoginChallengeTTL is how long a password stays good for completing a sign-in with a code.
const LoginChallengeTTL = 5 * time.Minute

// TOTPEnrolment is shown once to a user setting up an authenticator app.
type TOTPEnrolment struct {
	Secret string `json:"secret"` // base32
	URL    string `json:"url"`    // otpauth://…
	QRSVG  string `json:"qr_svg"` // the URL as an SVG QR code
}

// TwoFactorStatus describes a user's second factor.
type TwoFactorStatus struct {
	Enabled           bool       `json:"enabled"`
	EnabledAt         *time.Time `json:"enabled_at,omitempty"`
	RecoveryCodesLeft int        `json:"recovery_codes_left"`
	Required          bool       `json:"required"` // by the admins' setting
}

// TwoFactorService enrols and removes second factors, and completes two-step sign-ins.
type TwoFactorService interface {
	// BeginTOTP makes a new secret for the signed-in user; it becomes active once confirmed.
	// Setting up or replacing a second factor needs the user's password: with a session or a
	// token alone, a thief could put their own app on the account and lock the owner out.
	BeginTOTP(ctx context.Context, password string) (*TOTPEnrolment, error)
	// ConfirmTOTP checks a code of the new secret, turns the second factor on, and returns ten
	// recovery codes, shown only now (only their hashes are kept). Like BeginTOTP, it needs the
	// password.
	ConfirmTOTP(ctx context.Context, code, password string) ([]string, error)
	// DisableTOTP removes username's second factor: the user themself (with their password) or
	// an admin (for someone who lost their phone; password ignored).
	DisableTOTP(ctx context.Context, username, password string) error
	TwoFactorStatus(ctx context.Context) (*TwoFactorStatus, error)
	// CompleteLogin finishes a sign-in started by Login with a challenge.
	CompleteLogin(ctx context.Context, challenge, code string) (*LoginResult, error)
	// SetTwoFactorRequired makes a second factor mandatory for every browser sign-in (admins).
	SetTwoFactorRequired(ctx context.Context, required bool) error
}

// TwoFactor is a user's stored second-factor state (secrets decrypted by the store).
type TwoFactor struct {
	UserID    int64
	Secret    string // the active base32 secret; "" when off
	Pending   string // a secret being enrolled
	LastStep  int64  // the last accepted TOTP time step: a code is never accepted twice
	EnabledAt *time.Time
}

// LoginChallenge is a password that was right, waiting for its second factor.
type LoginChallenge struct {
	TokenHash string
	UserID    int64
	ExpiresAt time.Time
}

// TwoFactorStore is what the service layer needs from storage for second factors and settings.
type TwoFactorStore interface {
	TwoFactor(ctx context.Context, userID int64) (*TwoFactor, error) // zero value when none
	PutTwoFactor(ctx context.Context, tf *TwoFactor) error
	ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes []string) error
	// RecoveryCodes lists the unused recovery code hashes of a user.
	RecoveryCodes(ctx context.Context, userID int64) ([]string, error)
	UseRecoveryCode(ctx context.Context, userID int64, hash string, at time.Time) error
	InsertLoginChallenge(ctx context.Context, c *LoginChallenge) error
	// TakeLoginChallenge reads and deletes a challenge: each is good for one attempt.
	TakeLoginChallenge(ctx context.Context, hash string) (*LoginChallenge, error)
	Setting(ctx context.Context, name string) (string, error) // "" when unset
	PutSetting(ctx context.Context, name, value string, at time.Time) error
}

// SettingTwoFactorRequired names the admins' "2FA mandatory" setting ("true" or "false").
const SettingTwoFactorRequired = "two_factor_required"
