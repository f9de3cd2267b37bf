package web

import (
	"compress/gzip"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	kgzip "github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Compression of answers: pages, JSON, CSS and scripts shrink five- to tenfold, which is what
// keeps a 50-row inbox under 15 KB on the wire.
//
// Secrets in compressed answers invite BREACH-style guessing (an attacker reflects a guess into
// a page and watches its size). Haven's pages are reachable only with a SameSite=Strict session
// cookie and its API only with a bearer token, neither of which a cross-site request carries, so
// an attacker cannot make a victim's browser fetch a page that mixes the attacker's text with
// the victim's data.

const (
	// compressMin is the smallest body worth compressing: below it the coding's framing and the
	// CPU cost outweigh the bytes saved (a TCP packet carries ~1.4 KB anyway).
	compressMin = 1024
	// gzipLevel and zstdLevel favour speed: on a 50-row inbox, gzip 5 is within 1 % of gzip 9
	// at under half its CPU time; zstd's fastest level is within 1 % of its default one, 10 %
	// smaller than gzip 5, at a third of gzip 5's time, and its encoder holds a quarter of the
	// default one's memory (go test ./web -run '^$' -bench CompressInbox).
	gzipLevel = 5
	zstdLevel = zstd.SpeedFastest
	// gzipSmallBody bounds a small answer: one held back whole until the handler ends (an API
	// answer: a created case is 2-3 KB), which is gzipped by klauspost/compress's stateless
	// encoder. It keeps no tables between answers, and tables are what compressing a few KB
	// costs: a pooled encoder's hundreds of KB are out of the CPU's caches by the time it is
	// used again. Compressing a created case's answer with the caches cold took 40-56 µs at the
	// standard library's level 1 and 15-19 µs stateless, for 1,064 and 1,073 bytes
	// (go test ./web -run '^$' -bench CompressSmallAnswer).
	gzipSmallBody = 16 << 10
	// zstdWindow bounds how far back the encoder looks; RFC 9659 caps the zstd content
	// coding's window at 8 MB, and few answers are larger than 1 MB.
	zstdWindow = 1 << 20
)

// newZstd makes a zstd encoder for answers. Concurrency 1 makes Write and Flush synchronous,
// which streaming answers need; lower memory keeps a pool of them small (~0.4 MB each).
func newZstd(level zstd.EncoderLevel) *zstd.Encoder {
	zw, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(level), zstd.WithEncoderConcurrency(1),
		zstd.WithWindowSize(zstdWindow), zstd.WithLowerEncoderMem(true)) // valid constant options: no error
	return zw
}

// codings are the content codings Haven produces, in the order it prefers them when a client
// accepts several equally: zstd is smaller and cheaper than gzip.
func codings() []string { return []string{"zstd", "gzip"} }

// compressor is the middleware that compresses answers. Its encoders are pooled: a gzip writer
// holds ~800 KB of tables and a zstd encoder ~400 KB, too much to allocate per request.
type compressor struct {
	gzips      sync.Pool // *gzip.Writer
	smallGzips sync.Pool // *kgzip.Writer, stateless
	zstds      sync.Pool // *zstd.Encoder
}

func newCompressor() *compressor {
	c := &compressor{}
	c.gzips.New = func() any {
		zw, _ := gzip.NewWriterLevel(io.Discard, gzipLevel) // a constant valid level: no error
		return zw
	}
	c.smallGzips.New = func() any {
		zw, _ := kgzip.NewWriterLevel(io.Discard, kgzip.StatelessCompression) // a constant valid level: no error
		return zw
	}
	c.zstds.New = func() any { return newZstd(zstdLevel) }
	return c
}

// wrap compresses the answers of next when the client accepts a coding Haven produces and the
// answer is worth it (see compressWriter.decide). HEAD requests pass untouched: they have no
// body, and their headers must match what GET would have sent only in spirit.
func (c *compressor) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		cw := &compressWriter{ResponseWriter: w, c: c, coding: negotiate(r.Header.Get("Accept-Encoding"), codings())}
		next.ServeHTTP(cw, r)
		// A panic skips this: observe answers (or aborts) on the writer beneath, and the encoder,
		// in an unknown state, is left to the garbage collector rather than put back.
		_ = cw.close() // a client that went away: nothing to tell it
	})
}

// negotiate picks the content coding of an answer from the request's Accept-Encoding (RFC 9110
// §12.5.3): the offered coding with the highest q-value above zero, "*" standing for those not
// named, ties going to the order of offered. "" means identity: no header (no preference, and
// old clients that send none may not decode anything), an empty one, or nothing acceptable. A
// client that refuses identity too (identity;q=0) still gets it: better readable than a 406.
func negotiate(header string, offered []string) string {
	named, star, starSet := map[string]float64{}, 0.0, false
	for elem := range strings.SplitSeq(header, ",") {
		name, q, ok := parseCoding(elem)
		switch {
		case !ok:
			continue
		case name == "*":
			star, starSet = q, true
		case name == "x-gzip": // an alias of gzip (RFC 9110 §8.4.1.3)
			if _, seen := named["gzip"]; !seen {
				named["gzip"] = q
			}
		default:
			named[name] = q
		}
	}
	best, bestQ := "", 0.0
	for _, coding := range offered {
		q, ok := named[coding]
		if !ok && starSet {
			q, ok = star, true
		}
		if ok && q > bestQ {
			best, bestQ = coding, q
		}
	}
	return best
}

// parseCoding reads one element of Accept-Encoding: a coding name (lower-cased) and its weight,
// 1 unless a valid q parameter says otherwise. A malformed element is ignored rather than
// guessed at.
func parseCoding(elem string) (name string, q float64, ok bool) {
	name, params, _ := strings.Cut(elem, ";")
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		return "", 0, false
	}
	q = 1
	for p := range strings.SplitSeq(params, ";") {
		k, v, found := strings.Cut(strings.TrimSpace(p), "=")
		if !found || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || f < 0 || f > 1 {
			return "", 0, false
		}
		q = f
	}
	return name, q, true
}

// compressWriter holds the start of an answer back until it knows whether and how to compress
// it: at compressMin bytes (gzipSmallBody when the client accepts a coding), at a Flush, or at
// the end of the handler.
type compressWriter struct {
	http.ResponseWriter
	c       *compressor
	coding  string // negotiated; "" for identity
	status  int    // held back until decided
	buf     []byte // the body so far, while undecided
	decided bool
	enc     encoder // nil unless compressing
	// stateless: enc is gzip's stateless encoder (a small answer, held back whole)
	stateless bool
}

// encoder is what gzip.Writer and zstd.Encoder have in common.
type encoder interface {
	io.WriteCloser
	Flush() error
}

func (w *compressWriter) WriteHeader(status int) {
	switch {
	case w.decided:
		w.ResponseWriter.WriteHeader(status) // net/http reports the superfluous call
	case status >= 100 && status < 200:
		w.ResponseWriter.WriteHeader(status) // informational: the real answer follows
	case w.status == 0:
		w.status = status
	}
	// A second status while undecided is superfluous: the first stands, as net/http would have
	// it, and the header is not sent before the coding is settled.
}

