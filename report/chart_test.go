package report

import (
	"encoding/xml"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

// node is a generic XML element, enough to inspect the charts' structure.
type node struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []node     `xml:",any"`
	Text     string     `xml:",chardata"`
}

func (n node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n node) num(t *testing.T, name string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(n.attr(name), 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", n.XMLName.Local, name, n.attr(name), err)
	}
	return v
}

// title is the text of the element's <title> child, the hover text.
func (n node) title() string {
	for _, c := range n.Children {
		if c.XMLName.Local == "title" {
			return c.Text
		}
	}
	return ""
}

// all returns every descendant named name, in document order.
func (n node) all(name string) []node {
	var out []node
	for _, c := range n.Children {
		if c.XMLName.Local == name {
			out = append(out, c)
		}
		out = append(out, c.all(name)...)
	}
	return out
}

// parse checks that svg is one well-formed XML document and returns its root. Decoding token by
// token over the whole string catches trailing garbage that xml.Unmarshal would ignore.
func parse(t *testing.T, svg string) node {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := dec.Token()
		if err != nil {
			if err != io.EOF {
				t.Fatalf("invalid XML: %v\n%s", err, svg)
			}
			break
		}
	}
	var root node
	if err := xml.Unmarshal([]byte(svg), &root); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	return root
}

// mark returns the mark (rect or circle) whose hover title starts with prefix.
func mark(t *testing.T, root node, kind, prefix string) node {
	t.Helper()
	for _, n := range root.all(kind) {
		if strings.HasPrefix(n.title(), prefix) {
			return n
		}
	}
	t.Fatalf("no <%s> titled %q…", kind, prefix)
	return node{}
}

type drawFunc func(Chart) string

var kinds = []struct {
	name string
	draw drawFunc
	mark string
}{
	{"Bars", Bars, "rect"},
	{"StackedBars", StackedBars, "rect"},
	{"Lines", Lines, "circle"},
}

func TestChartsAreValidSVG(t *testing.T) {
	charts := []struct {
		name  string
		chart Chart
	}{
		{"typical", Chart{Title: "Escalations", Description: "Per platform", Labels: []string{"A", "B"},
			Series: []Series{{Name: "open", Values: []float64{3, 4}}, {Name: "closed", Values: []float64{1, 2}}}, Unit: "h"}},
		{"empty labels", Chart{Title: "Nothing yet"}},
		{"empty labels with series", Chart{Title: "t", Series: []Series{{Name: "a"}, {Name: "b"}}}},
		{"all zero", Chart{Title: "Zero", Labels: []string{"a", "b"}, Series: []Series{{Name: "s", Values: []float64{0, 0}}}}},
		{"bad values", Chart{Title: "Bad", Labels: []string{"a", "b", "c", "d"},
			Series: []Series{{Name: "s", Values: []float64{math.NaN(), -5, math.Inf(1), 2}}}}},
		{"short series", Chart{Title: "Short", Labels: []string{"a", "b", "c"}, Series: []Series{{Values: []float64{1}}}}},
		{"rtl arabic", Chart{Title: "تصعيدات", Labels: []string{"فيسبوك", "إنستغرام"}, RTL: true,
			Series: []Series{{Name: "مفتوحة", Values: []float64{5, 7}}, {Name: "مغلقة", Values: []float64{1, 2}}}}},
		{"control characters", Chart{Title: "a\x01b", Labels: []string{"x\x00y"}, Series: []Series{{Name: "\x1b", Values: []float64{1}}}}},
		{"tiny", Chart{Title: "tiny", Width: 10, Height: 10, Labels: []string{"a"}, Series: []Series{{Values: []float64{1}}}}},
	}
	for _, k := range kinds {
		for _, tc := range charts {
			t.Run(k.name+"/"+tc.name, func(t *testing.T) {
				svg := k.draw(tc.chart)
				root := parse(t, svg)
				if root.XMLName.Local != "svg" || root.XMLName.Space != "http://www.w3.org/2000/svg" {
					t.Fatalf("root is %v, want svg in the SVG namespace", root.XMLName)
				}
				for attr, want := range map[string]string{"role": "img", "class": "chart"} {
					if got := root.attr(attr); got != want {
						t.Errorf("%s = %q, want %q", attr, got, want)
					}
				}
				if len(root.Children) < 2 || root.Children[0].XMLName.Local != "title" || root.Children[1].XMLName.Local != "desc" {
					t.Fatalf("first children are not <title>, <desc>")
				}
				title, desc := root.Children[0], root.Children[1]
				if !strings.HasPrefix(title.attr("id"), "chart-") || root.attr("aria-labelledby") != title.attr("id") {
					t.Errorf("title id %q, aria-labelledby %q", title.attr("id"), root.attr("aria-labelledby"))
				}
				if root.attr("aria-describedby") != desc.attr("id") || desc.attr("id") == title.attr("id") {
					t.Errorf("desc id %q, aria-describedby %q", desc.attr("id"), root.attr("aria-describedby"))
				}
				if !strings.Contains(tc.chart.Title, "\x01") && title.Text != tc.chart.Title {
					t.Errorf("title = %q, want %q", title.Text, tc.chart.Title)
				}
				if desc.Text != tc.chart.Description {
					t.Errorf("desc = %q, want %q", desc.Text, tc.chart.Description)
				}
				for _, r := range root.all("rect") {
					if r.num(t, "height") < 0 || r.num(t, "width") < 0 {
						t.Errorf("rect with negative size: %v", r.Attrs)
					}
				}
			})
		}
	}
}

