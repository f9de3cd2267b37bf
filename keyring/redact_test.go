package keyring

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// secretForms lists ways key bytes could appear in text.
func secretForms(key []byte) []string {
	return []string{
		hex.EncodeToString(key),
		strings.ToUpper(hex.EncodeToString(key)),
		base64.StdEncoding.EncodeToString(key)[:40],
		base64.RawURLEncoding.EncodeToString(key)[:40],
		strings.Trim(fmt.Sprint(key), "[]"), // fmt's decimal byte list
	}
}

// holder stands for a storage-layer struct keeping keys in unexported
// fields, which fmt can only print by reflection.
type holder struct {
	mk   *MasterKey
	mkv  MasterKey
	k    *Keyring
	dk   DataKey
	ik   IndexKey
	fk   FileKey
	list []any
}

func TestKeysDoNotLeakThroughFmt(t *testing.T) {
	mk := mustMasterKey(t)
	k := NewKeyring(mk)
	dk, _, _ := k.NewDataKey()
	ik := mustIndexKey(t)
	fk := mustFileKey(t)
	ageSecret := fk.key.identity.String()

	var secrets []string
	secrets = append(secrets, secretForms(mk.key.bytes[:])...)
	secrets = append(secrets, secretForms(dk.key.bytes[:])...)
	secrets = append(secrets, secretForms(ik.key.bytes[:])...)
	secrets = append(secrets, ageSecret, strings.ToLower(ageSecret), ageSecret[15:50])

	h := holder{mk, *mk, k, dk, ik, fk, []any{mk, dk, ik, fk}}
	values := []any{mk, *mk, k, dk, &dk, ik, fk, h, &h}
	for _, v := range values {
		out := fmt.Sprintf("%v %+v %#v %s %d %x %X %q %T", v, v, v, v, v, v, v, v, v)
		out += fmt.Sprint(v) + fmt.Sprintln(v) + logged(v)
		for _, secret := range secrets {
			if strings.Contains(out, secret) {
				t.Errorf("%T: formatted output contains key material %q: %s", v, secret, out)
			}
		}
	}
	for _, v := range []any{mk, *mk, dk, ik, fk} {
		if got := fmt.Sprintf("%v|%+v|%#v|%s|%d", v, v, v, v, v); got != strings.Repeat(redactedText+"|", 4)+redactedText {
			t.Errorf("%T formats as %q, want [redacted] for every verb", v, got)
		}
	}
}

func logged(v any) string {
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("k", "key", v)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("k", "key", v)
	return buf.String()
}
