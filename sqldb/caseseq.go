package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/haven-helpline/haven"
)

// nextFromSequence draws from the year's sequence, creating it on first use. The sequence is
// named through to_regclass, which answers NULL rather than failing (an error would abort the
// caller's transaction), and nextval of NULL is NULL: one round trip once the sequence exists.
func (tx *Tx) nextFromSequence(ctx context.Context, year int) (int64, error) {
	if year < 1 || year > 9999 {
		return 0, haven.Errorf(haven.EINVALID, "year %d out of range", year)
	}
	name := fmt.Sprintf("case_number_%04d", year) // built from an int: safe as an identifier
	var seq sql.NullInt64
	// No kept write touches a sequence (pipeline.go).
	if err := tx.queryRowBeside(ctx, []string{name}, `SELECT nextval(to_regclass($1))`, name).Scan(&seq); err != nil {
		return 0, mapError("next case number", err)
	}
	if seq.Valid {
		return seq.Int64, nil
	}
	if err := tx.createSequence(ctx, name); err != nil {
		return 0, err
	}
	if err := tx.queryRow(ctx, `SELECT nextval($1::regclass)`, name).Scan(&seq); err != nil {
		return 0, mapError("next case number", err)
	}
	return seq.Int64, nil
}

// createSequence creates the sequence inside the caller's transaction, under a savepoint. It must
// not use another connection: with every pooled connection inside a transaction waiting for one,
// that deadlocks. When two transactions create it at once, the second waits for the first to
// commit, fails on the unique name, rolls back to the savepoint and uses the sequence the first made.
func (tx *Tx) createSequence(ctx context.Context, name string) error {
	if _, err := tx.exec(ctx, "savepoint", `SAVEPOINT create_case_sequence`); err != nil {
		return err
	}
	_, err := tx.tx.ExecContext(ctx, `CREATE SEQUENCE IF NOT EXISTS `+name+` AS BIGINT START 1`)
	if err == nil {
		_, err = tx.exec(ctx, "savepoint", `RELEASE SAVEPOINT create_case_sequence`)
		return err
	}
	if !concurrentlyCreated(err) {
		return haven.Internal("create case sequence", err)
	}
	_, err = tx.exec(ctx, "savepoint", `ROLLBACK TO SAVEPOINT create_case_sequence`)
	return err
}

// concurrentlyCreated reports whether creating the sequence failed because another transaction
// created it meanwhile. Depending on when the creator committed, PostgreSQL reports the unique
// index of its catalog (23505) or the relation that now exists (42P07, despite IF NOT EXISTS).
func concurrentlyCreated(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "SQLSTATE 23505") || strings.Contains(msg, "SQLSTATE 42P07")
}
