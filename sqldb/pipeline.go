package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/haven-helpline/haven"
)

// On PostgreSQL every statement is a round trip: a case created took twenty (a begin, eighteen
// statements, a commit); read and write system calls were a quarter of Haven's CPU and a sixth of
// PostgreSQL's, and across a network each round trip is time the case waits while holding its
// locks. Most of those statements are writes whose result nobody reads (a case's labels, its
// clock, its events, its search document…). A PostgreSQL write transaction therefore
// keeps such writes (execLater) and sends them with the next statement that needs a round trip
// anyway, in one pipelined batch (pgx.Batch over the transaction's own connection), or just
// before commit. Order is kept: everything goes to the server in the order it was asked for. A
// read of tables none of the kept writes touches (queryRowBeside: settings, categories,
// sequences…) does not wait for them.
//
// A kept write that fails fails its transaction: the first such error is kept (tx.failed) and is
// what the transaction returns, whatever its caller made of the errors that followed (a
// statement after it in the batch, or a read in the aborted transaction, fails too).

// laterWrite is a write kept for the next round trip.
type laterWrite struct {
	table, op, query string
	args             []any
}

// maxLaterWrites bounds what a transaction keeps before sending it (a bulk change makes many).
const maxLaterWrites = 64

// pipelines reports whether this transaction keeps writes: a PostgreSQL write transaction.
func (tx *Tx) pipelines() bool { return tx.conn != nil }

// execLater runs a write to table whose result nobody reads, at the latest before commit.
func (tx *Tx) execLater(ctx context.Context, table, op, query string, args ...any) error {
	if !tx.pipelines() {
		_, err := tx.exec(ctx, op, query, args...)
		return err
	}
	tx.changed = true
	tx.noteReference(query)
	tx.later = append(tx.later, laterWrite{table: table, op: op, query: query, args: args})
	if len(tx.later) >= maxLaterWrites {
		return tx.flushLater(ctx)
	}
	return nil
}

// flushLater sends the kept writes.
func (tx *Tx) flushLater(ctx context.Context) error {
	if len(tx.later) == 0 {
		return tx.failed
	}
	_, err := tx.roundTrip(ctx, nil, nil)
	return err
}

// writesAny reports whether a kept write is to one of tables.
func (tx *Tx) writesAny(tables []string) bool {
	for _, w := range tx.later {
		if slices.Contains(tables, w.table) {
			return true
		}
	}
	return false
}

// queryRowBeside runs a read of tables without first sending kept writes to other tables (on
// SQLite, and whenever it cannot, it is queryRow, with SQLite's prepared statements).
func (tx *Tx) queryRowBeside(ctx context.Context, tables []string, query string, args ...any) *sql.Row {
	if !tx.pipelines() || tx.writesAny(tables) {
		return tx.queryRow(ctx, query, args...)
	}
	tx.mayChange(query)
	return tx.tx.QueryRowContext(ctx, query, args...)
}

// queryBeside is queryRowBeside for many rows.
func (tx *Tx) queryBeside(ctx context.Context, tables []string, query string, args ...any) (*sql.Rows, error) {
	if !tx.pipelines() || tx.writesAny(tables) {
		return tx.query(ctx, query, args...)
	}
	tx.mayChange(query)
	return tx.tx.QueryContext(ctx, query, args...)
}

// sendLaterFirst sends the kept writes before a statement whose rows are read through
// database/sql. Its error is kept in tx.failed; the statement then fails in the aborted
// transaction, and the transaction returns the kept write's error.
func (tx *Tx) sendLaterFirst(ctx context.Context) {
	if len(tx.later) > 0 {
		_ = tx.flushLater(ctx)
	}
}

// execWithLater runs a statement after the kept writes, in the same round trip.
func (tx *Tx) execWithLater(ctx context.Context, op, query string, args ...any) (sql.Result, error) {
	n, err := tx.roundTrip(ctx, &laterWrite{op: op, query: query, args: args}, nil)
	if err != nil {
		tx.changed = true
		return nil, err
	}
	if n != 0 {
		tx.changed = true
	}
	return rowsAffected(n), nil
}

// insertIDWithLater runs an INSERT … RETURNING id after the kept writes, in the same round trip.
func (tx *Tx) insertIDWithLater(ctx context.Context, op, query string, args ...any) (int64, error) {
	tx.changed = true
	var id int64
	_, err := tx.roundTrip(ctx, &laterWrite{op: op, query: query, args: args}, func(r pgx.Row) error { return r.Scan(&id) })
	return id, err
}

// roundTrip sends the kept writes and then last (if any) in one batch; last's row goes to scan
// when scan is set, else its count of rows affected is returned.
func (tx *Tx) roundTrip(ctx context.Context, last *laterWrite, scan func(pgx.Row) error) (int64, error) {
	if tx.failed != nil {
		return 0, tx.failed
	}
	later := tx.later
	tx.later = nil
	var affected int64
	var lastErr error
	err := tx.conn.Raw(func(driverConn any) error {
		b := &pgx.Batch{}
		for _, w := range later {
			b.Queue(w.query, w.args...)
		}
		if last != nil {
			b.Queue(last.query, last.args...)
		}
		res := driverConn.(*stdlib.Conn).Conn().SendBatch(ctx, b)
		for _, w := range later {
			if _, err := res.Exec(); err != nil {
				_ = res.Close()
				tx.failed = mapError(w.op, err)
				return tx.failed
			}
		}
		if last != nil {
			if scan != nil {
				lastErr = scan(res.QueryRow())
			} else {
				tag, err := res.Exec()
				affected, lastErr = tag.RowsAffected(), err
			}
		}
		return res.Close()
	})
	if lastErr != nil {
		return 0, mapError(last.op, lastErr)
	}
	if err != nil && tx.failed == nil {
		// Closing the batch failed: the connection is gone or the server refused the batch.
		tx.failed = mapError("send kept writes", err)
	}
	if tx.failed != nil {
		return 0, tx.failed
	}
	return affected, nil
}

// rowsAffected is the result of a statement sent in a batch.
type rowsAffected int64

func (n rowsAffected) LastInsertId() (int64, error) {
	return 0, haven.Internal("last insert id", errors.New("not available on PostgreSQL"))
}

func (n rowsAffected) RowsAffected() (int64, error) { return int64(n), nil }
