package sqldb

import (
	"context"
	"strings"

	"github.com/haven-helpline/haven"
)

// CaseListPlan explains the case list query FindCases runs for f (its joins, filters and order;
// the columns left out) as the database plans it: SQLite's query plan, or PostgreSQL's with
// sorting discouraged, so that a Sort node there means no index yields the order.
func (db *DB) CaseListPlan(ctx context.Context, f haven.CaseFilter) (string, error) {
	var plan strings.Builder
	err := db.View(ctx, func(htx haven.Tx) error {
		tx := htx.(*Tx)
		q := &queryBuilder{}
		if err := tx.caseFilters(q, f); err != nil {
			return err
		}
		order, _, err := caseKeyset(q, f)
		if err != nil {
			return err
		}
		explain := "EXPLAIN QUERY PLAN "
		if db.Dialect == Postgres {
			if _, err := tx.tx.ExecContext(ctx, "SET LOCAL enable_sort = off"); err != nil {
				return err
			}
			explain = "EXPLAIN "
		}
		rows, err := tx.tx.QueryContext(ctx, explain+"SELECT c.id"+caseJoins+q.whereSQL()+order+" LIMIT 51", q.args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			return err
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			plan.WriteString(asText(vals[len(vals)-1]) + "\n") // SQLite's detail, PostgreSQL's line
		}
		return rows.Err()
	})
	return plan.String(), err
}

func asText(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	s, _ := v.(string)
	return s
}
