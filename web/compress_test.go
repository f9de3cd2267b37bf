package web

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	kgzip "github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/sample"
)

func TestNegotiate(t *testing.T) {
	tests := []struct{ header, want string }{
		{"", ""}, // no header, or an empty one: identity
		{"gzip", "gzip"},
		{"gzip, deflate, br, zstd", "zstd"}, // what Chromium sends: ties go to zstd
		{"zstd;q=0, gzip", "gzip"},
		{"gzip;q=0.5, zstd;q=0.4", "gzip"},
		{"zstd;q=0.5, gzip;q=0.5", "zstd"},
		{"*", "zstd"},
		{"*;q=0", ""},
		{"*, zstd;q=0", "gzip"},
		{"gzip;q=0, *", "zstd"},
		{"deflate, *;q=0.1", "zstd"},
		{"identity", ""},
		{"identity;q=0", ""}, // nothing acceptable: identity anyway, not a 406
		{"GZIP;Q=1.0", "gzip"},
		{"x-gzip", "gzip"},
		{"gzip;q=0.001", "gzip"},
		{"gzip;q=2", ""},   // out of range: the element is ignored
		{"gzip;q=abc", ""}, // malformed: ignored
		{"gzip;q=-1", ""},
		{" , ,gzip ; q=0.8", "gzip"},
		{"br", ""},
		{"gzip;level=9", "gzip"}, // unknown parameters do not matter
	}
	for _, tc := range tests {
		if got := negotiate(tc.header, codings()); got != tc.want {
			t.Errorf("negotiate(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
	if got := negotiate("zstd, gzip", []string{"gzip"}); got != "gzip" {
		t.Errorf("only gzip offered: got %q", got)
	}
}

// bigText is a body well above compressMin that compresses well.
var bigText = strings.Repeat(`{"number":"HV-2026-000001","title":"Compte Facebook piraté","status":"open"},`, 60)

// answer is a handler that writes body with the given headers and status.
func answer(status int, body string, header ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	})
}

// decoded is the body of an answer, decompressed as its Content-Encoding says.
func decoded(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var r io.Reader = w.Body
	switch enc := w.Header().Get("Content-Encoding"); enc {
	case "":
	case "gzip":
		zr, err := gzip.NewReader(w.Body)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	case "zstd":
		zr, err := zstd.NewReader(w.Body)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		r = zr
	default:
		t.Fatalf("unexpected Content-Encoding %q", enc)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decoding %s: %v", w.Header().Get("Content-Encoding"), err)
	}
	return string(b)
}

func TestCompressWhatAndWhen(t *testing.T) {
	c := newCompressor()
	tests := []struct {
		name, method, accept string
		h                    http.Handler
		wantEncoding         string
		wantVary             bool
	}{
		{"JSON, gzip", "GET", "gzip", answer(200, bigText, "Content-Type", "application/json; charset=utf-8"), "gzip", true},
		{"JSON, zstd", "GET", "gzip, zstd", answer(200, bigText, "Content-Type", "application/json"), "zstd", true},
		{"problem JSON", "GET", "gzip", answer(400, bigText, "Content-Type", "application/problem+json"), "gzip", true},
		{"HTML", "GET", "gzip", answer(200, bigText, "Content-Type", "text/html; charset=utf-8"), "gzip", true},
		{"CSS", "GET", "gzip", answer(200, bigText, "Content-Type", "text/css"), "gzip", true},
		{"script", "GET", "gzip", answer(200, bigText, "Content-Type", "application/javascript"), "gzip", true},
		{"SVG", "GET", "gzip", answer(200, bigText, "Content-Type", "image/svg+xml"), "gzip", true},
		{"CSV shown inline", "GET", "gzip", answer(200, bigText, "Content-Type", "text/csv"), "gzip", true},
		{"untyped HTML is sniffed", "GET", "gzip", answer(200, "<!doctype html>"+bigText), "gzip", true},
		{"no Accept-Encoding", "GET", "-", answer(200, bigText, "Content-Type", "application/json"), "", true},
		{"gzip refused", "GET", "gzip;q=0", answer(200, bigText, "Content-Type", "application/json"), "", true},
		{"small body", "GET", "gzip", answer(200, bigText[:compressMin-1], "Content-Type", "application/json"), "", false},
		{"CSV download", "GET", "gzip", answer(200, bigText, "Content-Type", "text/csv",
			"Content-Disposition", `attachment; filename="cases.csv"`), "", false},
		{"attachment", "GET", "gzip", answer(200, bigText, "Content-Type", "application/octet-stream",
			"Content-Disposition", `attachment; filename="x.txt"`), "", false},
		{"PNG", "GET", "gzip", answer(200, bigText, "Content-Type", "image/png"), "", false},
		{"already encoded", "GET", "gzip", answer(200, bigText, "Content-Type", "text/css", "Content-Encoding", "br"), "br", false},
		{"partial", "GET", "gzip", answer(206, bigText, "Content-Type", "text/plain", "Content-Range", "bytes 0-10/100"), "", false},
		{"HEAD", "HEAD", "gzip", answer(200, "", "Content-Type", "text/html"), "", false},
		{"204", "GET", "gzip", answer(204, "", "Content-Type", "application/json"), "", false},
		{"304", "GET", "gzip", answer(304, "", "Content-Type", "text/html"), "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "/x", nil)
			if tc.accept != "-" {
				r.Header.Set("Accept-Encoding", tc.accept)
			}
			w := httptest.NewRecorder()
			c.wrap(tc.h).ServeHTTP(w, r)
			if got := w.Header().Get("Content-Encoding"); got != tc.wantEncoding {
				t.Errorf("Content-Encoding = %q, want %q", got, tc.wantEncoding)
			}
			if got := strings.Contains(w.Header().Get("Vary"), "Accept-Encoding"); got != tc.wantVary {
				t.Errorf("Vary = %q, want Accept-Encoding: %v", w.Header().Get("Vary"), tc.wantVary)
			}
			if tc.wantEncoding == "br" {
				return // not ours to decode
			}
			want := map[bool]string{true: bigText, false: ""}[w.Code != 204 && w.Code != 304 && tc.method != "HEAD"]
			if tc.name == "small body" {
				want = bigText[:compressMin-1]
			} else if tc.name == "untyped HTML is sniffed" {
				want = "<!doctype html>" + bigText
				if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
					t.Errorf("Content-Type = %q: sniffed from the compressed bytes?", ct)
				}
			}
			if got := decoded(t, w); got != want {
				t.Errorf("body differs: got %d bytes, want %d", len(got), len(want))
			}
			if tc.wantEncoding != "" && w.Body.Len() > len(want)/3 {
				t.Errorf("compressed to %d bytes of %d: not compressed?", w.Body.Len(), len(want))
			}
		})
	}
}

