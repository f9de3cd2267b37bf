package sqldb

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// stmtCache keeps prepared statements for SQLite. modernc prepares every statement anew (parsing
// the SQL and resolving the schema each time), which was a sixth of the cost of creating a case.
// database/sql reuses a *sql.Stmt already prepared on a connection when a transaction asks for
// it with Tx.StmtContext (preparing it on the transaction's own connection the first time), so
// one cached Stmt per query text and pool is enough.
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
	s := c.lookup(query)
	if s == nil {
		if s = c.prepare(ctx, query); s == nil {
			return nil
		}
	}
	return tx.StmtContext(ctx, s)
}

func (c *stmtCache) lookup(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[query]
}

// prepare prepares query on the pool, outside the lock so that a miss never holds up the
// transactions whose statements are cached. Preparing needs an idle connection (the writer pool
// keeps a second one for exactly this); never wait long for one: the caller falls back to an
// uncached query instead.
func (c *stmtCache) prepare(ctx context.Context, query string) *sql.Stmt {
	pctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	s, err := c.pool.PrepareContext(pctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[query]; ok { // another transaction prepared it meanwhile
		_ = s.Close() // an evicted or unneeded statement: closing only frees it
		return old
	}
	if len(c.m) >= maxCachedStatements {
		_ = s.Close() // an evicted or unneeded statement: closing only frees it
		return nil
	}
	c.m[query] = s
	return s
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.m {
		_ = s.Close() // an evicted or unneeded statement: closing only frees it
	}
	clear(c.m)
}
