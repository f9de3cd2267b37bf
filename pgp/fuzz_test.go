package pgp

import (
	"bytes"
	"testing"
)

// FuzzOpenMessage feeds arbitrary raw messages to OpenMessage: whatever
// arrives by mail, it must return a result or an error, never panic.
func FuzzOpenMessage(f *testing.F) {
	priv, err := GenerateKey("Haven Helpline", havenUID, nil)
	if err != nil {
		f.Fatal(err)
	}
	k, err := NewKeyring([][]byte{priv}, nil)
	if err != nil {
		f.Fatal(err)
	}
	pub, err := PublicFromAny(priv)
	if err != nil {
		f.Fatal(err)
	}
	ct, body, err := k.EncryptMIME(replyInner(), [][]byte{pub})
	if err != nil {
		f.Fatal(err)
	}
	armored := body[bytes.Index(body, []byte(beginMessage)):]
	armored = armored[:bytes.Index(armored, []byte(endMessage))+len(endMessage)]

	f.Add([]byte(mailHeader(ct)), body)
	f.Add([]byte(mailHeader("text/plain")), armored)
	f.Add(signedMessage([]byte("Content-Type: text/plain\r\n\r\nhi\r\n"), armored), []byte(nil))
	f.Add([]byte(mailHeader(`multipart/mixed; boundary="m"`)),
		[]byte("--m\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n--a\r\n\r\n"+beginSigned+"\r\n\r\nx\r\n--a--\r\n--m--\r\n"))
	f.Fuzz(func(t *testing.T, head, rest []byte) {
		raw := append(append([]byte{}, head...), rest...)
		res, err := k.OpenMessage(raw, [][]byte{pub, rest})
		if err == nil && res == nil {
			t.Fatal("nil result without error")
		}
	})
}
