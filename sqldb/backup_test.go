package sqldb

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

// TestVacuumIntoLeavesSyncing takes a snapshot, which turns syncing off for its copy only: the
// snapshot is a readable database with the schema, and every write connection of the pool syncs
// as before afterwards.
func TestVacuumIntoLeavesSyncing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, filepath.Join(dir, "haven.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, func() int64 { return 0 }); err != nil {
		t.Fatal(err)
	}
	want := syncLevels(ctx, t, db)
	if want[0] != 1 {
		t.Fatalf("the pool opens at synchronous %d, want NORMAL (1)", want[0])
	}
	snap := filepath.Join(dir, "snap.db")
	if err := db.VacuumInto(ctx, snap); err != nil {
		t.Fatal(err)
	}
	facts, err := InspectSQLite(ctx, snap, true)
	if err != nil {
		t.Fatalf("the snapshot does not check: %v", err)
	}
	if facts.SchemaVersion == 0 {
		t.Errorf("the snapshot has no schema")
	}
	if got := syncLevels(ctx, t, db); !slices.Equal(got, want) {
		t.Errorf("after the snapshot the write connections sync at %v, before at %v", got, want)
	}
	if err := db.VacuumInto(ctx, snap); err == nil {
		t.Errorf("a second snapshot over an existing file succeeded")
	}
}

// syncLevels holds every connection of the write pool at once and reads each one's level.
func syncLevels(ctx context.Context, t *testing.T, db *DB) []int {
	t.Helper()
	var levels []int
	for range db.write.Stats().MaxOpenConnections {
		conn, err := db.write.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var level int
		if err := conn.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&level); err != nil {
			t.Fatal(err)
		}
		levels = append(levels, level)
	}
	return levels
}
