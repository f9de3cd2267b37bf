package share

import (
	"testing"
	"unicode/utf8"
)

// FuzzParse: any input gives a feed or an error — no panic — and what is read is normalised,
// marked and within bounds. Seeds: testdata/fuzz/FuzzParse, plus what Haven writes itself.
func FuzzParse(f *testing.F) {
	for _, write := range []func(Export) ([]byte, error){STIX, MISP} {
		data, err := write(sampleExport())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		feed, err := Parse(data)
		if err != nil {
			if len(err.Error()) > 200 {
				t.Errorf("error too long: %d bytes", len(err.Error()))
			}
			return
		}
		if feed.Format != "stix" && feed.Format != "misp" || feed.Skipped < 0 {
			t.Errorf("feed %q, %d skipped", feed.Format, feed.Skipped)
		}
		for _, in := range feed.Indicators {
			if !in.TLP.Valid() || in.Observable.Value == "" || !utf8.ValidString(in.Observable.Value) ||
				in.Confidence < 0 || in.Confidence > 100 {
				t.Errorf("imported %+v", in)
			}
			switch in.Verdict {
			case Malicious, Suspicious, Benign, NoVerdict:
			default:
				t.Errorf("verdict %q", in.Verdict)
			}
		}
	})
}
