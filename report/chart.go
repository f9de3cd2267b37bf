package report

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// Series is one named series of values, one value per label.
type Series struct {
	Name   string
	Values []float64
}

// Chart describes a chart to draw.
type Chart struct {
	Title       string   // shown as <title>, also the accessible name
	Description string   // <desc> for screen readers
	Labels      []string // category labels along the x axis
	Series      []Series
	Unit        string // appended to value labels, e.g. "h" or "%"; may be ""
	RTL         bool   // mirror horizontally for right-to-left languages
	Width       int    // 0 means 640
	Height      int    // 0 means 280
}

const (
	defaultWidth  = 640
	defaultHeight = 280
	axisMargin    = 52 // room for the value-axis labels
	sideMargin    = 12
	labelMargin   = 36 // room for the category labels under the plot
	legendRow     = 18
)

// Palette returns the colour-blind-safe Okabe–Ito palette the charts cycle through, as a fresh
// slice so that callers drawing their own legends cannot change the charts' colours.
func Palette() []string {
	return []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"}
}

// value is series s's value for label i, cleaned; a series shorter than the labels counts as 0.
func value(s Series, i int) float64 {
	if i >= len(s.Values) {
		return 0
	}
	return clean(s.Values[i])
}

// frame is the geometry shared by all chart kinds. Everything is laid out left to right and
// mirrored on output when the chart is RTL, so the drawing code has a single path.
type frame struct {
	w, h        float64
	left, right float64 // plot area, in left-to-right coordinates
	top, bottom float64
	ticks       []float64
	rtl         bool
	n           int // number of labels
}

func newFrame(c Chart, maxValue float64) frame {
	w, h := c.Width, c.Height
	if w <= 0 {
		w = defaultWidth
	}
	if h <= 0 {
		h = defaultHeight
	}
	f := frame{w: float64(w), h: float64(h), rtl: c.RTL, n: len(c.Labels), ticks: niceTicks(maxValue)}
	// Tiny sizes still yield a non-empty plot area, so no rect gets a negative size.
	f.left = math.Min(axisMargin, f.w/2)
	f.right = math.Max(f.w-sideMargin, f.left+1)
	_, rows := f.legendLayout(c.Series)
	f.top = sideMargin + float64(rows)*legendRow
	f.bottom = math.Max(f.h-labelMargin, f.top+1)
	return f
}

// x mirrors a left-to-right x coordinate when the chart is RTL.
func (f frame) x(x float64) float64 {
	if f.rtl {
		return f.w - x
	}
	return x
}

// rectX is the left edge, after mirroring, of a rect laid out from x with width w.
func (f frame) rectX(x, w float64) float64 {
	if f.rtl {
		return f.w - x - w
	}
	return x
}

// y maps a value to its vertical position; the axis runs from 0 to the last tick.
func (f frame) y(v float64) float64 {
	return f.bottom - v/f.ticks[len(f.ticks)-1]*(f.bottom-f.top)
}

// slot is the left edge and width of label i's band, in left-to-right coordinates.
func (f frame) slot(i int) (x0, width float64) {
	width = (f.right - f.left) / float64(max(f.n, 1))
	return f.left + float64(i)*width, width
}

// open writes the root element, the accessible title and description, the value axis, the
// category labels and the legend: everything but the data marks.
func (f frame) open(b *strings.Builder, c Chart) {
	id := chartID(c.Title, c.Description)
	dir := ""
	if f.rtl {
		dir = ` direction="rtl"`
	}
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 %s %s" aria-labelledby="%s-title" aria-describedby="%s-desc" class="chart" font-family="sans-serif" font-size="11" fill="#333"%s>`,
		coord(f.w), coord(f.h), id, id, dir)
	fmt.Fprintf(b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, esc(c.Title), id, esc(c.Description))
	f.axis(b, c.Unit)
	for i, label := range c.Labels {
		x0, w := f.slot(i)
		fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="middle">%s</text>`, coord(f.x(x0+w/2)), coord(f.bottom+16), esc(truncate(label)))
	}
	f.legend(b, c.Series)
}

// axis writes the gridlines with their value labels and the baseline.
//
// Anchors are logical: with direction="rtl" on the root, text-anchor="end" puts a label's end,
// its left edge, at x. Mirroring x therefore moves the labels to the right of the plot with the
// same anchor value, and numbers with units still read in the right order for RTL readers.
func (f frame) axis(b *strings.Builder, unit string) {
	decimals := tickDecimals(f.ticks)
	for _, t := range f.ticks {
		y := coord(f.y(t))
		fmt.Fprintf(b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#ddd" stroke-width="1"/>`, coord(f.x(f.left)), y, coord(f.x(f.right)), y)
		fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="end" dominant-baseline="middle">%s</text>`,
			coord(f.x(f.left-6)), y, esc(withUnit(trimDecimals(t, decimals), unit)))
	}
	y := coord(f.bottom)
	fmt.Fprintf(b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#666" stroke-width="1"/>`, coord(f.x(f.left)), y, coord(f.x(f.right)), y)
}

// legendLayout places one swatch per series, wrapping rows at the plot's width. A single series
// needs no legend: the title names it.
func (f frame) legendLayout(series []Series) (pos [][2]float64, rows int) {
	if len(series) < 2 {
		return nil, 0
	}
	x, rows := f.left, 1
	for _, s := range series {
		// A rough width estimate is enough: no font metrics are available on the server.
		w := 14 + 6.5*float64(utf8.RuneCountInString(truncate(s.Name))) + 16
		if x+w > f.right && x > f.left {
			x, rows = f.left, rows+1
		}
		pos = append(pos, [2]float64{x, sideMargin + float64(rows-1)*legendRow})
		x += w
	}
	return pos, rows
}

// legend writes a swatch and name per series; the name's anchor is logical, like the axis's.
func (f frame) legend(b *strings.Builder, series []Series) {
	pos, _ := f.legendLayout(series)
	palette := Palette()
	for i, p := range pos {
		fmt.Fprintf(b, `<rect x="%s" y="%s" width="10" height="10" fill="%s"/>`, coord(f.rectX(p[0], 10)), coord(p[1]-9), palette[i%len(palette)])
		fmt.Fprintf(b, `<text x="%s" y="%s">%s</text>`, coord(f.x(p[0]+14)), coord(p[1]), esc(truncate(series[i].Name)))
	}
}
