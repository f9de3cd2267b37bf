package web

import (
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/i18n"
)

// TestScheduleCalendar: spans are cut at local midnight; a 23-hour DST day is scaled to the full
// bar, so every row starts and ends at midnight; gaps are flagged; Arabic mirrors the bar and
// writes the times in its own digits.
func TestScheduleCalendar(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	at := func(d, h int) time.Time { return time.Date(2027, 3, d, h, 0, 0, 0, paris) }
	// 28 March 2027: Paris moves from 02:00 to 03:00, a 23-hour day.
	spans := []haven.ScheduleSpan{
		{Start: at(27, 12), End: at(28, 8), Users: []string{"rami"}, Layer: "nights"},
		{Start: at(28, 8), End: at(28, 18), Layer: ""},
		{Start: at(28, 18), End: at(29, 0), Users: []string{"lina", "omar"}, Layer: "evenings"},
	}
	days := scheduleCalendar(cat.Localizer("en"), spans, paris, at(27, 12), 3)
	if len(days) != 3 || days[0].Date.Day() != 27 || days[2].Date.Day() != 29 {
		t.Fatalf("days: %+v", days)
	}
	first := days[0].Segments
	if len(first) != 1 || first[0].X != 720 || first[0].Width != 720 || first[0].Label != "12:00–24:00 rami" {
		t.Fatalf("27 March: %+v", first)
	}
	dst := days[1].Segments
	if len(dst) != 3 || dst[0].Label != "00:00–08:00 rami" || !dst[1].Gap || dst[1].Label != "08:00–18:00 Nobody" ||
		dst[2].Label != "18:00–24:00 lina, omar" {
		t.Fatalf("28 March: %+v", dst)
	}
	// 00:00–08:00 is 7 real hours of 23; 18:00–24:00 is 6 of 23, ending at the bar's end.
	if w := dst[0].Width; w < 438.2 || w > 438.3 {
		t.Fatalf("the night of the DST change is %v wide, want 7/23 of the bar", w)
	}
	if end := dst[2].X + dst[2].Width; end < 1439.99 || end > 1440.01 {
		t.Fatalf("the evening ends at %v, not at midnight", end)
	}
	if len(days[2].Segments) != 0 {
		t.Fatalf("29 March has no spans: %+v", days[2].Segments)
	}
	ar := scheduleCalendar(cat.Localizer("ar"), spans, paris, at(27, 12), 1)[0].Segments
	if ar[0].X != 0 || ar[0].Label != "١٢:٠٠–٢٤:٠٠ rami" {
		t.Fatalf("Arabic: %+v", ar)
	}
}
