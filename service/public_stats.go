package service

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
)

var _ haven.PublicStatsService = (*Service)(nil)

const publicStatsSetting = "public_statistics"

// unknownCountry names the column of cases without a country.
const unknownCountry = "??"

// PublicCounts counts a year's consented cases by top-level category (a case counts under its
// first category, so that the table's total is the number of cases) and country, and by month.
func (s *Service) PublicCounts(ctx context.Context, year int) (*haven.PublicCounts, error) {
	if year < 2000 || year > 9999 {
		return nil, &haven.Error{Code: haven.EINVALID, Message: "a year such as 2026", Fields: map[string]string{"year": "from 2000"}}
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	q := haven.CaseStatsQuery{StatsQuery: haven.StatsQuery{From: from, To: from.AddDate(1, 0, 0), By: "month"}, Console: true}
	cells := map[[2]string]int{}
	months := make([]int, 12)
	err := s.store.View(ctx, func(tx haven.Tx) error {
		return tx.CaseFacts(ctx, q, haven.Viewer{}, func(f *haven.CaseFact) {
			if !f.Consented || f.CreatedAt.Before(q.From) || !f.CreatedAt.Before(q.To) {
				return
			}
			cells[[2]string{topCategory(f.Categories), cmp.Or(f.Country, unknownCountry)}]++
			months[f.CreatedAt.Month()-1]++
		})
	})
	if err != nil {
		return nil, err
	}
	return publicTable(year, cells, months), nil
}

func topCategory(cats []string) string {
	if len(cats) == 0 {
		return "uncategorised"
	}
	top, _, _ := strings.Cut(cats[0], "/")
	return top
}

// publicTable lays the counts out as rows and columns in name order.
func publicTable(year int, cells map[[2]string]int, months []int) *haven.PublicCounts {
	rows, cols := map[string]bool{}, map[string]bool{}
	for k := range cells {
		rows[k[0]], cols[k[1]] = true, true
	}
	p := &haven.PublicCounts{Year: year, Categories: sortedKeys(rows), Countries: sortedKeys(cols), Months: months}
	for _, r := range p.Categories {
		row := make([]int, len(p.Countries))
		for j, c := range p.Countries {
			row[j] = cells[[2]string{r, c}]
		}
		p.Cells = append(p.Cells, row)
	}
	return p
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// PublicSettings reads whether the page is on (anyone may ask: the page itself tells).
func (s *Service) PublicSettings(ctx context.Context) (*haven.PublicSettings, error) {
	p := &haven.PublicSettings{}
	err := s.store.View(ctx, func(tx haven.Tx) error {
		raw, err := tx.Setting(ctx, publicStatsSetting)
		if err != nil || raw == "" {
			return err
		}
		return json.Unmarshal([]byte(raw), p)
	})
	if err != nil {
		return nil, err
	}
	return p, p.Validate()
}

// SetPublicSettings turns the public page on or off (admins), recorded in the audit trail.
func (s *Service) SetPublicSettings(ctx context.Context, p haven.PublicSettings) (*haven.PublicSettings, error) {
	u, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(p)
	now := s.clock.Now()
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		if err := tx.PutSetting(ctx, publicStatsSetting, string(raw), now); err != nil {
			return err
		}
		return record(ctx, tx, now, u, "public_statistics.changed", "setting", publicStatsSetting, 0,
			map[string]any{"enabled": p.Enabled, "k": p.K, "round": p.Round})
	})
	return &p, err
}
