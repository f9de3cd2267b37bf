package sqldb

import (
	"context"
	"fmt"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/keyring"
)

// rotateBatch is how many data keys one rotation transaction re-seals.
const rotateBatch = 500

// sealedColumn is a column holding sealed keys.
type sealedColumn struct{ table, column string }

func (c sealedColumn) String() string { return c.table + "." + c.column }

// sealedKeyColumns lists every column holding keys sealed by the master key.
var sealedKeyColumns = []sealedColumn{{"requesters", "data_key"}, {"notes", "data_key"}, {"messages", "data_key"},
	{"reports", "data_key"}, {"attachments", "data_key"}, {"attachments", "file_key"}, {"users", "totp_key"}, {"pgp_keys", "data_key"},
	{"case_correspondents", "data_key"}, {"event_details", "data_key"}}

// RotationProgress reports what RotateKeys did.
type RotationProgress struct {
	Resealed int64 // data keys re-sealed under the new master key in this run
	Checked  int64 // data keys looked at
}

// RotateKeys re-seals every data key (and the index key) under kr's current master key; kr must
// also hold the old key as a previous one. It works in small transactions and is idempotent: a
// key already sealed by the current master is left alone, so an interrupted rotation is resumed
// by running it again. The database is bound to the new key only once nothing sealed by another
// remains. Servers keep running meanwhile if they hold both keys.
func (db *DB) RotateKeys(ctx context.Context, kr *keyring.Keyring, progress func(RotationProgress)) (RotationProgress, error) {
	var total RotationProgress
	for _, col := range sealedKeyColumns {
		if err := db.rotateTable(ctx, kr, col, &total, progress); err != nil {
			return total, err
		}
	}
	return total, db.rebindIndexKey(ctx, kr)
}

func (db *DB) rotateTable(ctx context.Context, kr *keyring.Keyring, table sealedColumn, total *RotationProgress, progress func(RotationProgress)) error {
	var after int64
	for {
		n, last, err := db.rotateBatchAfter(ctx, kr, table, after, total)
		if err != nil {
			return err
		}
		if progress != nil {
			progress(*total)
		}
		if n < rotateBatch {
			return nil
		}
		after = last
	}
}

// rotateBatchAfter re-seals the keys of up to rotateBatch rows with id > after, in one transaction.
func (db *DB) rotateBatchAfter(ctx context.Context, kr *keyring.Keyring, col sealedColumn, after int64, total *RotationProgress) (int, int64, error) {
	var n int
	var last int64
	err := db.run(ctx, db.write, false, func(htx haven.Tx) error {
		tx := htx.(*Tx)
		rows, err := queryAll(ctx, tx, "keys of "+col.String(), `SELECT id, `+col.column+` FROM `+col.table+
			` WHERE id > $1 AND `+col.column+` IS NOT NULL ORDER BY id LIMIT $2`, scanIDKey, after, rotateBatch)
		if err != nil {
			return err
		}
		for _, r := range rows {
			resealed, changed, err := kr.Reseal(r.key)
			if err != nil {
				return haven.Internal(fmt.Sprintf("reseal %s %d", col, r.id), err)
			}
			total.Checked++
			if changed {
				if _, err := tx.exec(ctx, "reseal", `UPDATE `+col.table+` SET `+col.column+` = $1 WHERE id = $2`, []byte(resealed), r.id); err != nil {
					return err
				}
				total.Resealed++
			}
			last = r.id
		}
		n = len(rows)
		return nil
	})
	return n, last, err
}

type idKey struct {
	id  int64
	key keyring.SealedKey
}

func scanIDKey(row rowScanner) (idKey, error) {
	var r idKey
	var b []byte
	err := row.Scan(&r.id, &b)
	r.key = b
	return r, err
}

// rebindIndexKey re-seals the index key and records the new master key, after checking that no
// data key sealed by another master remains (rows written meanwhile by a server that still had
// only the old key as current).
func (db *DB) rebindIndexKey(ctx context.Context, kr *keyring.Keyring) error {
	for _, col := range sealedKeyColumns {
		var stale int
		err := db.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+col.table+` WHERE `+col.column+` IS NOT NULL AND `+
			db.masterIDExpr(col.column)+` <> $1`, kr.CurrentID()).Scan(&stale)
		if err != nil {
			return mapError("check rotation", err)
		}
		if stale > 0 {
			return haven.Errorf(haven.ECONFLICT, "%d keys in %s were written under another master key meanwhile: make every server use the new key as current, then run the rotation again", stale, col)
		}
	}
	var sealed []byte
	if err := db.write.QueryRowContext(ctx, `SELECT sealed_index_key FROM keyring_state WHERE id = 1`).Scan(&sealed); err != nil {
		return mapError("keyring state", err)
	}
	resealed, _, err := kr.Reseal(sealed)
	if err != nil {
		return haven.Internal("reseal index key", err)
	}
	_, err = db.write.ExecContext(ctx, `UPDATE keyring_state SET master_id = $1, sealed_index_key = $2 WHERE id = 1`, kr.CurrentID(), []byte(resealed))
	return mapError("bind new master key", err)
}

// masterIDExpr extracts, in SQL, the hex master-key id of a sealed key: bytes 3 to 10 of the
// keyring's format (version, purpose, then the 8-byte id).
func (db *DB) masterIDExpr(col string) string {
	if db.Dialect == Postgres {
		return "encode(substring(" + col + " from 3 for 8), 'hex')"
	}
	return "lower(hex(substr(" + col + ", 3, 8)))"
}
