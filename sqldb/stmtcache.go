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
	m    map[string]cachedStmt
}

// cachedStmt is a statement prepared with "?" parameters (positional.go) and the order its
// arguments go in.
type cachedStmt struct {
	stmt  *sql.Stmt
	order []int
}

// maxCachedStatements bounds the cache; list queries built from filters vary, but not endlessly.
const maxCachedStatements = 512

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, m: map[string]cachedStmt{}}
}

// stmt returns query prepared for tx and args in the order it takes them, or nil when it cannot
// be cached (the caller then runs the query directly, with args as they are).
func (c *stmtCache) stmt(ctx context.Context, tx *sql.Tx, query string, args []any) (*sql.Stmt, []any) {
	if c == nil {
		return nil, args
	}
	s, ok := c.lookup(query)
	if !ok {
		if s, ok = c.prepare(ctx, query); !ok {
			return nil, args
		}
	}
	return tx.StmtContext(ctx, s.stmt), inOrder(args, s.order)
}

func (c *stmtCache) lookup(query string) (cachedStmt, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[query]
	return s, ok
}

// prepare prepares query on the pool, outside the lock so that a miss never holds up the
// transactions whose statements are cached. Preparing needs an idle connection (the writer pool
// keeps a second one for exactly this); never wait long for one: the caller falls back to an
// uncached query instead.
func (c *stmtCache) prepare(ctx context.Context, query string) (cachedStmt, bool) {
	pctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	text, order, ok := positional(query)
	if !ok {
		text, order = query, nil
	}
	s, err := c.pool.PrepareContext(pctx, text)
	if err != nil {
		return cachedStmt{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[query]; ok { // another transaction prepared it meanwhile
		_ = s.Close() // an evicted or unneeded statement: closing only frees it
		return old, true
	}
	if len(c.m) >= maxCachedStatements {
		_ = s.Close() // an evicted or unneeded statement: closing only frees it
		return cachedStmt{}, false
	}
	c.m[query] = cachedStmt{stmt: s, order: order}
	return c.m[query], true
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.m {
		_ = s.stmt.Close() // an evicted or unneeded statement: closing only frees it
	}
	clear(c.m)
}
