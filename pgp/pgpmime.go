package pgp

import (
	"errors"
	"fmt"
	"strings"
)

// openEncrypted handles multipart/encrypted (RFC 3156 §4): a version part
// (application/pgp-encrypted) followed by the encrypted payload.
func (op *opener) openEncrypted(e *entity) (*Result, error) {
	payload, err := op.encryptedPayload(e)
	if err != nil {
		return nil, err
	}
	res, err := op.decrypt(payload)
	if err != nil {
		return nil, err
	}
	if res.Signed {
		return res, nil
	}
	return op.openSignedInner(res), nil
}

// encryptedPayload returns the decoded body of the first part that is not
// the version part; clients disagree on its media type, so it is not checked.
func (op *opener) encryptedPayload(e *entity) ([]byte, error) {
	for _, raw := range op.parts(e) {
		part, err := parseEntity(raw)
		if err != nil || part.mediaType == "application/pgp-encrypted" {
			continue
		}
		return part.decodedBody()
	}
	return nil, errors.New("pgp: multipart/encrypted message without an encrypted part")
}

// openSignedInner handles sign-then-encrypt (RFC 3156 §6.1): the decrypted
// entity is itself multipart/signed. Plain then becomes the signed entity,
// which is the content the sender wrote.
func (op *opener) openSignedInner(res *Result) *Result {
	inner, err := parseEntity(res.Plain)
	if err != nil || inner.mediaType != "multipart/signed" ||
		!strings.EqualFold(inner.params["protocol"], "application/pgp-signature") {
		return res
	}
	signed, err := op.openSigned(inner)
	if err != nil {
		return res
	}
	signed.Decrypted = true
	return signed
}

// openSigned handles multipart/signed (RFC 3156 §5). The signature covers
// the first part's raw bytes, header included, with CRLF line breaks —
// messages are often stored with bare LFs, hence canonicalCRLF. A signature
// that cannot be checked still yields the content, with the reason.
func (op *opener) openSigned(e *entity) (*Result, error) {
	parts := op.parts(e)
	if len(parts) < 2 {
		return nil, errors.New("pgp: multipart/signed message without a signature part")
	}
	signed := canonicalCRLF(parts[0])
	res := &Result{Plain: signed, Signed: true}
	sigPart, err := parseEntity(parts[1])
	if err != nil {
		res.SignatureError = fmt.Sprintf("unreadable signature part: %v", err)
		return res, nil
	}
	sig, err := sigPart.decodedBody()
	if err != nil {
		res.SignatureError = fmt.Sprintf("unreadable signature part: %v", err)
		return res, nil
	}
	op.verifyDetached(res, signed, sig)
	return res, nil
}
