package keyring

import (
	"bytes"
	"errors"
	"testing"
)

func TestSealOpenRoundTrip(t *testing.T) {
	mk := mustMasterKey(t)
	k := NewKeyring(mk)
	if k.CurrentID() != mk.ID() {
		t.Fatalf("CurrentID() = %s, want %s", k.CurrentID(), mk.ID())
	}
	dk, sealed, err := k.NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	if sealed.MasterID() != mk.ID() {
		t.Errorf("MasterID() = %s, want %s", sealed.MasterID(), mk.ID())
	}
	if len(sealed) != sealedMinSize+keySize {
		t.Errorf("sealed data key is %d bytes, want %d", len(sealed), sealedMinSize+keySize)
	}
	opened, err := k.OpenKey(sealed)
	if err != nil {
		t.Fatalf("OpenKey: %v", err)
	}
	if *opened.key.bytes != *dk.key.bytes {
		t.Error("opened data key differs from the original")
	}
	if bytes.Contains(sealed, dk.key.bytes[:]) {
		t.Error("sealed key contains the data key in the clear")
	}
}

func TestOpenWithWrongMasterKey(t *testing.T) {
	_, sealed, err := NewKeyring(mustMasterKey(t)).NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	other := NewKeyring(mustMasterKey(t))
	if _, err := other.OpenKey(sealed); !errors.Is(err, ErrUnknownMasterKey) {
		t.Fatalf("err = %v, want ErrUnknownMasterKey", err)
	}
}

// sealedKeyErrors are the errors a damaged sealed key may produce,
// depending on which byte was damaged.
var sealedKeyErrors = []error{ErrTampered, ErrMalformed, ErrUnknownMasterKey, ErrWrongPurpose}

