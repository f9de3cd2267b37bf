package sqldb

import (
	"context"
	"errors"
	"hash/fnv"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/haven-helpline/haven"
)

// Concurrent writers on PostgreSQL. Transactions run at READ COMMITTED, and a use case reads a
// case, decides, then writes it back with UpdateCase, whose WHERE version = <the version read>
// guards against lost updates. Without more, two writers that read the same version both pass
// their checks; the second one's UPDATE waits for the first to commit, re-evaluates its WHERE
// against the new row, matches nothing and fails as a conflict, although it never asked for
// optimistic locking (a note, a tag, an inbound email). And two writers looking up one new
// contact both find nobody and create two requesters (contacts are not unique: migration 0018).
//
// So a write transaction locks what it decides on when it reads it, like SQLite's single writer
// serialises everything: CaseByNumber and CaseByID take the case's row lock (SELECT … FOR UPDATE)
// and RequestersByContact an advisory lock on the contact's blind index, both held until the
// transaction ends. The others wait their turn, then read what it wrote. Only a version the
// client gave, checked by the service against the freshly read case, still conflicts.
//
// Locks are taken one at a time in the order the use case reads, so two transactions can
// deadlock (one links case A to B while another links B to A); PostgreSQL then aborts one of
// them, which runRetrying runs again.

// contactLock is the first key of the advisory locks on contacts (the second is the contact's
// blind index, hashed); the two-key space is PostgreSQL's, apart from the one-key chain lock.
const contactLock = 72007003

// maxAttempts bounds how often a write transaction that lost a deadlock is run.
const maxAttempts = 3

// runRetrying runs fn in a write transaction, again when PostgreSQL aborted it to break a
// deadlock or on a serialization failure: both leave nothing behind, and fn may run more than
// once (as under SQLite's group commit).
func (db *DB) runRetrying(ctx context.Context, fn func(haven.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := db.run(ctx, db.write, false, fn)
		if err == nil || attempt == maxAttempts || !lostRace(err) || ctx.Err() != nil {
			return err
		}
	}
}

// lostRace reports whether err is PostgreSQL's deadlock_detected or serialization_failure.
func lostRace(err error) bool {
	pe, ok := errors.AsType[*pgconn.PgError](err)
	return ok && (pe.Code == "40P01" || pe.Code == "40001")
}

// lockCase takes the row lock of the case matching where (one parameter) in a PostgreSQL write
// transaction. It is a statement of its own: the read that follows then starts after the lock was
// granted and sees the latest commit, with its joins (a lock inside the read would return the
// locked row's new version joined to rows of the read's older snapshot).
func (tx *Tx) lockCase(ctx context.Context, where string, arg any) error {
	if !tx.locking {
		return nil
	}
	_, err := tx.exec(ctx, "lock case", `SELECT id FROM cases WHERE `+where+` FOR UPDATE`, arg)
	return err
}

// lockContact takes the advisory lock of contact c in a PostgreSQL write transaction: a
// find-or-create of the same contact waits until this transaction has created its requester and
// ends, then finds it. Two contacts that hash alike only wait for each other.
func (tx *Tx) lockContact(ctx context.Context, c haven.Contact) error {
	if !tx.locking {
		return nil
	}
	h := fnv.New32a()
	h.Write([]byte(tx.blind(c))) // a hash.Hash never fails to write
	_, err := tx.exec(ctx, "lock contact", `SELECT pg_advisory_xact_lock($1, $2)`, contactLock, int32(h.Sum32()))
	return err
}
