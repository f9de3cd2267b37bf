package main

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/testenv"
)

// TestAlertPagedOnceByTwoInstances: two servers on one PostgreSQL database, each with its job
// runner, tick at once many times: the P1 case's first level is paged exactly once.
func TestAlertPagedOnceByTwoInstances(t *testing.T) {
	dsn := testenv.Postgres(t)
	e := &env{ctx: context.Background(), stdout: io.Discard, stderr: io.Discard, log: slog.New(slog.DiscardHandler)}
	data := t.TempDir()
	one, err := (&ServeCmd{DBFlags: DBFlags{DB: dsn, Data: data}}).prepare(e)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	two, err := (&ServeCmd{DBFlags: DBFlags{DB: dsn, Data: data}}).prepare(e)
	if err != nil {
		t.Fatal(err)
	}
	defer two.Close()
	admin, err := one.svc.CreateFirstAdmin(e.ctx, "admin", "a long admin password")
	if err != nil {
		t.Fatal(err)
	}
	ctx := haven.WithActor(e.ctx, haven.Actor{User: admin})
	if _, err := one.svc.SavePolicy(ctx, haven.EscalationPolicy{Name: haven.DefaultPolicy, Levels: []haven.PolicyLevel{
		{Targets: []haven.PolicyTarget{{Kind: "user", Name: "admin"}}, DelayMinutes: 5}}}); err != nil {
		t.Fatal(err)
	}
	c, err := one.svc.CreateCase(ctx, haven.CaseCreate{Title: "Detained with her phone", Priority: "P1"})
	if err != nil {
		t.Fatal(err)
	}
	runners := []*app{one, two}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := newRunner(e, runners[i%2], nil, 0).Tick(e.ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	notes, err := one.svc.Notifications(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	pages := 0
	for _, n := range notes {
		if n.Kind == haven.NoticeAlert {
			pages++
		}
	}
	a, err := one.svc.CaseAlert(ctx, c.Number)
	paged := 0
	for _, h := range a.History {
		if h.Kind == "paged" {
			paged++
		}
	}
	if err != nil || pages != 1 || paged != 1 || a.Level != -1 {
		t.Fatalf("%d pages and %d paged entries (want 1 each), alert %+v %v", pages, paged, a, err)
	}
}