func TestEscaping(t *testing.T) {
	const evil = `<script>alert("x")</script>`
	c := Chart{
		Title:       "T " + evil,
		Description: "D & " + evil,
		Labels:      []string{evil, "Q&A"},
		Series:      []Series{{Name: "s<1>", Values: []float64{1, 2}}, {Name: "Tom & Jerry", Values: []float64{3, 4}}},
		Unit:        "<u>",
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			svg := k.draw(c)
			if strings.Contains(svg, "<script") || strings.Contains(svg, "<u>") || strings.Contains(svg, "Q&A") {
				t.Fatalf("unescaped text in output:\n%s", svg)
			}
			root := parse(t, svg)
			if got := root.Children[0].Text; got != c.Title {
				t.Errorf("title = %q, want %q", got, c.Title)
			}
			// The hover text decodes back to the caller's strings, so escaping lost nothing.
			want := evil + " — s<1>: 1<u>" // a symbol unit is appended without a space
			if got := mark(t, root, k.mark, evil).title(); got != want {
				t.Errorf("hover = %q, want %q", got, want)
			}
			mark(t, root, k.mark, "Q&A — Tom & Jerry: 4")
		})
	}
}

// axisExtent is the y of the value axis's 0 and of its top tick, read from the gridlines.
func axisExtent(t *testing.T, root node) (bottom, top float64) {
	t.Helper()
	bottom, top = math.Inf(-1), math.Inf(1)
	for _, l := range root.all("line") {
		if l.attr("stroke") == "#ddd" {
			bottom, top = max(bottom, l.num(t, "y1")), min(top, l.num(t, "y1"))
		}
	}
	return bottom, top
}

func TestBarHeightsProportional(t *testing.T) {
	tests := []struct {
		a, b  float64
		ratio float64
	}{
		{10, 20, 2},
		{1, 3, 3},
		{7, 7, 1},
		{2.5, 97, 38.8},
	}
	for _, tc := range tests {
		for _, draw := range []drawFunc{Bars, StackedBars} {
			root := parse(t, draw(Chart{Title: "p", Labels: []string{"a", "b"}, Series: []Series{{Values: []float64{tc.a, tc.b}}}}))
			ha, hb := mark(t, root, "rect", "a:").num(t, "height"), mark(t, root, "rect", "b:").num(t, "height")
			if got := hb / ha; math.Abs(got-tc.ratio) > 0.01*tc.ratio {
				t.Errorf("%v vs %v: height ratio %.4f, want %v", tc.a, tc.b, got, tc.ratio)
			}
		}
	}
}

