package service_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/service"
	"github.com/haven-helpline/haven/testenv"
)

// BenchmarkEscalationStats measures the analytics over 100,000 escalations (on 20,000 cases, a
// tenth of them in a compartment the reader is not in) for a year, grouped by platform and by
// month, on SQLite and PostgreSQL (docs/performance.md; target ≤ 200 ms).
func BenchmarkEscalationStats(b *testing.B) {
	for name, dsn := range map[string]func(b *testing.B) string{
		"sqlite":   func(b *testing.B) string { return filepath.Join(b.TempDir(), "bench.db") },
		"postgres": func(b *testing.B) string { return testenv.Postgres(b) },
	} {
		b.Run(name, func(b *testing.B) {
			svc, reader := escalationBenchService(b, dsn(b))
			for _, by := range []string{"platform", "month"} {
				q, err := haven.ParseStatsQuery("2026-01-01", "2026-12-31", by)
				if err != nil {
					b.Fatal(err)
				}
				b.Run(by, func(b *testing.B) {
					for b.Loop() {
						st, err := svc.EscalationStats(reader, q)
						if err != nil || st.Total.Sent != 90000 {
							b.Fatalf("%d sent, want 90000 (the reader's): %v", st.Total.Sent, err)
						}
					}
				})
			}
		})
	}
}

// escalationBenchService loads the data set and returns the service and a handler's context.
func escalationBenchService(b *testing.B, dsn string) (*service.Service, context.Context) {
	ctx := context.Background()
	db, svc, _, handler := benchDB(b, dsn)
	start := time.Now()
	for batch := range 20 {
		if err := db.Update(ctx, func(tx haven.Tx) error { return loadEscalations(ctx, tx, batch) }); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("loaded 100,000 escalations on 20,000 cases in %s", time.Since(start).Round(time.Millisecond))
	return svc, handler
}

var benchPlatforms = []string{"facebook", "instagram", "whatsapp", "x", "google", "youtube", "tiktok", "telegram"}

// loadEscalations writes 1,000 cases with five escalations each, sent through 2026: answered
// after 1 to 200 hours, most resolved, some declined or never answered.
func loadEscalations(ctx context.Context, tx haven.Tx, batch int) error {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 1000 {
		n := batch*1000 + i
		c := &haven.Case{Title: "Case", Status: haven.StatusOpen, Priority: haven.P3, TLP: "amber", Tier: 1,
			Tags: []string{}, Categories: []string{}, CreatedAt: base, UpdatedAt: base}
		if n%10 == 0 {
			c.Compartment = "child-safety"
		}
		var err error
		if c.Number, err = tx.NextCaseNumber(ctx, 2026); err != nil {
			return err
		}
		if err := tx.InsertCase(ctx, c); err != nil {
			return err
		}
		for j := range 5 {
			if err := tx.InsertEscalation(ctx, benchEscalation(c, base, n*5+j)); err != nil {
				return err
			}
		}
	}
	return nil
}

func benchEscalation(c *haven.Case, base time.Time, k int) *haven.Escalation {
	sent := base.Add(time.Duration(k%8700) * time.Hour)
	due := sent.Add(72 * time.Hour)
	e := &haven.Escalation{CaseID: c.ID, Platform: benchPlatforms[k%len(benchPlatforms)], Kind: haven.EscalationKinds()[k%8],
		Channel: "email", Subject: "s", Body: "b", State: haven.EscalationSent, ReplyToken: fmt.Sprintf("T%09d", k),
		TargetHours: 72, CreatedAt: sent, SentAt: &sent, DueAt: &due}
	if k%7 != 0 {
		first := sent.Add(time.Duration(1+k%200) * time.Hour)
		e.FirstResponseAt, e.State = &first, haven.EscalationAcknowledged
	}
	switch closed := sent.Add(300 * time.Hour); {
	case k%7 == 0:
		e.State, e.ClosedAt = haven.EscalationNoResponse, &closed
	case k%5 == 0:
		e.State, e.ClosedAt = haven.EscalationDeclined, &closed
	case k%3 != 0:
		e.State, e.ClosedAt = haven.EscalationResolved, &closed
	}
	return e
}
