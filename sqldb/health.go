package sqldb

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/haven-helpline/haven"
)

// minFreeBytes is the free space under which the disk of a SQLite database counts as full: a
// little more than one group-committed batch with its full-text index and WAL growth needs, so
// the instance leaves the load balancer before its writes start failing half-way.
const minFreeBytes = 64 << 20

// minFreePages is the same margin against a SQLite page limit (PRAGMA max_page_count).
const minFreePages = 16

// Writable reports whether a write could be committed now: EFULL when storage is (nearly) full,
// EUNAVAILABLE when the database refuses writes. It is meant for readiness checks, so it is cheap
// and changes no data: on PostgreSQL a transaction that takes a transaction id and commits (a
// commit record is written and flushed to the WAL, which fails on a full WAL disk or a read-only
// standby); on SQLite the page limit of the writer connections, the free space of the database's
// disk and a small synced file beside the database (a SQLite write that is rolled back never
// reaches the disk, so it could not tell).
func (db *DB) Writable(ctx context.Context) error {
	if db.Dialect == Postgres {
		return db.commitProbe(ctx)
	}
	if err := db.pageHeadroom(ctx); err != nil {
		return err
	}
	return diskWritable(filepath.Dir(db.path))
}

func (db *DB) commitProbe(ctx context.Context) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return mapError("write probe", err)
	}
	var xid int64
	if err := tx.QueryRowContext(ctx, "SELECT txid_current()").Scan(&xid); err != nil {
		return mapError("write probe", rolledBack(tx, err))
	}
	return mapError("write probe commit", tx.Commit())
}

// pageHeadroom compares the database's size with the writer connection's page limit.
func (db *DB) pageHeadroom(ctx context.Context) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return mapError("page headroom", err)
	}
	defer func() { _ = conn.Close() }() // back to the pool; the answer is already read
	var limit, used, free int64
	for _, p := range []struct {
		pragma string
		into   *int64
	}{{"PRAGMA max_page_count", &limit}, {"PRAGMA page_count", &used}, {"PRAGMA freelist_count", &free}} {
		if err := conn.QueryRowContext(ctx, p.pragma).Scan(p.into); err != nil {
			return mapError("page headroom", err)
		}
	}
	if limit-used+free < minFreePages {
		return &haven.Error{Code: haven.EFULL, Message: haven.StorageFullMessage,
			Err: haven.Errorf(haven.EFULL, "%d of the %d pages the database may have are free", limit-used+free, limit)}
	}
	return nil
}

// diskWritable checks the free space of dir's file system and that a synced write succeeds there.
func diskWritable(dir string) error {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return haven.Internal("free space of "+dir, err)
	}
	if avail := int64(st.Bavail) * int64(st.Bsize); avail < minFreeBytes { //nolint:unconvert // Bsize is int64 on Linux, uint32 elsewhere
		return &haven.Error{Code: haven.EFULL, Message: haven.StorageFullMessage,
			Err: haven.Errorf(haven.EFULL, "%d bytes free in %s, fewer than %d", avail, dir, minFreeBytes)}
	}
	f, err := os.CreateTemp(dir, ".haven-write-probe-*")
	if err != nil {
		return haven.Internal("write probe", err)
	}
	_, err = f.Write(make([]byte, 4096))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if rerr := os.Remove(f.Name()); err == nil { // the probe leaves nothing behind
		err = rerr
	}
	if err != nil {
		return haven.Internal("write probe", err)
	}
	return nil
}

// CapPages limits a SQLite database to its current size plus extra pages on every writer
// connection (PRAGMA max_page_count), as a full disk would: writes that need more answer EFULL.
// It exists for fault drills and tests; a restart lifts it.
func (db *DB) CapPages(ctx context.Context, extra int) error {
	if db.Dialect != SQLite {
		return haven.Errorf(haven.EINVALID, "only a SQLite database has a page limit")
	}
	var conns []*sql.Conn
	defer func() {
		for _, c := range conns {
			_ = c.Close() // back to the pool; the limit stays with the connection
		}
	}()
	for range 2 { // the writer pool's size (openSQLite)
		c, err := db.write.Conn(ctx)
		if err != nil {
			return mapError("cap pages", err)
		}
		conns = append(conns, c)
		var used int64
		if err := c.QueryRowContext(ctx, "PRAGMA page_count").Scan(&used); err != nil {
			return mapError("cap pages", err)
		}
		if _, err := c.ExecContext(ctx, "PRAGMA max_page_count = "+strconv.FormatInt(used+int64(extra), 10)); err != nil {
			return mapError("cap pages", err)
		}
	}
	return nil
}
