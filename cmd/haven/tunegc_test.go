package main

import (
	"math"
	"runtime/debug"
	"testing"

	"github.com/haven-helpline/haven/sqldb"
)

// keepGC restores the runtime's GC settings after a test that changes them.
func keepGC(t *testing.T) {
	percent := debug.SetGCPercent(100)
	debug.SetGCPercent(percent)
	limit := debug.SetMemoryLimit(-1)
	t.Cleanup(func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})
}

// TestTuneGC: Haven's defaults apply unless GOGC and GOMEMLIMIT say otherwise, each on its own.
func TestTuneGC(t *testing.T) {
	for _, tc := range []struct {
		name, gogc, gomemlimit string
		wantPercent            int
		wantLimit              int64
	}{
		{"defaults", "", "", defaultGCPercent, defaultMemoryLimit},
		{"GOGC wins", "50", "", 77, defaultMemoryLimit},
		{"GOMEMLIMIT wins", "", "1GiB", defaultGCPercent, 123 << 20},
		{"both win", "off", "1GiB", 77, 123 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keepGC(t)
			t.Setenv("GOGC", tc.gogc)
			t.Setenv("GOMEMLIMIT", tc.gomemlimit)
			// What the runtime read from the environment at start, which tuneGC must leave alone.
			debug.SetGCPercent(77)
			debug.SetMemoryLimit(123 << 20)
			tuneGC()
			if got := debug.SetGCPercent(100); got != tc.wantPercent {
				t.Errorf("GC percent = %d, want %d", got, tc.wantPercent)
			}
			if got := debug.SetMemoryLimit(-1); got != tc.wantLimit {
				t.Errorf("memory limit = %d, want %d", got, tc.wantLimit)
			}
		})
	}
}

// TestMemoryDefaultsBelowTarget: the soft limit and the SQLite cache the flags give by default
// leave room under the 300 MB a server is planned for (docs/operations.md), and the flag's
// default is sqldb's.
func TestMemoryDefaultsBelowTarget(t *testing.T) {
	if defaultMemoryLimit <= 0 || defaultMemoryLimit == math.MaxInt64 {
		t.Fatalf("defaultMemoryLimit = %d", defaultMemoryLimit)
	}
	if got := parsedServe(t).SQLiteCacheMB; got != sqldb.DefaultSQLiteCacheMB {
		t.Fatalf("--sqlite-cache-mb defaults to %d, sqldb to %d", got, sqldb.DefaultSQLiteCacheMB)
	}
	if total := defaultMemoryLimit>>20 + sqldb.DefaultSQLiteCacheMB; total > 300-90 {
		t.Fatalf("Go limit and SQLite cache take %d MB: no room for the program and SQLite's own (~90 MB) under 300", total)
	}
}

// TestPGConnectionsDefault: --pg-max-connections says the pool size sqldb uses by default.
func TestPGConnectionsDefault(t *testing.T) {
	if got := parsedServe(t).PGConns; got != sqldb.DefaultPostgresConns {
		t.Fatalf("--pg-max-connections defaults to %d, sqldb to %d", got, sqldb.DefaultPostgresConns)
	}
}

// parsedServe is the serve command as its defaults make it.
func parsedServe(t *testing.T) *ServeCmd {
	t.Helper()
	var cli CLI
	parser, err := newParser(&cli, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parser.Parse([]string{"serve"}); err != nil {
		t.Fatal(err)
	}
	return &cli.Serve
}
