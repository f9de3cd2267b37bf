package metrics

import (
	"database/sql"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Sources are what the scrape-time collectors read.
type Sources struct {
	Counts Counter            // queue depths; nil leaves them out
	Pools  map[string]*sql.DB // connection pools by name, for the go_sql_* statistics
	// PendingWrites is SQLite's writer queue; nil on PostgreSQL.
	PendingWrites func() int64
	// WriterBusy is how long SQLite's single writer has worked; nil on PostgreSQL.
	WriterBusy func() time.Duration
	// SearchDocumentsWaiting is what SQLite's writer keeps for the full-text index; nil on PostgreSQL.
	SearchDocumentsWaiting func() int64
	DataDir                string // "" leaves the disk gauges out
	Log                    *slog.Logger
}

// Register adds the set's instruments and the scrape-time collectors to reg.
func (s *Set) Register(reg prometheus.Registerer, src Sources) error {
	if src.Log == nil {
		src.Log = slog.New(slog.DiscardHandler)
	}
	cs := s.collectors()
	if src.Counts != nil {
		cs = append(cs, &storeCollector{src: src.Counts, log: src.Log, timeout: 5 * time.Second, now: time.Now})
	}
	for name, pool := range src.Pools {
		cs = append(cs, collectors.NewDBStatsCollector(pool, name))
	}
	if src.PendingWrites != nil {
		cs = append(cs, prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "haven_db_writes_waiting",
			Help: "SQLite: write transactions waiting for the single writer or running in its current batch."},
			func() float64 { return float64(src.PendingWrites()) }))
	}
	if src.WriterBusy != nil {
		cs = append(cs, prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "haven_db_writer_busy_seconds_total",
			Help: "SQLite: time the single writer has spent working (write batches, search documents, index merges); a rate near 1 means every write waits for it."},
			func() float64 { return src.WriterBusy().Seconds() }))
	}
	if src.SearchDocumentsWaiting != nil {
		cs = append(cs, prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "haven_search_documents_waiting",
			Help: "SQLite: search documents committed and not yet written into the full-text index, kept by this process."},
			func() float64 { return float64(src.SearchDocumentsWaiting()) }))
	}
	if src.DataDir != "" {
		cs = append(cs, newDiskCollector(src.DataDir))
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}
