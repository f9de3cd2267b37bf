package haven

import (
	"context"
	"time"
)

// PGPKey is one of the helpline's own OpenPGP key pairs.
type PGPKey struct {
	Fingerprint string    `json:"fingerprint"`
	Armored     string    `json:"-"` // the private key, armored and unlocked: never leaves the server
	CreatedAt   time.Time `json:"created_at"`
}

// PGPKeyStore keeps the helpline's key pairs, encrypted at rest.
type PGPKeyStore interface {
	// InsertPGPKey stores a key pair; a fingerprint already stored gives ECONFLICT.
	InsertPGPKey(ctx context.Context, k *PGPKey) error
	// PGPKeys lists the key pairs, oldest first (the first signs outgoing mail).
	PGPKeys(ctx context.Context) ([]*PGPKey, error)
}
