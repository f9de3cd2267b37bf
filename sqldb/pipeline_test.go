package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/testenv"
)

// insertSetting is a write to keep: a setting's row.
const insertSetting = `INSERT INTO settings (name, value, updated_at) VALUES ($1, $2, 0)`

// TestPostgresKeptWrites: a PostgreSQL write transaction keeps writes whose result nobody reads
// until a statement needs a round trip, and sends them first, in order; a read of other tables
// does not send them; a read of their table does.
func TestPostgresKeptWrites(t *testing.T) {
	ctx := context.Background()
	db := openUnlocked(t, testenv.Postgres(t))
	err := db.Update(ctx, func(htx haven.Tx) error {
		tx := htx.(*Tx)
		keep(t, tx, "a", "1")
		var users int
		if err := tx.queryRowBeside(ctx, []string{"users"}, `SELECT COUNT(*) FROM users`).Scan(&users); err != nil {
			t.Fatal(err)
		}
		if len(tx.later) != 1 {
			t.Fatalf("a read of another table sent the kept writes: %d left", len(tx.later))
		}
		if got := setting(t, tx, "a"); got != "1" {
			t.Fatalf("a read of the kept write's table saw %q, want 1", got)
		}
		if len(tx.later) != 0 {
			t.Fatalf("%d writes kept after a read of their table", len(tx.later))
		}

		keep(t, tx, "b", "1")
		res, err := tx.exec(ctx, "update b", `UPDATE settings SET value = '2' WHERE name = 'b'`)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("the update after a kept insert changed %d rows: not sent in order", n)
		}

		keep(t, tx, "c", "1")
		id, err := tx.insertID(ctx, "insert team", `INSERT INTO teams (name) VALUES ('kept') RETURNING id`)
		if err != nil || id == 0 || len(tx.later) != 0 {
			t.Fatalf("insert with kept writes: id %d, %v, %d left", id, err, len(tx.later))
		}
		keep(t, tx, "d", "1") // sent with the commit
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.View(ctx, func(htx haven.Tx) error {
		for name, want := range map[string]string{"a": "1", "b": "2", "c": "1", "d": "1"} {
			if got := setting(t, htx.(*Tx), name); got != want {
				t.Errorf("setting %s = %q after commit, want %q", name, got, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPostgresKeptWriteFailure: a kept write that fails fails its transaction with its own error,
// whatever the caller does with the errors that follow (ignores them, or rolls back to a savepoint
// taken before the write), and nothing of it is committed.
func TestPostgresKeptWriteFailure(t *testing.T) {
	ctx := context.Background()
	db := openUnlocked(t, testenv.Postgres(t))
	cases := map[string]func(tx *Tx) error{
		"errors ignored": func(tx *Tx) error {
			keep(t, tx, "dup", "1")
			keep(t, tx, "dup", "2")
			var one int
			_ = tx.queryRow(ctx, `SELECT 1`).Scan(&one) // fails: the transaction is aborted
			return nil
		},
		"savepoint": func(tx *Tx) error {
			if _, err := tx.exec(ctx, "savepoint", `SAVEPOINT before`); err != nil {
				t.Fatal(err)
			}
			keep(t, tx, "dup", "1")
			keep(t, tx, "dup", "2")
			if _, err := tx.exec(ctx, "next", `UPDATE teams SET name = name WHERE id = 0`); err == nil {
				t.Error("a statement sent after a failed kept write succeeded")
			}
			_, err := tx.exec(ctx, "rollback to savepoint", `ROLLBACK TO SAVEPOINT before`)
			return err
		},
		"error returned": func(tx *Tx) error {
			keep(t, tx, "dup", "1")
			keep(t, tx, "dup", "2")
			var one int
			return tx.queryRow(ctx, `SELECT 1`).Scan(&one) // the aborted transaction's error, not the cause
		},
	}
	for name, fn := range cases {
		t.Run(name, func(t *testing.T) {
			err := db.Update(ctx, func(htx haven.Tx) error { return fn(htx.(*Tx)) })
			if haven.ErrorCode(err) != haven.ECONFLICT || !containsOp(err, "keep dup") {
				t.Fatalf("got %v, want the kept write's conflict", err)
			}
			err = db.View(ctx, func(htx haven.Tx) error {
				if got := setting(t, htx.(*Tx), "dup"); got != "" {
					t.Errorf("the failed transaction committed setting dup = %q", got)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func keep(t *testing.T, tx *Tx, name, value string) {
	t.Helper()
	if err := tx.execLater(context.Background(), "settings", "keep "+name, insertSetting, name, value); err != nil {
		t.Fatal(err)
	}
}

// setting reads a setting through tx ("" when unset).
func setting(t *testing.T, tx *Tx, name string) string {
	t.Helper()
	var v string
	err := tx.queryRowBeside(context.Background(), []string{"settings"}, `SELECT value FROM settings WHERE name = $1`, name).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	return v
}

func containsOp(err error, op string) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.HasPrefix(e.Error(), op) {
			return true
		}
	}
	return false
}

// TestPostgresKeptWriteConnectionLost: when the connection dies before the kept writes are sent,
// the transaction fails as a fault the client may retry (503), not as an internal error.
func TestPostgresKeptWriteConnectionLost(t *testing.T) {
	ctx := context.Background()
	db := openUnlocked(t, testenv.Postgres(t))
	err := db.Update(ctx, func(htx haven.Tx) error {
		tx := htx.(*Tx)
		var pid int
		if err := tx.queryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
			t.Fatal(err)
		}
		keep(t, tx, "lost", "1")
		var ended bool
		if err := db.write.QueryRowContext(ctx, `SELECT pg_terminate_backend($1, 5000)`, pid).Scan(&ended); err != nil || !ended {
			t.Fatalf("terminating the transaction's backend: %v, %v", ended, err)
		}
		return nil
	})
	if haven.ErrorCode(err) != haven.EUNAVAILABLE {
		t.Fatalf("got %v (%s), want %s", err, haven.ErrorCode(err), haven.EUNAVAILABLE)
	}
}
