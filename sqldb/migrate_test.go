package sqldb

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-helpline/haven"
)

// TestMigrateRefusesAGap: a database that has a migration but lacks one below it (migrations of
// two branches applied out of order) is refused with the missing version named, by Migrate and
// by the schema check, instead of the lower one being skipped for ever.
func TestMigrateRefusesAGap(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "haven.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, func() int64 { return 0 }); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckSchema(ctx); err != nil {
		t.Fatalf("a whole schema: %v", err)
	}
	if _, err := db.write.ExecContext(ctx, `DELETE FROM schema_migrations WHERE version = 46`); err != nil {
		t.Fatal(err)
	}
	for what, err := range map[string]error{"check": db.CheckSchema(ctx), "migrate": second(db.Migrate(ctx, func() int64 { return 0 }))} {
		if haven.ErrorCode(err) != haven.ECONFLICT || !strings.Contains(err.Error(), "migration 46 was never applied") {
			t.Errorf("%s with migration 46 missing: %v", what, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }
