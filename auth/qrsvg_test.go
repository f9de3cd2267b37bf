package auth

import (
	"encoding/xml"
	"errors"
	"fmt"
	"image/color"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/boombuler/barcode/qr"
)

type svgDoc struct {
	ViewBox string `xml:"viewBox,attr"`
	Role    string `xml:"role,attr"`
	Shape   string `xml:"shape-rendering,attr"`
	Title   string `xml:"title"`
	Rects   []struct {
		Fill string `xml:"fill,attr"`
	} `xml:"rect"`
	Paths []struct {
		Fill string `xml:"fill,attr"`
		D    string `xml:"d,attr"`
	} `xml:"path"`
}

// parseSVG checks that s is one well-formed XML element and decodes it.
func parseSVG(t *testing.T, s string) svgDoc {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(s))
	depth, roots := 0, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if tok.Name != (xml.Name{Space: "http://www.w3.org/2000/svg", Local: "svg"}) {
					t.Fatalf("root element %v, want svg in the SVG namespace", tok.Name)
				}
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	if roots != 1 {
		t.Fatalf("%d root elements, want 1", roots)
	}
	var doc svgDoc
	if err := xml.Unmarshal([]byte(s), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Role != "img" || doc.Shape != "crispEdges" || doc.Title == "" {
		t.Errorf("role=%q shape-rendering=%q title=%q; want img, crispEdges, a title", doc.Role, doc.Shape, doc.Title)
	}
	if len(doc.Paths) != 1 || doc.Paths[0].Fill != "#000" {
		t.Fatalf("want exactly one black path, got %+v", doc.Paths)
	}
	if len(doc.Rects) != 1 || doc.Rects[0].Fill != "#fff" {
		t.Fatalf("want one white background rect, got %+v", doc.Rects)
	}
	return doc
}

var runRE = regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`)

// decodeGrid reads the path data back into a full×full module grid
// (quiet zone included), failing on anything but whole one-row runs.
func decodeGrid(t *testing.T, doc svgDoc) [][]bool {
	t.Helper()
	var full, h int
	if _, err := fmt.Sscanf(doc.ViewBox, "0 0 %d %d", &full, &h); err != nil || full != h {
		t.Fatalf("viewBox %q: want a square 0 0 N N", doc.ViewBox)
	}
	grid := make([][]bool, full)
	for y := range grid {
		grid[y] = make([]bool, full)
	}
	d := doc.Paths[0].D
	if leftover := runRE.ReplaceAllString(d, ""); leftover != "" {
		t.Fatalf("path data has unexpected commands %q", leftover)
	}
	for _, m := range runRE.FindAllStringSubmatch(d, -1) {
		var x, y, n, back int
		fmt.Sscan(m[1], &x)
		fmt.Sscan(m[2], &y)
		fmt.Sscan(m[3], &n)
		fmt.Sscan(m[4], &back)
		if n == 0 || n != back || x+n > full || y >= full {
			t.Fatalf("bad run %q in a %d-module image", m[0], full)
		}
		for i := x; i < x+n; i++ {
			if grid[y][i] {
				t.Fatalf("run %q overlaps another", m[0])
			}
			grid[y][i] = true
		}
	}
	return grid
}

func TestRenderQRSVGKnownMatrix(t *testing.T) {
	matrix := []string{
		"#.#",
		"###",
		"..#",
	}
	dark := func(x, y int) bool { return matrix[y][x] == '#' }
	svg := renderQRSVG(3, dark)
	doc := parseSVG(t, svg)
	if doc.ViewBox != "0 0 11 11" {
		t.Errorf("viewBox %q, want 0 0 11 11 (3 modules + 2×4 quiet zone)", doc.ViewBox)
	}
	// Row runs, offset by the quiet zone; the middle row is one merged rect.
	const wantD = "M4 4h1v1h-1zM6 4h1v1h-1zM4 5h3v1h-3zM6 6h1v1h-1z"
	if d := doc.Paths[0].D; d != wantD {
		t.Errorf("path d = %q, want %q", d, wantD)
	}
	checkGrid(t, decodeGrid(t, doc), 3, dark)
}

// checkGrid compares a decoded grid with the matrix it should show,
// including the blank quiet zone around it.
func checkGrid(t *testing.T, grid [][]bool, size int, dark func(x, y int) bool) {
	t.Helper()
	if len(grid) != size+2*qrQuietZone {
		t.Fatalf("grid is %d modules, want %d", len(grid), size+2*qrQuietZone)
	}
	for y, row := range grid {
		for x, got := range row {
			mx, my := x-qrQuietZone, y-qrQuietZone
			want := mx >= 0 && my >= 0 && mx < size && my < size && dark(mx, my)
			if got != want {
				t.Fatalf("module (%d,%d) dark = %v, want %v", x, y, got, want)
			}
		}
	}
}

func TestQRCodeSVGMatchesBarcode(t *testing.T) {
	text := "otpauth://totp/Haven:alice?algorithm=SHA1&digits=6&issuer=Haven&period=30&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	svg, err := QRCodeSVG(text)
	if err != nil {
		t.Fatal(err)
	}
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		t.Fatal(err)
	}
	size := code.Bounds().Dx()
	// qr.Encode draws with barcode.ColorScheme16, whose foreground is color.Black.
	dark := func(x, y int) bool { return code.At(x, y) == color.Black }
	grid := decodeGrid(t, parseSVG(t, svg))
	checkGrid(t, grid, size, dark)
	// The top-left finder pattern starts with a run of 7 dark modules right
	// after the quiet zone: the image is neither transposed nor shifted.
	for x := qrQuietZone; x < qrQuietZone+7; x++ {
		if !grid[qrQuietZone][x] || !grid[qrQuietZone+6][x] || !grid[x][qrQuietZone] {
			t.Fatalf("finder pattern border missing at %d", x)
		}
	}
	if len(svg) > 16<<10 {
		t.Errorf("SVG for an otpauth URL is %d bytes; runs are not being merged", len(svg))
	}
}

func TestQRCodeSVGSizeGrows(t *testing.T) {
	size := func(text string) int {
		svg, err := QRCodeSVG(text)
		if err != nil {
			t.Fatal(err)
		}
		return len(decodeGrid(t, parseSVG(t, svg)))
	}
	small, large := size("x"), size(strings.Repeat("otpauth://totp/", 20))
	if small != 21+2*qrQuietZone {
		t.Errorf("one-character code is %d modules, want version 1 (21) + quiet zone", small)
	}
	if large <= small {
		t.Errorf("long text gives %d modules, short text %d; want larger", large, small)
	}
}

func TestQRCodeSVGDoesNotEmbedText(t *testing.T) {
	text := `"/><script>alert(1)</script><x a='&`
	svg, err := QRCodeSVG(text)
	if err != nil {
		t.Fatal(err)
	}
	parseSVG(t, svg)
	if strings.Contains(svg, "script") || strings.Contains(svg, "alert") {
		t.Error("input text leaked into the SVG markup")
	}
}

func TestQRCodeSVGTooLong(t *testing.T) {
	if _, err := QRCodeSVG(strings.Repeat("x", 5000)); err == nil {
		t.Error("5000 bytes encoded into a QR code; want an error (capacity is under 3 KB)")
	}
}
