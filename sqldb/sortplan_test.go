package sqldb_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/sqldb"
	"github.com/haven-helpline/haven/testenv"
)

// TestCaseListOrderUsesIndexBothWays: every sort of the case lists, read either way, with and
// without the inbox's open-only filter, is served in order by an index (scanned backwards when
// reversed), never by sorting the matches, on both databases.
func TestCaseListOrderUsesIndexBothWays(t *testing.T) {
	for name, dsn := range map[string]func(testing.TB) string{
		"sqlite":   func(t testing.TB) string { return filepath.Join(t.TempDir(), "h.db") },
		"postgres": testenv.Postgres,
	} {
		t.Run(name, func(t *testing.T) {
			db := openMigrated(t, dsn(t)).(*sqldb.DB)
			for _, sort := range []haven.CaseSort{haven.SortUpdated, haven.SortPriority, haven.SortDue, haven.SortCreated} {
				for _, reverse := range []bool{false, true} {
					for _, open := range []bool{false, true} {
						f := haven.CaseFilter{Sort: sort, Reverse: reverse, OpenOnly: open, Limit: 50}
						plan, err := db.CaseListPlan(context.Background(), f)
						if err != nil {
							t.Fatal(err)
						}
						if strings.Contains(plan, "TEMP B-TREE") || strings.Contains(plan, "Sort") {
							t.Errorf("sort %s reverse %t open %t sorts its matches:\n%s", sort, reverse, open, plan)
						}
					}
				}
			}
		})
	}
}
