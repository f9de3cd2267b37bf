package auth

import (
	"fmt"
	"image/color"
	"strings"

	"github.com/boombuler/barcode/qr"
)

// qrQuietZone is the blank margin, in modules, that the QR standard
// requires around a code; scanners fail on codes drawn edge to edge.
const qrQuietZone = 4

// QRCodeSVG encodes text as a QR code (error correction level M) and
// returns it as a self-contained SVG document, black on white, to inline
// in a page. text only ever becomes modules of the matrix, never markup,
// so it needs no escaping and cannot inject anything. The title is a fixed
// English "QR code"; a page that needs a translated name can label the
// surrounding element.
func QRCodeSVG(text string) (string, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return "", fmt.Errorf("auth: encoding QR code: %w", err)
	}
	b := code.Bounds()
	dark := func(x, y int) bool {
		return color.GrayModel.Convert(code.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y < 128
	}
	return renderQRSVG(b.Dx(), dark), nil
}

// renderQRSVG draws a size×size module matrix as one path. Each
// horizontal run of dark modules becomes one rectangle in the path data,
// which keeps a typical otpauth code to a few kilobytes. crispEdges stops
// anti-aliasing from leaving hairline gaps between neighbouring runs. The
// white rectangle keeps the code scannable on a dark-themed page.
func renderQRSVG(size int, dark func(x, y int) bool) string {
	var d strings.Builder
	for y := range size {
		for x := 0; x < size; {
			if !dark(x, y) {
				x++
				continue
			}
			start := x
			for x < size && dark(x, y) {
				x++
			}
			n := x - start
			fmt.Fprintf(&d, "M%d %dh%dv1h-%dz", start+qrQuietZone, y+qrQuietZone, n, n)
		}
	}
	full := size + 2*qrQuietZone
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" shape-rendering="crispEdges">`+
		`<title>QR code</title><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="%s"/></svg>`,
		full, full, full, full, d.String())
}
