package service

import (
	"context"

	"github.com/haven-helpline/haven"
)

// Dashboard answers several groupings of one query and the backlog at once: one refresh of the
// roll-ups, one transaction, the restricted cases the reader may not see read once for all.
func (s *Service) Dashboard(ctx context.Context, q haven.CaseStatsQuery, bys []string) (*haven.Dashboard, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	q = q.WithDefaults(s.clock.Now())
	q.Console = false
	out := &haven.Dashboard{}
	if out.Backlog, err = s.Backlog(ctx, q); err != nil {
		return nil, err
	}
	done, err := s.fromRollups(ctx, q, func(tx haven.Tx) (err error) {
		out.Panels, err = panelsFromRollups(ctx, tx, q, bys, s.viewer(u))
		return err
	})
	if err != nil || done {
		return out, err
	}
	out.Panels, err = s.panelsFromFacts(ctx, q, bys, s.viewer(u))
	return out, err
}

// panelsFromFacts counts the cases themselves (a filtered view) in one pass for every grouping.
func (s *Service) panelsFromFacts(ctx context.Context, q haven.CaseStatsQuery, bys []string, v haven.Viewer) ([]*haven.CaseStats, error) {
	tallies := make([]*caseTally, len(bys))
	for i, by := range bys {
		pq := q
		pq.By = by
		tallies[i] = newCaseTally(pq)
	}
	fq := q
	fq.By = "platform" // the facts with their platforms, which one grouping needs
	err := s.store.View(ctx, func(tx haven.Tx) error {
		return tx.CaseFacts(ctx, fq, v, func(f *haven.CaseFact) {
			for _, t := range tallies {
				t.add(f)
			}
		})
	})
	if err != nil {
		return nil, err
	}
	out := make([]*haven.CaseStats, len(bys))
	for i, t := range tallies {
		out[i] = t.result()
	}
	return out, nil
}

// panelsFromRollups answers each grouping from the roll-ups, taking away the hidden cases read
// once (with their platforms, which one grouping needs).
func panelsFromRollups(ctx context.Context, tx haven.Tx, q haven.CaseStatsQuery, bys []string, v haven.Viewer) ([]*haven.CaseStats, error) {
	tallies, hidden := make([]*caseTally, len(bys)), make([]*caseTally, len(bys))
	for i, by := range bys {
		pq := q
		pq.By = by
		if rollupDim(pq) == "" {
			return nil, haven.Errorf(haven.EINVALID, "no such grouping: %s", by)
		}
		tallies[i], hidden[i] = newCaseTally(pq), newCaseTally(pq)
	}
	if !q.Console { // the console counts every case: nothing to take away
		hq := q
		hq.By = "platform"
		err := tx.HiddenCaseFacts(ctx, hq, v, func(f *haven.CaseFact) {
			for _, h := range hidden {
				h.add(f)
			}
		})
		if err != nil {
			return nil, err
		}
	}
	all, err := loadTotals(ctx, tx, q)
	if err != nil {
		return nil, err
	}
	out := make([]*haven.CaseStats, len(bys))
	for i, t := range tallies {
		if err := t.fromRollups(ctx, tx, rollupDim(t.q), all); err != nil {
			return nil, err
		}
		t.subtract(hidden[i])
		out[i] = t.result()
	}
	return out, nil
}