func (w *compressWriter) Write(p []byte) (int, error) {
	if !w.decided {
		if w.status == 0 {
			w.status = http.StatusOK
		}
		if len(w.buf)+len(p) < w.holdLimit() && w.mayCompress() {
			w.buf = append(w.buf, p...)
			return len(p), nil
		}
		if err := w.decide(p, false); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if w.enc != nil {
		return w.enc.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

// holdLimit is how much of the body is held back before the coding is settled: enough to tell a
// body worth compressing, and, when the client accepts a coding, a small answer whole.
func (w *compressWriter) holdLimit() int {
	if w.coding == "" {
		return compressMin
	}
	return gzipSmallBody
}

// mayCompress reports whether the answer, as its header stands, could still be compressed: if
// not, there is no point holding its body back.
func (w *compressWriter) mayCompress() bool {
	h := w.ResponseWriter.Header()
	if _, typed := h["Content-Type"]; !typed {
		return true
	}
	return compressible(w.status, h)
}

// Flush sends what is held back, compressed as far as it goes, so that streamed answers keep
// streaming.
func (w *compressWriter) Flush() {
	if !w.decided {
		if w.status == 0 {
			w.status = http.StatusOK
		}
		if w.decide(nil, false) != nil {
			return
		}
	}
	if w.enc != nil && w.enc.Flush() != nil {
		return
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the writer beneath, for deadlines.
func (w *compressWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// close ends the answer: a body still held back is compressed whole, or sent as it is when too
// small to be worth it; an encoder is finished and put back in its pool.
func (w *compressWriter) close() error {
	if !w.decided && len(w.buf) >= compressMin {
		if err := w.decide(nil, true); err != nil {
			return err
		}
	}
	if !w.decided {
		if w.status == 0 && len(w.buf) == 0 {
			return nil // the handler wrote nothing: net/http sends its 200 with an empty body
		}
		w.decided = true
		w.ResponseWriter.WriteHeader(w.status)
		if len(w.buf) == 0 {
			return nil
		}
		_, err := w.ResponseWriter.Write(w.buf)
		return err
	}
	if w.enc == nil {
		return nil
	}
	err := w.enc.Close()
	switch e := w.enc.(type) {
	case *gzip.Writer:
		e.Reset(io.Discard) // drop the reference to this answer's writer
		w.c.gzips.Put(e)
	case *kgzip.Writer:
		e.Reset(io.Discard)
		w.c.smallGzips.Put(e)
	case *zstd.Encoder:
		e.Reset(nil)
		w.c.zstds.Put(e)
	}
	w.enc = nil
	return err
}

// decide settles the coding once the body is known to be large enough, is being flushed, or is
// whole (the handler ended), sends the header and the held-back bytes, then more.
func (w *compressWriter) decide(more []byte, whole bool) error {
	w.decided = true
	h := w.ResponseWriter.Header()
	if _, typed := h["Content-Type"]; !typed && h.Get("Content-Encoding") == "" && bodyAllowed(w.status) {
		// net/http would sniff the type from the first bytes written, which may be compressed.
		h.Set("Content-Type", http.DetectContentType(append(w.buf[:len(w.buf):len(w.buf)], more...)))
	}
	if compressible(w.status, h) {
		addVary(h, "Accept-Encoding")
		if w.coding != "" {
			w.start(h, whole)
		}
	}
	w.ResponseWriter.WriteHeader(w.status)
	out := io.Writer(w.ResponseWriter)
	if w.enc != nil {
		out = w.enc
	}
	held := w.buf
	w.buf = nil
	for _, b := range [][]byte{held, more} { // two writes rather than a copy of a page
		if len(b) == 0 {
			continue
		}
		if _, err := out.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// start switches the answer to the negotiated coding; whole: the body is all held back, and
// small.
func (w *compressWriter) start(h http.Header, whole bool) {
	h.Set("Content-Encoding", w.coding)
	h.Del("Content-Length")
	// A strong validator names these exact bytes, which compression changes; a weak one says
	// "the same content", which it still is (RFC 9110 §8.8.3).
	if et := h.Get("ETag"); et != "" && !strings.HasPrefix(et, "W/") {
		h.Set("ETag", "W/"+et)
	}
	switch w.coding {
	case "gzip":
		if w.stateless = whole; whole {
			zw := w.c.smallGzips.Get().(*kgzip.Writer)
			zw.Reset(w.ResponseWriter)
			w.enc = zw
			return
		}
		zw := w.c.gzips.Get().(*gzip.Writer)
		zw.Reset(w.ResponseWriter)
		w.enc = zw
	case "zstd":
		zw := w.c.zstds.Get().(*zstd.Encoder)
		zw.Reset(w.ResponseWriter)
		w.enc = zw
	}
}

// compressible reports whether an answer is one to compress: a text type with a body, not
// already encoded, not a partial answer, and not a download. Downloads (attachments, exports)
// keep their exact bytes: a saved file must match the size and hash the API reported.
func compressible(status int, h http.Header) bool {
	switch {
	case !bodyAllowed(status), status == http.StatusPartialContent:
		return false
	case h.Get("Content-Encoding") != "", h.Get("Content-Range") != "":
		return false
	case strings.HasPrefix(strings.ToLower(strings.TrimSpace(h.Get("Content-Disposition"))), "attachment"):
		return false
	}
	return textType(h.Get("Content-Type"))
}

// bodyAllowed reports whether an answer of this status may have a body (RFC 9110 §6.4.1).
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// textType reports whether a media type is text that compresses well.
func textType(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	typ, sub, _ := strings.Cut(mt, "/")
	switch {
	case typ == "text":
		return true
	case mt == "image/svg+xml":
		return true
	case typ != "application":
		return false
	}
	switch sub {
	case "json", "javascript", "ecmascript", "xml", "x-ndjson", "jsonl", "manifest+json":
		return true
	}
	return strings.HasSuffix(sub, "+json") || strings.HasSuffix(sub, "+xml")
}

// addVary adds a field name to Vary unless it, or "*", is there already.
func addVary(h http.Header, field string) {
	for _, v := range h.Values("Vary") {
		for f := range strings.SplitSeq(v, ",") {
			f = strings.TrimSpace(f)
			if f == "*" || strings.EqualFold(f, field) {
				return
			}
		}
	}
	h.Add("Vary", field)
}
