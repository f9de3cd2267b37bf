package sqldb

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/haven-helpline/haven"
)

// sqliteErr stands in for modernc.org/sqlite's *Error, whose fields are unexported.
type sqliteErr int

func (e sqliteErr) Error() string { return fmt.Sprintf("sqlite error %d", int(e)) }
func (e sqliteErr) Code() int     { return int(e) }

func TestMapErrorFaults(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"postgres disk_full", &pgconn.PgError{Code: "53100"}, haven.EFULL},
		{"postgres admin_shutdown", &pgconn.PgError{Code: "57P01"}, haven.EUNAVAILABLE},
		{"postgres cannot_connect_now", &pgconn.PgError{Code: "57P03"}, haven.EUNAVAILABLE},
		{"postgres connection_failure", &pgconn.PgError{Code: "08006"}, haven.EUNAVAILABLE},
		{"postgres read-only standby", &pgconn.PgError{Code: "25006"}, haven.EUNAVAILABLE},
		{"postgres deadlock after the retries", &pgconn.PgError{Code: "40P01"}, haven.EUNAVAILABLE},
		{"postgres syntax error", &pgconn.PgError{Code: "42601"}, haven.EINTERNAL},
		{"postgres unique stays a conflict", &pgconn.PgError{Code: "23505", Message: "duplicate"}, haven.ECONFLICT},
		{"sqlite full", sqliteErr(13), haven.EFULL},
		{"sqlite busy", sqliteErr(5), haven.EUNAVAILABLE},
		{"sqlite busy_snapshot", sqliteErr(5 | 2<<8), haven.EUNAVAILABLE},
		{"sqlite ioerr_write", sqliteErr(10 | 3<<8), haven.EUNAVAILABLE},
		{"sqlite constraint", sqliteErr(19), haven.EINTERNAL},
		{"ENOSPC", fmt.Errorf("write: %w", syscall.ENOSPC), haven.EFULL},
		{"connection refused", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, haven.EUNAVAILABLE},
		{"bad connection", driver.ErrBadConn, haven.EUNAVAILABLE},
		{"closed pool", errors.New("sql: database is closed"), haven.EUNAVAILABLE},
		{"other", errors.New("boom"), haven.EINTERNAL},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := mapError("op", c.err)
			if code := haven.ErrorCode(got); code != c.want {
				t.Fatalf("mapError(%v) = %s (%v), want %s", c.err, code, got, c.want)
			}
			if haven.Transient(c.want) && haven.ErrorMessage(got) == c.err.Error() {
				t.Fatalf("the driver's words reach the user: %q", haven.ErrorMessage(got))
			}
			if !errors.Is(got, c.err) {
				t.Fatalf("the cause is not wrapped: %v", got)
			}
			// run's net (classified) gives the same code to the cause wrapped as internal.
			if code := haven.ErrorCode(classified(haven.Internal("begin", c.err))); c.want != haven.ECONFLICT && code != c.want {
				t.Fatalf("classified(Internal(%v)) = %s, want %s", c.err, code, c.want)
			}
		})
	}
	if err := classified(haven.Errorf(haven.ENOTFOUND, "no such case")); haven.ErrorCode(err) != haven.ENOTFOUND {
		t.Fatalf("a coded error was reclassified: %v", err)
	}
}
