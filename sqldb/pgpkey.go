package sqldb

import (
	"context"

	"github.com/haven-helpline/haven"
)

// InsertPGPKey stores a helpline key pair, the private key encrypted.
func (tx *Tx) InsertPGPKey(ctx context.Context, k *haven.PGPKey) error {
	rk, err := tx.newRecordKey()
	if err != nil {
		return err
	}
	sealed, err := rk.seal(k.Armored, "pgp_key:private")
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, "insert pgp key", `INSERT INTO pgp_keys (fingerprint, private_key, data_key, created_at)
		VALUES ($1, $2, $3, $4)`, k.Fingerprint, sealed, []byte(rk.sealed), micros(k.CreatedAt))
	if haven.ErrorCode(err) == haven.ECONFLICT {
		return haven.Errorf(haven.ECONFLICT, "the key %s is already imported", k.Fingerprint)
	}
	return err
}

// PGPKeys lists the helpline's key pairs, decrypted, oldest first.
func (tx *Tx) PGPKeys(ctx context.Context) ([]*haven.PGPKey, error) {
	return queryAll(ctx, tx, "pgp keys", `SELECT fingerprint, private_key, data_key, created_at FROM pgp_keys ORDER BY id`,
		func(row rowScanner) (*haven.PGPKey, error) {
			k := &haven.PGPKey{}
			var sealed []byte
			var at int64
			if err := row.Scan(&k.Fingerprint, &k.Armored, &sealed, &at); err != nil {
				return nil, err
			}
			k.CreatedAt = fromMicros(at)
			rk, err := tx.openRecordKey(sealed)
			if err != nil {
				return nil, err
			}
			k.Armored, err = rk.open(k.Armored, "pgp_key:private")
			return k, err
		})
}
