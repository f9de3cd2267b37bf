package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
)

// asset is one static file, kept compressed too: CSS and scripts are most of a page's weight.
// Each form has its own strong validator, as RFC 9110 §8.8.3 asks of different bytes.
type asset struct {
	body, gzipped []byte
	ctype         string
	etag, gzEtag  string
}

// staticHandler serves the embedded static files with a validator and, to browsers that accept
// it, gzip. Files are read once, at start.
func (s *Server) staticHandler(fsys fs.FS) http.Handler {
	assets := map[string]*asset{}
	// The files are embedded in the binary: reading them cannot fail, short of a broken build,
	// which the tests of every page would show.
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".md") || strings.HasSuffix(p, "LICENSE") {
			return nil
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		tag := hex.EncodeToString(sum[:8])
		a := &asset{body: body, ctype: mime.TypeByExtension(path.Ext(p)), etag: `"` + tag + `"`, gzEtag: `"` + tag + `-gzip"`}
		if a.gzipped, err = gzipped(body); err != nil {
			return err
		}
		assets[p] = a
		return nil
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := assets[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.ctype)
		h.Set("Cache-Control", "public, max-age=3600")
		h.Set("Vary", "Accept-Encoding")
		gz := negotiate(r.Header.Get("Accept-Encoding"), []string{"gzip"}) == "gzip"
		body, etag := a.body, a.etag
		if gz {
			body, etag = a.gzipped, a.gzEtag
		}
		h.Set("ETag", etag)
		if etagMatches(r.Header.Get("If-None-Match"), etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if gz {
			h.Set("Content-Encoding", "gzip")
		}
		_, _ = w.Write(body) // a client that went away: nothing to tell it
	})
}

// etagMatches is If-None-Match's weak comparison (RFC 9110 §13.1.2): one of the listed tags, or
// "*", names the current representation, "W/" aside.
func etagMatches(ifNoneMatch, etag string) bool {
	for t := range strings.SplitSeq(ifNoneMatch, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == strings.TrimPrefix(etag, "W/") {
			return true
		}
	}
	return false
}

// gzipped compresses a static file once, at start.
func gzipped(body []byte) ([]byte, error) {
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(body); err != nil {
		return nil, err
	}
	err = zw.Close()
	return gz.Bytes(), err
}

// templateFuncs are the helpers the page templates use besides the view's localizer (and
// "options", bound to each language in ui_pages.go).
func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"join":             strings.Join,
		"lower":            strings.ToLower,
		"outcomes":         haven.Outcomes,
		"mark":             highlight,
		"dict":             dict,
		"int64":            func(n int) int64 { return int64(n) },
		"formv":            formValue,
		"choices":          choices,
		"teamOptions":      teamOptions,
		"viewHref":         viewHref,
		"hours":            hoursText,
		"escalationRows":   escalationRows,
		"slaSpan":          slaSpan,
		"deliveryState":    deliveryState,
		"isCasePage":       func(data any) bool { _, ok := data.(*caseData); return ok },
		"auditData":        auditDataText,
		"percentInt":       func(f float64) int { return int(f*100 + 0.5) },
		"escalationKinds":  haven.EscalationKinds,
		"escalationStates": haven.EscalationStates,
		"channelKinds":     haven.ChannelKinds,
		"statsGroupings":   haven.StatsGroupings,
		"percent":          percent,
		"observableTypes":  haven.ObservableTypes,
		"verdicts":         haven.Verdicts,
		"paps":             haven.PAPs,
		"list":             func(s ...string) []string { return s },
		"hasID":            slices.Contains[[]int64],
		"trimPrefix":       strings.TrimPrefix,
		"since":            time.Since,
	}
}

// withQuery returns path?query with one parameter set (or removed when value is empty).
func withQuery(rawURL, key, value string) string {
	u, err := urlParse(rawURL)
	if err != nil {
		return rawURL
	}
	q := u.Query()
	q.Del("cursor")
	if value == "" {
		q.Del(key)
	} else {
		q.Set(key, value)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// dict builds a map for passing several values to a sub-template.
func dict(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		k, _ := kv[i].(string)
		m[k] = kv[i+1]
	}
	return m
}

// formValue is the re-rendered form's value of a field, else the stored value.
func formValue(form map[string][]string, field string, stored any) string {
	if vs, ok := form[field]; ok && len(vs) > 0 {
		return vs[0]
	}
	switch v := stored.(type) {
	case []string:
		return strings.Join(v, ", ")
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}
