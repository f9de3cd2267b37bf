package keyring

import (
	"bytes"
	"testing"
)

// The fuzz targets use fixed all-zero keys so that seeds made in one fuzzing
// process stay valid in the others (nonces are random, keys are not).

// FuzzDecrypt feeds arbitrary ciphertext and AAD to Decrypt: it must never
// panic, and must accept only genuine ciphertexts with their own AAD.
func FuzzDecrypt(f *testing.F) {
	dk := DataKey{key: newHiddenKey()}
	const plaintext, aad = "requester name", "requester:1:name"
	valid, err := EncryptString(dk, plaintext, aad)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid, []byte(aad))
	f.Add(valid[:fieldMinSize], []byte(""))
	f.Add([]byte{}, []byte{})
	f.Add([]byte{2}, []byte("x"))
	f.Fuzz(func(t *testing.T, ciphertext, gotAAD []byte) {
		got, err := Decrypt(dk, ciphertext, gotAAD)
		if err == nil && (string(got) != plaintext || string(gotAAD) != aad) {
			t.Fatalf("forged ciphertext accepted: %q with AAD %q", got, gotAAD)
		}
	})
}

// FuzzOpenKey: sealed keys are read from the database, which an attacker
// may write to; arbitrary bytes must never panic, and a data key must never
// open as another kind.
func FuzzOpenKey(f *testing.F) {
	k := NewKeyring(newMasterKey(newHiddenKey()))
	_, valid, err := k.NewDataKey()
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(valid))
	f.Add([]byte{1, 1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, sealed []byte) {
		_, errData := k.OpenKey(sealed)
		_, errIndex := k.OpenIndexKey(sealed)
		_, errFile := k.OpenFileKey(sealed)
		resealed, changed, errReseal := k.Reseal(sealed)
		if errData == nil && (errIndex == nil || errFile == nil) {
			t.Fatal("a data key opened as another kind")
		}
		if (errData == nil) != (errReseal == nil) && errIndex != nil && errFile != nil {
			t.Fatalf("OpenKey err %v but Reseal err %v", errData, errReseal)
		}
		if errReseal == nil && (changed || !bytes.Equal(resealed, sealed)) {
			t.Fatal("Reseal changed a key already sealed by the current master")
		}
	})
}
