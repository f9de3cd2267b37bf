package pgp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/ProtonMail/gopenpgp/v3/armor"
	"github.com/ProtonMail/gopenpgp/v3/constants"
	"github.com/ProtonMail/gopenpgp/v3/crypto"
)

// applyVerify copies a gopenpgp verification outcome into res. badKeys is
// the number of stored signer keys that could not be read, mentioned when
// it may explain a missing key.
func applyVerify(res *Result, vr *crypto.VerifyResult, badKeys int) {
	overall := vr.SignatureErrorExplicit()
	if overall != nil && overall.Status == constants.SIGNATURE_NOT_SIGNED {
		return
	}
	res.Signed = true
	vs := pickSignature(vr.Signatures)
	if vs != nil {
		res.SignerFingerprint = signerFingerprint(vs)
	}
	if overall == nil && vs != nil && vs.SignatureError == nil {
		res.SignatureValid = true
		return
	}
	res.SignatureError = signatureReason(vs, overall, badKeys)
}

// pickSignature prefers a valid signature, then one whose key is known
// (its error is the informative one), then any.
func pickSignature(sigs []*crypto.VerifiedSignature) *crypto.VerifiedSignature {
	for _, vs := range sigs {
		if vs != nil && vs.SignatureError == nil && vs.SignedBy != nil {
			return vs
		}
	}
	for _, vs := range sigs {
		if vs != nil && vs.SignedBy != nil {
			return vs
		}
	}
	for _, vs := range sigs {
		if vs != nil {
			return vs
		}
	}
	return nil
}

// signerFingerprint is the signer's primary fingerprint when its key was
// given, otherwise the issuer fingerprint the signature carries (which may
// be that of a signing subkey).
func signerFingerprint(vs *crypto.VerifiedSignature) string {
	if vs.SignedBy != nil {
		return fingerprint(vs.SignedBy)
	}
	if vs.Signature != nil && len(vs.Signature.IssuerFingerprint) > 0 {
		return strings.ToUpper(hex.EncodeToString(vs.Signature.IssuerFingerprint))
	}
	return ""
}

// signatureReason turns a verification failure into a sentence for staff.
func signatureReason(vs *crypto.VerifiedSignature, overall *crypto.SignatureVerificationError, badKeys int) string {
	sigErr := overall
	if vs != nil && vs.SignatureError != nil {
		sigErr = vs.SignatureError
	}
	if sigErr == nil {
		return "bad signature"
	}
	switch sigErr.Status {
	case constants.SIGNATURE_NO_VERIFIER:
		return noKeyReason(vs, badKeys)
	case constants.SIGNATURE_FAILED:
		return badReason(sigErr.Cause)
	case constants.SIGNATURE_BAD_CONTEXT:
		return "bad signature: unexpected signature context"
	}
	return sigErr.Message
}

// badReason keeps the useful tail of go-crypto's error ("openpgp: invalid
// signature: EdDSA verification failure" -> "bad signature: EdDSA
// verification failure"); the prefixes mean nothing to staff.
func badReason(cause error) string {
	if cause == nil {
		return "bad signature"
	}
	detail := cause.Error()
	for _, prefix := range []string{"openpgp: ", "invalid signature: ", "signature error: "} {
		detail = strings.TrimPrefix(detail, prefix)
	}
	return "bad signature: " + detail
}

func noKeyReason(vs *crypto.VerifiedSignature, badKeys int) string {
	signer := "(unknown key ID)"
	if vs != nil && vs.Signature != nil && vs.Signature.IssuerKeyId != nil {
		signer = hexKeyID(*vs.Signature.IssuerKeyId)
	}
	reason := "no public key for signer " + signer
	if badKeys > 0 {
		reason += fmt.Sprintf(" (%d stored key(s) of the sender could not be read)", badKeys)
	}
	return reason
}

// readVerifyKeys builds the signer keyring. Unreadable keys are counted,
// not fatal: the message must still open, its signature then reads as
// unverifiable.
func readVerifyKeys(list [][]byte) (*crypto.KeyRing, int, error) {
	ring, err := crypto.NewKeyRing(nil)
	if err != nil {
		return nil, 0, fmt.Errorf("pgp: creating keyring: %w", err)
	}
	bad := 0
	for _, data := range list {
		keys, err := readKeys(data)
		if err != nil {
			bad++
			continue
		}
		for _, key := range keys {
			if addPublic(ring, key) != nil {
				bad++
			}
		}
	}
	return ring, bad, nil
}

// addPublic adds the public half of key to ring.
func addPublic(ring *crypto.KeyRing, key *crypto.Key) error {
	if key.IsPrivate() {
		pub, err := key.ToPublic()
		if err != nil {
			return fmt.Errorf("pgp: public part of %s: %w", fingerprint(key), err)
		}
		key = pub
	}
	return ring.AddKey(key)
}

// readKeys reads every key in data: a stored record may hold a whole
// keyring (several exported keys), not just one key.
func readKeys(data []byte) ([]*crypto.Key, error) {
	bin := data
	if i := bytes.Index(data, []byte("-----BEGIN PGP ")); i >= 0 {
		var err error
		if bin, err = armor.UnarmorBytes(data[i:]); err != nil {
			return nil, fmt.Errorf("pgp: not an OpenPGP key: %w", err)
		}
	}
	ring, err := crypto.NewKeyRingFromBinary(bin)
	if err != nil {
		// Locked private keys are refused by keyrings; read them singly.
		key, kerr := parseKey(data)
		if kerr != nil {
			return nil, errors.Join(fmt.Errorf("pgp: not an OpenPGP key: %w", err), kerr)
		}
		return []*crypto.Key{key}, nil
	}
	if ring.CountEntities() == 0 {
		return nil, errors.New("pgp: not an OpenPGP key: no key found")
	}
	return ring.GetKeys(), nil
}
