package sqldb

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/haven-helpline/haven"
)

func TestPositional(t *testing.T) {
	for _, tc := range []struct {
		in, out string
		order   []int
		ok      bool
	}{
		{`SELECT a FROM t WHERE x = $1 AND y = $2`, `SELECT a FROM t WHERE x = ? AND y = ?`, nil, true},
		{`SELECT a FROM t WHERE x = $2 AND y = $1`, `SELECT a FROM t WHERE x = ? AND y = ?`, []int{1, 0}, true},
		{`SELECT $1 || $2 WHERE id = $1`, `SELECT ? || ? WHERE id = ?`, []int{0, 1, 0}, true},
		{`SELECT json_extract(v, '$.a'), '$1' FROM t WHERE id = $1`, `SELECT json_extract(v, '$.a'), '$1' FROM t WHERE id = ?`, nil, true},
		{`SELECT 'it''s $2', "col$1" FROM t WHERE id = $1 -- $3` + "\n" + `/* $4 */`, `SELECT 'it''s $2', "col$1" FROM t WHERE id = ? -- $3` + "\n" + `/* $4 */`, nil, true},
		{`SELECT a FROM t WHERE x = ?`, `SELECT a FROM t WHERE x = ?`, nil, false},
		{`SELECT a FROM t WHERE x = :name`, `SELECT a FROM t WHERE x = :name`, nil, false},
		{`SELECT a FROM t WHERE x = $0`, `SELECT a FROM t WHERE x = $0`, nil, false},
		{`SELECT a FROM t WHERE x = $10 AND y = $9`, `SELECT a FROM t WHERE x = ? AND y = ?`, []int{9, 8}, true},
	} {
		out, order, ok := positional(tc.in)
		if ok != tc.ok || ok && (out != tc.out || !slices.Equal(order, tc.order)) {
			t.Errorf("positional(%q) = %q, %v, %t; want %q, %v, %t", tc.in, out, order, ok, tc.out, tc.order, tc.ok)
		}
	}
	if got := inOrder([]any{"a", "b"}, []int{1, 0, 1}); !slices.Equal(got, []any{"b", "a", "b"}) {
		t.Errorf("inOrder: %v", got)
	}
	if got := inOrder([]any{"a"}, []int{0, 1}); !slices.Equal(got, []any{"a"}) {
		t.Errorf("inOrder with a missing argument: %v, want the arguments as they were", got)
	}
}

// A cached statement whose parameters are out of order or repeated binds each argument where its
// number says, and one missing an argument fails as the original would.
func TestPositionalStatementsBind(t *testing.T) {
	db := openUnlocked(t, filepath.Join(t.TempDir(), "h.db"))
	ctx := context.Background()
	var got string
	err := db.View(ctx, func(htx haven.Tx) error {
		tx := htx.(*Tx)
		for range 2 { // prepared, then from the cache
			if err := tx.queryRow(ctx, `SELECT $2 || '-$1-' || $1 || $2`, "a", "b").Scan(&got); err != nil {
				return err
			}
			if got != "b-$1-ab" {
				t.Errorf("got %q, want b-$1-ab", got)
			}
		}
		if err := tx.queryRow(ctx, `SELECT $1 || $2`, "a").Scan(&got); err == nil {
			t.Errorf("a statement missing an argument ran: %q", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
