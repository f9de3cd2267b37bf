package bench

import (
	"context"
	"fmt"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/sample"
)

// Load creates n cases (English, French and Arabic, 1–2 KB summaries) through the service layer.
func Load(ctx context.Context, cases haven.CaseService, n, clients int, seed uint64) (Result, error) {
	in := Intake{Cases: n, Clients: clients, SummaryBytes: 1500, Seed: seed}
	return in.ViaService(ctx, fmt.Sprintf("load %d cases", n), cases)
}

// Search runs full-text queries drawn from realistic words in English, French and Arabic; every
// query asks for the first page (50) of matches sorted by last update, as the inbox search does.
func Search(ctx context.Context, name string, cases haven.CaseService, queries, clients int) (Result, error) {
	var terms []string
	for _, lang := range []string{"en", "fr", "ar"} {
		terms = append(terms, sample.SearchTerms(lang)...)
	}
	return runConcurrent(ctx, name, queries, clients, func(ctx context.Context, i int) error {
		_, err := cases.Cases(ctx, haven.CaseFilter{Text: terms[i%len(terms)], Limit: 50})
		return err
	})
}
