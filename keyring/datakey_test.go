package keyring

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func mustDataKey(t testing.TB) DataKey {
	t.Helper()
	dk, _, err := NewKeyring(mustMasterKey(t)).NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	return dk
}

func TestEncryptDecryptRoundTrip(t *testing.T) {
	dk := mustDataKey(t)
	for _, plaintext := range []string{"", "Amina K.", "أمينة", strings.Repeat("x", 100_000)} {
		ciphertext, err := EncryptString(dk, plaintext, "requester:42:name")
		if err != nil {
			t.Fatal(err)
		}
		if len(ciphertext) != fieldMinSize+len(plaintext) {
			t.Errorf("ciphertext is %d bytes for %d of plaintext", len(ciphertext), len(plaintext))
		}
		got, err := DecryptString(dk, ciphertext, "requester:42:name")
		if err != nil || got != plaintext {
			t.Errorf("DecryptString = %.20q, %v; want %.20q", got, err, plaintext)
		}
	}
}

func TestEncryptUsesFreshNonces(t *testing.T) {
	dk := mustDataKey(t)
	a, _ := EncryptString(dk, "same", "note:1:body")
	b, _ := EncryptString(dk, "same", "note:1:body")
	if bytes.Equal(a, b) {
		t.Fatal("two encryptions of the same value are identical")
	}
}

func TestDecryptFailures(t *testing.T) {
	dk := mustDataKey(t)
	ciphertext, err := EncryptString(dk, "Signal: +000 0000", "requester:42:contact")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		dk         DataKey
		ciphertext []byte
		aad        string
		want       error
	}{
		{"other row", dk, ciphertext, "requester:43:contact", ErrTampered},
		{"other column", dk, ciphertext, "requester:42:name", ErrTampered},
		{"no aad", dk, ciphertext, "", ErrTampered},
		{"other record's key", mustDataKey(t), ciphertext, "requester:42:contact", ErrTampered},
		{"empty", dk, nil, "requester:42:contact", ErrMalformed},
		{"too short", dk, ciphertext[:fieldMinSize-1], "requester:42:contact", ErrMalformed},
		{"truncated tag", dk, ciphertext[:len(ciphertext)-1], "requester:42:contact", ErrTampered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecryptString(tt.dk, tt.ciphertext, tt.aad); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestCiphertextEveryByteFlipFails(t *testing.T) {
	dk := mustDataKey(t)
	aad := []byte("message:7:body")
	ciphertext, err := Encrypt(dk, []byte("meet at the usual place"), aad)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ciphertext {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			damaged := bytes.Clone(ciphertext)
			damaged[i] ^= mask
			_, err := Decrypt(dk, damaged, aad)
			if !errors.Is(err, ErrTampered) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("byte %d ^ %#x: err = %v, want ErrTampered or ErrMalformed", i, mask, err)
			}
		}
	}
}
