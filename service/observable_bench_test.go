package service_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/service"
	"github.com/haven-helpline/haven/testenv"
)

// BenchmarkCorrelation measures the case page's observables panel — a case's 50 observables,
// each with the other cases the reader may see that share it — over 1,000,000 sightings: 20,000
// cases of 50 values each, drawn from 100,000 values of which a few are in thousands of cases
// (a phishing kit everyone receives), a tenth of the cases in a compartment the reader is not
// in (docs/performance.md; target ≤ 10 ms). HAVEN_BENCH_SIGHTINGS_CASES changes the number of
// cases (PostgreSQL loads 1,000,000 sightings in minutes).
func BenchmarkCorrelation(b *testing.B) {
	for name, dsn := range map[string]func(b *testing.B) string{
		"sqlite":   func(b *testing.B) string { return filepath.Join(b.TempDir(), "bench.db") },
		"postgres": func(b *testing.B) string { return testenv.Postgres(b) },
	} {
		b.Run(name, func(b *testing.B) {
			svc, reader, target := correlationBenchService(b, dsn(b))
			for b.Loop() {
				list, err := svc.CaseObservables(reader, target)
				if err != nil || len(list) != 50 {
					b.Fatalf("%d observables, want 50: %v", len(list), err)
				}
			}
		})
	}
}

func benchSightingCases() int {
	n := 20000
	if v := os.Getenv("HAVEN_BENCH_SIGHTINGS_CASES"); v != "" {
		_, _ = fmt.Sscan(v, &n)
	}
	return n
}

// correlationBenchService loads the sightings and returns the service, a handler's context and
// the number of a case whose values are shared with many others.
func correlationBenchService(b *testing.B, dsn string) (*service.Service, context.Context, string) {
	ctx := context.Background()
	db, svc, _, handler := benchDB(b, dsn)
	cases := benchSightingCases()
	start := time.Now()
	var target string
	for first := 0; first < cases; first += 500 {
		if err := db.Update(ctx, func(tx haven.Tx) error {
			n, err := loadSightings(ctx, tx, first, min(500, cases-first))
			if first == 0 {
				target = n
			}
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("loaded %d sightings on %d cases in %s", cases*50, cases, time.Since(start).Round(time.Millisecond))
	return svc, handler, target
}

// loadSightings writes n cases from the first-th, each sighting 50 values: five of the twenty
// hot ones, and 45 from a long tail of 100,000. It returns the first case's number.
func loadSightings(ctx context.Context, tx haven.Tx, first, n int) (string, error) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var number string
	for i := first; i < first+n; i++ {
		at := base.Add(time.Duration(i) * 20 * time.Minute)
		c := &haven.Case{Title: "bench", Status: haven.StatusOpen, Priority: haven.P3, TLP: "amber", Tier: 1,
			Tags: []string{}, Categories: []string{}, CreatedAt: at, UpdatedAt: at}
		if i%10 == 9 {
			c.Compartment = "child-safety"
		}
		var err error
		if c.Number, err = tx.NextCaseNumber(ctx, 2026); err != nil {
			return "", err
		}
		if err := tx.InsertCase(ctx, c); err != nil {
			return "", err
		}
		if number == "" {
			number = c.Number
		}
		found := make([]haven.Found, 0, 50)
		for k := range 5 {
			found = append(found, haven.Found{Type: "domain", Value: fmt.Sprintf("hot-kit-%d.com", (i+k)%20), Role: haven.RoleLink})
		}
		for k := range 45 {
			v := (i*7919 + k*104729) % 100000
			found = append(found, haven.Found{Type: "url", Value: fmt.Sprintf("https://tail-%d.net/p", v), Role: haven.RoleBody})
		}
		if _, err := tx.SightObservables(ctx, c.ID, haven.SightingSource{Kind: "message", ID: int64(i + 1)}, found, at); err != nil {
			return "", err
		}
	}
	return number, nil
}
