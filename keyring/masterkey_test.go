package keyring

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mustMasterKey(t testing.TB) *MasterKey {
	t.Helper()
	encoded, err := GenerateMasterKey()
	if err != nil {
		t.Fatalf("GenerateMasterKey: %v", err)
	}
	mk, err := ParseMasterKey(encoded)
	if err != nil {
		t.Fatalf("ParseMasterKey: %v", err)
	}
	return mk
}

func TestGenerateParseRoundTrip(t *testing.T) {
	encoded, err := GenerateMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(encoded, MasterKeyPrefix) || len(encoded) != len(MasterKeyPrefix)+43 {
		t.Fatalf("encoded key has unexpected shape (length %d)", len(encoded))
	}
	for _, text := range []string{encoded, encoded + "\n", "  " + encoded + "\r\n"} {
		mk, err := ParseMasterKey(text)
		if err != nil {
			t.Fatalf("ParseMasterKey: %v", err)
		}
		if got := MasterKeyPrefix + base64Key.EncodeToString(mk.key.bytes[:]); got != encoded {
			t.Error("parsed key does not encode back to the generated text")
		}
		if len(mk.ID()) != 16 {
			t.Errorf("ID() = %q, want 16 hex digits", mk.ID())
		}
	}
	other := mustMasterKey(t)
	if first, _ := ParseMasterKey(encoded); first.ID() == other.ID() {
		t.Error("two random master keys have the same ID")
	}
}

func TestMasterKeyIDIsStable(t *testing.T) {
	// Pinned: sealed keys in every database name their master by this ID,
	// so the derivation must never change.
	mk, err := ParseMasterKey(MasterKeyPrefix + strings.Repeat("A", 43))
	if err != nil {
		t.Fatal(err)
	}
	// want = SHA-256(masterIDDomain || 32 zero bytes)[:8], computed independently with Python's hashlib.
	if got, want := mk.ID(), "242e47900968be32"; got != want {
		t.Errorf("ID() of the all-zero key = %s, want %s", got, want)
	}
}

func TestParseMasterKeyErrors(t *testing.T) {
	secretish := "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"
	tests := []struct {
		name, input, wantMsg string
	}{
		{"empty", "", "must start with"},
		{"wrong prefix", "haven-master-key-v2:" + secretish, "must start with"},
		{"no prefix", secretish, "must start with"},
		{"too short", MasterKeyPrefix + secretish[:40], "wrong length"},
		{"too long", MasterKeyPrefix + secretish + "AAAA", "wrong length"},
		{"padding", MasterKeyPrefix + secretish + "=", "wrong length"},
		{"bad base64", MasterKeyPrefix + "!" + secretish[1:], "base64"},
		{"standard alphabet", MasterKeyPrefix + "+/" + secretish[2:], "base64"},
		{"non-canonical", MasterKeyPrefix + strings.Repeat("A", 42) + "B", "base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseMasterKey(tt.input)
			if !errors.Is(err, ErrInvalidMasterKey) {
				t.Fatalf("err = %v, want ErrInvalidMasterKey", err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %q, want it to mention %q", err, tt.wantMsg)
			}
			if strings.Contains(err.Error(), secretish[5:25]) {
				t.Errorf("error echoes the input: %q", err)
			}
		})
	}
}

func writeKeyFile(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "master.key")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // not subject to umask
		t.Fatal(err)
	}
	return path
}

func TestLoadMasterKey(t *testing.T) {
	envKey, _ := GenerateMasterKey()
	fileKey, _ := GenerateMasterKey()
	envMK, _ := ParseMasterKey(envKey)
	fileMK, _ := ParseMasterKey(fileKey)
	good := writeKeyFile(t, fileKey+"\n", 0o600)
	readable := writeKeyFile(t, fileKey+"\n", 0o644)
	missing := filepath.Join(t.TempDir(), "absent.key")

	tests := []struct {
		name, env, path string
		wantID          string
		wantErr         error
	}{
		{"env wins over file", envKey, good, envMK.ID(), nil},
		{"env wins over insecure file", envKey, readable, envMK.ID(), nil},
		{"file when env empty", "", good, fileMK.ID(), nil},
		{"file when env blank", " \n", good, fileMK.ID(), nil},
		{"neither", "", "", "", ErrNoMasterKey},
		{"missing file", "", missing, "", ErrNoMasterKey},
		{"mode 0644 refused", "", readable, "", ErrInsecureKeyFile},
		{"mode 0640 refused", "", writeKeyFile(t, fileKey, 0o640), "", ErrInsecureKeyFile},
		{"mode 0400 accepted", "", writeKeyFile(t, fileKey, 0o400), fileMK.ID(), nil},
		{"bad env", "nonsense", good, "", ErrInvalidMasterKey},
		{"bad file", "", writeKeyFile(t, "nonsense", 0o600), "", ErrInvalidMasterKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mk, err := LoadMasterKey(tt.env, tt.path)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err == nil && mk.ID() != tt.wantID {
				t.Errorf("loaded key %s, want %s", mk.ID(), tt.wantID)
			}
		})
	}
}

func TestLoadMasterKeyInsecureSaysChmod(t *testing.T) {
	key, _ := GenerateMasterKey()
	_, err := LoadMasterKey("", writeKeyFile(t, key, 0o644))
	if err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("err = %v, want advice to chmod 600", err)
	}
	if strings.Contains(err.Error(), strings.TrimPrefix(key, MasterKeyPrefix)[:20]) {
		t.Errorf("error echoes the key: %q", err)
	}
}
