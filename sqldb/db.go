// Package sqldb implements Haven's stores over database/sql, for SQLite (modernc.org/sqlite) and
// PostgreSQL (pgx). Both dialects share one SQL text wherever they agree; they bind $1…$N by number.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/haven-helpline/haven"
)

// Dialect names the SQL flavour of a database.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is a Haven database. On SQLite it holds one writer connection (SQLite allows one writer at a
// time; serialising in Go avoids busy errors) and a pool of readers; on PostgreSQL one pool does both.
type DB struct {
	Dialect Dialect
	write   *sql.DB
	read    *sql.DB

	// SQLite only: the queue of the group-committing writer (batch.go).
	writes     chan writeRequest
	writerDone chan struct{}
	unlocked   atomic.Pointer[keys] // set by Unlock; nil while locked (keys())
	stmts      *stmtCache           // SQLite writer's prepared statements
	readStmts  *stmtCache           // SQLite readers' prepared statements
	gen        generation           // SQLite: changes whenever the data may have (generation.go)
	notes      notifier             // PostgreSQL: the sender of change notifications (notify_pg.go)
	watchDSN   string               // SQLite: the change watcher's connection
	path       string               // SQLite: the database file, whose disk Writable checks
	ckptDSN    string               // SQLite: the checkpointer's connection (checkpoint.go)
	ckpt       *checkpointer
	merge      searchMerge  // SQLite: whether the writer has index segments to merge when idle
	later      *searchLater // SQLite: search documents written after their transactions (searchlater.go)
	observing  observing    // metrics hooks (metrics.go)
	// referenceWrites: which statements write reference tables; refs: reference data read (refgen.go)
	referenceWrites referenceWrites
	refs            refCache
	ownWords        ownWords // cases' normalised titles and summaries (owntext.go)
}

// keys are the database's keys once unlocked, else nil. Unlock may replace them (a key rotation)
// while the writer writes search documents on its own (searchlater.go): hence the atomic.
func (db *DB) keys() *keys { return db.unlocked.Load() }

// IsPostgresURL reports whether dsn names a PostgreSQL server rather than a SQLite file.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Options tune a connection to the database.
type Options struct {
	// SQLiteCacheMB is the page cache of all a SQLite database's connections together, in MB
	// (0: DefaultSQLiteCacheMB). PostgreSQL ignores it.
	SQLiteCacheMB int
	// PostgresConns bounds one process's connections to PostgreSQL (0: DefaultPostgresConns),
	// besides the one that listens for other instances' writes. SQLite ignores it.
	PostgresConns int
}

// DefaultPostgresConns is enough for 64 concurrent clients on a few cores (a transaction holds
// its connection only while it runs); instances × (this + 1) must fit PostgreSQL's max_connections.
const DefaultPostgresConns = 32

// DefaultSQLiteCacheMB keeps the SQLite caches a small part of a server's memory: pages beyond
// it are read from the operating system's file cache, which costs a copy, not a disk read.
// 32 MB per connection (320 MB in all) took ~250 MB of a server's 480-575 MB on 100,000 cases;
// 48 MB in all served a tenth fewer inbox pages there, and more case pages (docs/performance.md, "Memory").
const DefaultSQLiteCacheMB = 48

// sqliteWriters and sqliteReaders size a SQLite database's two pools, which share its cache.
const (
	sqliteWriters = 2
	sqliteReaders = 8
)

// Open connects to dsn: a postgres:// URL or a SQLite file path. It does not migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	return OpenWith(ctx, dsn, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dsn string, opts Options) (*DB, error) {
	var db *DB
	var err error
	if IsPostgresURL(dsn) {
		db, err = openPostgres(dsn, opts.PostgresConns)
	} else {
		db, err = openSQLite(dsn, opts.SQLiteCacheMB)
	}
	if err != nil {
		return nil, err
	}
	if err := db.write.PingContext(ctx); err != nil {
		_ = db.Close() // the failed connection is the error to report
		return nil, &haven.Error{Code: haven.EINTERNAL, Message: "cannot connect to the database", Err: err}
	}
	if db.watchDSN != "" {
		if err := db.watchChanges(db.watchDSN); err != nil {
			_ = db.Close() // the watcher's failure is the error to report
			return nil, haven.Internal("watch sqlite changes", err)
		}
	}
	if db.ckptDSN != "" {
		if err := db.startCheckpointer(db.ckptDSN); err != nil {
			_ = db.Close() // the checkpointer's failure is the error to report
			return nil, haven.Internal("start sqlite checkpointer", err)
		}
	}
	if db.Dialect == Postgres {
		if err := db.listenChanges(ctx, dsn); err != nil { // notify_pg.go
			_ = db.Close() // the listener's failure is the error to report
			return nil, err
		}
	}
	return db, nil
}

