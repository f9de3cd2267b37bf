package share

import (
	"slices"
	"testing"

	"github.com/haven-helpline/haven/indicator"
)

// TestRoundTrip: what Haven writes, Haven reads back — the same observables, verdicts, TLPs and
// technique ids — through STIX and through MISP.
func TestRoundTrip(t *testing.T) {
	e := sampleExport()
	writers := []struct {
		format string
		write  func(Export) ([]byte, error)
		// lost says which indicators a format cannot carry: STIX has no phone numbers.
		lost func(Indicator) bool
		// feedTechniques are the ids named by the export as a whole, not by one indicator.
		feedTechniques []string
	}{
		{"stix", STIX, func(in Indicator) bool { return in.Observable.Type == indicator.Phone }, []string{"T1660"}},
		{"misp", MISP, func(Indicator) bool { return false }, []string{"T1660", "T1566.002"}},
	}
	for _, w := range writers {
		t.Run(w.format, func(t *testing.T) {
			data, err := w.write(e)
			if err != nil {
				t.Fatal(err)
			}
			feed, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if feed.Format != w.format || feed.Skipped != 0 {
				t.Errorf("format %q, %d skipped", feed.Format, feed.Skipped)
			}
			if !slices.Equal(feed.Techniques, w.feedTechniques) {
				t.Errorf("feed techniques %v, want %v", feed.Techniques, w.feedTechniques)
			}
			want := 0
			for _, in := range e.Indicators {
				if in.TLP.Rank() > e.TLPMax.Rank() || w.lost(in) {
					continue
				}
				want++
				checkImported(t, feed, in)
			}
			if len(feed.Indicators) != want {
				t.Errorf("%d indicators read back, want %d", len(feed.Indicators), want)
			}
		})
	}
}

func checkImported(t *testing.T, feed Feed, in Indicator) {
	t.Helper()
	i := slices.IndexFunc(feed.Indicators, func(im Imported) bool {
		return im.Observable.Type == in.Observable.Type && im.Observable.Value == in.Observable.Value
	})
	if i < 0 {
		t.Errorf("%s (%s %s) not read back", in.Key, in.Observable.Type, in.Observable.Value)
		return
	}
	got := feed.Indicators[i]
	techniques := slices.Clone(got.Techniques)
	slices.Sort(techniques)
	wantTechniques := slices.Clone(in.Techniques)
	slices.Sort(wantTechniques)
	if got.Verdict != in.Verdict || got.TLP != in.TLP || !slices.Equal(techniques, wantTechniques) {
		t.Errorf("%s read back as verdict %q, TLP %q, techniques %v; want %q, %q, %v",
			in.Key, got.Verdict, got.TLP, got.Techniques, in.Verdict, in.TLP, in.Techniques)
	}
	if feed.Format == "stix" && in.Verdict != NoVerdict {
		if got.Confidence != in.Confidence || !got.ValidFrom.Equal(orDefault(in.FirstSeen, sampleExport().Created)) || got.Description != in.Comment {
			t.Errorf("%s: confidence %d, valid from %v, description %q", in.Key, got.Confidence, got.ValidFrom, got.Description)
		}
	}
}

// TestStableIDs: exporting the same data twice gives the same bytes; another helpline gets other ids.
func TestStableIDs(t *testing.T) {
	for _, write := range []func(Export) ([]byte, error){STIX, MISP} {
		a, err := write(sampleExport())
		if err != nil {
			t.Fatal(err)
		}
		b, _ := write(sampleExport())
		if string(a) != string(b) {
			t.Error("two exports of the same data differ")
		}
		other := sampleExport()
		other.Identity.Name = "Another Helpline"
		c, _ := write(other)
		if string(c) == string(a) {
			t.Error("two helplines' exports share ids")
		}
	}
}
