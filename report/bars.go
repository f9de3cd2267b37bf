package report

import (
	"fmt"
	"strings"
)

// Bars draws grouped bars (one bar per series per label) on a zero-based value axis.
func Bars(c Chart) string {
	top := 0.0
	for _, s := range c.Series {
		for i := range c.Labels {
			top = max(top, value(s, i))
		}
	}
	f := newFrame(c, top)
	var b strings.Builder
	f.open(&b, c)
	palette := Palette()
	groups := float64(max(len(c.Series), 1))
	for i, label := range c.Labels {
		x0, w := f.slot(i)
		// 80% of the band for the group leaves a visible gap between labels.
		bw := w * 0.8 / groups
		for s, series := range c.Series {
			v := value(series, i)
			f.bar(&b, x0+w*0.1+float64(s)*bw, bw, 0, v, palette[s%len(palette)], tip(label, series.Name, v, c.Unit))
		}
	}
	b.WriteString("</svg>")
	return b.String()
}

// StackedBars draws one bar per label with the series stacked in order from the axis up, on a
// zero-based value axis scaled to the largest total.
func StackedBars(c Chart) string {
	top := 0.0
	for i := range c.Labels {
		sum := 0.0
		for _, s := range c.Series {
			sum += value(s, i)
		}
		top = max(top, sum)
	}
	f := newFrame(c, top)
	var b strings.Builder
	f.open(&b, c)
	palette := Palette()
	for i, label := range c.Labels {
		x0, w := f.slot(i)
		base := 0.0
		for s, series := range c.Series {
			v := value(series, i)
			f.bar(&b, x0+w*0.2, w*0.6, base, v, palette[s%len(palette)], tip(label, series.Name, v, c.Unit))
			base += v
		}
	}
	b.WriteString("</svg>")
	return b.String()
}

// bar writes one rect from base to base+v, laid out at x (left to right) with width w. Both edges
// are rounded before the height is taken, so stacked segments meet without gaps or overlaps.
func (f frame) bar(b *strings.Builder, x, w, base, v float64, fill, title string) {
	y0, y1 := round2(f.y(base)), round2(f.y(base+v))
	fmt.Fprintf(b, `<rect class="bar" x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>`,
		coord(f.rectX(x, w)), coord(y1), coord(w), coord(y0-y1), fill, esc(title))
}