func openPostgres(dsn string, conns int) (*DB, error) {
	if conns < 0 {
		return nil, haven.Errorf(haven.EINVALID, "the PostgreSQL connections are 0 (the default) or more, not %d", conns)
	}
	if conns == 0 {
		conns = DefaultPostgresConns
	}
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, haven.Internal("open postgres", err)
	}
	pool.SetMaxOpenConns(conns)
	pool.SetMaxIdleConns(conns)
	return &DB{Dialect: Postgres, write: pool, read: pool, later: newSearchLater()}, nil
}

func openSQLite(path string, cacheMB int) (*DB, error) {
	if cacheMB < 0 {
		return nil, haven.Errorf(haven.EINVALID, "the SQLite cache size is 0 (the default) or more MB, not %d", cacheMB)
	}
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file::memory:") {
		return nil, haven.Errorf(haven.EINVALID, "an in-memory SQLite database cannot be shared by the writer and readers; give a file path")
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath()
	// synchronous=NORMAL in WAL mode loses no committed transaction on an application crash and
	// at most the last few on power loss, a trade SQLite documents as safe for WAL.
	pragmas := "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&_pragma=cache_size(" + cachePragma(cacheMB) + ")&_pragma=temp_store(MEMORY)"
	// The checkpointer keeps the WAL short beside the writer; the writer checkpoints only when
	// the WAL has outgrown what the checkpointer can restart (checkpoint.go).
	write, err := sql.Open("sqlite", base+"?"+pragmas+"&_pragma=wal_autocheckpoint("+strconv.Itoa(writerCheckpointFrames)+
		")&_pragma=journal_size_limit("+strconv.Itoa(walSizeLimit)+")&_txlock=immediate")
	if err != nil {
		return nil, haven.Internal("open sqlite", err)
	}
	// Transactions run on one connection at a time (the writer goroutine); the second one only
	// prepares statements for the cache (stmtcache.go).
	write.SetMaxOpenConns(sqliteWriters)
	write.SetMaxIdleConns(sqliteWriters)
	write.SetConnMaxLifetime(0)
	read, err := sql.Open("sqlite", base+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		_ = write.Close() // the failed open is the error to report
		return nil, haven.Internal("open sqlite", err)
	}
	read.SetMaxOpenConns(sqliteReaders)
	read.SetMaxIdleConns(sqliteReaders)
	read.SetConnMaxLifetime(0)
	db := &DB{Dialect: SQLite, write: write, read: read, stmts: newStmtCache(write), readStmts: newStmtCache(read),
		later: newSearchLater()}
	db.watchDSN = base + "?_pragma=busy_timeout(10000)&_pragma=query_only(1)"
	db.ckptDSN = base + "?_pragma=busy_timeout(10000)"
	db.path = path
	db.merge.pending.Store(true)
	db.startWriter()
	return db, nil
}

// cachePragma is cache_size's argument giving each connection its share of cacheMB (0: the
// default), in KiB as SQLite takes a negative size, and never under 1 MB a connection, below
// which a single inbox query thrashes its cache.
func cachePragma(cacheMB int) string {
	if cacheMB == 0 {
		cacheMB = DefaultSQLiteCacheMB
	}
	return strconv.Itoa(-max(cacheMB*1024/(sqliteWriters+sqliteReaders), 1024))
}

// createPrivate creates a missing database file readable by its owner only. SQLite gives its -wal
// and -shm files the database file's mode, so this covers them too (an empty file is a valid
// empty database).
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return haven.Internal("create database file", err)
	}
	return f.Close()
}