func TestCompressHeaders(t *testing.T) {
	c := newCompressor()
	h := answer(200, bigText, "Content-Type", "application/json", "Content-Length", fmt.Sprint(len(bigText)),
		"ETag", `"abc"`, "Vary", "Cookie")
	r := httptest.NewRequest("GET", "/x", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	w := httptest.NewRecorder()
	c.wrap(h).ServeHTTP(w, r)
	if got := w.Header().Get("Content-Length"); got != "" {
		t.Errorf("Content-Length %s kept on a compressed body", got)
	}
	if got := w.Header().Get("ETag"); got != `W/"abc"` {
		t.Errorf("ETag = %q, want the weak W/\"abc\"", got)
	}
	if got := w.Header().Values("Vary"); len(got) != 2 || got[0] != "Cookie" || got[1] != "Accept-Encoding" {
		t.Errorf("Vary = %q, want Cookie then Accept-Encoding", got)
	}
	// Uncompressed, the same answer keeps its length and strong validator.
	r.Header.Del("Accept-Encoding")
	w = httptest.NewRecorder()
	c.wrap(h).ServeHTTP(w, r)
	if w.Header().Get("Content-Length") != fmt.Sprint(len(bigText)) || w.Header().Get("ETag") != `"abc"` {
		t.Errorf("identity answer: Content-Length %q, ETag %q", w.Header().Get("Content-Length"), w.Header().Get("ETag"))
	}
}

// An attachment goes out byte for byte, whatever it holds: its size and hash are the file's.
func TestAttachmentNotCompressed(t *testing.T) {
	s, _ := testServer(t, &fake{})
	a := &haven.Attachment{ID: 7, Filename: "notes.txt", ContentType: "text/plain", Size: int64(len(bigText)), SHA256: strings.Repeat("cd", 32)}
	h := newCompressor().wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeAttachment(w, a, strings.NewReader(bigText))
	}))
	r := httptest.NewRequest("GET", "/x", nil)
	r.Header.Set("Accept-Encoding", "gzip, zstd")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if enc := w.Header().Get("Content-Encoding"); enc != "" {
		t.Errorf("an attachment came with Content-Encoding %q", enc)
	}
	if w.Body.String() != bigText || w.Header().Get("Content-Length") != fmt.Sprint(len(bigText)) {
		t.Errorf("the attachment's bytes or length changed: %d bytes, Content-Length %q", w.Body.Len(), w.Header().Get("Content-Length"))
	}
}

