package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"haven"
)

// nextFromSequence draws from the year's sequence, creating it on first use. The existence check
// uses to_regclass, which answers NULL rather than failing: an error would abort the caller's
// transaction. The sequence is created on a separate connection (DDL commits on its own), and
// two instances creating it at once is harmless.
func (tx *Tx) nextFromSequence(ctx context.Context, year int) (int64, error) {
	if year < 1 || year > 9999 {
		return 0, haven.Errorf(haven.EINVALID, "year %d out of range", year)
	}
	name := fmt.Sprintf("case_number_%04d", year) // built from an int: safe as an identifier
	var exists sql.NullString
	if err := tx.queryRow(ctx, `SELECT to_regclass($1)::text`, name).Scan(&exists); err != nil {
		return 0, mapError("case sequence", err)
	}
	if !exists.Valid {
		if err := tx.createSequence(ctx, name); err != nil {
			return 0, err
		}
	}
	var seq int64
	if err := tx.queryRow(ctx, `SELECT nextval($1::regclass)`, name).Scan(&seq); err != nil {
		return 0, mapError("next case number", err)
	}
	return seq, nil
}

func (tx *Tx) createSequence(ctx context.Context, name string) error {
	_, err := tx.pool.ExecContext(ctx, `CREATE SEQUENCE IF NOT EXISTS `+name+` AS BIGINT START 1`)
	if err != nil && !strings.Contains(err.Error(), "SQLSTATE 23505") { // a concurrent creator won
		return haven.Internal("create case sequence", err)
	}
	return nil
}