// Close closes every connection; closing again does nothing.
func (db *DB) Close() error {
	if db.gen.closed.Swap(true) {
		return nil // closed already
	}
	sealErr := db.sealBeforeClose() // auditseal.go: events committed but not yet chained
	if db.writes != nil {
		close(db.writes)
		<-db.writerDone
	}
	db.stopWatching()
	ckptErr := db.ckpt.close()
	db.stmts.close()
	db.readStmts.close()
	err := errors.Join(sealErr, ckptErr, db.write.Close())
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Update runs fn in one read-write transaction.
// On SQLite, concurrent calls are group-committed (batch.go), so fn may run more than once; on
// PostgreSQL, a transaction chosen as a deadlock's victim is run again (locking.go), so it may too.
func (db *DB) Update(ctx context.Context, fn func(haven.Tx) error) error {
	if db.writes != nil {
		return db.submit(ctx, fn)
	}
	return db.runRetrying(ctx, fn) // PostgreSQL: a lost deadlock runs fn again (locking.go)
}

// View runs fn in one read-only transaction. On SQLite, a text search in fn that finds search
// documents still pending (searchlater.go) makes View have them written and run fn again.
func (db *DB) View(ctx context.Context, fn func(haven.Tx) error) error {
	err := db.run(ctx, db.read, true, fn)
	for try := 1; errors.Is(err, errSearchBehind); try++ {
		if try == searchCatchUps || db.catchUpSearch(ctx) != nil {
			// The index as it is: what it misses changed after the search began, or could not be
			// written (a full disk); a search still answers, and filters what it finds as always.
			ctx = context.WithValue(ctx, searchCaughtUpKey{}, true)
		}
		err = db.run(ctx, db.read, true, fn)
	}
	return err
}

func (db *DB) run(ctx context.Context, pool *sql.DB, readOnly bool, fn func(haven.Tx) error) (err error) {
	defer func() { err = classified(err) }() // a fault coded nowhere yet (a failed BEGIN) is still one
	defer db.timeTx(time.Now(), readOnly)
	k := db.keys()
	if k == nil {
		return haven.Errorf(haven.EUNAUTHORIZED, "the database is locked: no master key was given")
	}
	refGen, refOK := db.ReferenceGeneration() // before the transaction sees anything (refgen.go)
	opts := &sql.TxOptions{}
	if db.Dialect == Postgres {
		opts.ReadOnly = readOnly
	}
	var conn *sql.Conn // a PostgreSQL write transaction's own, for its pipelined writes (pipeline.go)
	if db.Dialect == Postgres && !readOnly {
		if conn, err = pool.Conn(ctx); err != nil {
			return haven.Internal("begin", err)
		}
		defer func() { _ = conn.Close() }() // after the commit or rollback below: back to the pool
	}
	sqlTx, err := beginOn(ctx, pool, conn, opts)
	if err != nil {
		return haven.Internal("begin", err)
	}
	if conn != nil {
		// Before conn.Close, which would wait for ever for a transaction left open (by a
		// runtime.Goexit in fn); after a commit it does nothing.
		defer func() { _ = sqlTx.Rollback() }()
	}
	tx := &Tx{tx: sqlTx, conn: conn, dialect: db.Dialect, keys: k, searchDocs: map[int64]string{},
		locking: db.Dialect == Postgres && !readOnly}
	if !readOnly {
		// Readers re-read only after a transaction that may have changed something: the job
		// runners' idle polls write nothing, and would otherwise drop every kept list each second.
		defer func() {
			switch {
			case tx.changed && tx.reference:
				db.wroteReference()
			case tx.changed:
				db.wrote()
			}
		}()
	}
	tx.stmts = db.stmts
	tx.db, tx.refGen, tx.refOK = db, refGen, refOK
	later := db.later.ready.Load() // search documents wait after their transactions (searchlater.go)
	tx.searchChecked = !readOnly || !later || ctx.Value(searchCaughtUpKey{}) != nil
	if !readOnly && later {
		tx.searchLater = db.later
	}
	tx.writerSQLite = !readOnly && ctx.Value(writerKey{}) != nil
	if readOnly {
		tx.stmts = db.readStmts
	}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback() // the panic goes on: it is what must be reported
			panic(p)
		}
	}()
	err = fn(tx)
	if tx.searchBehind { // whatever fn made of it: the search read an index missing documents
		return rolledBack(sqlTx, errSearchBehind)
	}
	if err != nil {
		if tx.failed != nil { // a kept write failed first: the rest followed from it (pipeline.go)
			err = tx.failed
		}
		return rolledBack(sqlTx, err)
	}
	wroteDocs := len(tx.searchDocs) > 0 && !tx.pendsDocs()
	if err := tx.flushSearchDocs(ctx); err != nil {
		return rolledBack(sqlTx, err)
	}
	events := tx.pendingEvents // sealing empties the list; the metrics count them once committed
	if err := tx.sealEvents(ctx); err != nil {
		return rolledBack(sqlTx, err)
	}
	if err := tx.flushLater(ctx); err != nil {
		return rolledBack(sqlTx, err)
	}
	err = sqlTx.Commit()
	if tx.locking && tx.changed { // a PostgreSQL write: tell the other processes (notify_pg.go)
		db.notifyChanged(tx.reference)
	}
	if err != nil {
		return mapError("commit", err)
	}
	db.committed(events)
	if len(tx.pendingDocs) > 0 {
		db.later.keep(tx.pendingDocs)
	}
	if wroteDocs && db.Dialect == SQLite {
		db.merge.pending.Store(true) // the index may have segments to merge (searchmerge.go)
	}
	return nil
}

