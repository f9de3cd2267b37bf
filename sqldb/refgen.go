package sqldb

import (
	"regexp"
	"sync"
	"sync/atomic"
)

// Reference data is what changes rarely and is read by every request: who a credential stands
// for (users, their teams, API tokens, sessions) and the helpline's configuration (settings,
// categories, playbooks, teams). The reference generation changes only with writes to it. An
// API request read its token, user and teams (three statements in a read transaction), and a
// case created read its team, categories, whether one is an emergency, the playbooks and the
// SLA targets inside its write transaction (on SQLite, in the single writer); kept only until
// the next write of any kind (Generation), they were read again for every request of an intake,
// whose every request writes. Kept under this generation, they are read again once any of them
// may have changed — at once in this process, within changeWatchEvery for another process's
// write on the same SQLite file, after its notification on PostgreSQL (referenceChannel) — and
// whenever Generation itself cannot be trusted. A PostgreSQL transaction under READ COMMITTED
// reading these tables directly could also miss a change committed just after its read; the
// window here is that plus the notification's delivery (milliseconds).

// referenceTable is a reference table's name; writeTarget finds the table each INSERT, UPDATE or
// DELETE of a statement writes (a statement may hold several, in WITH clauses). Foreign keys
// cascade from users and teams to memberships, tokens and sessions, and from playbooks to their
// versions, all reference tables; no trigger writes one.
var (
	referenceTable = regexp.MustCompile(`(?i)^(` + referenceTables + `)$`)
	referenceName  = regexp.MustCompile(`(?i)\b(` + referenceTables + `)\b`)
	writeTarget    = regexp.MustCompile(`(?i)\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+"?(\w+)`)
)

const referenceTables = `users|teams|team_members|api_tokens|sessions|settings|categories|playbooks|playbook_versions`

// referenceWrites remembers which statement texts write reference tables: most are constants, so
// each is looked at once per database handle. Texts built at run time (a list of placeholders
// of varying length) are remembered up to maxReferenceWrites, then looked at each time.
type referenceWrites struct {
	known sync.Map // string → bool
	n     atomic.Int64
}

const maxReferenceWrites = 10000

func (w *referenceWrites) writes(query string) bool {
	if v, ok := w.known.Load(query); ok {
		return v.(bool)
	}
	hit := writesReference(query)
	if w.n.Add(1) <= maxReferenceWrites {
		w.known.Store(query, hit)
	}
	return hit
}

// writesReference reports whether a statement that may change data writes a reference table.
// One whose target cannot be told counts if it names a reference table at all: re-reading costs
// little, missing a change would let a revoked token or a disabled account act on. Tables it
// only reads (the case row's subqueries on users and teams) do not count.
func writesReference(query string) bool {
	targets := writeTarget.FindAllStringSubmatch(query, -1)
	hit := len(targets) == 0 && referenceName.MatchString(query)
	for _, m := range targets {
		hit = hit || referenceTable.MatchString(m[1])
	}
	return hit
}

// noteReference records that this transaction runs a statement that may write reference tables.
func (tx *Tx) noteReference(query string) {
	switch {
	case tx.reference:
	case tx.db == nil: // a transaction made outside run (a read-only snapshot)
		tx.reference = writesReference(query)
	default:
		tx.reference = tx.db.referenceWrites.writes(query)
	}
}

// ReferenceGeneration returns a number that changes whenever reference data (a user, team,
// membership, API token, session, setting, category or playbook) may have changed, and whenever
// Generation changes for a reason other than this process's own writes; false when the database
// cannot tell.
func (db *DB) ReferenceGeneration() (uint64, bool) {
	if _, ok := db.Generation(); !ok {
		return 0, false
	}
	return db.gen.reference.Load(), true
}

// wroteReference marks the end of a write that may have changed reference data, or of one whose
// content is unknown (another process's): every reader re-reads.
func (db *DB) wroteReference() {
	db.gen.reference.Add(1)
	db.wrote()
}

// refCache keeps reference data read inside transactions (the category of a slug, whether
// categories hold an emergency, the playbooks, a setting, a team) for the reference generation it
// was read at, as copies nobody else holds. At most maxRefEntries are kept; past it, all go.
type refCache struct {
	mu      sync.Mutex
	gen     uint64
	entries map[string]any
}

const maxRefEntries = 1000

// referenceRead returns what read returns, from the cache when this transaction may use it:
// it began at a trusted reference generation that is still current, and it wrote no reference
// table itself (its own writes are not in what others read). clone copies a value in or out.
func referenceRead[T any](tx *Tx, key string, read func() (T, error), clone func(T) T) (T, error) {
	if tx.db == nil || !tx.refOK || tx.reference {
		return read()
	}
	if now, ok := tx.db.ReferenceGeneration(); !ok || now != tx.refGen {
		return read() // changed since the transaction began: what it reads may be newer
	}
	if v, ok := tx.db.refs.get(key, tx.refGen); ok {
		return clone(v.(T)), nil
	}
	v, err := read()
	if err == nil {
		tx.db.refs.put(key, tx.refGen, clone(v))
	}
	return v, err
}

// get returns the value kept under key at generation gen.
func (c *refCache) get(key string, gen uint64) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return nil, false
	}
	v, ok := c.entries[key]
	return v, ok
}

// put keeps v, read at generation gen; values of an older generation than the kept ones are
// dropped, a newer generation replaces them all.
func (c *refCache) put(key string, gen uint64, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries != nil && gen < c.gen {
		return
	}
	if c.entries == nil || gen != c.gen || len(c.entries) >= maxRefEntries {
		c.entries, c.gen = map[string]any{}, gen
	}
	c.entries[key] = v
}
