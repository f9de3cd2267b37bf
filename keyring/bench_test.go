package keyring

import (
	"bytes"
	"testing"
)

// The intake path encrypts about three fields per case; these must stay in
// the low microseconds. Run: go test -run '^$' -bench . ./keyring

func BenchmarkEncrypt1500(b *testing.B) {
	dk := mustDataKey(b)
	plaintext := bytes.Repeat([]byte("x"), 1500)
	aad := []byte("message:123456:body")
	b.SetBytes(int64(len(plaintext)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encrypt(dk, plaintext, aad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecrypt1500(b *testing.B) {
	dk := mustDataKey(b)
	aad := []byte("message:123456:body")
	ciphertext, err := Encrypt(dk, bytes.Repeat([]byte("x"), 1500), aad)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(1500)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decrypt(dk, ciphertext, aad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewDataKey(b *testing.B) {
	k := NewKeyring(mustMasterKey(b))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := k.NewDataKey(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenKey(b *testing.B) {
	k := NewKeyring(mustMasterKey(b), mustMasterKey(b))
	_, sealed, err := k.NewDataKey()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.OpenKey(sealed); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBlind(b *testing.B) {
	ik := mustIndexKey(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = ik.Blind("email", "amina.k@example.org")
	}
}
