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

// SearchClass is one kind of query a benchmark runs: its filters, one per query in turn.
type SearchClass struct {
	Name    string
	Filters []haven.CaseFilter
}

// SearchClasses are the query kinds measured at scale: the realistic words of the six languages
// (several match 10–50 % of cases), rare or absent words (the slowest for a plan that walks the
// cases in order), three-letter Arabic prefixes, and words combined with filters (mixed, then each
// kind of filter alone). teams and categories name existing ones for the filtered classes.
func SearchClasses(teams, categories []string) []SearchClass {
	var words []string
	for _, lang := range []string{"en", "fr", "ar", "es", "pt", "ru"} {
		words = append(words, sample.SearchTerms(lang)...)
	}
	rare := []string{"pegasus", "stalkerware", "sextorsion", "airtag", "doxxing", "qwxzv", "طائرة", "шантаж"}
	arabic := []string{"حسا", "تهد", "فيس", "اخت", "رسا", "واتس", "هات", "صحف", "مضا", "ناش"}
	text := func(ws []string) []haven.CaseFilter {
		out := make([]haven.CaseFilter, len(ws))
		for i, w := range ws {
			out[i] = haven.CaseFilter{Text: w, Limit: 50}
		}
		return out
	}
	// filter sets the i-th query's filter of a kind: 0 status open, 1 P1, 2 a team, 3 a category.
	filter := func(f *haven.CaseFilter, kind, i int) {
		switch kind {
		case 0:
			f.Status = []haven.Status{haven.StatusOpen}
		case 1:
			f.Priority = []haven.Priority{"P1"}
		case 2:
			if len(teams) > 0 {
				f.Team = teams[i%len(teams)]
			}
		case 3:
			if len(categories) > 0 {
				f.Category = categories[i%len(categories)]
			}
		}
	}
	mixed := text(words)
	for i := range mixed {
		filter(&mixed[i], i%4, i)
	}
	classes := []SearchClass{{"words", text(words)}, {"rare words", text(rare)},
		{"arabic prefixes", text(arabic)}, {"words+filter", mixed}}
	// One class per kind of filter, every word with it: where the mixed class's tail comes from.
	for kind, name := range []string{"status filter", "priority filter", "team filter", "category filter"} {
		one := text(words)
		for i := range one {
			filter(&one[i], kind, i)
		}
		classes = append(classes, SearchClass{name, one})
	}
	return classes
}

// Search runs the queries of a class, first page (50) sorted by last update as the inbox search
// does, as the user of ctx.
func Search(ctx context.Context, name string, cases haven.CaseService, class SearchClass, queries, clients int) (Result, error) {
	return runConcurrent(ctx, name, queries, clients, func(ctx context.Context, i int) error {
		_, err := cases.Cases(ctx, class.Filters[i%len(class.Filters)])
		return err
	})
}