func TestZeroBased(t *testing.T) {
	for _, draw := range []drawFunc{Bars, StackedBars} {
		root := parse(t, draw(Chart{Title: "z", Labels: []string{"small", "big"}, Series: []Series{{Values: []float64{95, 100}}}}))
		bottom, top := axisExtent(t, root)
		small := mark(t, root, "rect", "small:")
		// A non-zero-based axis would start near 95 and make this bar tiny.
		if h := small.num(t, "height"); h < 0.9*(bottom-top) {
			t.Errorf("bar for 95 of 100 is %.1f of %.1f px: axis is not zero-based", h, bottom-top)
		}
		if y := small.num(t, "y") + small.num(t, "height"); math.Abs(y-bottom) > 0.01 {
			t.Errorf("bar ends at %v, axis 0 is at %v", y, bottom)
		}
		// The lowest tick label reads 0.
		texts := root.all("text")
		var zero bool
		for _, tx := range texts {
			zero = zero || tx.Text == "0"
		}
		if !zero {
			t.Error("no 0 tick label")
		}
		tiny := parse(t, draw(Chart{Title: "z", Labels: []string{"a", "b"}, Series: []Series{{Values: []float64{0.5, 1000}}}}))
		if h := mark(t, tiny, "rect", "a:").num(t, "height"); h <= 0 {
			t.Errorf("smallest positive value has height %v", h)
		}
	}
}

func TestNegativeAndNaNDrawAsZero(t *testing.T) {
	root := parse(t, Bars(Chart{Title: "n", Labels: []string{"neg", "nan", "ok"}, Series: []Series{{Values: []float64{-3, math.NaN(), 4}}}}))
	for _, label := range []string{"neg:", "nan:"} {
		if h := mark(t, root, "rect", label).num(t, "height"); h != 0 {
			t.Errorf("%s bar height %v, want 0", label, h)
		}
	}
}

func TestRTLMirrors(t *testing.T) {
	for _, k := range kinds {
		for _, rtl := range []bool{false, true} {
			c := Chart{Title: "r", RTL: rtl, Labels: []string{"first", "mid", "last"},
				Series: []Series{{Name: "s", Values: []float64{1, 2, 3}}, {Name: "t", Values: []float64{3, 2, 1}}}}
			svg := k.draw(c)
			root := parse(t, svg)
			xattr := "x"
			if k.mark == "circle" {
				xattr = "cx"
			}
			first := mark(t, root, k.mark, "first — s").num(t, xattr)
			last := mark(t, root, k.mark, "last — s").num(t, xattr)
			if rtl != (first > last) {
				t.Errorf("%s rtl=%v: first label at x=%v, last at x=%v", k.name, rtl, first, last)
			}
			if got := root.attr("direction"); (got == "rtl") != rtl {
				t.Errorf("%s rtl=%v: direction=%q", k.name, rtl, got)
			}
			// The value axis labels sit on the axis side: left of the plot for LTR, right for RTL.
			var zeroX float64
			for _, tx := range root.all("text") {
				if tx.Text == "0" {
					zeroX = tx.num(t, "x")
				}
			}
			onAxisSide := zeroX < min(first, last)
			if rtl {
				onAxisSide = zeroX > max(first, last)
			}
			if !onAxisSide {
				t.Errorf("%s rtl=%v: value labels at x=%v, marks at %v…%v", k.name, rtl, zeroX, first, last)
			}
		}
	}
}

func TestRTLKeepsTextAsIs(t *testing.T) {
	svg := Bars(Chart{Title: "ت", RTL: true, Labels: []string{"فيسبوك"}, Series: []Series{{Values: []float64{1}}}})
	if !strings.Contains(svg, ">فيسبوك</text>") {
		t.Errorf("Arabic label not written as-is:\n%s", svg)
	}
}

