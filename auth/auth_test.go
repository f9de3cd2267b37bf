package auth

import (
	"errors"
	"strings"
	"testing"
)

// cheapParams keep tests fast; production uses DefaultParams.
func cheapParams() Params {
	return Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
}

func mustHash(t *testing.T, password string) string {
	t.Helper()
	encoded, err := HashPasswordWith(password, cheapParams())
	if err != nil {
		t.Fatalf("HashPasswordWith: %v", err)
	}
	return encoded
}

func TestHashVerifyRoundTrip(t *testing.T) {
	for _, password := range []string{"correct horse", "كلمة السر ١٢٣", "x", strings.Repeat("p", MaxPasswordBytes)} {
		encoded := mustHash(t, password)
		ok, err := VerifyPassword(encoded, password)
		if err != nil || !ok {
			t.Errorf("VerifyPassword(%q) = %v, %v; want true, nil", password, ok, err)
		}
	}
}

func TestVerifyWrongPassword(t *testing.T) {
	encoded := mustHash(t, "correct horse")
	for _, wrong := range []string{"correct hors", "Correct horse", "", "correct horse "} {
		ok, err := VerifyPassword(encoded, wrong)
		if err != nil || ok {
			t.Errorf("VerifyPassword(%q) = %v, %v; want false, nil", wrong, ok, err)
		}
	}
}

func TestHashFormat(t *testing.T) {
	encoded := mustHash(t, "pw")
	if !strings.HasPrefix(encoded, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Errorf("unexpected format %q", encoded)
	}
	if encoded == mustHash(t, "pw") {
		t.Error("two hashes of the same password are equal; salt is not random")
	}
}

func TestDefaultParamsFormat(t *testing.T) {
	encoded, err := HashPassword("pw")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(encoded, "$argon2id$v=19$m=65536,t=2,p=2$") {
		t.Errorf("unexpected format %q", encoded)
	}
	fields := strings.Split(encoded, "$")
	// 16-byte salt and 32-byte key in unpadded base64.
	if len(fields[4]) != 22 || len(fields[5]) != 43 {
		t.Errorf("salt/key lengths %d/%d, want 22/43", len(fields[4]), len(fields[5]))
	}
}

func TestHashRejectsBadPasswords(t *testing.T) {
	tests := []struct {
		password string
		want     error
	}{
		{"", ErrPasswordEmpty},
		{strings.Repeat("p", MaxPasswordBytes+1), ErrPasswordTooLong},
	}
	for _, tt := range tests {
		if _, err := HashPasswordWith(tt.password, cheapParams()); !errors.Is(err, tt.want) {
			t.Errorf("HashPasswordWith(len %d) error = %v, want %v", len(tt.password), err, tt.want)
		}
	}
}

func TestHashRejectsBadParams(t *testing.T) {
	p := cheapParams()
	p.Threads = 0
	if _, err := HashPasswordWith("pw", p); err == nil {
		t.Error("want error for zero threads")
	}
}

func TestVerifyMalformed(t *testing.T) {
	valid := mustHash(t, "pw")
	fields := strings.Split(valid, "$")
	salt, key := fields[4], fields[5]
	tests := []struct {
		name, encoded string
	}{
		{"empty", ""},
		{"garbage", "not a hash"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", "$argon2i$v=19$m=1024,t=1,p=1$" + salt + "$" + key},
		{"old version", "$argon2id$v=16$m=1024,t=1,p=1$" + salt + "$" + key},
		{"missing version", "$argon2id$m=1024,t=1,p=1$" + salt + "$" + key},
		{"missing field", "$argon2id$v=19$m=1024,t=1,p=1$" + salt},
		{"extra field", valid + "$x"},
		{"no leading dollar", strings.TrimPrefix(valid, "$")},
		{"params out of order", "$argon2id$v=19$t=1,m=1024,p=1$" + salt + "$" + key},
		{"params missing", "$argon2id$v=19$m=1024,t=1$" + salt + "$" + key},
		{"params not numbers", "$argon2id$v=19$m=abc,t=1,p=1$" + salt + "$" + key},
		{"negative", "$argon2id$v=19$m=-1,t=1,p=1$" + salt + "$" + key},
		{"zero time", "$argon2id$v=19$m=1024,t=0,p=1$" + salt + "$" + key},
		{"zero threads", "$argon2id$v=19$m=1024,t=1,p=0$" + salt + "$" + key},
		{"threads overflow", "$argon2id$v=19$m=1024,t=1,p=256$" + salt + "$" + key},
		{"huge memory", "$argon2id$v=19$m=4294967295,t=1,p=1$" + salt + "$" + key},
		{"padded salt", "$argon2id$v=19$m=1024,t=1,p=1$" + salt + "==$" + key},
		{"bad base64 salt", "$argon2id$v=19$m=1024,t=1,p=1$!!!!$" + key},
		{"short salt", "$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$" + key},
		{"empty key", "$argon2id$v=19$m=1024,t=1,p=1$" + salt + "$"},
		{"short key", "$argon2id$v=19$m=1024,t=1,p=1$" + salt + "$c2hvcnQ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := VerifyPassword(tt.encoded, "pw")
			if ok || !errors.Is(err, ErrMalformedHash) {
				t.Errorf("VerifyPassword(%q) = %v, %v; want false, ErrMalformedHash", tt.encoded, ok, err)
			}
		})
	}
}

