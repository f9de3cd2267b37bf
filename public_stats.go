package haven

import "context"

// PublicCounts are the raw figures public statistics are made of: the cases whose requesters
// consented to statistical use, opened in a year, by category (top level) and country, and by
// month. They are never published as they are: the web layer suppresses small counts first.
type PublicCounts struct {
	Year       int      `json:"year"`
	Categories []string `json:"categories"`
	Countries  []string `json:"countries"`
	Cells      [][]int  `json:"cells"`  // Cells[category][country]
	Months     []int    `json:"months"` // 12, January first
}

// PublicSettings say whether the public statistics page is on, and how it protects people: cells
// below K are suppressed; published counts are rounded to Round (1: not rounded).
type PublicSettings struct {
	Enabled bool `json:"enabled"`
	K       int  `json:"k"`
	Round   int  `json:"round"`
}

// Validate checks the settings and fills the defaults (k 10, rounding to 5).
func (p *PublicSettings) Validate() error {
	if p.K == 0 {
		p.K = 10
	}
	if p.Round == 0 {
		p.Round = 5
	}
	v := Validation{}
	v.Check(p.K >= 2 && p.K <= 1000, "k", "from 2 to 1000")
	v.Check(p.Round >= 1 && p.Round <= 100, "round", "from 1 (no rounding) to 100")
	return v.Err()
}

// PublicStatsService answers the public statistics.
type PublicStatsService interface {
	// PublicCounts reads a year's consented cases; nobody signs in for it (the page is public),
	// so it returns counts only.
	PublicCounts(ctx context.Context, year int) (*PublicCounts, error)
	PublicSettings(ctx context.Context) (*PublicSettings, error)
	// SetPublicSettings turns the page on or off and sets its protection (admins).
	SetPublicSettings(ctx context.Context, p PublicSettings) (*PublicSettings, error)
}
