package main

import (
	"time"
)

// MigrateCmd applies pending migrations.
type MigrateCmd struct {
	DBFlags
}

// Run applies the migrations and reports the schema version.
func (c *MigrateCmd) Run(e *env) (err error) {
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	n, err := a.db.Migrate(e.ctx, func() int64 { return time.Now().UnixMicro() })
	if err != nil {
		return err
	}
	applied, _, err := a.db.SchemaVersion(e.ctx)
	if err != nil {
		return err
	}
	if err := a.unlock(e, &c.DBFlags); err != nil { // binds a new database to its master key
		return err
	}
	e.printf("applied %d migration(s); schema is at version %d\n", n, applied)
	return nil
}
