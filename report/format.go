package report

import (
	"encoding/xml"
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxLabelRunes is where axis and legend labels are cut; the full text stays in the hover <title>.
const maxLabelRunes = 14

// esc XML-escapes s for use in text or a double-quoted attribute. xml.EscapeText is used rather
// than html.EscapeString because it also replaces characters XML forbids (e.g. control bytes in a
// label), which would otherwise make the whole chart unparseable.
func esc(s string) string {
	var b strings.Builder
	// Writing to a strings.Builder cannot fail.
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// truncate shortens s to maxLabelRunes runes, marking the cut with an ellipsis.
func truncate(s string) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= maxLabelRunes {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:maxLabelRunes-1])) + "…"
}

// clean maps values a zero-based chart cannot show (NaN, ±Inf, negatives) to 0, so one bad data
// point neither breaks the scale nor draws a bar below the axis.
func clean(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0
	}
	return v
}

// formatNum writes v compactly: integers without decimals, anything else with one decimal.
func formatNum(v float64) string {
	return trimDecimals(v, 1)
}

// trimDecimals formats v with at most prec decimals and drops trailing zeros.
func trimDecimals(v float64, prec int) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		return "0"
	}
	return s
}

// withUnit appends unit to a formatted number: "12 h" for word-like units, but "40%" for
// symbols, which is how both are usually written.
func withUnit(num, unit string) string {
	if unit == "" {
		return num
	}
	if r, _ := utf8.DecodeRuneInString(unit); unicode.IsLetter(r) {
		return num + " " + unit
	}
	return num + unit
}

// tip is the hover text of one data point: "label — series: value unit".
func tip(label, series string, v float64, unit string) string {
	value := withUnit(formatNum(v), unit)
	if series == "" {
		return label + ": " + value
	}
	return label + " — " + series + ": " + value
}

// coord formats an SVG coordinate; two decimals are plenty and keep the markup short.
func coord(v float64) string {
	return trimDecimals(round2(v), 2)
}

// round2 rounds to the two decimals coord writes.
func round2(v float64) float64 {
	return math.Round(v*100) / 100
}

// chartID derives a stable id from the title and description, so the aria references are
// deterministic (cacheable, testable) while different charts on one page get different ids.
func chartID(title, desc string) string {
	h := fnv.New32a()
	// Writing to a hash cannot fail.
	_, _ = h.Write([]byte(title + "\x00" + desc))
	return "chart-" + strconv.FormatUint(uint64(h.Sum32()), 16)
}

// niceTicks returns the value-axis ticks for data whose largest value is top: 0 and then 3 or 4
// equal steps of 1, 2, 2.5 or 5 × 10^n, the last tick at or above top. Empty and all-zero data
// get 0…4 so the chart still has a readable axis.
func niceTicks(top float64) []float64 {
	if !(top > 0) || math.IsInf(top, 0) {
		top = 4
	}
	mag := math.Pow(10, math.Floor(math.Log10(top/4)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		step := m * mag
		// The epsilon stops float noise (0.3/0.1 = 2.9999…) from adding a spurious step.
		n := math.Ceil(top/step - 1e-9)
		if n > 4 {
			continue
		}
		ticks := make([]float64, int(n)+1)
		for i := range ticks {
			ticks[i] = float64(i) * step
		}
		return ticks
	}
	return []float64{0, top} // unreachable: a step of 10·mag always fits in 4
}

// tickDecimals is how many decimals the tick labels need so that a step such as 0.25 is not
// rounded into a misleading 0.3.
func tickDecimals(ticks []float64) int {
	if len(ticks) < 2 {
		return 0
	}
	step := ticks[1]
	for d := 0; d < 6; d++ {
		scaled := step * math.Pow10(d)
		if math.Abs(scaled-math.Round(scaled)) < 1e-6 {
			return d
		}
	}
	return 6
}
