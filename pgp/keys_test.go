package pgp

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestInspectGarbage(t *testing.T) {
	for _, in := range []string{"", "hello", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n", "\x99\x01\x02"} {
		_, err := Inspect([]byte(in))
		if err == nil || !strings.Contains(err.Error(), "not an OpenPGP key") {
			t.Errorf("Inspect(%q) err = %v, want \"not an OpenPGP key\"", in, err)
		}
	}
}

func TestInspectGnuPGKeys(t *testing.T) {
	f := newFixture(t)
	g := f.g
	binary := g.run(nil, "--export", f.reqFpr)
	for name, data := range map[string][]byte{"armored": f.reqPub, "binary": binary, "pasted": append([]byte("my key:\n"), f.reqPub...)} {
		info, err := Inspect(data)
		if err != nil {
			t.Fatalf("%s: Inspect: %v", name, err)
		}
		want := KeyInfo{Fingerprint: f.reqFpr, UserIDs: []string{"Requester <" + requesterUID + ">"},
			Emails: []string{requesterUID}, CanEncrypt: true}
		if !sameInfo(info, want) {
			t.Errorf("%s: Inspect = %+v, want %+v", name, info, want)
		}
	}

	past := "--faked-system-time=20200101T000000"
	expired := g.genKey("Expired <Expired@Example.org>", "ed25519", "sign,cert", "2020-06-01", past)
	info, err := Inspect(g.exportPublic(expired))
	if err != nil {
		t.Fatal(err)
	}
	if info.CanEncrypt || info.Expires.IsZero() || info.Expires.After(time.Date(2020, 6, 3, 0, 0, 0, 0, time.UTC)) ||
		!slices.Equal(info.Emails, []string{"expired@example.org"}) {
		t.Errorf("expired key: %+v", info)
	}

	revoked := g.genKey("Revoked <revoked@example.org>", "ed25519", "sign,cert", "never")
	g.revoke(revoked)
	if info, err = Inspect(g.exportPublic(revoked)); err != nil || !info.Revoked {
		t.Errorf("revoked key: %+v, %v", info, err)
	}
}

func sameInfo(a, b KeyInfo) bool {
	return a.Fingerprint == b.Fingerprint && slices.Equal(a.UserIDs, b.UserIDs) && slices.Equal(a.Emails, b.Emails) &&
		a.CanEncrypt == b.CanEncrypt && a.IsPrivate == b.IsPrivate && a.Expires.Equal(b.Expires) && a.Revoked == b.Revoked
}

func TestGeneratedKeyAndPublicFromAny(t *testing.T) {
	priv, err := GenerateKey("Haven Helpline", havenUID, []byte(havenPass))
	if err != nil {
		t.Fatal(err)
	}
	info, err := Inspect(priv)
	if err != nil || !info.IsPrivate || !info.CanEncrypt || info.Emails[0] != havenUID || len(info.Fingerprint) != 40 ||
		info.Fingerprint != strings.ToUpper(info.Fingerprint) {
		t.Fatalf("Inspect(private) = %+v, %v", info, err)
	}
	pub, err := PublicFromAny(priv)
	if err != nil || strings.Contains(string(pub), "PRIVATE") {
		t.Fatalf("PublicFromAny = %q, %v", pub, err)
	}
	pubInfo, err := Inspect(pub)
	if err != nil || pubInfo.IsPrivate || pubInfo.Fingerprint != info.Fingerprint {
		t.Errorf("Inspect(public) = %+v, %v", pubInfo, err)
	}
}

func TestNewKeyringErrors(t *testing.T) {
	priv, err := GenerateKey("Haven Helpline", havenUID, []byte(havenPass))
	if err != nil {
		t.Fatal(err)
	}
	info, _ := Inspect(priv)
	if _, err := NewKeyring([][]byte{priv}, []byte("wrong")); err == nil || !strings.Contains(err.Error(), info.Fingerprint) {
		t.Errorf("wrong passphrase: err = %v, want it to name %s", err, info.Fingerprint)
	}
	pub, _ := PublicFromAny(priv)
	if _, err := NewKeyring([][]byte{pub}, nil); err == nil || !strings.Contains(err.Error(), "public key") {
		t.Errorf("public key: err = %v", err)
	}
	if _, err := NewKeyring(nil, nil); err == nil {
		t.Error("no keys: want error")
	}
	unlocked, err := GenerateKey("Old Helpline", "old@haven.example", nil)
	if err != nil {
		t.Fatal(err)
	}
	// A rotated-out key may be stored unlocked next to the locked current one.
	k, err := NewKeyring([][]byte{priv, unlocked}, []byte(havenPass))
	if err != nil {
		t.Fatalf("mixed locked/unlocked keys: %v", err)
	}
	if got := k.Fingerprints(); len(got) != 2 || got[0] != info.Fingerprint {
		t.Errorf("Fingerprints = %v", got)
	}
}

func TestUnlockedRemovesThePassphrase(t *testing.T) {
	locked, err := GenerateKey("Helpline", "help@helpline.example", []byte("s3cret passphrase"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewKeyring([][]byte{locked}, nil); err == nil {
		t.Fatal("a locked key opened without its passphrase")
	}
	if _, err := Unlocked(locked, []byte("wrong")); err == nil {
		t.Fatal("wrong passphrase accepted")
	}
	open, err := Unlocked(locked, []byte("s3cret passphrase"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewKeyring([][]byte{open}, nil); err != nil {
		t.Fatalf("the unlocked key does not open without a passphrase: %v", err)
	}
}
