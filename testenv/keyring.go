package testenv

import (
	"testing"

	"github.com/haven-helpline/haven/keyring"
)

// Keyring returns a keyring holding a fresh master key, for one test.
func Keyring(t testing.TB) *keyring.Keyring {
	t.Helper()
	return keyring.NewKeyring(MasterKey(t))
}

// MasterKey returns a fresh master key.
func MasterKey(t testing.TB) *keyring.MasterKey {
	t.Helper()
	encoded, err := keyring.GenerateMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	mk, err := keyring.ParseMasterKey(encoded)
	if err != nil {
		t.Fatal(err)
	}
	return mk
}
