package main

import (
	"github.com/haven-helpline/haven/sqldb"
	"github.com/haven-helpline/haven/web"
)

// loginCounter is where sign-in attempts are counted for the per-address limit: in the database
// on PostgreSQL, which several instances may share (so that they enforce one limit together),
// and in the process's memory on SQLite, which one instance serves.
func loginCounter(db *sqldb.DB) web.LoginCounter {
	if db.Dialect != sqldb.Postgres {
		return nil
	}
	return db
}
