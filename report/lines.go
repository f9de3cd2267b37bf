package report

import (
	"fmt"
	"strings"
)

// Lines draws one polyline per series, with a marker per point, on a zero-based value axis.
// A series shorter than the labels simply stops early rather than dropping to zero.
func Lines(c Chart) string {
	top := 0.0
	for _, s := range c.Series {
		for i := range min(len(s.Values), len(c.Labels)) {
			top = max(top, value(s, i))
		}
	}
	f := newFrame(c, top)
	var b strings.Builder
	f.open(&b, c)
	palette := Palette()
	for s, series := range c.Series {
		colour := palette[s%len(palette)]
		n := min(len(series.Values), len(c.Labels))
		points := make([]string, n)
		var markers strings.Builder
		for i := range n {
			x0, w := f.slot(i)
			x, y := coord(f.x(x0+w/2)), coord(f.y(value(series, i)))
			points[i] = x + "," + y
			fmt.Fprintf(&markers, `<circle cx="%s" cy="%s" r="3.5" fill="%s"><title>%s</title></circle>`,
				x, y, colour, esc(tip(c.Labels[i], series.Name, value(series, i), c.Unit)))
		}
		// Markers go after the line so they stay on top and remain hoverable.
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round"/>`,
			strings.Join(points, " "), colour)
		b.WriteString(markers.String())
	}
	b.WriteString("</svg>")
	return b.String()
}