func TestNeedsRehash(t *testing.T) {
	encoded := mustHash(t, "pw")
	if NeedsRehash(encoded, cheapParams()) {
		t.Error("NeedsRehash with identical params = true")
	}
	changes := map[string]func(*Params){
		"memory":  func(p *Params) { p.Memory *= 2 },
		"time":    func(p *Params) { p.Time++ },
		"threads": func(p *Params) { p.Threads++ },
		"salt":    func(p *Params) { p.SaltLen = 32 },
		"key":     func(p *Params) { p.KeyLen = 64 },
	}
	for name, change := range changes {
		p := cheapParams()
		change(&p)
		if !NeedsRehash(encoded, p) {
			t.Errorf("NeedsRehash after changing %s = false", name)
		}
	}
	if !NeedsRehash(encoded, DefaultParams()) {
		t.Error("NeedsRehash(cheap hash, DefaultParams) = false")
	}
	if !NeedsRehash("garbage", cheapParams()) {
		t.Error("NeedsRehash(garbage) = false")
	}
}

func TestNewToken(t *testing.T) {
	seen := make(map[string]bool)
	for range 100 {
		tok, err := NewToken("hvt")
		if err != nil {
			t.Fatal(err)
		}
		secret, ok := strings.CutPrefix(tok, "hvt_")
		if !ok {
			t.Fatalf("token %q lacks prefix", tok)
		}
		if len(secret) != 52 || strings.Trim(secret, "abcdefghijklmnopqrstuvwxyz234567") != "" {
			t.Fatalf("token secret %q is not 52 lower-case base32 characters", secret)
		}
		if seen[tok] {
			t.Fatalf("duplicate token %q", tok)
		}
		seen[tok] = true
	}
}

func TestNewTokenRejectsBadPrefix(t *testing.T) {
	for _, prefix := range []string{"", "HVT", "hv_t", "hv t", "é"} {
		if _, err := NewToken(prefix); err == nil {
			t.Errorf("NewToken(%q) succeeded, want error", prefix)
		}
	}
}

func TestHashToken(t *testing.T) {
	// Known SHA-256 of "abc" pins the encoding (lower-case hex).
	const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if got := HashToken("abc"); got != abc {
		t.Errorf("HashToken(abc) = %s, want %s", got, abc)
	}
	tok, err := NewToken("hvt")
	if err != nil {
		t.Fatal(err)
	}
	if first, second := HashToken(tok), HashToken(tok); first != second {
		t.Error("HashToken is not stable")
	}
	if HashToken(tok) == HashToken(tok+"x") {
		t.Error("HashToken collides on different tokens")
	}
}

func TestGeneratePassword(t *testing.T) {
	if len(passwordAlphabet) != 57 || strings.ContainsAny(passwordAlphabet, "0O1lI") {
		t.Fatalf("alphabet %q must be 57 unambiguous symbols", passwordAlphabet)
	}
	seen := make(map[string]bool)
	for range 100 {
		pw, err := GeneratePassword()
		if err != nil {
			t.Fatal(err)
		}
		if len(pw) != 20 || strings.Trim(pw, passwordAlphabet) != "" {
			t.Fatalf("password %q: want 20 characters from the alphabet", pw)
		}
		if seen[pw] {
			t.Fatalf("duplicate password %q", pw)
		}
		seen[pw] = true
	}
}

func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := HashPassword("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
