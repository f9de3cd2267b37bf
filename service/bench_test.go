package service_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/bench"
	"github.com/haven-helpline/haven/sample"
	"github.com/haven-helpline/haven/service"
	"github.com/haven-helpline/haven/sqldb"
)

// BenchmarkCreateCase creates cases with a 1.5 KB summary, a requester and two tags through the
// service layer on SQLite, from parallel goroutines (see also `haven bench intake`).
func BenchmarkCreateCase(b *testing.B) {
	svc, actx := benchService(b)
	gen := sample.New(1)
	inputs := make([]haven.CaseCreate, b.N)
	for i := range inputs {
		inputs[i] = bench.CaseInput(gen.NextBench(1500))
	}
	next := make(chan int, b.N)
	for i := range inputs {
		next <- i
	}
	close(next)
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := svc.CreateCase(actx, inputs[<-next]); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// benchService is a service over a fresh, unlocked SQLite database, and an admin's context.
func benchService(b *testing.B) (*service.Service, context.Context) {
	b.Helper()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx, func() int64 { return 0 }); err != nil {
		b.Fatal(err)
	}
	unlock(b, db)
	svc := service.New(db, nil, service.DefaultConfig())
	admin, err := svc.CreateFirstAdmin(ctx, "admin", "a long bench password")
	if err != nil {
		b.Fatal(err)
	}
	return svc, haven.WithActor(ctx, haven.Actor{User: admin})
}