func isOneOf(err error, targets []error) bool {
	for _, target := range targets {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

func TestSealedKeyEveryByteFlipFails(t *testing.T) {
	k := NewKeyring(mustMasterKey(t))
	_, sealed, err := k.NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	for i := range sealed {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			damaged := bytes.Clone(sealed)
			damaged[i] ^= mask
			if _, err := k.OpenKey(damaged); !isOneOf(err, sealedKeyErrors) {
				t.Fatalf("byte %d ^ %#x: err = %v, want one of %v", i, mask, err, sealedKeyErrors)
			}
			if _, _, err := k.Reseal(damaged); err == nil {
				t.Fatalf("byte %d ^ %#x: Reseal accepted a damaged key", i, mask)
			}
		}
	}
	for n := range len(sealed) {
		if _, err := k.OpenKey(sealed[:n]); err == nil {
			t.Fatalf("truncated to %d bytes: no error", n)
		}
	}
	if _, err := k.OpenKey(append(bytes.Clone(sealed), 0)); !errors.Is(err, ErrTampered) {
		t.Fatalf("extended by one byte: err = %v, want ErrTampered", err)
	}
}

func TestResealRotation(t *testing.T) {
	oldMK, newMK := mustMasterKey(t), mustMasterKey(t)
	oldOnly, newOnly := NewKeyring(oldMK), NewKeyring(newMK)
	rotating := NewKeyring(newMK, oldMK)

	dk, sealedOld, err := oldOnly.NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	resealed, changed, err := rotating.Reseal(sealedOld)
	if err != nil || !changed {
		t.Fatalf("Reseal = changed %v, err %v; want true, nil", changed, err)
	}
	if resealed.MasterID() != newMK.ID() {
		t.Errorf("resealed MasterID() = %s, want %s", resealed.MasterID(), newMK.ID())
	}
	opened, err := newOnly.OpenKey(resealed)
	if err != nil {
		t.Fatalf("new-only keyring: %v", err)
	}
	if *opened.key.bytes != *dk.key.bytes {
		t.Error("resealed key opens to a different data key")
	}
	if _, err := oldOnly.OpenKey(resealed); !errors.Is(err, ErrUnknownMasterKey) {
		t.Errorf("old-only keyring: err = %v, want ErrUnknownMasterKey", err)
	}
	if _, err := newOnly.OpenKey(sealedOld); !errors.Is(err, ErrUnknownMasterKey) {
		t.Errorf("new-only keyring on the old sealed key: err = %v, want ErrUnknownMasterKey", err)
	}
	again, changed, err := rotating.Reseal(resealed)
	if err != nil || changed || !bytes.Equal(again, resealed) {
		t.Errorf("Reseal of a current key = changed %v, err %v; want it unchanged", changed, err)
	}
}

func TestResealKeepsPurpose(t *testing.T) {
	oldMK, newMK := mustMasterKey(t), mustMasterKey(t)
	old, rotating, newOnly := NewKeyring(oldMK), NewKeyring(newMK, oldMK), NewKeyring(newMK)
	ik := mustIndexKey(t)
	fk := mustFileKey(t)
	sealedIK, err := old.SealIndexKey(ik)
	if err != nil {
		t.Fatal(err)
	}
	sealedFK, err := old.SealFileKey(fk)
	if err != nil {
		t.Fatal(err)
	}
	resealedIK, _, err := rotating.Reseal(sealedIK)
	if err != nil {
		t.Fatal(err)
	}
	resealedFK, _, err := rotating.Reseal(sealedFK)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := newOnly.OpenIndexKey(resealedIK); err != nil || got.Blind("email", "a@b") != ik.Blind("email", "a@b") {
		t.Errorf("resealed index key: err %v or different key", err)
	}
	if got, err := newOnly.OpenFileKey(resealedFK); err != nil || got.key.identity.String() != fk.key.identity.String() {
		t.Errorf("resealed file key: err %v or different key", err)
	}
}

func TestPurposesAreNotInterchangeable(t *testing.T) {
	k := NewKeyring(mustMasterKey(t))
	_, sealedDK, err := k.NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	sealedIK, err := k.SealIndexKey(mustIndexKey(t))
	if err != nil {
		t.Fatal(err)
	}
	sealedFK, err := k.SealFileKey(mustFileKey(t))
	if err != nil {
		t.Fatal(err)
	}
	openers := map[string]func(SealedKey) error{
		"data":  func(sk SealedKey) error { _, err := k.OpenKey(sk); return err },
		"index": func(sk SealedKey) error { _, err := k.OpenIndexKey(sk); return err },
		"file":  func(sk SealedKey) error { _, err := k.OpenFileKey(sk); return err },
	}
	sealed := map[string]SealedKey{"data": sealedDK, "index": sealedIK, "file": sealedFK}
	for sealedKind, sk := range sealed {
		for openKind, open := range openers {
			err := open(sk)
			if sealedKind == openKind && err != nil {
				t.Errorf("%s key opened as %s: %v", sealedKind, openKind, err)
			}
			if sealedKind != openKind && !errors.Is(err, ErrWrongPurpose) {
				t.Errorf("%s key opened as %s: err = %v, want ErrWrongPurpose", sealedKind, openKind, err)
			}
		}
	}
}

func TestRelabelledPurposeFailsAuthentication(t *testing.T) {
	// Rewriting the purpose byte must not let a data key pass as an index
	// key: the header is authenticated.
	k := NewKeyring(mustMasterKey(t))
	_, sealed, err := k.NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	relabelled := bytes.Clone(sealed)
	relabelled[1] = byte(purposeIndexKey)
	if _, err := k.OpenIndexKey(relabelled); !errors.Is(err, ErrTampered) {
		t.Fatalf("err = %v, want ErrTampered", err)
	}
}

func TestZeroKeysAreRefused(t *testing.T) {
	k := NewKeyring(mustMasterKey(t))
	if _, err := Encrypt(DataKey{}, []byte("x"), nil); !errors.Is(err, ErrZeroKey) {
		t.Errorf("Encrypt: err = %v", err)
	}
	if _, err := Decrypt(DataKey{}, make([]byte, 64), nil); !errors.Is(err, ErrZeroKey) {
		t.Errorf("Decrypt: err = %v", err)
	}
	if _, err := k.SealIndexKey(IndexKey{}); !errors.Is(err, ErrZeroKey) {
		t.Errorf("SealIndexKey: err = %v", err)
	}
	if _, err := k.SealFileKey(FileKey{}); !errors.Is(err, ErrZeroKey) {
		t.Errorf("SealFileKey: err = %v", err)
	}
	if _, err := (FileKey{}).EncryptWriter(&bytes.Buffer{}); !errors.Is(err, ErrZeroKey) {
		t.Errorf("EncryptWriter: err = %v", err)
	}
	if _, err := (FileKey{}).DecryptReader(&bytes.Buffer{}); !errors.Is(err, ErrZeroKey) {
		t.Errorf("DecryptReader: err = %v", err)
	}
}

func TestNewKeyringPanicsOnNil(t *testing.T) {
	for name, build := range map[string]func(){
		"nil current":  func() { NewKeyring(nil) },
		"nil previous": func() { NewKeyring(mustMasterKey(t), nil) },
		"zero current": func() { NewKeyring(&MasterKey{}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			build()
		}()
	}
}