// beginOn begins a transaction on conn when there is one, else on any of pool's connections.
func beginOn(ctx context.Context, pool *sql.DB, conn *sql.Conn, opts *sql.TxOptions) (*sql.Tx, error) {
	if conn != nil {
		return conn.BeginTx(ctx, opts)
	}
	return pool.BeginTx(ctx, opts)
}

// Tx is one transaction; it implements haven.Tx.
type Tx struct {
	tx *sql.Tx
	// conn is a PostgreSQL write transaction's connection, through which kept writes are sent
	// (pipeline.go); nil elsewhere.
	conn *sql.Conn
	// later: writes kept for the next round trip; failed: the first of them that failed.
	later   []laterWrite
	failed  error
	dialect Dialect
	// searchDocs holds the search documents changed in this transaction, written just before
	// commit: FTS5 flushes its pending index at every statement savepoint, so writing each
	// document as it changes would flush once per statement that follows.
	searchDocs map[int64]string
	// relabelled: cases whose labels changed in this transaction, whose documents' label terms
	// are written again before commit (search.go) unless the whole document is; made by the
	// first (markRelabelled), as most transactions relabel nothing.
	relabelled map[int64]bool
	// dropped: labels some case stopped carrying in this transaction (SQLite), whose drawn terms
	// go before commit if no case carries them any more (labelterms.go).
	dropped []labelFilter
	// searchLater: SQLite write transactions record their documents as pending instead of
	// writing them into the index (searchlater.go), unless writesIndex; pendingDocs are those
	// recorded, kept in memory once committed.
	searchLater *searchLater
	writesIndex bool
	pendingDocs []pendingDoc
	// searchChecked: a text search has checked for pending documents (or needs not);
	// searchBehind: it found some, and View runs the transaction again once they are written.
	searchChecked bool
	searchBehind  bool
	// writerSQLite: a SQLite write transaction, whose statements run without cancellation
	// (statementCtx).
	writerSQLite bool
	// written: the state of each case as this transaction last wrote it (case.go, noteWritten).
	written map[int64][]byte
	// fresh: cases inserted in this transaction that have no search parts yet, whose documents
	// are their own text alone (reindex reads no parts for them).
	fresh map[int64]bool
	stmts *stmtCache // nil on PostgreSQL (pgx caches statements per connection itself)
	keys  *keys
	// pendingEvents are this transaction's events, inserted into the chain at commit (audit.go).
	pendingEvents []storedEvent
	// locking: a PostgreSQL write transaction locks what it reads to decide on (a case's row, a
	// contact's blind index) until it ends, so concurrent writers take turns as on SQLite (locking.go).
	locking bool
	// changed: a statement may have changed data (rows affected, or anything but a SELECT run
	// as a query), so that readers keeping results must re-read (generation.go, notify_pg.go).
	changed bool
	// reference: a statement that may change data writes a reference table (refgen.go).
	reference bool
	// refGen: the reference generation the transaction began at (refOK: trusted), under which
	// db.refs keeps what it reads while it stays the current one (refgen.go). db is nil for a
	// transaction made outside run (a read-only snapshot).
	db     *DB
	refGen uint64
	refOK  bool
}

var _ haven.Tx = (*Tx)(nil)
var _ haven.Store = (*DB)(nil)

// writerKey marks the context of a transaction the SQLite writer runs (batch.go): it finishes
// what it begins, so the context cannot end (database/sql would roll the transaction back under
// its function once the request's context ended) and its statements run without one
// (statementCtx). Other writes (a key rotation) stay interruptible.
type writerKey struct{}

