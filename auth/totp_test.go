package auth

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// totpNow is in the middle of a 30-second step, so ±30 s lands in the
// neighbouring steps and ±90 s three steps away.
var totpNow = time.Date(2026, 3, 14, 15, 9, 15, 0, time.UTC)

func mustEnrol(t testing.TB) TOTPEnrolment {
	t.Helper()
	e, err := NewTOTP("Haven", "alice")
	if err != nil {
		t.Fatalf("NewTOTP: %v", err)
	}
	return e
}

func mustCode(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, at, totpOpts)
	if err != nil {
		t.Fatalf("GenerateCodeCustom: %v", err)
	}
	return code
}

func TestNewTOTPEnrolment(t *testing.T) {
	e := mustEnrol(t)
	u, err := url.Parse(e.URL)
	if err != nil {
		t.Fatalf("url.Parse(%q): %v", e.URL, err)
	}
	if u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/Haven:alice" {
		t.Errorf("URL %q: want otpauth://totp/Haven:alice", e.URL)
	}
	q := u.Query()
	want := map[string]string{"secret": e.Secret, "issuer": "Haven", "algorithm": "SHA1", "digits": "6", "period": "30"}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("URL parameter %s = %q, want %q", k, q.Get(k), v)
		}
	}
	raw, err := totpSecretEncoding.DecodeString(e.Secret)
	if err != nil || len(raw) != 20 {
		t.Errorf("secret %q decodes to %d bytes, %v; want 20 bytes", e.Secret, len(raw), err)
	}
	if !strings.HasPrefix(e.QRSVG, "<svg ") {
		t.Errorf("QRSVG does not start with <svg: %.40q", e.QRSVG)
	}
	if e.Secret == mustEnrol(t).Secret {
		t.Error("two enrolments share a secret")
	}
}

func TestNewTOTPRejectsBadLabel(t *testing.T) {
	for _, tt := range [][2]string{{"", "alice"}, {"Haven", ""}, {"Ha:ven", "alice"}, {"Haven", "al:ice"}} {
		if _, err := NewTOTP(tt[0], tt[1]); !errors.Is(err, ErrTOTPLabel) {
			t.Errorf("NewTOTP(%q, %q) error = %v, want ErrTOTPLabel", tt[0], tt[1], err)
		}
	}
}

func TestValidateTOTPWindow(t *testing.T) {
	secret := mustEnrol(t).Secret
	current := totpNow.Unix() / 30
	tests := []struct {
		offset time.Duration
		want   error
	}{
		{0, nil},
		{30 * time.Second, nil},
		{-30 * time.Second, nil},
		{90 * time.Second, ErrTOTPInvalid},
		{-90 * time.Second, ErrTOTPInvalid},
	}
	for _, tt := range tests {
		code := mustCode(t, secret, totpNow.Add(tt.offset))
		step, err := ValidateTOTP(secret, code, totpNow, 0)
		if !errors.Is(err, tt.want) {
			t.Errorf("code from now%+v: error = %v, want %v", tt.offset, err, tt.want)
			continue
		}
		if wantStep := current + int64(tt.offset/(30*time.Second)); err == nil && step != wantStep {
			t.Errorf("code from now%+v: step = %d, want %d", tt.offset, step, wantStep)
		}
	}
}

func TestValidateTOTPReplay(t *testing.T) {
	secret := mustEnrol(t).Secret
	step, err := ValidateTOTP(secret, mustCode(t, secret, totpNow), totpNow, 0)
	if err != nil {
		t.Fatalf("first use: %v", err)
	}
	if _, err := ValidateTOTP(secret, mustCode(t, secret, totpNow), totpNow, step); !errors.Is(err, ErrTOTPReplay) {
		t.Errorf("same code again: error = %v, want ErrTOTPReplay", err)
	}
	// An older code still inside the skew window is a replay too.
	if _, err := ValidateTOTP(secret, mustCode(t, secret, totpNow.Add(-30*time.Second)), totpNow, step); !errors.Is(err, ErrTOTPReplay) {
		t.Errorf("previous step's code: error = %v, want ErrTOTPReplay", err)
	}
	later := totpNow.Add(30 * time.Second)
	next, err := ValidateTOTP(secret, mustCode(t, secret, later), later, step)
	if err != nil || next != step+1 {
		t.Errorf("next step's code = %d, %v; want %d, nil", next, err, step+1)
	}
}

func TestValidateTOTPCodeForms(t *testing.T) {
	secret := mustEnrol(t).Secret
	code := mustCode(t, secret, totpNow)
	arabic := strings.Map(func(r rune) rune { return r - '0' + '\u0660' }, code)
	persian := strings.Map(func(r rune) rune { return r - '0' + '\u06F0' }, code)
	accepted := []string{code, " " + code + "\n", code[:3] + " " + code[3:], arabic, persian}
	for _, c := range accepted {
		if _, err := ValidateTOTP(secret, c, totpNow, 0); err != nil {
			t.Errorf("ValidateTOTP(%q) error = %v, want nil", c, err)
		}
	}
	fullWidth := strings.Map(func(r rune) rune { return r - '0' + '０' }, code)
	malformed := []string{"", "      ", code[:5], code + "0", "0" + code, code[:5] + "a",
		code[:3] + "-" + code[3:], "-" + code[1:], fullWidth, code[:5] + "\x00"}
	for _, c := range malformed {
		if _, err := ValidateTOTP(secret, c, totpNow, 0); !errors.Is(err, ErrTOTPInvalid) {
			t.Errorf("ValidateTOTP(%q) error = %v, want ErrTOTPInvalid", c, err)
		}
	}
}

func TestValidateTOTPBadSecret(t *testing.T) {
	short := totpSecretEncoding.EncodeToString(make([]byte, 10))
	for _, secret := range []string{"", "not base32!", short} {
		if _, err := ValidateTOTP(secret, "123456", totpNow, 0); !errors.Is(err, ErrMalformedTOTPSecret) {
			t.Errorf("ValidateTOTP(secret %q) error = %v, want ErrMalformedTOTPSecret", secret, err)
		}
	}
	// Lower case is how some people copy secrets; it is the same key.
	secret := mustEnrol(t).Secret
	if _, err := ValidateTOTP(strings.ToLower(secret), mustCode(t, secret, totpNow), totpNow, 0); err != nil {
		t.Errorf("lower-case secret: %v", err)
	}
}

func BenchmarkValidateTOTP(b *testing.B) {
	secret := mustEnrol(b).Secret
	code := mustCode(b, secret, totpNow)
	for b.Loop() {
		if _, err := ValidateTOTP(secret, code, totpNow, 0); err != nil {
			b.Fatal(err)
		}
	}
}