// A second WriteHeader neither changes the status nor sends the header before the coding is
// settled (which would leave a compressed body without its Content-Encoding).
func TestCompressSuperfluousWriteHeader(t *testing.T) {
	h := newCompressor().wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		w.WriteHeader(500)
		_, _ = io.WriteString(w, bigText)
	}))
	r := httptest.NewRequest("POST", "/x", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 201 || w.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("status %d, Content-Encoding %q; want 201, gzip", w.Code, w.Header().Get("Content-Encoding"))
	}
	if decoded(t, w) != bigText {
		t.Error("body differs")
	}
}

// Many small writes add up to a compressed body; the pooled encoders are reused safely by
// concurrent requests.
func TestCompressManyWritesConcurrently(t *testing.T) {
	c := newCompressor()
	h := c.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		for i := range 500 {
			fmt.Fprintf(w, "line %d of %s\n", i, r.URL.Query().Get("id"))
		}
	}))
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			for _, enc := range []string{"gzip", "zstd"} {
				r := httptest.NewRequest("GET", fmt.Sprintf("/x?id=%d", i), nil)
				r.Header.Set("Accept-Encoding", enc)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				var want strings.Builder
				for j := range 500 {
					fmt.Fprintf(&want, "line %d of %d\n", j, i)
				}
				if w.Header().Get("Content-Encoding") != enc {
					t.Errorf("request %d: Content-Encoding %q, want %s", i, w.Header().Get("Content-Encoding"), enc)
				} else if got := decoded(t, w); got != want.String() {
					t.Errorf("request %d (%s): body differs", i, enc)
				}
			}
		})
	}
	wg.Wait()
}

// A flushed part of a compressed answer reaches the client before the handler goes on.
func TestCompressFlushStreams(t *testing.T) {
	for _, enc := range codings() {
		t.Run(enc, func(t *testing.T) {
			release := make(chan struct{})
			srv := httptest.NewServer(newCompressor().wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				_, _ = io.WriteString(w, "first part\n")
				if err := http.NewResponseController(w).Flush(); err != nil {
					t.Errorf("flush: %v", err)
				}
				<-release
				_, _ = io.WriteString(w, "second part\n")
			})))
			defer srv.Close()
			defer close(release)
			req, _ := http.NewRequest("GET", srv.URL, nil)
			req.Header.Set("Accept-Encoding", enc) // set by hand: the transport then leaves the body alone
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.Header.Get("Content-Encoding") != enc {
				t.Fatalf("Content-Encoding = %q", resp.Header.Get("Content-Encoding"))
			}
			var zr io.Reader
			if enc == "gzip" {
				zr, err = gzip.NewReader(resp.Body)
			} else {
				zr, err = zstd.NewReader(resp.Body)
			}
			if err != nil {
				t.Fatal(err)
			}
			line := make(chan string, 1)
			go func() {
				s, _ := bufio.NewReader(zr).ReadString('\n')
				line <- s
			}()
			select {
			case s := <-line:
				if s != "first part\n" {
					t.Errorf("first line = %q", s)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the flushed part did not arrive while the handler waited")
			}
		})
	}
}

// Through the whole server: the API's JSON and the pages are compressed, and decode to what an
// uncompressed request gets.
func TestServerCompresses(t *testing.T) {
	s, _ := testServer(t, &fake{})
	for _, path := range []string{"/api/v1/openapi.json", "/login"} {
		plain := serve(t, s, req{method: "GET", path: path, token: "-"})
		if plain.Code != 200 || plain.Header().Get("Content-Encoding") != "" {
			t.Fatalf("%s without Accept-Encoding: %d, Content-Encoding %q", path, plain.Code, plain.Header().Get("Content-Encoding"))
		}
		w := serve(t, s, req{method: "GET", path: path, token: "-", header: map[string]string{"Accept-Encoding": "gzip, deflate, br, zstd"}})
		if w.Header().Get("Content-Encoding") != "zstd" || !strings.Contains(w.Header().Get("Vary"), "Accept-Encoding") {
			t.Errorf("%s: Content-Encoding %q, Vary %q", path, w.Header().Get("Content-Encoding"), w.Header().Get("Vary"))
		}
		size := w.Body.Len()
		if got := decoded(t, w); got != plain.Body.String() {
			t.Errorf("%s: decompressed body differs from the plain one", path)
		}
		t.Logf("%s: %d bytes, %d compressed", path, plain.Body.Len(), size)
	}
}

