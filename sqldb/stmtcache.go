package sqldb

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// stmtCache keeps prepared statements for SQLite's writer. modernc prepares every statement
// anew (parsing the SQL and resolving the schema each time), which was a sixth of the cost of
// creating a case. database/sql reuses a *sql.Stmt already prepared on a connection when a
// transaction asks for it with Tx.StmtContext, so one cached Stmt per query text is enough.
// Only the writer uses it: writes are serialised there, so that is where the time matters.
type stmtCache struct {
	pool *sql.DB
	mu   sync.Mutex
	m    map[string]*sql.Stmt
}

// maxCachedStatements bounds the cache; list queries built from filters vary, but not endlessly.
const maxCachedStatements = 512

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, m: map[string]*sql.Stmt{}}
}

// stmt returns query prepared for tx, or nil when it cannot be cached (the caller then runs
// the query directly).
func (c *stmtCache) stmt(ctx context.Context, tx *sql.Tx, query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[query]
	if !ok {
		if len(c.m) >= maxCachedStatements {
			return nil
		}
		// Preparing on the pool needs an idle connection: the writer pool keeps a second one
		// for exactly this. Never wait long for it: a cache miss must not block a write.
		pctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		var err error
		if s, err = c.pool.PrepareContext(pctx, query); err != nil {
			return nil
		}
		c.m[query] = s
	}
	return tx.StmtContext(ctx, s)
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.m {
		s.Close()
	}
	clear(c.m)
}
