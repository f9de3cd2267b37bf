package pgp

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/ProtonMail/gopenpgp/v3/armor"
	"github.com/ProtonMail/gopenpgp/v3/crypto"
)

// decrypt decrypts an armored or binary OpenPGP message and checks the
// signature embedded in it, if any. A message that is signed but not
// encrypted (gpg --sign) is verified instead.
func (op *opener) decrypt(data []byte) (*Result, error) {
	bin, err := unarmor(data)
	if err != nil {
		return nil, err
	}
	ids, encrypted := crypto.NewPGPMessage(bin).EncryptionKeyIDs()
	if !encrypted {
		return op.verifyInline(bin)
	}
	if err := op.checkRecipients(ids); err != nil {
		return nil, err
	}
	ring, err := op.helplineKeys()
	if err != nil {
		return nil, err
	}
	dec, err := op.handle.Decryption().DecryptionKeys(ring).VerificationKeys(op.verify).
		DisableAutomaticTextSanitize().MaxDecompressedMessageSize(maxPlainSize).New()
	if err != nil {
		return nil, fmt.Errorf("pgp: preparing decryption: %w", err)
	}
	out, err := dec.Decrypt(bin, crypto.Bytes)
	if err != nil {
		return nil, op.decryptError(ids, err)
	}
	res := &Result{Plain: out.Bytes(), Decrypted: true}
	applyVerify(res, &out.VerifyResult, op.badVerify)
	return res, nil
}

// checkRecipients fails early, with the key IDs the sender used, when the
// message names only keys Haven does not hold. Anonymous recipients (key ID
// 0, gpg --throw-keyids) can only be found out by trying.
func (op *opener) checkRecipients(ids []uint64) error {
	var foreign []string
	for _, id := range ids {
		if id == 0 || op.k.holds(id) {
			return nil
		}
		foreign = append(foreign, hexKeyID(id))
	}
	return fmt.Errorf("%w: %s", ErrNoKey, strings.Join(foreign, ", "))
}

// decryptError reports a failed decryption of a message with anonymous
// recipients as ErrNoKey: that is by far the likeliest cause.
func (op *opener) decryptError(ids []uint64, err error) error {
	for _, id := range ids {
		if id != 0 && op.k.holds(id) {
			return fmt.Errorf("pgp: decrypting message: %w", err)
		}
	}
	return fmt.Errorf("%w: anonymous recipients (%w)", ErrNoKey, err)
}

// verifyInline reads a signed, unencrypted OpenPGP message.
func (op *opener) verifyInline(bin []byte) (*Result, error) {
	verifier, err := op.handle.Verify().VerificationKeys(op.verify).
		DisableAutomaticTextSanitize().MaxDecompressedMessageSize(maxPlainSize).New()
	if err != nil {
		return nil, fmt.Errorf("pgp: preparing verification: %w", err)
	}
	out, err := verifier.VerifyInline(bin, crypto.Bytes)
	if err != nil {
		return nil, fmt.Errorf("pgp: reading OpenPGP message (not encrypted to a key, not signed): %w", err)
	}
	res := &Result{Plain: out.Bytes()}
	applyVerify(res, &out.VerifyResult, op.badVerify)
	return res, nil
}

// verifyDetached checks a detached signature over data into res.
func (op *opener) verifyDetached(res *Result, data, sig []byte) {
	verifier, err := op.handle.Verify().VerificationKeys(op.verify).New()
	if err == nil {
		var out *crypto.VerifyResult
		if out, err = verifier.VerifyDetached(data, sig, crypto.Auto); err == nil {
			applyVerify(res, out, op.badVerify)
			return
		}
	}
	res.Signed = true
	res.SignatureError = fmt.Sprintf("unreadable signature: %v", err)
}

// verifyCleartext checks a "BEGIN PGP SIGNED MESSAGE" block. A block that
// cannot be parsed is still returned as text, flagged as not verified.
func (op *opener) verifyCleartext(block []byte) *Result {
	res := &Result{Inline: true, Signed: true, Plain: block}
	verifier, err := op.handle.Verify().VerificationKeys(op.verify).New()
	if err == nil {
		var out *crypto.VerifyCleartextResult
		if out, err = verifier.VerifyCleartext(block); err == nil {
			res.Plain = out.Cleartext()
			applyVerify(res, &out.VerifyResult, op.badVerify)
			return res
		}
	}
	res.SignatureError = fmt.Sprintf("malformed cleartext signature: %v", err)
	return res
}

// unarmor returns the binary packets of an armored message; input that is
// not armored is taken to be binary already.
func unarmor(data []byte) ([]byte, error) {
	i := bytes.Index(data, []byte("-----BEGIN PGP "))
	if i < 0 {
		return data, nil
	}
	bin, err := armor.UnarmorBytes(data[i:])
	if err != nil {
		return nil, fmt.Errorf("pgp: reading armored message: %w", err)
	}
	return bin, nil
}