// The static files, compressed once at start, follow the same negotiation, and each form has
// its own validator.
func TestStaticNegotiation(t *testing.T) {
	s, _ := testServer(t, &fake{})
	get := func(accept, ifNoneMatch string) *httptest.ResponseRecorder {
		h := map[string]string{"Accept-Encoding": accept}
		if ifNoneMatch != "" {
			h["If-None-Match"] = ifNoneMatch
		}
		return serve(t, s, req{method: "GET", path: "/static/haven.css", token: "-", header: h})
	}
	gz, plain := get("gzip", ""), get("gzip;q=0, identity", "")
	if gz.Header().Get("Content-Encoding") != "gzip" || plain.Header().Get("Content-Encoding") != "" {
		t.Fatalf("Content-Encoding: %q for gzip, %q for gzip;q=0", gz.Header().Get("Content-Encoding"), plain.Header().Get("Content-Encoding"))
	}
	if decoded(t, gz) != plain.Body.String() {
		t.Error("the gzipped stylesheet differs from the plain one")
	}
	gzTag, plainTag := gz.Header().Get("ETag"), plain.Header().Get("ETag")
	if gzTag == "" || gzTag == plainTag {
		t.Errorf("ETags: %q gzipped, %q plain: each form needs its own", gzTag, plainTag)
	}
	if w := get("gzip", gzTag); w.Code != 304 {
		t.Errorf("If-None-Match with the gzip ETag: %d, want 304", w.Code)
	}
	if w := get("gzip;q=0", gzTag); w.Code != 200 {
		t.Errorf("If-None-Match with the gzip ETag on a plain request: %d, want 200", w.Code)
	}
	if w := get("gzip", `"other", W/`+gzTag); w.Code != 304 {
		t.Errorf("If-None-Match list with a weak match: %d, want 304", w.Code)
	}
}

// BenchmarkCompressInbox reports what the 50-row inbox page weighs plain and compressed at a
// few levels, and what compressing it costs:
//
//	go test ./web -run '^$' -bench CompressInbox
func BenchmarkCompressInbox(b *testing.B) {
	s, v := benchInbox(b, "en", 50)
	var page bytes.Buffer
	if err := s.pages[v.L.Tag()]["inbox"].ExecuteTemplate(&page, "layout", v); err != nil {
		b.Fatal(err)
	}
	gz := func(level int) func() encoder {
		return func() encoder { zw, _ := gzip.NewWriterLevel(io.Discard, level); return zw }
	}
	zs := func(level zstd.EncoderLevel) func() encoder {
		return func() encoder { return newZstd(level) }
	}
	encoders := []struct {
		name string
		new  func() encoder
	}{
		{"gzip-1", gz(1)}, {"gzip-5", gz(5)}, {"gzip-6", gz(6)}, {"gzip-9", gz(9)},
		{"zstd-fastest", zs(zstd.SpeedFastest)}, {"zstd-default", zs(zstd.SpeedDefault)}, {"zstd-better", zs(zstd.SpeedBetterCompression)},
	}
	for _, e := range encoders {
		b.Run(e.name, func(b *testing.B) {
			var out bytes.Buffer
			zw := e.new() // reused, as the middleware's pools do
			b.ReportAllocs()
			for b.Loop() {
				out.Reset()
				zw.(interface{ Reset(io.Writer) }).Reset(&out)
				_, _ = zw.Write(page.Bytes())
				_ = zw.Close()
			}
			b.ReportMetric(float64(page.Len()), "plain-bytes")
			b.ReportMetric(float64(out.Len()), "bytes")
		})
	}
	b.Run("middleware", func(b *testing.B) {
		c := newCompressor()
		h := c.wrap(answer(200, page.String(), "Content-Type", "text/html; charset=utf-8"))
		r := httptest.NewRequest("GET", "/inbox", nil)
		r.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
		b.ReportAllocs()
		for b.Loop() {
			h.ServeHTTP(httptest.NewRecorder(), r)
		}
	})
}

