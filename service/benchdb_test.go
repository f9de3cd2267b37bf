package service_test

import (
	"context"
	"testing"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/keyring"
	"github.com/haven-helpline/haven/service"
	"github.com/haven-helpline/haven/sqldb"
	"github.com/haven-helpline/haven/testenv"
)

// benchDB opens a migrated, unlocked database at dsn with a service (clock at 10 January 2027),
// an admin and a handler, hana: what every service benchmark starts from.
func benchDB(b *testing.B, dsn string) (*sqldb.DB, *service.Service, context.Context, context.Context) {
	b.Helper()
	db, svc := openBenchStore(b, dsn, testenv.Keyring(b))
	admin, handler := benchUsers(b, svc)
	return db, svc, admin, handler
}

// openBenchStore opens and migrates the database at dsn, unlocks it with key, and gives it a
// service whose clock stands at benchNow.
func openBenchStore(b *testing.B, dsn string, key *keyring.Keyring) (*sqldb.DB, *service.Service) {
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
	if err := db.Unlock(ctx, key); err != nil {
		b.Fatal(err)
	}
	return db, service.New(db, &fixedClock{t: benchNow}, service.DefaultConfig())
}

// benchUsers creates the first admin and the handler hana.
func benchUsers(b *testing.B, svc *service.Service) (admin, handler context.Context) {
	b.Helper()
	a, err := svc.CreateFirstAdmin(context.Background(), "admin", "a long bench password")
	if err != nil {
		b.Fatal(err)
	}
	u, err := svc.CreateUser(as(a, false), haven.UserCreate{Username: "hana", Role: haven.RoleHandler, Password: "a long bench password"})
	if err != nil {
		b.Fatal(err)
	}
	return as(a, false), as(u, false)
}
