package sqldb

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/haven-helpline/haven"
)

// SQLite primary result codes (the low byte of an extended code) that say the database cannot
// do the work now rather than that the statement is wrong.
const (
	sqliteBusy     = 5
	sqliteLocked   = 6
	sqliteIOErr    = 10
	sqliteFull     = 13
	sqliteCantOpen = 14
)

// fault gives a database failure that is not the request's fault its transient code: EFULL when
// storage is full, EUNAVAILABLE when the database cannot be reached or refuses work for now.
// It answers nil for every other error, which stays as it was coded (most often EINTERNAL).
func fault(op string, err error) error {
	code := faultCode(err)
	if code == "" {
		return nil
	}
	msg := haven.UnavailableMessage
	if code == haven.EFULL {
		msg = haven.StorageFullMessage
	}
	if op != "" {
		err = fmt.Errorf("%s: %w", op, err)
	}
	return &haven.Error{Code: code, Message: msg, Err: err}
}

// classified is err with a transient code when it is a database fault that nothing coded yet (a
// failed BEGIN, a scan error wrapped by haven.Internal): the one place run's result passes.
func classified(err error) error {
	if err == nil || haven.ErrorCode(err) != haven.EINTERNAL {
		return err
	}
	if f := fault("", err); f != nil {
		return f
	}
	return err
}

func faultCode(err error) string {
	if code := sqliteFault(err); code != "" {
		return code
	}
	if code := postgresFault(err); code != "" {
		return code
	}
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return haven.EFULL
	case connectionLost(err):
		return haven.EUNAVAILABLE
	}
	return ""
}

// sqliteFault reads the result code of a modernc.org/sqlite error.
func sqliteFault(err error) string {
	var se interface{ Code() int }
	if !errors.As(err, &se) {
		return ""
	}
	switch se.Code() & 0xff {
	case sqliteFull:
		return haven.EFULL
	case sqliteBusy, sqliteLocked, sqliteIOErr, sqliteCantOpen:
		return haven.EUNAVAILABLE
	}
	return ""
}

// postgresFault reads the SQLSTATE of a server error, or recognises a failed connection.
func postgresFault(err error) string {
	if ce, ok := errors.AsType[*pgconn.ConnectError](err); ok && ce != nil {
		return haven.EUNAVAILABLE // whatever refused the connection: down, starting, not accepting
	}
	pe, ok := errors.AsType[*pgconn.PgError](err)
	if !ok {
		return ""
	}
	switch {
	case pe.Code == "53100": // disk_full
		return haven.EFULL
	case strings.HasPrefix(pe.Code, "08"), // connection_exception
		pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03", // admin/crash shutdown, cannot_connect_now
		pe.Code == "53300", // too_many_connections
		pe.Code == "25006", // read_only_sql_transaction: a failover left us on a standby
		// deadlock or serialization failure still there after Update's retries: try again later
		pe.Code == "40P01", pe.Code == "40001":
		return haven.EUNAVAILABLE
	}
	return ""
}

// connectionLost recognises a connection that broke or a pool that is closed.
func connectionLost(err error) bool {
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return true
	}
	if _, ok := errors.AsType[*net.OpError](err); ok {
		return true
	}
	// database/sql does not export the error of a closed pool; a server shutting down meets it.
	return strings.Contains(err.Error(), "sql: database is closed")
}
