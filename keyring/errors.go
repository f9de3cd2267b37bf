package keyring

import "errors"

// Sentinel errors. Every error returned by this package wraps one of these,
// so callers can branch with errors.Is without parsing messages. No error
// message ever contains key material.
var (
	// ErrNoMasterKey: neither HAVEN_MASTER_KEY nor a key file was provided,
	// or the configured key file does not exist.
	ErrNoMasterKey = errors.New("keyring: no master key configured (set HAVEN_MASTER_KEY or a master key file)")

	// ErrInvalidMasterKey: the text form of a master key could not be parsed.
	ErrInvalidMasterKey = errors.New("keyring: invalid master key")

	// ErrInsecureKeyFile: the master key file is readable or writable by
	// group or others.
	ErrInsecureKeyFile = errors.New("keyring: master key file permissions too open")

	// ErrUnknownMasterKey: a sealed key names a master key that this keyring
	// does not hold (for example the previous key was dropped too early).
	ErrUnknownMasterKey = errors.New("keyring: sealed by an unknown master key")

	// ErrTampered: authentication failed. The bytes were modified, moved to
	// another row or column (AAD mismatch), or opened with the wrong key.
	ErrTampered = errors.New("keyring: authentication failed (tampered, moved or wrong key)")

	// ErrMalformed: the bytes are too short or carry an unknown version or
	// purpose, so they cannot even be tried.
	ErrMalformed = errors.New("keyring: malformed encrypted value")

	// ErrWrongPurpose: a sealed key of one kind (data, index, file) was
	// opened as another kind.
	ErrWrongPurpose = errors.New("keyring: sealed key opened as the wrong kind of key")

	// ErrZeroKey: a zero-value DataKey, IndexKey or FileKey was used; keys
	// must come from a constructor or from opening a sealed key.
	ErrZeroKey = errors.New("keyring: zero-value key used")
)
