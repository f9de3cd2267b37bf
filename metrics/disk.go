package metrics

import (
	"syscall"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	diskFreeDesc = prometheus.NewDesc("haven_data_dir_free_bytes",
		"Bytes available to Haven on the file system of the data directory (SQLite file, attachments).", nil, nil)
	diskSizeDesc = prometheus.NewDesc("haven_data_dir_size_bytes",
		"Size of the file system of the data directory.", nil, nil)
)

// diskCollector reads the data directory's file system at scrape time.
type diskCollector struct{ dir string }

func newDiskCollector(dir string) *diskCollector { return &diskCollector{dir: dir} }

func (c *diskCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- diskFreeDesc
	ch <- diskSizeDesc
}

// Collect reports nothing when the directory cannot be read: a made-up 0 would page someone.
func (c *diskCollector) Collect(ch chan<- prometheus.Metric) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(c.dir, &st); err != nil {
		return
	}
	bsize := float64(st.Bsize) //nolint:unconvert // its type differs between systems
	ch <- prometheus.MustNewConstMetric(diskFreeDesc, prometheus.GaugeValue, float64(st.Bavail)*bsize)
	ch <- prometheus.MustNewConstMetric(diskSizeDesc, prometheus.GaugeValue, float64(st.Blocks)*bsize)
}
