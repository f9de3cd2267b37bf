package service

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// histogram counts durations in buckets, so that per-day roll-ups can be added up (and the
// cases a reader may not see taken away) and medians still read from them: a tenth of an hour
// below two days, an hour below thirty days, a day beyond. Keys are tenths of an hour.
type histogram map[int]int

func bucketOf(hours float64) int {
	switch {
	case hours <= 0:
		return 0
	case hours < 48:
		return int(math.Round(hours * 10))
	case hours < 720:
		return int(math.Round(hours)) * 10
	}
	return int(math.Round(hours/24)) * 240
}

func (h histogram) add(hours float64) { h[bucketOf(hours)]++ }

// merge adds (sign 1) or takes away (sign -1) other's counts.
func (h histogram) merge(other histogram, sign int) {
	for k, n := range other {
		if h[k] += sign * n; h[k] <= 0 {
			delete(h, k)
		}
	}
}

// String is the stored form: "bucket:count" pairs, buckets ascending.
func (h histogram) String() string {
	keys := slices.Sorted(mapKeys(h))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = strconv.Itoa(k) + ":" + strconv.Itoa(h[k])
	}
	return strings.Join(parts, ",")
}

func mapKeys(h histogram) func(func(int) bool) {
	return func(yield func(int) bool) {
		for k := range h {
			if !yield(k) {
				return
			}
		}
	}
}

// parseHistogram reads String's form; damaged pairs are skipped.
func parseHistogram(s string) histogram {
	h := histogram{}
	h.addStored(s)
	return h
}

// addStored adds the counts of a histogram in String's form to h, in place: a dashboard adds
// some 50,000 stored histograms a year, and a map parsed apart for each, then merged, was a
// fifth of its time.
func (h histogram) addStored(s string) {
	for pair := range strings.SplitSeq(s, ",") {
		k, n, ok := strings.Cut(pair, ":")
		bk, err1 := strconv.Atoi(k)
		cn, err2 := strconv.Atoi(n)
		if ok && err1 == nil && err2 == nil && cn > 0 {
			h[bk] += cn
		}
	}
}

// percentile is the p-quantile of the bucketed values (type 7, as percentile does on raw
// values), rounded to a tenth of an hour; nil when empty.
func (h histogram) percentile(p float64) *float64 {
	n := 0
	for _, c := range h {
		n += c
	}
	if n == 0 {
		return nil
	}
	pos := p * float64(n-1)
	lo := int(math.Floor(pos))
	a, b := h.nth(lo), h.nth(min(lo+1, n-1))
	v := math.Round((a+(b-a)*(pos-float64(lo)))*10) / 10
	return &v
}

// nth is the i-th smallest value (0-based), in hours.
func (h histogram) nth(i int) float64 {
	for _, k := range slices.Sorted(mapKeys(h)) {
		if i < h[k] {
			return float64(k) / 10
		}
		i -= h[k]
	}
	return 0
}
