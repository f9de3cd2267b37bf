package auth

import (
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// SHA-1, 6 digits and 30 seconds are the only parameters every
// authenticator app honours; others are silently ignored by some apps,
// which then show codes that never match.
const (
	totpPeriod     = 30 // seconds
	totpDigits     = 6
	totpSecretSize = 20 // bytes: 160 bits, the length RFC 4226 recommends
	// totpMinSecret is RFC 4226's minimum; a shorter stored secret is
	// treated as corrupt rather than used.
	totpMinSecret = 16
)

var (
	ErrTOTPInvalid         = errors.New("auth: invalid TOTP code")
	ErrTOTPReplay          = errors.New("auth: TOTP code already used")
	ErrTOTPLabel           = errors.New("auth: TOTP issuer and account must be non-empty and contain no colon")
	ErrMalformedTOTPSecret = errors.New("auth: malformed TOTP secret")
)

var totpOpts = totp.ValidateOpts{
	Period:    totpPeriod,
	Digits:    otp.DigitsSix,
	Algorithm: otp.AlgorithmSHA1,
}

// totpSecretEncoding matches what totp.Generate writes: upper-case
// base32 without padding.
var totpSecretEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// TOTPEnrolment is what a user needs to add Haven to an authenticator
// app. Secret is stored (encrypted) by the caller; URL and QRSVG are
// shown once and contain the secret, so pages showing them must not be
// cached.
type TOTPEnrolment struct {
	Secret string // base32, upper-case, no padding
	URL    string // otpauth://totp/Issuer:account?...
	QRSVG  string // URL as an inline SVG QR code
}

// NewTOTP makes a fresh 20-byte secret for account and returns it with
// its otpauth URL and QR code.
func NewTOTP(issuer, account string) (TOTPEnrolment, error) {
	// The label is "issuer:account", so a colon in either would make
	// apps split it in the wrong place.
	if issuer == "" || account == "" || strings.Contains(issuer, ":") || strings.Contains(account, ":") {
		return TOTPEnrolment{}, ErrTOTPLabel
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      issuer,
		AccountName: account,
		Period:      totpPeriod,
		SecretSize:  totpSecretSize,
		Digits:      otp.DigitsSix,
		Algorithm:   otp.AlgorithmSHA1,
	})
	if err != nil {
		return TOTPEnrolment{}, fmt.Errorf("auth: generating TOTP secret: %w", err)
	}
	svg, err := QRCodeSVG(key.URL())
	if err != nil {
		return TOTPEnrolment{}, err
	}
	return TOTPEnrolment{Secret: key.Secret(), URL: key.URL(), QRSVG: svg}, nil
}

// ValidateTOTP checks code against secret at now, allowing one step of
// clock skew either way. lastStep is the step of the last code this user
// got accepted (0 if none): a code from that step or earlier is refused
// with ErrTOTPReplay, so a code seen over a shoulder or phished cannot be
// used a second time. On success the caller must store the returned step
// as the new lastStep in the same transaction as the login.
func ValidateTOTP(secret, code string, now time.Time, lastStep int64) (step int64, err error) {
	code, ok := normaliseTOTPCode(code)
	if !ok {
		return 0, ErrTOTPInvalid
	}
	if raw, err := totpSecretEncoding.DecodeString(strings.ToUpper(secret)); err != nil || len(raw) < totpMinSecret {
		return 0, ErrMalformedTOTPSecret
	}
	current := now.Unix() / totpPeriod
	// Every candidate step is computed and compared, with no early exit,
	// so timing does not reveal which step (if any) matched.
	matched := int64(-1)
	for s := current - 1; s <= current+1; s++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totpOpts)
		if err != nil {
			return 0, fmt.Errorf("%w: %w", ErrMalformedTOTPSecret, err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			// Keep the latest matching step: if two steps share a code,
			// recording the earlier one would let the code be replayed.
			matched = s
		}
	}
	switch {
	case matched < 0:
		return 0, ErrTOTPInvalid
	case matched <= lastStep:
		return 0, ErrTOTPReplay
	}
	return matched, nil
}

// normaliseTOTPCode drops spaces (apps display "123 456") and maps
// Arabic-Indic and Persian digits to ASCII, since people on an Arabic or
// Persian keyboard type those. It reports whether six digits remain.
func normaliseTOTPCode(code string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.TrimSpace(code) {
		switch {
		case r == ' ':
			continue
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '\u0660' && r <= '\u0669':
			b.WriteRune('0' + r - '\u0660')
		case r >= '\u06F0' && r <= '\u06F9':
			b.WriteRune('0' + r - '\u06F0')
		default:
			return "", false
		}
		if b.Len() > totpDigits {
			return "", false
		}
	}
	return b.String(), b.Len() == totpDigits
}