// writerCtx is the context of a transaction the SQLite writer runs for a request of ctx.
func writerCtx(ctx context.Context) context.Context {
	return context.WithValue(context.WithoutCancel(ctx), writerKey{}, true)
}

// statementCtx is the context a statement runs under. SQLite's driver starts a goroutine and a
// progress handler for each statement whose context can end, so that it can interrupt it. The
// single writer does not stop halfway for one request: an interrupted statement failed the whole
// group commit, whose other requests then ran again one by one (runTogether checks each request's
// context before running its function instead), and over HTTP every statement paid for the
// watcher. Reads keep theirs: a long search stops when its client has gone.
func (tx *Tx) statementCtx(ctx context.Context) context.Context {
	if tx.writerSQLite {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

func (tx *Tx) exec(ctx context.Context, op, query string, args ...any) (sql.Result, error) {
	tx.noteReference(query)
	if len(tx.later) > 0 {
		return tx.execWithLater(ctx, op, query, args...)
	}
	ctx = tx.statementCtx(ctx)
	var res sql.Result
	var err error
	if st, ordered := tx.stmts.stmt(ctx, tx.tx, query, args); st != nil {
		res, err = st.ExecContext(ctx, ordered...)
	} else {
		res, err = tx.tx.ExecContext(ctx, query, args...)
	}
	if err != nil {
		tx.changed = true // a failed statement may have done part of its work: assume a change
		return nil, mapError(op, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 0 {
		tx.changed = true
	}
	return res, nil
}

// mayChange notes a query that may change data: anything but a SELECT (an INSERT … RETURNING).
func (tx *Tx) mayChange(query string) {
	if !strings.HasPrefix(strings.TrimSpace(query), "SELECT") {
		tx.changed = true
		tx.noteReference(query)
	}
}

func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	tx.sendLaterFirst(ctx)
	ctx = tx.statementCtx(ctx)
	tx.mayChange(query)
	if st, ordered := tx.stmts.stmt(ctx, tx.tx, query, args); st != nil {
		return st.QueryRowContext(ctx, ordered...)
	}
	return tx.tx.QueryRowContext(ctx, query, args...)
}

func (tx *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	tx.sendLaterFirst(ctx)
	ctx = tx.statementCtx(ctx)
	tx.mayChange(query)
	if st, ordered := tx.stmts.stmt(ctx, tx.tx, query, args); st != nil {
		return st.QueryContext(ctx, ordered...)
	}
	return tx.tx.QueryContext(ctx, query, args...)
}

// insertID runs an INSERT … RETURNING id.
func (tx *Tx) insertID(ctx context.Context, op, query string, args ...any) (int64, error) {
	tx.noteReference(query)
	if len(tx.later) > 0 {
		return tx.insertIDWithLater(ctx, op, query, args...)
	}
	var id int64
	if err := tx.queryRow(ctx, query, args...).Scan(&id); err != nil {
		return 0, mapError(op, err)
	}
	return id, nil
}

// expectOne turns "no row changed" into ENOTFOUND.
func expectOne(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return haven.Internal("rows affected", err)
	}
	if n == 0 {
		return haven.Errorf(haven.ENOTFOUND, "%s not found", what)
	}
	return nil
}

// mapError gives database errors Haven's codes: a missing row is ENOTFOUND, a unique or
// foreign-key violation ECONFLICT.
func mapError(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &haven.Error{Code: haven.ENOTFOUND, Message: "not found", Err: fmt.Errorf("%s: %w", op, err)}
	}
	if haven.AsError(err) != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "UNIQUE constraint failed"), strings.Contains(msg, "SQLSTATE 23505"):
		return &haven.Error{Code: haven.ECONFLICT, Message: "already exists", Err: fmt.Errorf("%s: %w", op, err)}
	case strings.Contains(msg, "FOREIGN KEY constraint failed"), strings.Contains(msg, "SQLSTATE 23503"):
		return &haven.Error{Code: haven.ECONFLICT, Message: "refers to something that does not exist", Err: fmt.Errorf("%s: %w", op, err)}
	}
	if f := fault(op, err); f != nil { // down or full: the client may try again (fault.go)
		return f
	}
	return haven.Internal(op, err)
}

// rolledBack undoes tx after err, and reports a failed rollback too: the connection it leaves
// behind may be unusable.
func rolledBack(tx *sql.Tx, err error) error {
	if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
		return errors.Join(err, rerr)
	}
	return err
}