func TestStackedTotalIsSum(t *testing.T) {
	c := Chart{Title: "s", Labels: []string{"x", "y"}, Series: []Series{
		{Name: "a", Values: []float64{10, 30}}, {Name: "b", Values: []float64{20, 5}}, {Name: "c", Values: []float64{5, 5}},
	}}
	root := parse(t, StackedBars(c))
	bottom, top := axisExtent(t, root)
	scale := (bottom - top) / 40 // totals are 35 and 40, so the axis tops out at 40
	for _, label := range c.Labels {
		sum, total := 0.0, 0.0
		prevTop := bottom
		for i, s := range c.Series {
			r := mark(t, root, "rect", label+" — "+s.Name)
			sum += r.num(t, "height")
			total += s.Values[slicesIndex(c.Labels, label)]
			// Each segment starts where the one below it ended.
			if end := r.num(t, "y") + r.num(t, "height"); math.Abs(end-prevTop) > 0.011 {
				t.Errorf("%s segment %d ends at %v, previous top %v", label, i, end, prevTop)
			}
			prevTop = r.num(t, "y")
		}
		if math.Abs(sum-total*scale) > 0.05 {
			t.Errorf("%s: stacked height %v, want %v (total %v)", label, sum, total*scale, total)
		}
	}
}

func slicesIndex(s []string, v string) int {
	for i := range s {
		if s[i] == v {
			return i
		}
	}
	return -1
}

func TestLinesOnePolylinePerSeries(t *testing.T) {
	for n := 1; n <= 9; n += 4 {
		var series []Series
		for i := range n {
			series = append(series, Series{Name: "s" + strconv.Itoa(i), Values: []float64{1, float64(i), 3}})
		}
		root := parse(t, Lines(Chart{Title: "l", Labels: []string{"a", "b", "c"}, Series: series}))
		polys := root.all("polyline")
		if len(polys) != n {
			t.Fatalf("%d series: %d polylines", n, len(polys))
		}
		for i, p := range polys {
			if got := len(strings.Fields(p.attr("points"))); got != 3 {
				t.Errorf("polyline %d has %d points, want 3", i, got)
			}
			if want := Palette()[i%8]; p.attr("stroke") != want {
				t.Errorf("polyline %d stroke %s, want %s", i, p.attr("stroke"), want)
			}
		}
		if got := len(root.all("circle")); got != 3*n {
			t.Errorf("%d markers, want %d", got, 3*n)
		}
	}
}

func TestLegendOnlyForSeveralSeries(t *testing.T) {
	for _, n := range []int{1, 2, 8} {
		var series []Series
		for i := range n {
			series = append(series, Series{Name: "series number " + strconv.Itoa(i), Values: []float64{1}})
		}
		root := parse(t, Bars(Chart{Title: "g", Labels: []string{"a"}, Series: series}))
		swatches := 0
		for _, r := range root.all("rect") {
			if r.attr("class") != "bar" {
				swatches++
			}
		}
		want := n
		if n == 1 {
			want = 0
		}
		if swatches != want {
			t.Errorf("%d series: %d legend swatches, want %d", n, swatches, want)
		}
	}
}

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		max  float64
		want []float64
	}{
		{0, []float64{0, 1, 2, 3, 4}},
		{math.NaN(), []float64{0, 1, 2, 3, 4}},
		{-3, []float64{0, 1, 2, 3, 4}},
		{1, []float64{0, 0.25, 0.5, 0.75, 1}},
		{4, []float64{0, 1, 2, 3, 4}},
		{7, []float64{0, 2, 4, 6, 8}},
		{10, []float64{0, 2.5, 5, 7.5, 10}},
		{13, []float64{0, 5, 10, 15}},
		{97, []float64{0, 25, 50, 75, 100}},
		{100, []float64{0, 25, 50, 75, 100}},
		{101, []float64{0, 50, 100, 150}},
		{0.3, []float64{0, 0.1, 0.2, 0.3}},
		{1234, []float64{0, 500, 1000, 1500}},
	}
	for _, tc := range tests {
		got := niceTicks(tc.max)
		if len(got) != len(tc.want) {
			t.Errorf("niceTicks(%v) = %v, want %v", tc.max, got, tc.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-tc.want[i]) > 1e-9 {
				t.Errorf("niceTicks(%v) = %v, want %v", tc.max, got, tc.want)
				break
			}
		}
	}
	// Property: 4–5 ticks from 0, a nice step, covering the data.
	for v := 0.01; v < 1e6; v *= 1.37 {
		ticks := niceTicks(v)
		step := ticks[1]
		mant := step / math.Pow(10, math.Floor(math.Log10(step)+1e-9))
		nice := false
		for _, m := range []float64{1, 2, 2.5, 5} {
			nice = nice || math.Abs(mant-m) < 1e-6
		}
		if len(ticks) < 4 || len(ticks) > 5 || ticks[0] != 0 || ticks[len(ticks)-1] < v || !nice {
			t.Errorf("niceTicks(%v) = %v", v, ticks)
		}
	}
}