// BenchmarkCompressSmallAnswer compresses a created case's JSON answer (~1.9 KB) as intake does:
// with the encoder's tables out of the CPU's caches (64 encoders in turn, 8 MB of other memory
// touched between two answers), which is what a pooled encoder meets under load:
//
//	go test ./web -run '^$' -bench CompressSmallAnswer -benchtime 3000x
func BenchmarkCompressSmallAnswer(b *testing.B) {
	g := sample.New(1)
	c := g.NextBench(1500)
	body, err := json.Marshal(map[string]any{"id": 1234, "number": "HV-2026-001234", "title": c.Title,
		"summary": c.Summary, "status": "new", "priority": "P3", "tags": []string{"phishing", "urgent"},
		"categories": []string{"account-compromise"}, "created_at": "2026-12-06T06:00:00Z",
		"updated_at": "2026-12-06T06:00:00Z", "version": 1, "tlp": "amber", "tier": 1})
	if err != nil {
		b.Fatal(err)
	}
	type resetter interface {
		io.WriteCloser
		Reset(io.Writer)
	}
	other := make([]byte, 8<<20)
	for _, e := range []struct {
		name string
		new  func() resetter
	}{
		{"gzip-1", func() resetter { zw, _ := gzip.NewWriterLevel(io.Discard, 1); return zw }},
		{"gzip-5", func() resetter { zw, _ := gzip.NewWriterLevel(io.Discard, 5); return zw }},
		{"klauspost-gzip-stateless", func() resetter {
			zw, _ := kgzip.NewWriterLevel(io.Discard, kgzip.StatelessCompression)
			return zw
		}},
		{"zstd-fastest", func() resetter { return newZstd(zstd.SpeedFastest) }},
	} {
		b.Run(e.name, func(b *testing.B) {
			encoders := make([]resetter, 64)
			for i := range encoders {
				encoders[i] = e.new()
			}
			var out bytes.Buffer
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				b.StopTimer()
				for j := 0; j < len(other); j += 64 {
					other[j]++
				}
				b.StartTimer()
				zw := encoders[i%len(encoders)]
				i++
				out.Reset()
				zw.Reset(&out)
				_, _ = zw.Write(body)
				_ = zw.Close()
			}
			b.ReportMetric(float64(len(body)), "plain-bytes")
			b.ReportMetric(float64(out.Len()), "bytes")
		})
	}
}

// TestCompressGzipBySize: a small answer (an API answer) is held back whole and gzipped by the
// stateless encoder; a large one, or one flushed before its end, by the pooled one at
// gzipLevel. Each decodes, with the standard library's reader, to what was written.
func TestCompressGzipBySize(t *testing.T) {
	c := newCompressor()
	huge := strings.Repeat(bigText, 5)
	for _, tc := range []struct {
		name      string
		body      string
		flush     bool
		stateless bool
	}{{"small", bigText, false, true}, {"large", huge, false, false}, {"small, flushed", bigText, true, false}} {
		t.Run(tc.name, func(t *testing.T) {
			var cw *compressWriter
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				cw = w.(*compressWriter)
				w.Header().Set("Content-Type", "application/json")
				half := len(tc.body) / 2
				_, _ = io.WriteString(w, tc.body[:half])
				if tc.flush {
					cw.Flush()
				}
				_, _ = io.WriteString(w, tc.body[half:])
			})
			r := httptest.NewRequest("GET", "/x", nil)
			r.Header.Set("Accept-Encoding", "gzip")
			w := httptest.NewRecorder()
			c.wrap(h).ServeHTTP(w, r)
			if w.Header().Get("Content-Encoding") != "gzip" || decoded(t, w) != tc.body {
				t.Fatalf("not the body, gzipped: %q, %d bytes", w.Header().Get("Content-Encoding"), w.Body.Len())
			}
			if w.Body.Len() >= len(tc.body)/2 {
				t.Errorf("%d bytes compressed to %d", len(tc.body), w.Body.Len())
			}
			if cw.stateless != tc.stateless {
				t.Errorf("a %d-byte answer: stateless encoder %v, want %v", len(tc.body), cw.stateless, tc.stateless)
			}
		})
	}
}
