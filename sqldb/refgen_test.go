package sqldb

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/testenv"
)

// Which statements write reference tables: the tables written, not those a statement only reads.
func TestWritesReference(t *testing.T) {
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
		if got := writesReference(query); got != want {
			t.Errorf("writesReference(%q) = %t, want %t", query, got, want)
		}
	}
}

// A write to a case moves the generation and leaves the reference generation; a write to a
// reference table moves both (SQLite and PostgreSQL).
func TestReferenceGenerationFollowsReferenceWrites(t *testing.T) {
	onEachDialect(t, func(t *testing.T, name string, db *DB) {
		ctx := context.Background()
		if name == "sqlite" {
			// The watcher moves both generations whenever it sees a commit, this process's
			// own too (it cannot tell them apart): stopped, only the commits move them.
			stopWatcher(db)
		}
		gens := func() (uint64, uint64) {
			g, ok := db.Generation()
			a, okA := db.ReferenceGeneration()
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
			t.Fatalf("a case: generation %d → %d, reference %d → %d; want moved, unmoved", g0, g, a0, a)
		}
		g0, a0 = gens()
		err = db.Update(ctx, func(tx haven.Tx) error {
			return tx.PutSetting(ctx, haven.SettingTwoFactorRequired, "true", now)
		})
		if err != nil {
			t.Fatal(err)
		}
		if g, a := gens(); g == g0 || a == a0 {
			t.Fatalf("a setting: generation %d → %d, reference %d → %d; want both moved", g0, g, a0, a)
		}
	})
}

// Reference data read in a transaction is kept for the next ones until a reference write; a
// transaction that wrote reference data reads its own writes, not what is kept; what is kept is
// nobody's to change (SQLite and PostgreSQL).
func TestReferenceReadsKept(t *testing.T) {
	onEachDialect(t, func(t *testing.T, _ string, db *DB) {
		ctx := context.Background()
		category := func(tx haven.Tx) *haven.Category {
			t.Helper()
			c, err := tx.CategoryBySlug(ctx, "phishing")
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		var first *haven.Category
		if err := db.View(ctx, func(tx haven.Tx) error { first = category(tx); return nil }); err != nil {
			t.Fatal(err)
		}
		db.refs.mu.Lock()
		_, kept := db.refs.entries["category\x00phishing"]
		db.refs.mu.Unlock()
		if !kept {
			t.Fatal("the category read was not kept")
		}
		first.Labels["en"], first.Emergency = "changed by a caller", true
		err := db.Update(ctx, func(tx haven.Tx) error {
			if c := category(tx); c.Labels["en"] == "changed by a caller" || c.Emergency {
				t.Errorf("a caller's change reached what is kept: %+v", c)
			}
			if err := tx.SetCategoryEmergency(ctx, "phishing", true); err != nil {
				return err
			}
			if c := category(tx); !c.Emergency {
				t.Error("the transaction that made the category an emergency reads it as none")
			}
			some, err := tx.AnyEmergencyCategory(ctx, []string{"phishing"})
			if err == nil && !some {
				t.Error("the transaction that made the category an emergency finds no emergency")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.View(ctx, func(tx haven.Tx) error {
			some, err := tx.AnyEmergencyCategory(ctx, []string{"phishing"})
			if c := category(tx); !c.Emergency || !some {
				t.Errorf("after the write: emergency %t, any %t", c.Emergency, some)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// stopWatcher stops a SQLite database's change watcher (Close then finds it stopped).
func stopWatcher(db *DB) {
	close(db.gen.stop)
	<-db.gen.done
	db.gen.stop = nil
}

// Another process's write to reference data on the same SQLite file moves this one's reference
// generation (through the watcher, within changeWatchEvery).
func TestSQLiteReferenceGenerationAcrossProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	kr := testenv.Keyring(t)
	a := openUnlockedWith(t, path, kr)
	b := openUnlockedWith(t, path, kr)
	before, _ := a.ReferenceGeneration()
	err := b.Update(context.Background(), func(tx haven.Tx) error {
		return tx.PutSetting(context.Background(), haven.SettingTwoFactorRequired, "true", time.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, "A to see B's setting", func() (bool, string) {
		g, ok := a.ReferenceGeneration()
		return ok && g != before, fmt.Sprintf("reference generation %d (trusted %t), was %d", g, ok, before)
	})
}

// onEachDialect runs fn on a migrated, unlocked database of each dialect.
func onEachDialect(t *testing.T, fn func(t *testing.T, name string, db *DB)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, "sqlite", openUnlocked(t, filepath.Join(t.TempDir(), "h.db"))) })
	t.Run("postgres", func(t *testing.T) { fn(t, "postgres", openUnlocked(t, testenv.Postgres(t))) })
}
