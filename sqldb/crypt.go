package sqldb

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/keyring"
)

// Encrypted text columns hold encPrefix + base64(ciphertext); the data key of the record that
// owns them is in its data_key column, sealed by the master key. A value without the prefix was
// written before encryption existed and is read as it is.
const encPrefix = "enc1:"

// Unlock checks that the keyring's master key is the one this database belongs to, and loads the
// blind-index key. A new database is bound to the current master key. It must run (after
// migrating) before any transaction: a wrong or missing key is refused, never worked around.
func (db *DB) Unlock(ctx context.Context, kr *keyring.Keyring) error {
	if err := db.unlock(ctx, kr); err != nil {
		return err
	}
	// After the keys: the writer reads them once it sees documents may wait (searchlater.go).
	return db.noticeSearchLater(ctx)
}

func (db *DB) unlock(ctx context.Context, kr *keyring.Keyring) error {
	if kr == nil {
		return haven.Errorf(haven.EUNAUTHORIZED, "no master key: set HAVEN_MASTER_KEY or --master-key-file (create one with `haven key generate`)")
	}
	var masterID string
	var sealed []byte
	err := db.write.QueryRowContext(ctx, `SELECT master_id, sealed_index_key FROM keyring_state WHERE id = 1`).Scan(&masterID, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return db.bindKeyring(ctx, kr)
	}
	if err != nil {
		return mapError("keyring state", err)
	}
	index, err := kr.OpenIndexKey(sealed)
	if errors.Is(err, keyring.ErrUnknownMasterKey) {
		return haven.Errorf(haven.EUNAUTHORIZED, "wrong master key: this database was sealed with key %s, not %s", masterID, kr.CurrentID())
	}
	if err != nil {
		return haven.Internal("open index key", err)
	}
	db.unlocked.Store(&keys{ring: kr, index: index, termMarker: termMarker(db.Dialect)})
	return nil
}

func (db *DB) bindKeyring(ctx context.Context, kr *keyring.Keyring) error {
	index, err := keyring.NewIndexKey()
	if err != nil {
		return haven.Internal("index key", err)
	}
	sealed, err := kr.SealIndexKey(index)
	if err != nil {
		return haven.Internal("seal index key", err)
	}
	if _, err := db.write.ExecContext(ctx, `INSERT INTO keyring_state (id, master_id, sealed_index_key) VALUES (1, $1, $2)`,
		kr.CurrentID(), []byte(sealed)); err != nil {
		return mapError("bind keyring", err)
	}
	db.unlocked.Store(&keys{ring: kr, index: index, termMarker: termMarker(db.Dialect)})
	return nil
}

// keys are what an unlocked database encrypts with.
type keys struct {
	ring  *keyring.Keyring
	index keyring.IndexKey
	// termMarker starts every blind search term (blindterm.go).
	termMarker string
}

// recordKey is one record's data key, ready to seal and open its columns.
type recordKey struct {
	dk     keyring.DataKey
	sealed keyring.SealedKey
}

// newRecordKey makes the data key of a record being written.
func (tx *Tx) newRecordKey() (*recordKey, error) {
	dk, sealed, err := tx.keys.ring.NewDataKey()
	if err != nil {
		return nil, haven.Internal("data key", err)
	}
	return &recordKey{dk: dk, sealed: sealed}, nil
}

// openRecordKey opens a stored data key; nil (a record written before encryption) gives nil.
func (tx *Tx) openRecordKey(sealed []byte) (*recordKey, error) {
	if len(sealed) == 0 {
		return nil, nil
	}
	dk, err := tx.keys.ring.OpenKey(sealed)
	if err != nil {
		return nil, haven.Internal("open data key", err)
	}
	return &recordKey{dk: dk, sealed: sealed}, nil
}

// seal encrypts a text column; aad names where the value belongs, so it cannot be moved.
func (k *recordKey) seal(plaintext, aad string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	ct, err := keyring.EncryptString(k.dk, plaintext, aad)
	if err != nil {
		return "", haven.Internal("encrypt", err)
	}
	return encPrefix + base64.RawStdEncoding.EncodeToString(ct), nil
}

// open decrypts a text column written by seal.
func (k *recordKey) open(stored, aad string) (string, error) {
	b64, ok := strings.CutPrefix(stored, encPrefix)
	if !ok {
		return stored, nil
	}
	ct, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil || k == nil {
		return "", haven.Errorf(haven.EINTERNAL, "cannot decrypt %s: damaged value or missing data key", aad)
	}
	pt, err := keyring.DecryptString(k.dk, ct, aad)
	if err != nil {
		return "", &haven.Error{Code: haven.EINTERNAL, Message: "internal error", Err: errors.New("cannot decrypt " + aad)}
	}
	return pt, nil
}

// sealAll encrypts several columns in place; fields maps each AAD to its value.
func (k *recordKey) sealAll(fields map[string]*string) error {
	for aad, v := range fields {
		s, err := k.seal(*v, aad)
		if err != nil {
			return err
		}
		*v = s
	}
	return nil
}

// openAll decrypts several columns in place.
func (k *recordKey) openAll(fields map[string]*string) error {
	for aad, v := range fields {
		s, err := k.open(*v, aad)
		if err != nil {
			return err
		}
		*v = s
	}
	return nil
}

// blind is the keyed hash under which a contact is found.
func (tx *Tx) blind(c haven.Contact) string {
	return tx.keys.index.Blind(c.Kind, c.NormalizedValue())
}
