package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/i18n"
	"github.com/haven-helpline/haven/report"
)

// publicTTL is how long a computed public page is served again: the page needs no sign-in, so
// a stream of requests must not each count a year of cases.
const publicTTL = 10 * time.Minute

// publicCache keeps the last published statistics per year.
type publicCache struct {
	mu      sync.Mutex
	entries map[int]publicEntry
}

// forget drops what was computed (the settings changed).
func (c *publicCache) forget() {
	c.mu.Lock()
	clear(c.entries)
	c.mu.Unlock()
}

type publicEntry struct {
	at  time.Time
	pub *PublicStatistics
}

// PublicStatistics is what is published: counts with small ones suppressed, by category and
// country, and by month. No case, no name, no date finer than a month.
type PublicStatistics struct {
	Year        int              `json:"year"`
	K           int              `json:"k"`
	Round       int              `json:"round"`
	ByCountry   report.Published `json:"-"`
	ByMonth     report.Published `json:"-"`
	Suppression string           `json:"suppression"`
}

// publishedTable is a table as the JSON shows it: each cell a number or its label ("<10", or
// the mark of a cell hidden to protect another). Nothing else of a hidden cell is written.
type publishedTable struct {
	Rows      []string `json:"rows"`
	Cols      []string `json:"cols"`
	Cells     [][]any  `json:"cells"`
	RowTotals []any    `json:"row_totals"`
	ColTotals []any    `json:"col_totals"`
	Total     any      `json:"total"`
}

func tableJSON(p report.Published) publishedTable {
	cell := func(c report.Cell) any {
		if c.Suppressed {
			return c.Label(p.K)
		}
		return c.Value
	}
	cells := func(cs []report.Cell) []any {
		out := make([]any, len(cs))
		for i, c := range cs {
			out[i] = cell(c)
		}
		return out
	}
	t := publishedTable{Rows: p.Rows, Cols: p.Cols, RowTotals: cells(p.RowTotals), ColTotals: cells(p.ColTotals), Total: cell(p.Total)}
	for _, row := range p.Cells {
		t.Cells = append(t.Cells, cells(row))
	}
	return t
}

// MarshalJSON writes the tables with their cells as published, and nothing of hidden ones.
func (p *PublicStatistics) MarshalJSON() ([]byte, error) {
	type plain PublicStatistics
	return json.Marshal(struct {
		*plain
		ByCountry publishedTable `json:"by_category_and_country"`
		ByMonth   publishedTable `json:"by_month"`
	}{(*plain)(p), tableJSON(p.ByCountry), tableJSON(p.ByMonth)})
}

// Publish suppresses the small counts of a year's figures (report.Suppress) for publishing.
func Publish(c *haven.PublicCounts, k, round int) (*PublicStatistics, error) {
	o := report.Options{K: k, Round: round}
	byCountry, err := report.Suppress(report.Table{Rows: c.Categories, Cols: c.Countries, Cells: c.Cells}, o)
	if err != nil {
		return nil, unpublishable(err)
	}
	months := make([]string, 12)
	for i := range months {
		months[i] = time.Date(c.Year, time.Month(i+1), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
	}
	byMonth, err := report.Suppress(report.Table{Rows: []string{"cases"}, Cols: months, Cells: [][]int{c.Months}}, o)
	if err != nil {
		return nil, unpublishable(err)
	}
	return &PublicStatistics{Year: c.Year, K: byCountry.K, Round: byCountry.Round, ByCountry: byCountry, ByMonth: byMonth,
		Suppression: "cells below k are shown as <k, with enough other cells hidden that none can be worked out from the totals"}, nil
}

// unpublishable says why a table cannot be published: too few cases to hide the small counts
// (nothing is published rather than something that identifies someone).
func unpublishable(err error) error {
	if errors.Is(err, report.ErrUnprotectable) {
		return &haven.Error{Code: haven.ECONFLICT, Message: "too few cases to publish these statistics without identifying someone", Err: err}
	}
	return haven.Internal("public statistics", err)
}

// publicStatistics serves /public/statistics (HTML, in ?lang= or the browser's language) and
// /public/statistics.json when an admin has turned them on: no session, no cookie, counts of
// consented cases only.
func (s *Server) publicStatistics(asJSON bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		pub, err := s.publicFor(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=600")
		if asJSON {
			writeJSON(w, http.StatusOK, pub)
			return
		}
		l := s.catalog.Localizer(s.catalog.Match(r.URL.Query().Get("lang"), r.Header.Get("Accept-Language")))
		var buf bytes.Buffer
		if err := WritePublicHTML(&buf, l, pub); err != nil {
			s.writeError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(buf.Bytes())
	}
}

// publicFor reads the year asked (default: the current one) from the cache or the service.
func (s *Server) publicFor(r *http.Request) (*PublicStatistics, error) {
	set, err := s.svc.Public.PublicSettings(r.Context())
	if err != nil {
		return nil, err
	}
	if !set.Enabled {
		return nil, haven.Errorf(haven.ENOTFOUND, "no public statistics here")
	}
	year := time.Now().Year()
	if y := r.URL.Query().Get("year"); y != "" {
		if year, err = strconv.Atoi(y); err != nil || year < 2000 || year > time.Now().Year() {
			return nil, haven.Errorf(haven.EINVALID, "year: from 2000 to this year")
		}
	}
	s.public.mu.Lock()
	defer s.public.mu.Unlock()
	if e, ok := s.public.entries[year]; ok && time.Since(e.at) < publicTTL && e.pub.K == set.K && e.pub.Round == set.Round {
		return e.pub, nil
	}
	counts, err := s.svc.Public.PublicCounts(r.Context(), year)
	if err != nil {
		return nil, err
	}
	pub, err := Publish(counts, set.K, set.Round)
	if err != nil {
		return nil, err
	}
	s.public.entries[year] = publicEntry{at: time.Now(), pub: pub}
	return pub, nil
}

// WritePublicHTML writes the public statistics as one static page (inline styles, nothing
// fetched from anywhere), in l's language.
func WritePublicHTML(w io.Writer, l *i18n.Localizer, pub *PublicStatistics) error {
	t, err := template.New("public.html").Funcs(templateFuncs()).ParseFS(templateFS, "templates/standalone/public.html")
	if err != nil {
		return haven.Internal("public template", err)
	}
	return t.Execute(w, map[string]any{"L": l, "P": pub})
}

// WritePublicJSON writes the public statistics as JSON.
func WritePublicJSON(w io.Writer, pub *PublicStatistics) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(pub)
}
