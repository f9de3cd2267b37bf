package service_test

import (
	"context"
	"testing"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/service"
	"github.com/haven-helpline/haven/sqldb"
)

// benchDB opens a migrated, unlocked database at dsn with a service (clock at 10 January 2027),
// an admin and a handler, hana: what every service benchmark starts from.
func benchDB(b *testing.B, dsn string) (*sqldb.DB, *service.Service, context.Context, context.Context) {
	b.Helper()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx, func() int64 { return 0 }); err != nil {
		b.Fatal(err)
	}
	unlock(b, db)
	svc := service.New(db, &fixedClock{t: benchNow}, service.DefaultConfig())
	admin, err := svc.CreateFirstAdmin(ctx, "admin", "a long bench password")
	if err != nil {
		b.Fatal(err)
	}
	u, err := svc.CreateUser(as(admin, false), haven.UserCreate{Username: "hana", Role: haven.RoleHandler, Password: "a long bench password"})
	if err != nil {
		b.Fatal(err)
	}
	return db, svc, as(admin, false), as(u, false)
}