func TestFormatting(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{formatNum(12), "12"},
		{formatNum(12.34), "12.3"},
		{formatNum(12.96), "13"},
		{formatNum(0.04), "0"},
		{formatNum(1e6), "1000000"},
		{withUnit("3", "h"), "3 h"},
		{withUnit("40", "%"), "40%"},
		{withUnit("40", ""), "40"},
		{trimDecimals(0.25, tickDecimals([]float64{0, 0.25})), "0.25"},
		{trimDecimals(7.5, tickDecimals([]float64{0, 2.5})), "7.5"},
		{trimDecimals(0.30000000000000004, tickDecimals([]float64{0, 0.1})), "0.3"},
		{truncate("short"), "short"},
		{truncate("exactly 14 run"), "exactly 14 run"},
		{truncate("Facebook Marketplace"), "Facebook Mark…"},
		{truncate("منصة التواصل الاجتماعي"), "منصة التواصل…"},
		{tip("a", "", 2, "h"), "a: 2 h"},
		{tip("a", "open", 2.25, "%"), "a — open: 2.2%"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestLongLabelsTruncatedButFullInHover(t *testing.T) {
	long := "A very long platform name indeed"
	root := parse(t, Bars(Chart{Title: "t", Labels: []string{long}, Series: []Series{{Values: []float64{1}}}}))
	mark(t, root, "rect", long+":")
	for _, tx := range root.all("text") {
		if strings.Contains(tx.Text, long) {
			t.Errorf("label drawn in full: %q", tx.Text)
		}
	}
}

func TestPalette(t *testing.T) {
	p := Palette()
	want := []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"}
	if strings.Join(p, " ") != strings.Join(want, " ") {
		t.Fatalf("Palette() = %v", p)
	}
	p[0] = "#ff0000"
	if Palette()[0] != "#0072B2" {
		t.Error("Palette returns shared state")
	}
	// Colours cycle past the eighth series.
	var series []Series
	for range 9 {
		series = append(series, Series{Values: []float64{1}})
	}
	bars := parse(t, Bars(Chart{Title: "c", Labels: []string{"a"}, Series: series})).all("rect")
	var fills []string
	for _, r := range bars {
		if r.attr("class") == "bar" {
			fills = append(fills, r.attr("fill"))
		}
	}
	if len(fills) != 9 || fills[8] != fills[0] {
		t.Errorf("bar fills %v do not cycle the palette", fills)
	}
}

func TestIDsDifferPerChart(t *testing.T) {
	a := parse(t, Bars(Chart{Title: "A", Description: "x"})).attr("aria-labelledby")
	b := parse(t, Bars(Chart{Title: "B", Description: "x"})).attr("aria-labelledby")
	c := parse(t, Bars(Chart{Title: "A", Description: "y"})).attr("aria-labelledby")
	if a == b || a == c || b == c {
		t.Errorf("ids not distinct: %q %q %q", a, b, c)
	}
	if again := parse(t, Bars(Chart{Title: "A", Description: "x"})).attr("aria-labelledby"); again != a {
		t.Errorf("ids not stable: %q then %q", a, again)
	}
}

func TestNoScriptsOrExternalResources(t *testing.T) {
	svg := Lines(Chart{Title: "x", Labels: []string{"a"}, Series: []Series{{Values: []float64{1}}}})
	for _, bad := range []string{"<script", "<style", "href", "http://", "https://", "@keyframes", "<animate", "<foreignObject"} {
		s := strings.ReplaceAll(svg, `xmlns="http://www.w3.org/2000/svg"`, "")
		if strings.Contains(s, bad) {
			t.Errorf("output contains %q", bad)
		}
	}
}
