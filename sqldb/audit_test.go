package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/sqldb"
	"github.com/haven-helpline/haven/testenv"
)

// chainDB opens a migrated store and a raw connection to the same database, for tampering.
type chainDB struct {
	db  *sqldb.DB
	raw *sql.DB
}

func openChain(t *testing.T, postgres bool) *chainDB {
	t.Helper()
	dsn, driver := filepath.Join(t.TempDir(), "a.db"), "sqlite"
	if postgres {
		dsn, driver = testenv.Postgres(t), "pgx"
	}
	db := openMigrated(t, dsn).(*sqldb.DB)
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return &chainDB{db: db, raw: raw}
}

func (c *chainDB) record(n int) error {
	for i := 0; i < n; i++ {
		err := c.db.Update(context.Background(), func(tx haven.Tx) error {
			return tx.InsertEvent(context.Background(), &haven.Event{At: time.Now(), Action: "case.viewed",
				ObjectType: "case", ObjectID: fmt.Sprint(i), Data: map[string]any{"i": i}, ClientIP: "192.0.2.1"})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// recordSealed records n events and seals them (PostgreSQL commits them outside the chain).
func (c *chainDB) recordSealed(t *testing.T, n int) {
	t.Helper()
	if err := c.record(n); err != nil {
		t.Fatal(err)
	}
	c.seal(t)
}

// seal chains whatever is unsealed, waiting for the chain if another sealer holds it.
func (c *chainDB) seal(t *testing.T) sqldb.SealResult {
	t.Helper()
	r, err := c.db.SealAudit(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (c *chainDB) tamper(t *testing.T, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := c.raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func (c *chainDB) verify(t *testing.T) *sqldb.AuditReport {
	t.Helper()
	r, err := c.db.VerifyAudit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestAuditChainTampering(t *testing.T) {
	for _, postgres := range []bool{false, true} {
		name := map[bool]string{false: "sqlite", true: "postgres"}[postgres]
		tests := []struct {
			name    string
			tamper  []string
			wantSeq int64  // position named as the first bad one
			reason  string // words the reason must contain
		}{
			{"intact", nil, 0, ""},
			{"edited", []string{`UPDATE events SET action = 'case.closed' WHERE seq = 3`}, 3, "changed"},
			{"edited data", []string{`UPDATE events SET data = '{"i":99}' WHERE seq = 4`}, 4, "changed"},
			{"deleted", []string{`DELETE FROM events WHERE seq = 3`}, 4, "missing"},
			{"reordered", []string{`UPDATE events SET seq = -1 WHERE seq = 2`, `UPDATE events SET seq = 2 WHERE seq = 3`,
				`UPDATE events SET seq = 3 WHERE seq = -1`}, 2, "does not follow"},
			{"newest deleted", []string{`DELETE FROM events WHERE seq = 5`}, 5, "newest"},
			{"inserted outside", []string{`INSERT INTO events (at, action, object_type, object_id, data) VALUES (1, 'x', 'y', 'z', '{}')`}, 0, "not in the chain"},
		}
		for _, tc := range tests {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				c := openChain(t, postgres)
				c.recordSealed(t, 5)
				c.tamper(t, tc.tamper...)
				r := c.verify(t)
				if tc.reason == "" {
					if r.Problem != nil || r.Events != 5 {
						t.Fatalf("intact chain reported %+v (%d events)", r.Problem, r.Events)
					}
					return
				}
				if r.Problem == nil || r.Problem.Seq != tc.wantSeq && tc.wantSeq != 0 || !strings.Contains(r.Problem.Reason, tc.reason) {
					t.Fatalf("want a problem at position %d (%q), got %+v", tc.wantSeq, tc.reason, r.Problem)
				}
			})
		}
	}
}

// TestAuditChainConcurrentWriters: transactions committing at the same time still form one chain.
func TestAuditChainConcurrentWriters(t *testing.T) {
	for _, postgres := range []bool{false, true} {
		t.Run(map[bool]string{false: "sqlite", true: "postgres"}[postgres], func(t *testing.T) {
			c := openChain(t, postgres)
			var wg sync.WaitGroup
			for w := 0; w < 24; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := c.record(5); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			c.seal(t)
			if r := c.verify(t); r.Problem != nil || r.Events != 120 {
				t.Fatalf("after concurrent writes: %d events, problem %v", r.Events, r.Problem)
			}
		})
	}
}

// TestAuditChainIsKeyed: someone with write access to the database but not the key edits an
// event and recomputes every later link and the head with the public digest; verification still
// names the edited event, because the links are HMACs under a key they do not hold.
func TestAuditChainIsKeyed(t *testing.T) {
	for _, postgres := range []bool{false, true} {
		c := openChain(t, postgres)
		c.recordSealed(t, 5)
		c.tamper(t, `UPDATE events SET action = 'case.closed' WHERE seq = 3`)
		rows, err := c.raw.Query(`SELECT id, at, COALESCE(actor_id, 0), action, object_type, object_id, COALESCE(case_id, 0), data, client_ip, seq, prev_hash
			FROM events ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		type link struct {
			id   int64
			hash string
		}
		var relinked []link
		prev := ""
		for rows.Next() {
			var e haven.Event
			var at int64
			var data, oldPrev string
			if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.Action, &e.ObjectType, &e.ObjectID, &e.CaseID, &data, &e.ClientIP, &e.Seq, &oldPrev); err != nil {
				t.Fatal(err)
			}
			e.At = time.UnixMicro(at)
			h := haven.ChainHash(prev, e.Seq, &e, data)
			relinked = append(relinked, link{e.ID, h})
			prev = h
		}
		rows.Close()
		prev = ""
		for _, l := range relinked {
			c.tamper(t, fmt.Sprintf(`UPDATE events SET prev_hash = '%s', hash = '%s' WHERE id = %d`, prev, l.hash, l.id))
			prev = l.hash
		}
		c.tamper(t, fmt.Sprintf(`UPDATE audit_head SET last_hash = '%s' WHERE id = 1`, prev))
		r := c.verify(t)
		if r.Problem == nil || r.Problem.Seq != 1 {
			t.Fatalf("a chain recomputed without the key verified: %+v", r.Problem)
		}
	}
}
