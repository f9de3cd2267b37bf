package keyring

import (
	"bytes"
	"crypto/rand"
	"io"
	"testing"
)

func mustFileKey(t testing.TB) FileKey {
	t.Helper()
	fk, err := NewFileKey()
	if err != nil {
		t.Fatal(err)
	}
	return fk
}

func encryptFile(t *testing.T, fk FileKey, plaintext []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := fk.EncryptWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(plaintext); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func decryptFile(fk FileKey, ciphertext []byte) ([]byte, error) {
	r, err := fk.DecryptReader(bytes.NewReader(ciphertext))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func TestFileKeyAgeRoundTrip(t *testing.T) {
	k := NewKeyring(mustMasterKey(t))
	fk := mustFileKey(t)
	plaintext := make([]byte, 1<<20)
	if _, err := rand.Read(plaintext); err != nil {
		t.Fatal(err)
	}
	ciphertext := encryptFile(t, fk, plaintext)
	for _, at := range []int{0, 4096, 1<<19 + 7, len(plaintext) - 64} {
		if bytes.Contains(ciphertext, plaintext[at:at+64]) {
			t.Fatalf("ciphertext contains plaintext from offset %d", at)
		}
	}

	// Go through the sealed form, as the storage layer will.
	sealed, err := k.SealFileKey(fk)
	if err != nil {
		t.Fatal(err)
	}
	opened, err := k.OpenFileKey(sealed)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decryptFile(opened, ciphertext)
	if err != nil {
		t.Fatalf("decrypt: %v", err)
	}
	if !bytes.Equal(got, plaintext) {
		t.Fatal("decrypted attachment differs")
	}
}

func TestFileKeyRejectsDamage(t *testing.T) {
	fk := mustFileKey(t)
	plaintext := bytes.Repeat([]byte("evidence "), 20_000) // > one 64 KiB chunk
	ciphertext := encryptFile(t, fk, plaintext)
	tests := map[string]struct {
		fk         FileKey
		ciphertext []byte
	}{
		"other file key": {mustFileKey(t), ciphertext},
		"flipped header": {fk, flipByte(ciphertext, 40)},
		"flipped body":   {fk, flipByte(ciphertext, len(ciphertext)/2)},
		"flipped end":    {fk, flipByte(ciphertext, len(ciphertext)-1)},
		"truncated":      {fk, ciphertext[:len(ciphertext)-100]},
	}
	for name, tt := range tests {
		if _, err := decryptFile(tt.fk, tt.ciphertext); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func flipByte(b []byte, i int) []byte {
	out := bytes.Clone(b)
	out[i] ^= 0x01
	return out
}
