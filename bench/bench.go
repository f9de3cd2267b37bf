// Package bench measures whole-system performance: case intake through the service layer and
// through the HTTP API with concurrent clients, and full-text search latency on a loaded database.
// `haven bench` runs it; results go to docs/performance.md.
package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Result summarises one measured run.
type Result struct {
	Name    string
	Ops     int
	Elapsed time.Duration
	P50     time.Duration
	P99     time.Duration
	Max     time.Duration
}

// PerSecond is the throughput.
func (r Result) PerSecond() float64 { return float64(r.Ops) / r.Elapsed.Seconds() }

// Print writes one line per result, aligned.
func Print(w io.Writer, results ...Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%-40s %8s %10s %10s %10s %10s\n", "benchmark", "ops", "ops/s", "p50", "p99", "max")
	for _, r := range results {
		fmt.Fprintf(&b, "%-40s %8d %10.0f %10s %10s %10s\n", r.Name, r.Ops, r.PerSecond(),
			r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond), r.Max.Round(time.Microsecond))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Run calls op(i) for i in [0,n) from `clients` goroutines and times each call (for benchmarks
// defined elsewhere, such as the email ones in cmd/haven).
func Run(ctx context.Context, name string, n, clients int, op func(ctx context.Context, i int) error) (Result, error) {
	return runConcurrent(ctx, name, n, clients, op)
}

// runConcurrent calls op(i) for i in [0,n) from `clients` goroutines and times each call.
func runConcurrent(ctx context.Context, name string, n, clients int, op func(ctx context.Context, i int) error) (Result, error) {
	return runPaced(ctx, name, n, clients, 0, op)
}

// runPaced is runConcurrent where each client pauses between its calls, for a random time
// (exponentially distributed, mean pause) that is not timed: a person reading the page.
func runPaced(ctx context.Context, name string, n, clients int, pause time.Duration, op func(ctx context.Context, i int) error) (Result, error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	latencies := make([][]time.Duration, clients)
	errs := make(chan error, clients)
	start := time.Now()
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				t := time.Now()
				if err := op(ctx, i); err != nil {
					errs <- fmt.Errorf("%s op %d: %w", name, i, err)
					return
				}
				latencies[w] = append(latencies[w], time.Since(t))
				if pause > 0 {
					time.Sleep(time.Duration(rand.ExpFloat64() * float64(pause)))
				}
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return Result{}, err
	}
	return summarise(name, elapsed, slices.Concat(latencies...)), nil
}

func summarise(name string, elapsed time.Duration, all []time.Duration) Result {
	slices.Sort(all)
	r := Result{Name: name, Ops: len(all), Elapsed: elapsed}
	if len(all) > 0 {
		r.P50 = all[len(all)*50/100]
		r.P99 = all[min(len(all)-1, len(all)*99/100)]
		r.Max = all[len(all)-1]
	}
	return r
}
