package sqldb

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/testenv"
)

// Which statements write account tables: the tables written, not those a statement only reads.
func TestWritesAccounts(t *testing.T) {
	for query, want := range map[string]bool{
		`INSERT INTO cases (number, assignee_id) VALUES ($1, (SELECT id FROM users WHERE username = $2)) RETURNING id`: false,
		`UPDATE cases SET team_id = (SELECT id FROM teams WHERE name = $1) WHERE id = $2`:                              false,
		`UPDATE users SET role = $1 WHERE id = $2`:                                                                     true,
		`update api_tokens set last_used = $1 where id = $2`:                                                           true,
		`DELETE FROM teams WHERE id = $1`:                                                                              true,
		`INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)`:                                                  true,
		`WITH gone AS (DELETE FROM sessions WHERE expires_at < $1 RETURNING id) SELECT COUNT(*) FROM gone`:             true,
		`INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value`:   true,
		`INSERT OR IGNORE INTO users (username) VALUES ($1)`:                                                           true,
		`INSERT INTO case_labels (case_id, kind, label) VALUES ($1, $2, $3) ON CONFLICT DO UPDATE SET label = $3`:      false,
		`CREATE SEQUENCE IF NOT EXISTS case_numbers_2026 AS BIGINT START 1`:                                            false,
		`SELECT set_config('x', 'y', true) FROM users`:                                                                 true, // no write target told: names one
	} {
		if got := writesAccounts(query); got != want {
			t.Errorf("writesAccounts(%q) = %t, want %t", query, got, want)
		}
	}
}

// A write to a case moves the generation and leaves the accounts generation; a write to an
// account table moves both (SQLite and PostgreSQL).
func TestAccountsGenerationFollowsAccountWrites(t *testing.T) {
	for name, dsn := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "h.db") },
		"postgres": func(t *testing.T) string { return testenv.Postgres(t) },
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := openUnlocked(t, dsn(t))
			gens := func() (uint64, uint64) {
				g, ok := db.Generation()
				a, okA := db.AccountsGeneration()
				if !ok || !okA {
					t.Fatal("untrusted generations")
				}
				return g, a
			}
			g0, a0 := gens()
			now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
			err := db.Update(ctx, func(tx haven.Tx) error {
				return insertIndexed(ctx, tx, &haven.Case{Title: "not an account", Status: haven.StatusNew, Priority: haven.P3,
					Tags: []string{}, Categories: []string{}, CreatedAt: now, UpdatedAt: now})
			})
			if err != nil {
				t.Fatal(err)
			}
			if g, a := gens(); g == g0 || a != a0 {
				t.Fatalf("a case: generation %d → %d, accounts %d → %d; want moved, unmoved", g0, g, a0, a)
			}
			g0, a0 = gens()
			err = db.Update(ctx, func(tx haven.Tx) error {
				return tx.PutSetting(ctx, haven.SettingTwoFactorRequired, "true", now)
			})
			if err != nil {
				t.Fatal(err)
			}
			if g, a := gens(); g == g0 || a == a0 {
				t.Fatalf("a setting: generation %d → %d, accounts %d → %d; want both moved", g0, g, a0, a)
			}
		})
	}
}
