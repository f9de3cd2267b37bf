package keyring

import (
	"encoding/hex"
	"fmt"
)

// SealedKey is a data, index or file key encrypted ("wrapped") by a master
// key. It is safe to store in the database next to the data it protects.
// Deleting it destroys the only usable copy of the key, which makes the
// data it protects unreadable for good (crypto-shredding).
//
// Binary format, version 1:
//
//	offset  size  field
//	0       1     version (1)
//	1       1     purpose (1 data key, 2 index key, 3 file key)
//	2       8     master key ID (MasterKey.ID in raw form)
//	10      24    XChaCha20-Poly1305 nonce, random
//	34      n+16  ciphertext of the key, with its 16-byte tag
//
// The first 10 bytes (the header) are the AEAD's additional data, so the
// version, purpose and master ID cannot be changed without detection. The
// purpose byte is what makes a data key impossible to open as an index key,
// and lets Reseal handle every kind of key without being told which it is.
type SealedKey []byte

const (
	sealedVersion    = 1
	sealedHeaderSize = 2 + masterIDSize
	nonceSize        = 24 // chacha20poly1305.NonceSizeX
	tagSize          = 16 // chacha20poly1305.Overhead
	sealedMinSize    = sealedHeaderSize + nonceSize + tagSize
)

// purpose says what a sealed key is for. It is stored, and authenticated,
// in the sealed key's header.
type purpose byte

const (
	purposeDataKey  purpose = 1
	purposeIndexKey purpose = 2
	purposeFileKey  purpose = 3
)

func (p purpose) String() string {
	switch p {
	case purposeDataKey:
		return "data key"
	case purposeIndexKey:
		return "index key"
	case purposeFileKey:
		return "file key"
	}
	return fmt.Sprintf("purpose %d", byte(p))
}

// sealedHeader is the parsed, not yet authenticated, header of a SealedKey.
type sealedHeader struct {
	purpose  purpose
	masterID [masterIDSize]byte
}

func parseSealedHeader(sk SealedKey) (sealedHeader, error) {
	var h sealedHeader
	if len(sk) < sealedMinSize {
		return h, fmt.Errorf("%w: sealed key is %d bytes, shorter than the minimum %d", ErrMalformed, len(sk), sealedMinSize)
	}
	if sk[0] != sealedVersion {
		return h, fmt.Errorf("%w: sealed key version %d is not supported", ErrMalformed, sk[0])
	}
	h.purpose = purpose(sk[1])
	if h.purpose < purposeDataKey || h.purpose > purposeFileKey {
		return h, fmt.Errorf("%w: sealed key has unknown purpose %d", ErrMalformed, sk[1])
	}
	copy(h.masterID[:], sk[2:sealedHeaderSize])
	return h, nil
}

// MasterID returns the ID of the master key that sealed sk, or "" when sk is
// too short to hold one. It reads the header without authenticating it.
func (sk SealedKey) MasterID() string {
	if len(sk) < sealedHeaderSize {
		return ""
	}
	return hex.EncodeToString(sk[2:sealedHeaderSize])
}
