package sqldb

import (
	"regexp"
	"sync"
	"sync/atomic"
)

// The accounts generation changes only with writes to what resolves a credential into an actor:
// the users, their teams, API tokens, sessions and the settings (the second-factor rule). An API
// request reads those before anything else (the token, its user, the user's teams: three
// statements in a read transaction), and, kept only until the next write of any kind
// (Generation), they were read again for every request of an intake, whose every request
// writes. Kept under this generation, they are read again once an account, a token, a session
// or a setting may have changed — at once in this process, within changeWatchEvery for another
// process's write on the same SQLite file, after its notification on PostgreSQL
// (accountsChannel) — and whenever Generation itself cannot be trusted.

// accountTable is an account table's name; writeTarget finds the table each INSERT, UPDATE or
// DELETE of a statement writes (a statement may hold several, in WITH clauses). Foreign keys
// cascade from users and teams to memberships, tokens and sessions, all account tables; no
// trigger writes one.
var (
	accountTable = regexp.MustCompile(`(?i)^(users|teams|team_members|api_tokens|sessions|settings)$`)
	writeTarget  = regexp.MustCompile(`(?i)\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+"?(\w+)`)
	accountName  = regexp.MustCompile(`(?i)\b(users|teams|team_members|api_tokens|sessions|settings)\b`)
)

// accountWrites remembers which statement texts write account tables: most are constants, so
// each is looked at once per database handle. Texts built at run time (a list of placeholders
// of varying length) are remembered up to maxAccountWrites, then looked at each time.
type accountWrites struct {
	known sync.Map // string → bool
	n     atomic.Int64
}

const maxAccountWrites = 10000

func (w *accountWrites) writes(query string) bool {
	if w == nil { // a transaction made outside run (a read-only snapshot)
		return writesAccounts(query)
	}
	if v, ok := w.known.Load(query); ok {
		return v.(bool)
	}
	hit := writesAccounts(query)
	if w.n.Add(1) <= maxAccountWrites {
		w.known.Store(query, hit)
	}
	return hit
}

// writesAccounts reports whether a statement that may change data writes an account table. One
// whose target cannot be told counts if it names an account table at all: re-reading costs
// little, missing a change would let a revoked token or a disabled account act on. Tables it
// only reads (the case row's subqueries on users and teams) do not count.
func writesAccounts(query string) bool {
	targets := writeTarget.FindAllStringSubmatch(query, -1)
	hit := len(targets) == 0 && accountName.MatchString(query)
	for _, m := range targets {
		hit = hit || accountTable.MatchString(m[1])
	}
	return hit
}

// noteAccounts records that this transaction runs a statement that may write account tables.
func (tx *Tx) noteAccounts(query string) {
	if !tx.accounts && tx.accountWrites.writes(query) {
		tx.accounts = true
	}
}

// AccountsGeneration returns a number that changes whenever a user, team, membership, API token,
// session or setting may have changed (and whenever Generation changes for a reason other than
// this process's own writes), and false when the database cannot tell.
func (db *DB) AccountsGeneration() (uint64, bool) {
	if _, ok := db.Generation(); !ok {
		return 0, false
	}
	return db.gen.accounts.Load(), true
}

// wroteAccounts marks the end of a write that may have changed accounts, or of one whose
// content is unknown (another process's): every reader re-reads.
func (db *DB) wroteAccounts() {
	db.gen.accounts.Add(1)
	db.wrote()
}
