package pgp

import (
	"errors"
	"strings"

	"github.com/ProtonMail/gopenpgp/v3/crypto"
)

var (
	// ErrNotPGP means the message carries no OpenPGP content at all.
	ErrNotPGP = errors.New("pgp: message has no OpenPGP content")
	// ErrNoKey means the message is encrypted, but not to any helpline key.
	ErrNoKey = errors.New("pgp: the message is encrypted to keys Haven does not hold")
)

// Result is what OpenMessage learnt about a message.
type Result struct {
	// Plain is, for PGP/MIME, the decrypted inner MIME entity with its
	// headers; for multipart/signed, the signed entity (CRLF line breaks);
	// for inline PGP, the decrypted or cleartext-signed text.
	Plain             []byte
	Inline            bool
	Decrypted         bool
	Signed            bool
	SignatureValid    bool
	SignerFingerprint string // primary fingerprint when known, upper-case hex
	SignatureError    string // why, when Signed && !SignatureValid
}

// maxPlainSize caps decompressed plaintext so a compression bomb cannot
// exhaust memory.
const maxPlainSize = 64 << 20

// opener carries the state of one OpenMessage call.
type opener struct {
	k          *Keyring
	handle     *crypto.PGPHandle
	verify     *crypto.KeyRing // the possible signers' public keys
	badVerify  int             // verify keys that could not be read
	partsSeen  int
	decryptors *crypto.KeyRing // per-call copy of the helpline keys, made lazily
}

// OpenMessage decrypts and/or verifies a whole RFC 5322 message: PGP/MIME
// encrypted or signed (RFC 3156), or inline PGP in a text/plain part.
// verifyKeys are the armored public keys of the possible signer. It returns
// ErrNotPGP when there is nothing OpenPGP in the message, and an error
// wrapping ErrNoKey when it is encrypted to keys Haven does not hold.
func (k *Keyring) OpenMessage(raw []byte, verifyKeys [][]byte) (*Result, error) {
	op, err := k.newOpener(verifyKeys)
	if err != nil {
		return nil, err
	}
	defer op.clear()
	top, err := parseEntity(raw)
	if err != nil {
		return nil, err
	}
	return op.open(top, 0)
}

func (k *Keyring) newOpener(verifyKeys [][]byte) (*opener, error) {
	verify, bad, err := readVerifyKeys(verifyKeys)
	if err != nil {
		return nil, err
	}
	return &opener{k: k, handle: crypto.PGP(), verify: verify, badVerify: bad}, nil
}

// clear wipes the per-call copy of the private keys.
func (op *opener) clear() {
	if op.decryptors != nil {
		op.decryptors.ClearPrivateParams()
	}
}

// open dispatches on the entity's media type, descending into ordinary
// multiparts (e.g. a mailing list's footer wrapped around PGP/MIME).
func (op *opener) open(e *entity, depth int) (*Result, error) {
	if depth > maxDepth {
		return nil, ErrNotPGP
	}
	switch {
	case e.mediaType == "multipart/encrypted" && strings.EqualFold(e.params["protocol"], "application/pgp-encrypted"):
		return op.openEncrypted(e)
	case e.mediaType == "multipart/signed" && strings.EqualFold(e.params["protocol"], "application/pgp-signature"):
		return op.openSigned(e)
	case strings.HasPrefix(e.mediaType, "multipart/"):
		return op.openChildren(e, depth)
	case (e.mediaType == "text/plain" || e.mediaType == "application/pgp") && !e.isAttachment():
		return op.openInline(e)
	}
	return nil, ErrNotPGP
}

// openChildren returns the first child that has OpenPGP content.
func (op *opener) openChildren(e *entity, depth int) (*Result, error) {
	for _, raw := range op.parts(e) {
		child, err := parseEntity(raw)
		if err != nil {
			continue // a broken sibling must not hide the PGP part
		}
		res, err := op.open(child, depth+1)
		if !errors.Is(err, ErrNotPGP) {
			return res, err
		}
	}
	return nil, ErrNotPGP
}

// parts splits a multipart body, counting parts across the whole message
// so hostile nesting cannot make the walk explode.
func (op *opener) parts(e *entity) [][]byte {
	parts := splitMultipart(e.body, e.params["boundary"])
	if op.partsSeen+len(parts) > maxParts {
		parts = parts[:max(0, maxParts-op.partsSeen)]
	}
	op.partsSeen += len(parts)
	return parts
}

// helplineKeys returns this call's copy of the helpline keys.
func (op *opener) helplineKeys() (*crypto.KeyRing, error) {
	if op.decryptors == nil {
		ring, err := op.k.copyRing()
		if err != nil {
			return nil, err
		}
		op.decryptors = ring
	}
	return op.decryptors, nil
}
